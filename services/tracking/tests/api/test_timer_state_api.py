"""`POST /api/v1/timer/stop|pause|resume` and the whole timer state machine (tracking.md
§6.3–§6.4). `now()` is real, so tests move a timer into the past by rewriting its stored
times."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from shared.db import utcnow
from tracking.models import KnownUser, TimeEntry

START = "/api/v1/timer/start"
STOP = "/api/v1/timer/stop"
PAUSE = "/api/v1/timer/pause"
RESUME = "/api/v1/timer/resume"


@pytest.fixture
def project(make_project, user_id):
    return make_project(created_by=user_id)


@pytest.fixture
def running(client, user_headers, project):
    """A timer started through the API; returns its id."""
    r = client.post(START, json={"project_id": project.id}, headers=user_headers)
    assert r.status_code == 201
    return r.json()["timer"]["id"]


@pytest.fixture
def shift(session):
    """Move stored instants of an entry back: `shift(entry_id, start_time=3600, paused_at=600)`."""

    def move(entry_id: int, **seconds_back: int) -> None:
        row = session.get(TimeEntry, entry_id)
        session.refresh(row)
        values = {field: getattr(row, field) - timedelta(seconds=s) for field, s in seconds_back.items()}
        session.execute(update(TimeEntry).where(TimeEntry.id == entry_id).values(**values))

    return move


def stored(session, entry_id: int) -> TimeEntry:
    row = session.get(TimeEntry, entry_id)
    session.refresh(row)
    return row


def assert_unchanged(r, status, code, session, entry_id, before, outbox_events, events_before):
    assert r.status_code == status, r.text
    assert r.json()["error_code"] == code
    row = stored(session, entry_id) if entry_id else None
    if row is not None:
        assert (row.end_time, row.paused_at, row.break_seconds, row.updated_at) == before
    assert len(outbox_events()) == events_before


class TestStopTimer:
    def test_stops_with_net_duration_and_records_events(
        self, client, user_headers, running, shift, session, outbox_events
    ):
        shift(running, start_time=3600)
        session.execute(update(TimeEntry).where(TimeEntry.id == running).values(break_seconds=600))
        r = client.post(STOP, headers=user_headers)
        assert r.status_code == 200, r.text
        assert r.json()["message"] == "Timer stopped successfully"
        entry = r.json()["time_entry"]
        assert entry["id"] == running and entry["is_active"] is False
        assert entry["end_time"] is not None and entry["paused_at"] is None
        assert entry["duration_seconds"] in (3000, 3001)
        assert entry["duration_hours"] == 0.83
        stopped = outbox_events("tt.tracking.time_entry.stopped")
        updated = outbox_events("tt.tracking.time_entry.updated")
        assert [e["data"]["id"] for e in stopped] == [running] == [e["data"]["id"] for e in updated]
        assert stopped[0]["data"]["duration_seconds"] == entry["duration_seconds"]
        row = stored(session, running)
        assert row.end_time is not None and row.duration_seconds == entry["duration_seconds"]

    def test_paused_interval_counts_as_break(self, client, user_headers, running, shift, session):
        assert client.post(PAUSE, headers=user_headers).status_code == 200
        shift(running, start_time=3600, paused_at=900)
        entry = client.post(STOP, headers=user_headers).json()["time_entry"]
        assert entry["paused_at"] is None
        assert entry["break_seconds"] in (900, 901)
        assert entry["duration_seconds"] == pytest.approx(2700, abs=1)

    def test_owner_rounding_applies(self, client, user_headers, user_id, session, running, shift):
        # the start made the user known from the identity; their preferences arrive by event
        session.execute(
            update(KnownUser)
            .where(KnownUser.id == user_id)
            .values(time_rounding_minutes=15, time_rounding_method="nearest")
        )
        shift(running, start_time=52 * 60)
        entry = client.post(STOP, headers=user_headers).json()["time_entry"]
        assert entry["duration_seconds"] == 45 * 60
        assert entry["duration_formatted"] == "00:45:00"

    @pytest.mark.parametrize("extra", [{}, {"Content-Type": "application/json"}])
    def test_empty_body_is_accepted(self, client, user_headers, running, extra):
        r = client.post(STOP, content=b"", headers=user_headers | extra)
        assert r.status_code == 200

    def test_nothing_running_is_no_active_timer(
        self, client, user_headers, user_id, project, make_entry, outbox_events
    ):
        make_entry(user_id, project, utcnow() - timedelta(hours=2), utcnow() - timedelta(hours=1))
        r = client.post(STOP, headers=user_headers)
        assert r.status_code == 400 and r.json()["error_code"] == "no_active_timer"
        assert outbox_events() == []

    def test_stop_twice(self, client, user_headers, running, session, outbox_events):
        assert client.post(STOP, headers=user_headers).status_code == 200
        before = stored(session, running)
        snapshot = (before.end_time, before.paused_at, before.break_seconds, before.updated_at)
        events = len(outbox_events())
        r = client.post(STOP, headers=user_headers)
        assert_unchanged(r, 400, "no_active_timer", session, running, snapshot, outbox_events, events)

    def test_another_users_timer_is_untouched(self, client, headers_for, next_user_id, running, session):
        r = client.post(STOP, headers=headers_for(next_user_id(), "write:time_entries"))
        assert r.status_code == 400 and r.json()["error_code"] == "no_active_timer"
        assert stored(session, running).end_time is None

    def test_stops_the_most_recent_of_several(self, client, user_headers, user_id, project, make_entry, session):
        older = make_entry(user_id, project, utcnow() - timedelta(hours=3), source="auto")
        newer = make_entry(user_id, project, utcnow() - timedelta(hours=1), source="auto")
        assert client.post(STOP, headers=user_headers).json()["time_entry"]["id"] == newer.id
        assert stored(session, older.id).end_time is None

    def test_write_scope_required(self, client, headers_for, user_id, running, session):
        r = client.post(STOP, headers=headers_for(user_id, "read:time_entries"))
        assert r.status_code == 403 and r.json()["required_scope"] == "write:time_entries"
        assert stored(session, running).end_time is None


class TestPauseTimer:
    def test_pauses_and_records_an_update(self, client, user_headers, running, session, outbox_events):
        r = client.post(PAUSE, headers=user_headers)
        assert r.status_code == 200, r.text
        assert r.json()["message"] == "Timer paused"
        entry = r.json()["time_entry"]
        assert entry["paused_at"] is not None and entry["is_active"] is True
        assert stored(session, running).paused_at is not None
        [event] = outbox_events("tt.tracking.time_entry.updated")
        assert event["data"]["paused_at"] == entry["paused_at"]

    def test_pause_twice_is_invalid_state(self, client, user_headers, running, session, outbox_events):
        client.post(PAUSE, headers=user_headers)
        row = stored(session, running)
        snapshot = (row.end_time, row.paused_at, row.break_seconds, row.updated_at)
        events = len(outbox_events())
        r = client.post(PAUSE, headers=user_headers)
        assert_unchanged(r, 400, "invalid_state", session, running, snapshot, outbox_events, events)

    def test_nothing_running_is_no_active_timer(self, client, user_headers, outbox_events):
        r = client.post(PAUSE, headers=user_headers)
        assert r.status_code == 400 and r.json()["error_code"] == "no_active_timer"
        assert outbox_events() == []

    def test_write_scope_required(self, client, headers_for, user_id, running, session):
        r = client.post(PAUSE, headers=headers_for(user_id, "read:*"))
        assert r.status_code == 403 and r.json()["required_scope"] == "write:time_entries"
        assert stored(session, running).paused_at is None


class TestResumeTimer:
    def test_adds_the_paused_seconds_to_the_break(self, client, user_headers, running, shift, session, outbox_events):
        client.post(PAUSE, headers=user_headers)
        shift(running, start_time=7200, paused_at=1800)
        r = client.post(RESUME, headers=user_headers)
        assert r.status_code == 200, r.text
        assert r.json()["message"] == "Timer resumed"
        entry = r.json()["time_entry"]
        assert entry["paused_at"] is None and entry["is_active"] is True
        assert entry["break_seconds"] in (1800, 1801)
        assert entry["duration_formatted"] in ("01:30:00", "01:29:59", "01:30:01")
        assert len(outbox_events("tt.tracking.time_entry.updated")) == 2

    def test_not_paused_is_invalid_state(self, client, user_headers, running, session, outbox_events):
        row = stored(session, running)
        snapshot = (row.end_time, row.paused_at, row.break_seconds, row.updated_at)
        events = len(outbox_events())
        r = client.post(RESUME, headers=user_headers)
        assert_unchanged(r, 400, "invalid_state", session, running, snapshot, outbox_events, events)

    def test_nothing_running_is_no_active_timer(self, client, user_headers):
        r = client.post(RESUME, headers=user_headers)
        assert r.status_code == 400 and r.json()["error_code"] == "no_active_timer"

    def test_write_scope_required(self, client, headers_for, user_id, running):
        client.post(PAUSE, headers=headers_for(user_id, "write:time_entries"))
        r = client.post(RESUME, headers=headers_for(user_id, "read:time_entries"))
        assert r.status_code == 403 and r.json()["required_scope"] == "write:time_entries"


class TestTimerStateMachine:
    def test_start_pause_resume_pause_resume_stop(self, client, user_headers, project, shift, session):
        """Four hours on the clock, two pauses of 30 and 15 minutes: 3h15m of work."""
        entry_id = client.post(START, json={"project_id": project.id}, headers=user_headers).json()["timer"]["id"]
        shift(entry_id, start_time=4 * 3600)
        assert client.post(PAUSE, headers=user_headers).status_code == 200
        shift(entry_id, paused_at=30 * 60)
        assert client.post(RESUME, headers=user_headers).json()["time_entry"]["break_seconds"] in (1800, 1801)
        assert client.post(PAUSE, headers=user_headers).status_code == 200
        shift(entry_id, paused_at=15 * 60)
        paused = client.get("/api/v1/timer/status", headers=user_headers).json()["timer"]
        # frozen while paused: 4h − 30m break − 15m paused so far
        assert paused["duration_formatted"] in ("03:15:00", "03:14:59")
        resumed = client.post(RESUME, headers=user_headers).json()["time_entry"]
        assert resumed["break_seconds"] in (2700, 2701, 2702)
        stopped = client.post(STOP, headers=user_headers).json()["time_entry"]
        assert stopped["break_seconds"] == resumed["break_seconds"]
        assert stopped["duration_seconds"] == pytest.approx(3 * 3600 + 15 * 60, abs=2)
        assert client.get("/api/v1/timer/status", headers=user_headers).json() == {"active": False, "timer": None}
        after = client.post(START, json={"project_id": project.id}, headers=user_headers)
        assert after.status_code == 201 and after.json()["timer"]["id"] != entry_id
