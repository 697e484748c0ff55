"""`GET /api/v1/timer/status` and `POST /api/v1/timer/start` (tracking.md §6.1–§6.2)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shared.db import utcnow
from tracking import timer_settings
from tracking.models import TimeEntry

STATUS = "/api/v1/timer/status"
START = "/api/v1/timer/start"


@pytest.fixture
def project(make_project, make_known_user, user_id):
    make_known_user(user_id, username="alice")
    return make_project(created_by=user_id, name="Website")


@pytest.fixture
def single_timer_off(session, settings):
    row = timer_settings.ensure_row(session, settings)
    row.single_active_timer = False
    session.flush()


def entry_count(session) -> int:
    return session.scalar(select(func.count()).select_from(TimeEntry))


def assert_refused(r, status: int, code: str, session, outbox_events, entries_before: int = 0) -> None:
    assert r.status_code == status, r.text
    assert r.json()["error_code"] == code
    assert entry_count(session) == entries_before
    assert outbox_events() == []


class TestTimerStatus:
    def test_nothing_running(self, client, user_headers, make_entry, project, user_id):
        make_entry(user_id, project, utcnow() - timedelta(hours=2), utcnow() - timedelta(hours=1))
        r = client.get(STATUS, headers=user_headers)
        assert r.status_code == 200
        assert r.json() == {"active": False, "timer": None}

    def test_running_timer_with_live_duration(self, client, user_headers, make_entry, project, user_id):
        entry = make_entry(user_id, project, utcnow() - timedelta(hours=1, minutes=2), break_seconds=120)
        r = client.get(STATUS, headers=user_headers)
        assert r.status_code == 200
        body = r.json()
        assert body["active"] is True
        timer = body["timer"]
        assert timer["id"] == entry.id and timer["is_active"] is True
        assert timer["end_time"] is None and timer["duration_seconds"] is None
        assert timer["duration_formatted"] == "01:00:00"
        assert timer["project"] == "Website" and timer["user"] == "alice"

    def test_paused_timer_does_not_advance(self, client, user_headers, make_entry, project, user_id):
        now = utcnow()
        make_entry(user_id, project, now - timedelta(hours=3), paused_at=now - timedelta(hours=1))
        timer = client.get(STATUS, headers=user_headers).json()["timer"]
        assert timer["duration_formatted"] == "02:00:00"
        assert timer["paused_at"].endswith("Z")

    def test_most_recently_started_of_several(self, client, user_headers, make_entry, project, user_id):
        make_entry(user_id, project, utcnow() - timedelta(hours=2))
        newest = make_entry(user_id, project, utcnow() - timedelta(minutes=5))
        make_entry(user_id, project, utcnow() - timedelta(hours=1))
        assert client.get(STATUS, headers=user_headers).json()["timer"]["id"] == newest.id

    def test_other_users_timers_are_never_shown(self, client, admin_headers, make_entry, project, user_id):
        make_entry(user_id, project, utcnow() - timedelta(minutes=5))
        assert client.get(STATUS, headers=admin_headers).json() == {"active": False, "timer": None}

    def test_read_scope_required(self, client, headers_for, user_id):
        r = client.get(STATUS, headers=headers_for(user_id, "write:time_entries"))
        assert r.status_code == 403
        assert r.json()["error_code"] == "forbidden"
        assert r.json()["required_scope"] == "read:time_entries"


class TestStartTimer:
    def test_starts_an_auto_billable_timer_and_records_two_events(
        self, client, user_headers, project, make_task, user_id, outbox_events
    ):
        task = make_task(project, name="Design")
        before = utcnow()
        r = client.post(
            START, json={"project_id": project.id, "task_id": task.id, "notes": " hi "}, headers=user_headers
        )
        assert r.status_code == 201, r.text
        assert r.json()["message"] == "Timer started successfully"
        timer = r.json()["timer"]
        assert timer["user_id"] == user_id and timer["user"] == "alice"
        assert (timer["project_id"], timer["project"]) == (project.id, "Website")
        assert (timer["task_id"], timer["task"]) == (task.id, "Design")
        assert timer["client_id"] is None and timer["client"] is None
        assert timer["notes"] == "hi"
        assert timer["source"] == "auto" and timer["billable"] is True and timer["paid"] is False
        assert timer["is_active"] is True and timer["end_time"] is None and timer["duration_seconds"] is None
        assert timer["break_seconds"] == 0 and timer["paused_at"] is None
        assert timer["duration_formatted"] == "00:00:00"
        assert timer["start_time"] >= before.strftime("%Y-%m-%dT%H:%M:%S")
        created = outbox_events("tt.tracking.time_entry.created")
        started = outbox_events("tt.tracking.time_entry.started")
        assert [e["data"]["id"] for e in created] == [timer["id"]]
        assert [e["data"]["id"] for e in started] == [timer["id"]]
        assert started[0]["data"]["is_active"] is True and started[0]["entity_id"] == str(timer["id"])
        assert client.get(STATUS, headers=user_headers).json()["timer"]["id"] == timer["id"]

    def test_ids_as_strings_and_empty_task(self, client, user_headers, project, make_task):
        task = make_task(project)
        r = client.post(START, json={"project_id": str(project.id), "task_id": f" {task.id}"}, headers=user_headers)
        assert r.status_code == 201, r.text
        assert r.json()["timer"]["task_id"] == task.id

    def test_empty_task_id_means_no_task(self, client, user_headers, project):
        r = client.post(START, json={"project_id": str(project.id), "task_id": ""}, headers=user_headers)
        assert r.status_code == 201, r.text
        assert r.json()["timer"]["task_id"] is None

    @pytest.mark.parametrize("body", [{}, {"project_id": None}, {"project_id": ""}, {"project_id": "  "}])
    def test_project_id_is_required(self, client, user_headers, body, session, outbox_events):
        r = client.post(START, json=body, headers=user_headers)
        assert_refused(r, 400, "validation_error", session, outbox_events)
        assert r.json()["errors"] == {"project_id": ["project_id is required"]}

    def test_no_body_at_all_is_project_id_required(self, client, user_headers):
        r = client.post(START, headers=user_headers)
        assert r.status_code == 400 and r.json()["errors"] == {"project_id": ["project_id is required"]}

    @pytest.mark.parametrize(("field", "value"), [("project_id", "abc"), ("task_id", "x1"), ("notes", "n" * 5001)])
    def test_invalid_field_is_a_validation_error(self, client, user_headers, project, field, value, session):
        body = {"project_id": project.id, field: value}
        r = client.post(START, json=body, headers=user_headers)
        assert r.status_code == 400 and r.json()["error_code"] == "validation_error"
        assert list(r.json()["errors"]) == [field]
        assert entry_count(session) == 0

    @pytest.mark.parametrize("as_string", [False, True])
    def test_project_outside_scope_is_403(
        self, client, user_headers, make_project, user_id, as_string, session, outbox_events
    ):
        foreign = make_project(created_by=user_id + 1)
        pid = str(foreign.id) if as_string else foreign.id
        r = client.post(START, json={"project_id": pid}, headers=user_headers)
        assert_refused(r, 403, "forbidden", session, outbox_events)
        assert r.json()["message"] == "You do not have access to this project"

    def test_string_id_in_scope_passes_for_a_subcontractor(self, client, headers_for, make_project, next_user_id):
        project = make_project()
        headers = headers_for(
            next_user_id(), "write:time_entries", role="subcontractor", client_ids=(project.client_id,)
        )
        r = client.post(START, json={"project_id": str(project.id)}, headers=headers)
        assert r.status_code == 201, r.text

    def test_unknown_project_is_invalid_project(self, client, admin_headers, session, outbox_events):
        for pid in (999999, "2147483648"):
            r = client.post(START, json={"project_id": pid}, headers=admin_headers)
            assert_refused(r, 400, "invalid_project", session, outbox_events)
            assert r.json()["error"] == "Invalid project selected"

    def test_unknown_project_is_outside_a_restricted_scope(self, client, user_headers, session, outbox_events):
        r = client.post(START, json={"project_id": 999999}, headers=user_headers)
        assert_refused(r, 403, "forbidden", session, outbox_events)

    @pytest.mark.parametrize(
        ("status", "code"),
        [("archived", "project_archived"), ("inactive", "project_inactive"), ("on_hold", "project_inactive")],
    )
    def test_project_must_be_active(
        self, client, user_headers, make_project, user_id, status, code, session, outbox_events
    ):
        project = make_project(created_by=user_id, status=status)
        r = client.post(START, json={"project_id": project.id}, headers=user_headers)
        assert_refused(r, 400, code, session, outbox_events)

    def test_task_of_another_project_is_invalid_task(
        self, client, user_headers, project, make_project, make_task, user_id, session, outbox_events
    ):
        other_task = make_task(make_project(created_by=user_id))
        for task_id in (other_task.id, 999999):
            r = client.post(START, json={"project_id": project.id, "task_id": task_id}, headers=user_headers)
            assert_refused(r, 400, "invalid_task", session, outbox_events)

    def test_task_requirement(self, make_app_client, user_headers, project, make_task, session, outbox_events):
        app = make_app_client(time_entry_require_task=True)
        r = app.post(START, json={"project_id": project.id}, headers=user_headers)
        assert_refused(r, 400, "task_required", session, outbox_events)
        r = app.post(START, json={"project_id": project.id, "task_id": make_task(project).id}, headers=user_headers)
        assert r.status_code == 201

    def test_description_requirements(self, make_app_client, user_headers, project, session, outbox_events):
        app = make_app_client(time_entry_require_description=True, time_entry_description_min_length=10)
        r = app.post(START, json={"project_id": project.id, "notes": "  "}, headers=user_headers)
        assert_refused(r, 400, "description_required", session, outbox_events)
        r = app.post(START, json={"project_id": project.id, "notes": "too short"}, headers=user_headers)
        assert_refused(r, 400, "description_too_short", session, outbox_events)
        r = app.post(START, json={"project_id": project.id, "notes": "long enough"}, headers=user_headers)
        assert r.status_code == 201

    def test_write_scope_required(self, client, headers_for, user_id, project, session):
        r = client.post(START, json={"project_id": project.id}, headers=headers_for(user_id, "read:time_entries"))
        assert r.status_code == 403 and r.json()["required_scope"] == "write:time_entries"
        assert entry_count(session) == 0


class TestSingleActiveTimer:
    def test_second_start_is_409(self, client, user_headers, project, session, outbox_events):
        first = client.post(START, json={"project_id": project.id}, headers=user_headers)
        assert first.status_code == 201
        r = client.post(START, json={"project_id": project.id}, headers=user_headers)
        assert r.status_code == 409
        assert r.json()["error_code"] == "timer_already_running"
        assert entry_count(session) == 1
        assert len(outbox_events("tt.tracking.time_entry.started")) == 1

    def test_another_users_timer_does_not_count(self, client, user_headers, project, make_entry, user_id):
        make_entry(user_id + 1, project, utcnow() - timedelta(minutes=5))
        assert client.post(START, json={"project_id": project.id}, headers=user_headers).status_code == 201

    def test_conflict_is_checked_before_the_project_itself(
        self, client, admin_headers, admin_id, make_project, make_entry, session, outbox_events
    ):
        make_entry(admin_id, None, utcnow() - timedelta(minutes=5))
        archived = make_project(status="archived")
        for pid in (999999, archived.id):
            r = client.post(START, json={"project_id": pid}, headers=admin_headers)
            assert_refused(r, 409, "timer_already_running", session, outbox_events, entries_before=1)

    def test_scope_is_checked_before_the_conflict(
        self, client, user_headers, user_id, project, make_project, make_entry, session, outbox_events
    ):
        make_entry(user_id, project, utcnow() - timedelta(minutes=5))
        foreign = make_project(created_by=user_id + 1)
        r = client.post(START, json={"project_id": foreign.id}, headers=user_headers)
        assert_refused(r, 403, "forbidden", session, outbox_events, entries_before=1)

    def test_with_the_setting_off_a_second_timer_runs(self, client, user_headers, project, single_timer_off, session):
        first = client.post(START, json={"project_id": project.id}, headers=user_headers).json()["timer"]
        session.execute(
            TimeEntry.__table__.update()
            .where(TimeEntry.id == first["id"])
            .values(start_time=utcnow() - timedelta(minutes=10))
        )
        second = client.post(START, json={"project_id": project.id}, headers=user_headers)
        assert second.status_code == 201
        running = session.scalars(select(TimeEntry.id).where(TimeEntry.end_time.is_(None))).all()
        assert sorted(running) == sorted([first["id"], second.json()["timer"]["id"]])
        status = client.get(STATUS, headers=user_headers).json()
        assert status["timer"]["id"] == second.json()["timer"]["id"]
