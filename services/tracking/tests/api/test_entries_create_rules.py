"""`POST /api/v1/time-entries` refusals (tracking.md §4.3 rules 1–10) and their order; a refused
create writes no entry and no event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tracking.models import TimeEntry

URL = "/api/v1/time-entries"
JAN15 = datetime(2024, 1, 15, 9, 0, tzinfo=UTC)  # 10:00 in Europe/Rome
HOUR = {"start_time": "2024-01-15T10:00", "end_time": "2024-01-15T11:00"}


@pytest.fixture
def project(make_project, user_id):
    return make_project(name="Website", created_by=user_id)


@pytest.fixture
def refused(client, user_headers, session, outbox_events):
    """POST as the standard user; asserts the status and code, and that nothing was written."""

    def check(body: dict, status: int, code: str, *, headers=None, http=None) -> dict:
        before = session.scalar(select(func.count()).select_from(TimeEntry))
        r = (http or client).post(URL, json=body, headers=headers or user_headers)
        assert (r.status_code, r.json()["error_code"]) == (status, code), r.text
        assert session.scalar(select(func.count()).select_from(TimeEntry)) == before
        assert outbox_events("tt.tracking.time_entry.created") == []
        return r.json()

    return check


class TestTypesAndFields:
    @pytest.mark.parametrize("field", ["start_time", "end_time"])
    @pytest.mark.parametrize("value", ["yesterday", "2024-13-01T10:00", 1705312800, "", "2024-01-15T25:00"])
    def test_unparseable_datetime(self, refused, project, field, value):
        body = {"project_id": project.id, **HOUR, field: value}
        out = refused(body, 400, "validation_error")
        assert out["errors"] == {field: ["Not a valid datetime."]}

    def test_missing_start_time(self, refused, project):
        out = refused({"project_id": project.id, "end_time": "2024-01-15T11:00"}, 400, "validation_error")
        assert out["errors"] == {"start_time": ["Missing data for required field."]}

    def test_empty_body_fails_on_start_time_before_project(self, refused):
        out = refused({}, 400, "validation_error")
        assert list(out["errors"]) == ["start_time"]

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("project_id", "abc"),
            ("client_id", 1.5),
            ("task_id", True),
            ("user_id", "me"),
            ("break_seconds", "long"),
            ("break_seconds", 2**31),
            ("notes", "x" * 5001),
            ("tags", "t" * 501),
            ("invoice_number", "i" * 101),
            ("notes", 42),
            ("billable", "maybe"),
            ("paid", [True]),
        ],
    )
    def test_invalid_field(self, refused, project, field, value):
        body = {"project_id": project.id, **HOUR, field: value}
        out = refused(body, 400, "validation_error")
        assert list(out["errors"]) == [field]
        assert out["error"] == "Validation failed"

    def test_several_invalid_fields_are_reported_together(self, refused):
        out = refused({"project_id": "x", "start_time": "nope"}, 400, "validation_error")
        assert set(out["errors"]) == {"project_id", "start_time"}

    def test_body_that_is_not_an_object(self, client, user_headers):
        r = client.post(URL, json=[1, 2], headers=user_headers)
        assert (r.status_code, r.json()["error_code"]) == (400, "bad_request")

    def test_malformed_json(self, client, user_headers):
        r = client.post(URL, content=b"{nope", headers=user_headers | {"Content-Type": "application/json"})
        assert (r.status_code, r.json()["error_code"]) == (400, "bad_request")

    def test_no_identity_is_401(self, client):
        assert client.post(URL, json=HOUR).status_code == 401


class TestLinks:
    def test_neither_project_nor_client(self, refused):
        out = refused(dict(HOUR), 400, "missing_project_or_client")
        assert out["success"] is False and out["message"]

    @pytest.mark.parametrize("project_id", [987654321, 99999999999, "99999999999999999999"])
    def test_unknown_project(self, refused, project_id):
        out = refused({"project_id": project_id, **HOUR}, 400, "invalid_project")
        assert out["error"] == "Invalid project selected"

    def test_task_of_another_project(self, refused, project, make_project, make_task):
        other = make_task(make_project())
        refused({"project_id": project.id, "task_id": other.id, **HOUR}, 400, "invalid_task")

    def test_unknown_task(self, refused, project):
        refused({"project_id": project.id, "task_id": 987654321, **HOUR}, 400, "invalid_task")

    def test_unknown_client(self, refused):
        refused({"client_id": 987654321, **HOUR}, 400, "invalid_client")

    def test_deleted_client(self, refused, make_known_client):
        gone = make_known_client(deleted=True)
        refused({"client_id": gone.id, **HOUR}, 400, "invalid_client")

    def test_unknown_client_beside_a_valid_project(self, refused, project):
        refused({"project_id": project.id, "client_id": 987654321, **HOUR}, 400, "invalid_client")

    def test_task_on_a_client_only_entry(self, refused, make_known_client, project, make_task):
        acme = make_known_client()
        refused({"client_id": acme.id, "task_id": make_task(project).id, **HOUR}, 400, "task_not_allowed")

    def test_task_with_both_project_and_client(self, refused, make_known_client, project, make_task):
        body = {"project_id": project.id, "client_id": make_known_client().id, "task_id": make_task(project).id}
        refused({**body, **HOUR}, 400, "task_not_allowed")


class TestRequirements:
    def test_task_required(self, make_app_client, refused, project):
        http = make_app_client(time_entry_require_task=True)
        refused({"project_id": project.id, **HOUR}, 400, "task_required", http=http)

    def test_task_requirement_never_applies_to_client_only_entries(
        self, make_app_client, user_headers, make_known_client
    ):
        http = make_app_client(time_entry_require_task=True)
        r = http.post(URL, json={"client_id": make_known_client().id, **HOUR}, headers=user_headers)
        assert r.status_code == 201

    @pytest.mark.parametrize(("notes", "code"), [(None, "description_required"), ("   ", "description_required"),
                                                 ("too short", "description_too_short")])  # fmt: skip
    def test_description(self, make_app_client, refused, project, notes, code):
        http = make_app_client(time_entry_require_description=True, time_entry_description_min_length=20)
        refused({"project_id": project.id, "notes": notes, **HOUR}, 400, code, http=http)

    def test_long_enough_description_passes(self, make_app_client, user_headers, project):
        http = make_app_client(time_entry_require_description=True, time_entry_description_min_length=5)
        r = http.post(URL, json={"project_id": project.id, "notes": " fixed ", **HOUR}, headers=user_headers)
        assert r.status_code == 201

    def test_requirements_apply_to_running_timers_too(self, make_app_client, refused, project):
        http = make_app_client(time_entry_require_task=True)
        refused({"project_id": project.id, "start_time": "2024-01-15T10:00"}, 400, "task_required", http=http)


class TestTimes:
    @pytest.mark.parametrize("end", ["2024-01-15T10:00", "2024-01-15T09:59:59", "2024-01-15T09:00:00Z"])
    def test_end_not_after_start(self, refused, project, end):
        body = {"project_id": project.id, "start_time": "2024-01-15T10:00", "end_time": end}
        out = refused(body, 400, "invalid_time_range")
        assert out["error"]

    @pytest.mark.parametrize(
        ("start", "end"),
        [("10:30", "10:45"), ("09:30", "10:30"), ("10:30", "11:30"), ("09:00", "12:00"), ("10:00", "11:00")],
    )
    def test_overlap_with_a_completed_entry(self, refused, user_id, project, make_entry, start, end):
        make_entry(user_id, project, JAN15, JAN15 + timedelta(hours=1))  # 10:00–11:00 app time
        body = {"project_id": project.id, "start_time": f"2024-01-15T{start}", "end_time": f"2024-01-15T{end}"}
        refused(body, 400, "overlapping_entry")


class TestOrder:
    """First failure wins, in the order of §4.3."""

    def test_types_before_the_user_rule(self, refused, user_id):
        refused({"user_id": user_id + 1, "start_time": "bad"}, 400, "validation_error")

    def test_user_rule_before_missing_project(self, refused, user_id):
        refused({"user_id": user_id + 1, **HOUR}, 403, "forbidden")

    def test_missing_link_before_time_range(self, refused):
        refused({"start_time": "2024-01-15T10:00", "end_time": "2024-01-15T09:00"}, 400, "missing_project_or_client")

    def test_invalid_project_before_invalid_client(self, refused):
        refused({"project_id": 987654321, "client_id": 987654321, **HOUR}, 400, "invalid_project")

    def test_project_status_before_requirements(self, make_app_client, refused, make_project):
        http = make_app_client(time_entry_require_task=True)
        archived = make_project(status="archived")
        refused({"project_id": archived.id, "start_time": "2024-01-15T10:00"}, 400, "project_archived", http=http)

    def test_requirements_before_time_range(self, make_app_client, refused, project):
        http = make_app_client(time_entry_require_task=True)
        body = {"project_id": project.id, "start_time": "2024-01-15T10:00", "end_time": "2024-01-15T09:00"}
        refused(body, 400, "task_required", http=http)

    def test_time_range_before_overlap(self, refused, user_id, project, make_entry):
        make_entry(user_id, project, JAN15, JAN15 + timedelta(hours=1))
        body = {"project_id": project.id, "start_time": "2024-01-15T10:30", "end_time": "2024-01-15T10:10"}
        refused(body, 400, "invalid_time_range")
