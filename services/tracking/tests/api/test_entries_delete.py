"""`DELETE /api/v1/time-entries/{id}` (tracking.md §4.5)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tracking.models import TimeEntry

URL = "/api/v1/time-entries"
START = datetime(2024, 1, 15, 9, 0, tzinfo=UTC)


@pytest.fixture
def project(make_project):
    return make_project(name="Website")


@pytest.fixture
def entry(make_entry, user_id, project):
    return make_entry(user_id, project, START, START + timedelta(hours=1), notes="Last words")


@pytest.fixture
def exists(session):
    def check(entry_id: int) -> bool:
        session.expire_all()
        return session.get(TimeEntry, entry_id) is not None

    return check


class TestDeleteEntry:
    def test_deletes_and_records_the_last_state(self, client, user_headers, entry, exists, outbox_events):
        entry_id = entry.id
        r = client.delete(f"{URL}/{entry_id}", headers=user_headers)
        assert r.status_code == 200
        assert r.json() == {"message": "Time entry deleted successfully"}
        assert not exists(entry_id)
        [event] = outbox_events("tt.tracking.time_entry.deleted")
        assert event["entity_id"] == str(entry_id)
        assert (event["data"]["id"], event["data"]["notes"], event["data"]["project"]) == (
            entry_id, "Last words", "Website")  # fmt: skip
        assert event["data"]["duration_seconds"] == 3600

    def test_body_with_a_reason(self, client, user_headers, entry, exists):
        r = client.request("DELETE", f"{URL}/{entry.id}", json={"reason": "duplicate"}, headers=user_headers)
        assert r.status_code == 200 and not exists(entry.id)

    @pytest.mark.parametrize("content_type", [None, "application/json"])
    def test_empty_body_with_or_without_content_type(self, client, user_headers, entry, exists, content_type):
        headers = user_headers | ({"Content-Type": content_type} if content_type else {})
        r = client.request("DELETE", f"{URL}/{entry.id}", content=b"", headers=headers)
        assert r.status_code == 200 and not exists(entry.id)

    def test_admin_deletes_another_users_entry(self, client, admin_headers, entry, exists):
        assert client.delete(f"{URL}/{entry.id}", headers=admin_headers).status_code == 200
        assert not exists(entry.id)

    def test_running_timer_must_be_stopped_first(
        self, client, user_headers, user_id, project, make_entry, exists, outbox_events
    ):
        running = make_entry(user_id, project, START)
        r = client.delete(f"{URL}/{running.id}", headers=user_headers)
        assert (r.status_code, r.json()["error_code"]) == (400, "timer_active")
        assert "stop the timer first" in r.json()["message"]
        assert exists(running.id) and outbox_events() == []

    def test_another_users_entry_is_403(
        self, client, user_headers, user_id, project, make_entry, exists, outbox_events
    ):
        theirs = make_entry(user_id + 1, project, START, START + timedelta(hours=1))
        r = client.delete(f"{URL}/{theirs.id}", headers=user_headers)
        assert (r.status_code, r.json()["error_code"], r.json()["error"]) == (403, "forbidden", "Access denied")
        assert exists(theirs.id) and outbox_events() == []

    @pytest.mark.parametrize("entry_id", ["987654321", "99999999999"])
    def test_unknown_is_404(self, client, user_headers, entry_id):
        r = client.delete(f"{URL}/{entry_id}", headers=user_headers)
        assert (r.status_code, r.json()["error_code"]) == (404, "not_found")

    def test_write_scope_required(self, client, headers_for, user_id, entry, exists):
        r = client.delete(f"{URL}/{entry.id}", headers=headers_for(user_id, "read:time_entries"))
        assert (r.status_code, r.json()["required_scope"]) == (403, "write:time_entries")
        assert exists(entry.id)

    def test_deleted_entry_is_gone_from_get_and_list(self, client, user_headers, entry):
        client.delete(f"{URL}/{entry.id}", headers=user_headers)
        assert client.get(f"{URL}/{entry.id}", headers=user_headers).status_code == 404
        assert client.get(URL, headers=user_headers).json()["time_entries"] == []
