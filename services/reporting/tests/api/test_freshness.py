"""Every read-model answer says how current it is; a fresh read never fails for want of
freshness (tracking or NATS unreachable → `stale`, after at most the configured wait)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from shared.embedded import free_port
from shared.timefmt import iso_utc

URL = "/api/v1/reports/summary"


def test_data_as_of_is_the_newest_applied_tracking_event(client, headers_for, user_id, publish, entry_data):
    newest = datetime.now(UTC).replace(microsecond=0)
    publish("tt.tracking.time_entry.created", entry_data(user_id=user_id), occurred_at=newest - timedelta(seconds=5))
    publish("tt.tracking.time_entry.created", entry_data(user_id=user_id), occurred_at=newest)
    publish("tt.tracking.time_entry.created", entry_data(user_id=user_id), occurred_at=newest - timedelta(seconds=9))
    response = client.get(URL, headers=headers_for(user_id, "read:reports"))
    assert response.headers["X-TT-Data-As-Of"] == iso_utc(newest)
    assert response.headers["X-TT-Freshness"] == "eventual"  # this suite's app does not wait


def test_tracking_unreachable_answers_stale_within_the_wait(make_app_client, headers_for, user_id):
    client = make_app_client(
        read_your_writes=True, tracking_url=f"http://127.0.0.1:{free_port()}", freshness_timeout_seconds=1.0
    )
    started = time.monotonic()
    response = client.get(URL, headers=headers_for(user_id, "read:reports"))
    assert response.status_code == 200
    assert response.headers["X-TT-Freshness"] == "stale"
    assert time.monotonic() - started < 1.5


def test_a_caller_may_skip_the_wait(make_app_client, headers_for, user_id):
    client = make_app_client(read_your_writes=True, tracking_url=f"http://127.0.0.1:{free_port()}")
    response = client.get(URL, headers={**headers_for(user_id, "read:reports"), "X-TT-Consistency": "eventual"})
    assert response.status_code == 200 and response.headers["X-TT-Freshness"] == "eventual"
