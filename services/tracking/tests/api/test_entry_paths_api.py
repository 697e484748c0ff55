"""One creation path: a running entry made by `POST /api/v1/time-entries` (no `end_time`,
tracking.md §4.3) and by `POST /api/v1/timer/start` (§6.2) meets the same checks, so the same
bad input gets the same status, `error_code`, `error` and `message` from both, and neither
writes an entry or an event. A CSV row (§4.6) reports the API create's message."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shared.db import utcnow
from tracking.models import TimeEntry

ENTRIES = "/api/v1/time-entries"
START = "/api/v1/timer/start"
IMPORT = "/api/v1/time-entries/import-csv"
CREATED = "tt.tracking.time_entry.created"
STARTED = "tt.tracking.time_entry.started"


@pytest.fixture
def project(make_project, user_id):
    return make_project(created_by=user_id)


@pytest.fixture
def both_refuse(session, outbox_events, user_headers):
    """Sends `body` as an open-entry create and as a timer start; returns the two answers after
    asserting they are the same refusal and that nothing was written."""

    def check(http, body: dict, status: int, code: str, *, headers=None) -> dict:
        headers = headers or user_headers
        entries_before = session.scalar(select(func.count()).select_from(TimeEntry))
        created = http.post(ENTRIES, json={**body, "start_time": "2024-01-15T10:00"}, headers=headers)
        started = http.post(START, json=body, headers=headers)
        assert (created.status_code, created.json()["error_code"]) == (status, code), created.text
        assert (started.status_code, started.json()) == (created.status_code, created.json())
        assert session.scalar(select(func.count()).select_from(TimeEntry)) == entries_before
        assert outbox_events() == []
        return created.json()

    return check


class TestSameRefusal:
    def test_task_of_another_project(self, client, both_refuse, project, make_project, make_task, user_id):
        other_task = make_task(make_project(created_by=user_id))
        out = both_refuse(client, {"project_id": project.id, "task_id": other_task.id}, 400, "invalid_task")
        assert out["error"] == out["message"] == "The task does not belong to the selected project"

    def test_unknown_task(self, client, both_refuse, project):
        both_refuse(client, {"project_id": project.id, "task_id": 987654321}, 400, "invalid_task")

    @pytest.mark.parametrize(("status", "code"), [("archived", "project_archived"), ("on_hold", "project_inactive")])
    def test_project_not_active(self, client, both_refuse, make_project, user_id, status, code):
        project = make_project(created_by=user_id, status=status)
        out = both_refuse(client, {"project_id": project.id}, 400, code)
        assert out["message"].startswith("Cannot start a timer on an")

    def test_a_running_timer(self, client, both_refuse, project, make_entry, user_id):
        make_entry(user_id, project, utcnow() - timedelta(minutes=5))
        out = both_refuse(client, {"project_id": project.id}, 409, "timer_already_running")
        assert out["message"] == "A timer is already running; stop it first"

    def test_unknown_project_for_a_full_scope_caller(self, client, both_refuse, admin_headers):
        out = both_refuse(client, {"project_id": 987654321}, 400, "invalid_project", headers=admin_headers)
        assert out["error"] == "Invalid project selected"

    def test_task_requirement(self, make_app_client, both_refuse, project):
        both_refuse(make_app_client(time_entry_require_task=True), {"project_id": project.id}, 400, "task_required")

    @pytest.mark.parametrize(("notes", "code"), [("  ", "description_required"), ("short", "description_too_short")])
    def test_description_requirements(self, make_app_client, both_refuse, project, notes, code):
        http = make_app_client(time_entry_require_description=True, time_entry_description_min_length=10)
        out = both_refuse(http, {"project_id": project.id, "notes": notes}, 400, code)
        assert out["error"] == out["message"]


class TestSameEntry:
    def test_both_record_created_and_started_with_the_entry(self, client, user_headers, project, outbox_events):
        created = client.post(ENTRIES, json={"project_id": project.id, "start_time": "2024-01-15T10:00"},
                              headers=user_headers).json()["time_entry"]  # fmt: skip
        client.post("/api/v1/timer/stop", headers=user_headers)
        timer = client.post(START, json={"project_id": project.id}, headers=user_headers).json()["timer"]
        assert [e["data"]["id"] for e in outbox_events(CREATED)] == [created["id"], timer["id"]]
        assert [e["data"]["id"] for e in outbox_events(STARTED)] == [created["id"], timer["id"]]
        assert (created["source"], timer["source"]) == ("manual", "auto")
        assert set(created) == set(timer)


class TestCsvRowsSayWhatTheApiSays:
    @pytest.mark.parametrize("bad", ["task", "overlap", "time_range"])
    def test_row_error_is_the_create_message(self, client, user_headers, project, make_task, make_project, bad):
        other_task = make_task(make_project())
        client.post(ENTRIES, json={"project_id": project.id, "start_time": "2024-01-15T08:00",
                                   "end_time": "2024-01-15T09:00"}, headers=user_headers)  # fmt: skip
        start, end, task = {
            "task": ("2024-01-15T10:00", "2024-01-15T11:00", other_task.id),
            "overlap": ("2024-01-15T08:30", "2024-01-15T09:30", ""),
            "time_range": ("2024-01-15T11:00", "2024-01-15T10:00", ""),
        }[bad]
        body = {"project_id": project.id, "start_time": start, "end_time": end, "task_id": task or None}
        api = client.post(ENTRIES, json=body, headers=user_headers)
        assert api.status_code == 400
        csv = f"project_id,start_time,end_time,task_id\n{project.id},{start},{end},{task}\n"
        out = client.post(IMPORT, json={"csv": csv}, headers=user_headers).json()
        assert out["errors"] == [{"row": 2, "error": api.json()["message"]}]
