"""Token format, hashing and scope rules (CONVENTIONS §2.1, §3.1)."""

import base64
import hashlib
import re

from auth.tokens import rules
from auth.tokens.rules import (
    SCOPE_CATALOGUE,
    display_prefix,
    generate_token,
    hash_token,
    login_scopes,
    parse_ip_whitelist,
    parse_scope_input,
    unknown_scopes,
)

TOKEN_RE = re.compile(r"^tt_[A-Za-z0-9_-]{32}$")


class TestGeneration:
    def test_format_is_tt_plus_32_urlsafe_characters(self):
        for _ in range(200):
            token = generate_token()
            assert TOKEN_RE.fullmatch(token) and len(token) == 35

    def test_tokens_are_unique(self):
        assert len({generate_token() for _ in range(500)}) == 500

    def test_first_32_chars_of_urlsafe_b64_of_32_random_bytes(self, monkeypatch):
        seen = []

        def fake_bytes(n):
            seen.append(n)
            return bytes(range(n))

        monkeypatch.setattr(rules.secrets, "token_bytes", fake_bytes)
        expected = "tt_" + base64.urlsafe_b64encode(bytes(range(32))).decode().rstrip("=")[:32]
        assert generate_token() == expected
        assert seen == [32]


class TestHashing:
    def test_sha256_hex_of_the_full_token_including_prefix(self):
        token = "tt_" + "a" * 32
        assert hash_token(token) == hashlib.sha256(token.encode()).hexdigest()
        assert re.fullmatch(r"[0-9a-f]{64}", hash_token(token))
        assert hash_token(token) != hashlib.sha256(("a" * 32).encode()).hexdigest()

    def test_display_prefix_is_first_8_characters(self):
        assert display_prefix("tt_Ab3dEfghijk") == "tt_Ab3dE"


class TestScopes:
    def test_comma_string_and_list_are_trimmed_and_deduplicated(self):
        assert parse_scope_input(" read:projects, ,write:tasks,read:projects ") == ["read:projects", "write:tasks"]
        assert parse_scope_input(["read:*", " write:* ", "", "read:*"]) == ["read:*", "write:*"]
        assert parse_scope_input(None) == []

    def test_catalogue_and_wildcards_are_valid(self):
        valid = ["read:projects", "write:time_entries", "read:users", "admin:all", "read:inventory",
                 "write:webhooks", "write:reports", "read:per_diem", "read:*", "write:*", "admin:*", "*"]  # fmt: skip
        assert unknown_scopes(valid) == []
        assert "write:users" not in SCOPE_CATALOGUE

    def test_unknown_scopes_are_reported_in_order(self):
        assert unknown_scopes(["read:projects", "fly:away", "Read:projects", "admin"]) == [
            "fly:away",
            "Read:projects",
            "admin",
        ]

    def test_login_scopes(self):
        assert login_scopes(True) == "admin:all"
        assert login_scopes(False) == "read:*,write:*"


class TestIpWhitelist:
    def test_ips_and_cidrs_are_normalized(self):
        assert parse_ip_whitelist(" 10.1.2.3, 192.168.0.0/16 ,::1") == ("10.1.2.3,192.168.0.0/16,::1", [])

    def test_empty_is_none(self):
        assert parse_ip_whitelist(None) == (None, [])
        assert parse_ip_whitelist(" , ") == (None, [])

    def test_invalid_entries_are_listed(self):
        assert parse_ip_whitelist("10.0.0.1,not-an-ip,300.1.1.1")[1] == ["not-an-ip", "300.1.1.1"]
