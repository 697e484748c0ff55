"""Secrets at rest (§2.3): Fernet under the first key, every key decrypts, legacy plain text."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from integrations.errors import EncryptionKeyMissingError
from integrations.secrets import PREFIX, SecretBox, SecretUnreadableError, masked, new_webhook_secret
from integrations.settings import IntegrationsSettings

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def test_new_secrets_are_43_url_safe_characters():
    secret = new_webhook_secret()
    assert len(secret) == 43 and set(secret) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_rotation_first_key_encrypts_all_decrypt():
    sealed_old = SecretBox([OLD]).seal("hush")
    rotated = SecretBox([NEW, OLD])
    assert sealed_old.startswith(PREFIX) and rotated.open(sealed_old) == "hush"
    resealed = rotated.reseal(sealed_old)
    assert SecretBox([NEW]).open(resealed) == "hush"
    with pytest.raises(SecretUnreadableError):
        SecretBox([NEW]).open(sealed_old)


def test_legacy_plain_text_is_read_as_is_and_sealed_on_save():
    box = SecretBox([NEW])
    assert box.open("plain") == "plain"
    assert box.reseal("plain").startswith(PREFIX)


def test_without_a_key_nothing_is_stored():
    box = SecretBox([])
    assert not box.configured
    with pytest.raises(EncryptionKeyMissingError):
        box.seal("x")
    assert box.reseal("plain") == "plain"


def test_a_malformed_key_fails_start_up():
    with pytest.raises(ValueError, match="#1"):
        SecretBox(["not-a-key"])


def test_masked():
    assert masked("abcdefgh") == "abcd..." and masked(None) == ""


def test_settings_take_every_key_source(tmp_path, monkeypatch):
    key_file = tmp_path / "key"
    key_file.write_text(f"{OLD}\nignored\n")
    monkeypatch.setenv("SETTINGS_ENCRYPTION_KEY", NEW)
    monkeypatch.setenv("SETTINGS_ENCRYPTION_KEY_FILE", str(key_file))
    third = Fernet.generate_key().decode()
    settings = IntegrationsSettings(identity_secret="x" * 40, encryption_keys=f" {third} ,")
    assert settings.encryption_key_list() == [third, NEW, OLD]
