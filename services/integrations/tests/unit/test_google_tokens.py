"""Google token rules (integrations.md §5.2, §5.3): the authorization URL, reading the token
endpoint's answers, and when a stored token is used or refreshed."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from pydantic import SecretStr

from integrations.google import tokens

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
CONNECTORS = SimpleNamespace(
    settings=SimpleNamespace(
        google_client_id="cid",
        google_client_secret=SecretStr("csecret"),
        google_auth_url="https://accounts.google.com/o/oauth2/v2/auth",
    ),
    public=lambda path: "https://tt.example" + path,
)


def answer(status: int, body) -> httpx.Response:
    return httpx.Response(status, json=body, request=httpx.Request("POST", "https://oauth2.googleapis.com/token"))


class TestAuthorizationUrl:
    def test_it_carries_the_spec_query_and_an_s256_challenge(self):
        verifier = tokens.new_code_verifier()
        url = tokens.authorization_url(CONNECTORS, state="st", code_verifier=verifier)
        query = {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        assert len(verifier) == 48
        assert query == {
            "client_id": "cid",
            "redirect_uri": "https://tt.example/integrations/google/callback",
            "response_type": "code",
            "scope": tokens.SCOPE,
            "access_type": "offline",
            "include_granted_scopes": "true",
            "prompt": "consent",
            "state": "st",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }


class TestGrant:
    def test_a_grant_with_defaults(self):
        grant = tokens.parse_grant(CONNECTORS, answer(200, {"access_token": "a", "token_type": "Bearer"}))
        assert grant == tokens.TokenGrant(access_token="a", refresh_token=None, expires_in=3600)
        assert tokens.expiry_of(grant, NOW) == "2026-03-02T12:59:00+00:00"

    @pytest.mark.parametrize(
        ("status", "body", "text"),
        [
            (400, {"error": "invalid_grant", "error_description": "Bad code abc"}, "invalid_grant"),
            (400, {"error": "bad thing: tokenXYZ"}, "Google refused the token request: error"),
            (200, {"token_type": "Bearer"}, "without a token"),
            (503, {"oops": True}, "HTTP 503"),
        ],
    )
    def test_refusals_are_safe_texts(self, status, body, text):
        with pytest.raises(tokens.GoogleAuthError) as failed:
            tokens.parse_grant(CONNECTORS, answer(status, body))
        assert text in str(failed.value) and "abc" not in str(failed.value) and "XYZ" not in str(failed.value)


class TestExpiry:
    def test_a_token_is_used_while_more_than_5_minutes_remain(self):
        assert tokens.still_fresh(NOW + timedelta(minutes=5, seconds=1), NOW)
        assert not tokens.still_fresh(NOW + timedelta(minutes=5), NOW)
        assert not tokens.still_fresh(None, NOW)

    def test_stored_expiries_are_read_leniently(self):
        assert tokens.parse_expiry("2026-03-02T12:00:00") == NOW
        assert tokens.parse_expiry("2026-03-02T13:00:00+01:00") == NOW
        assert tokens.parse_expiry("soon") is None and tokens.parse_expiry(None) is None
