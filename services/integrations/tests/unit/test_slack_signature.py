"""§4.4 request signatures, checked the way Slack signs them."""

from __future__ import annotations

import hashlib
import hmac

from integrations.models import Integration
from integrations.slack import signature
from integrations.slack.events import choose

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BODY = b"token=x&team_id=T1&user_id=U1&command=%2Ftt&text=status"
NOW = 1_700_000_000.0


def slack_signs(secret: str, timestamp: int, body: bytes) -> str:
    return "v0=" + hmac.new(secret.encode(), b"v0:%d:" % timestamp + body, hashlib.sha256).hexdigest()


class TestTimestamp:
    def test_within_five_minutes_either_way(self):
        assert signature.timestamp_of(str(int(NOW) - 300), now=NOW) == int(NOW) - 300
        assert signature.timestamp_of(str(int(NOW) + 300), now=NOW) == int(NOW) + 300

    def test_older_or_future_requests_are_refused(self):
        assert signature.timestamp_of(str(int(NOW) - 301), now=NOW) is None
        assert signature.timestamp_of(str(int(NOW) + 301), now=NOW) is None

    def test_missing_or_not_an_integer(self):
        for raw in (None, "", "abc", "1700000000.5", " "):
            assert signature.timestamp_of(raw, now=NOW) is None


class TestVerifies:
    def test_slack_signature_verifies(self):
        ts = int(NOW)
        assert signature.verifies(SECRET, ts, BODY, slack_signs(SECRET, ts, BODY))

    def test_other_secret_body_or_timestamp_does_not(self):
        ts = int(NOW)
        good = slack_signs(SECRET, ts, BODY)
        assert not signature.verifies("another-secret", ts, BODY, good)
        assert not signature.verifies(SECRET, ts, BODY + b"&x=1", good)
        assert not signature.verifies(SECRET, ts + 1, BODY, good)

    def test_needs_the_version_prefix_and_lowercase_hex(self):
        ts = int(NOW)
        good = slack_signs(SECRET, ts, BODY)
        assert not signature.verifies(SECRET, ts, BODY, good.removeprefix("v0="))
        assert not signature.verifies(SECRET, ts, BODY, "v0=" + good[3:].upper())

    def test_without_a_secret_nothing_verifies(self):
        ts = int(NOW)
        assert not signature.verifies(None, ts, BODY, slack_signs("", ts, BODY))
        assert not signature.verifies("", ts, BODY, slack_signs("", ts, BODY))


def row(row_id: int, linked: str | None) -> Integration:
    return Integration(id=row_id, provider="slack_connector", user_id=row_id, config={"linked_slack_user_id": linked})


class TestChoose:
    def test_the_integration_linked_to_the_slack_user_wins(self):
        rows = [row(1, None), row(2, "U2"), row(3, "U3")]
        assert choose(rows, "U3").id == 3

    def test_else_the_first_unlinked_one(self):
        rows = [row(1, "U1"), row(2, None), row(3, None)]
        assert choose(rows, "U9").id == 2

    def test_all_linked_to_others_the_first_answers_and_refuses(self):
        rows = [row(1, "U1"), row(2, "U2")]
        assert choose(rows, "U9").id == 1
