"""Secrets at rest and in logs (integrations.md §2.3), for webhook secrets now and the
connectors' tokens next.

Stored form: `enc:v1:` + a Fernet token (AES-128-CBC + HMAC-SHA256, `cryptography`). Keys rotate
with `MultiFernet`: the first configured key encrypts, every configured key decrypts, and a value
under an older key (or legacy plain text, read as is) is re-encrypted under the first on its next
save (`SecretBox.reseal`). Without a key nothing is stored: `seal` raises
`EncryptionKeyMissingError` (503 "encryption key not configured")."""

from __future__ import annotations

import secrets as _random

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from integrations.errors import EncryptionKeyMissingError

PREFIX = "enc:v1:"


class SecretUnreadableError(Exception):
    """A stored secret no configured key opens (its key was removed)."""


def new_webhook_secret() -> str:
    """32 random bytes, URL-safe base64 without padding: 43 characters (§1.1)."""
    return _random.token_urlsafe(32)


def masked(value: str | None) -> str:
    """What a log may show of a secret: its first 4 characters and `...`."""
    return "" if not value else value[:4] + "..."


def check_keys(keys: list[str]) -> None:
    """Refuse a malformed key at start-up (ValueError naming its position, never the key)."""
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode())
        except (ValueError, TypeError):
            raise ValueError(f"encryption key #{position} is not a Fernet key (URL-safe base64 of 32 bytes)") from None


class SecretBox:
    def __init__(self, keys: list[str]) -> None:
        check_keys(keys)
        self._fernet = MultiFernet([Fernet(k.encode()) for k in keys]) if keys else None

    @property
    def configured(self) -> bool:
        return self._fernet is not None

    def _require(self) -> MultiFernet:
        if self._fernet is None:
            raise EncryptionKeyMissingError()
        return self._fernet

    def seal(self, plain: str) -> str:
        """The stored form of `plain`, under the first key."""
        return PREFIX + self._require().encrypt(plain.encode()).decode()

    def open(self, stored: str | None) -> str | None:
        """The plain secret; a value without the prefix is legacy plain text."""
        if stored is None:
            return None
        if not stored.startswith(PREFIX):
            return stored
        if self._fernet is None:
            raise SecretUnreadableError("encryption key not configured")
        try:
            return self._fernet.decrypt(stored[len(PREFIX) :].encode()).decode()
        except InvalidToken:
            raise SecretUnreadableError("no configured encryption key opens the stored secret") from None

    def reseal(self, stored: str | None) -> str | None:
        """On a save: legacy plain text encrypted, an older key's token re-encrypted under the
        first key; unchanged when no key is configured or no key opens it."""
        if stored is None or self._fernet is None:
            return stored
        if not stored.startswith(PREFIX):
            return self.seal(stored)
        try:
            return PREFIX + self._fernet.rotate(stored[len(PREFIX) :].encode()).decode()
        except InvalidToken:
            return stored
