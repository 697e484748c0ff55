"""CONVENTIONS §2.2 precedence and the §2.3 IP allow-list rule."""

import hashlib

import pytest

from gateway.tokens import extract_token, ip_allowed, parse_allow_list, token_hash

TOKEN = "tt_" + "a" * 32
OTHER = "tt_" + "b" * 32


class TestExtractToken:
    @pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER", "Token", "token"])
    def test_bearer_and_token_schemes_case_insensitive(self, scheme):
        assert extract_token(f"{scheme} {TOKEN}", None) == TOKEN

    def test_x_api_key_alone(self):
        assert extract_token(None, TOKEN) == TOKEN

    def test_well_formed_authorization_wins_over_x_api_key(self):
        assert extract_token(f"Bearer {OTHER}", TOKEN) == OTHER

    def test_invalid_bearer_token_still_wins(self):
        assert extract_token("Bearer not-a-token", TOKEN) == "not-a-token"

    @pytest.mark.parametrize("header", ["Basic xyz", "Bearer a b", "Bearer", "Digest", "tt_abc", "", "   "])
    def test_malformed_authorization_falls_back_to_x_api_key(self, header):
        assert extract_token(header, TOKEN) == TOKEN

    def test_malformed_authorization_without_x_api_key_is_no_token(self):
        assert extract_token("Basic xyz", None) is None

    def test_nothing(self):
        assert extract_token(None, None) is None
        assert extract_token(None, "") is None

    def test_whitespace_split_tolerates_extra_spaces(self):
        assert extract_token(f"  Bearer   {TOKEN}  ", None) == TOKEN

    def test_x_api_key_is_taken_whole(self):
        assert extract_token(None, "abc def") == "abc def"


def test_token_hash_is_lowercase_sha256_hex_of_the_full_token():
    assert token_hash(TOKEN) == hashlib.sha256(TOKEN.encode()).hexdigest()
    assert token_hash("tt_abc") != token_hash("abc")


class TestAllowList:
    def test_unset_or_blank_means_no_restriction(self):
        assert parse_allow_list(None) is None
        assert parse_allow_list("  ") is None

    def test_exact_ip_and_cidr(self):
        networks = parse_allow_list("10.1.2.3, 192.168.0.0/16")
        assert ip_allowed(networks, "10.1.2.3")
        assert ip_allowed(networks, "192.168.44.5")
        assert not ip_allowed(networks, "10.1.2.4")
        assert not ip_allowed(networks, "127.0.0.1")

    def test_ipv6_and_mapped_ipv4(self):
        networks = parse_allow_list("2001:db8::/32,127.0.0.1")
        assert ip_allowed(networks, "2001:db8::1")
        assert ip_allowed(networks, "::ffff:127.0.0.1")
        assert not ip_allowed(networks, "::1")

    def test_unparseable_entries_match_nothing(self):
        networks = parse_allow_list("not-an-ip,,")
        assert networks == ()
        assert not ip_allowed(networks, "127.0.0.1")

    def test_unparseable_client_address_is_denied(self):
        assert not ip_allowed(parse_allow_list("0.0.0.0/0"), "unknown")
