"""`Idempotency-Key` handling (CONVENTIONS §11.1): which keys count and what is stored."""

from __future__ import annotations

import hashlib

import pytest

from shared.identity import Identity
from tracking.entries.idempotency import IdempotencyKey, normalize, request_key


class TestKeys:
    @pytest.mark.parametrize(("raw", "key"), [("abc", "abc"), ("  abc\t", "abc"), ("k" * 128, "k" * 128),
                                              (" " + "k" * 128 + " ", "k" * 128)])  # fmt: skip
    def test_trimmed_keys_up_to_128_characters(self, raw, key):
        assert normalize(raw) == key

    @pytest.mark.parametrize("raw", [None, "", "   ", "k" * 129])
    def test_empty_or_overlong_keys_are_ignored(self, raw):
        assert normalize(raw) is None

    def test_stored_identity_is_the_token_and_the_sha256_of_the_trimmed_key(self):
        key = request_key(Identity(user_id=1, token_id=9), " order-7 ")
        assert key == IdempotencyKey(9, hashlib.sha256(b"order-7").hexdigest())

    def test_same_key_of_two_tokens_differs(self):
        assert request_key(Identity(user_id=1, token_id=1), "k") != request_key(Identity(user_id=1, token_id=2), "k")

    def test_no_token_no_key(self):
        assert request_key(Identity(user_id=1), "k") is None
