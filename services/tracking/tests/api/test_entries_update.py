"""`PUT|PATCH /api/v1/time-entries/{id}` (tracking.md §4.4). A refused update leaves the entry
as it was and records no event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

URL = "/api/v1/time-entries"
START = datetime(2024, 1, 15, 9, 0, tzinfo=UTC)  # 10:00 in Europe/Rome
END = START + timedelta(hours=1)


@pytest.fixture
def project(make_project):
    return make_project(name="Website")


@pytest.fixture
def entry(make_entry, user_id, project):
    return make_entry(user_id, project, START, END, notes="Draft", tags="a, b", invoice_number="INV-1", paid=True)


@pytest.fixture
def snapshot(session):
    """The entry's columns as stored now (re-read from the database)."""

    def read(e) -> dict:
        session.expire_all()
        return {c.key: getattr(e, c.key) for c in e.__table__.columns}

    return read


@pytest.fixture
def refused(client, user_headers, snapshot, outbox_events):
    """PATCH; asserts status and code, and that neither the row nor the outbox changed."""

    def check(e, body: dict, status: int, code: str, *, headers=None, http=None) -> dict:
        before = snapshot(e)
        r = (http or client).patch(f"{URL}/{e.id}", json=body, headers=headers or user_headers)
        assert (r.status_code, r.json()["error_code"]) == (status, code), r.text
        assert snapshot(e) == before
        assert outbox_events("tt.tracking.time_entry.updated") == []
        return r.json()

    return check


def patch(client, headers, e, **body):
    r = client.patch(f"{URL}/{e.id}", json=body, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["time_entry"]


class TestUpdateFields:
    def test_changes_sent_fields_and_records_the_event(self, client, user_headers, entry, outbox_events):
        r = client.patch(f"{URL}/{entry.id}", json={"notes": "  Final ", "billable": False}, headers=user_headers)
        assert r.status_code == 200
        assert r.json()["message"] == "Time entry updated successfully"
        e = r.json()["time_entry"]
        assert (e["notes"], e["billable"], e["tags"], e["duration_seconds"]) == ("Final", False, "a, b", 3600)
        assert datetime.fromisoformat(e["updated_at"]) > datetime.fromisoformat(e["created_at"])
        [event] = outbox_events("tt.tracking.time_entry.updated")
        assert event["data"] == e

    def test_put_is_partial_too(self, client, user_headers, entry):
        r = client.put(f"{URL}/{entry.id}", json={"tags": "x"}, headers=user_headers)
        assert r.status_code == 200
        assert (r.json()["time_entry"]["tags"], r.json()["time_entry"]["notes"]) == ("x", "Draft")

    def test_null_means_not_provided(self, client, user_headers, entry):
        e = patch(client, user_headers, entry, notes=None, tags=None, project_id=None, billable=None,
                  start_time=None, invoice_number=None)  # fmt: skip
        assert (e["notes"], e["tags"], e["project_id"], e["billable"]) == ("Draft", "a, b", entry.project_id, True)
        assert (e["start_time"], e["invoice_number"]) == ("2024-01-15T09:00:00Z", "INV-1")

    def test_empty_string_clears_texts(self, client, user_headers, entry):
        e = patch(client, user_headers, entry, notes="", tags="  ", invoice_number="")
        assert (e["notes"], e["tags"], e["tag_list"], e["invoice_number"]) == (None, None, [], None)

    def test_paid_false_clears_the_invoice_number(self, client, user_headers, entry):
        e = patch(client, user_headers, entry, paid=False, invoice_number="INV-2")
        assert (e["paid"], e["invoice_number"]) == (False, None)

    def test_paid_true_keeps_the_invoice_number(self, client, user_headers, entry):
        e = patch(client, user_headers, entry, paid=True, invoice_number="INV-9")
        assert (e["paid"], e["invoice_number"]) == (True, "INV-9")

    def test_empty_body_touches_only_updated_at(self, client, user_headers, entry, outbox_events):
        e = patch(client, user_headers, entry)
        assert (e["notes"], e["duration_seconds"]) == ("Draft", 3600)
        assert len(outbox_events("tt.tracking.time_entry.updated")) == 1

    def test_admin_updates_another_users_entry(self, client, admin_headers, entry):
        assert patch(client, admin_headers, entry, notes="By admin")["notes"] == "By admin"


class TestUpdateTimes:
    def test_new_times_recompute_the_duration(self, client, user_headers, entry):
        e = patch(client, user_headers, entry, start_time="2024-01-15T09:30", end_time="2024-01-15T12:00Z",
                  break_seconds=900)  # fmt: skip
        assert (e["start_time"], e["end_time"]) == ("2024-01-15T08:30:00Z", "2024-01-15T12:00:00Z")
        assert (e["break_seconds"], e["duration_seconds"], e["duration_hours"]) == (900, 3 * 3600 + 900, 3.25)

    def test_break_alone_recomputes_and_negative_is_zero(self, client, user_headers, entry):
        assert patch(client, user_headers, entry, break_seconds=600)["duration_seconds"] == 3000
        e = patch(client, user_headers, entry, break_seconds=-5)
        assert (e["break_seconds"], e["duration_seconds"]) == (0, 3600)

    def test_owner_rounding_applies_on_update(self, client, admin_headers, entry, user_id, make_known_user):
        make_known_user(user_id, time_rounding_minutes=15, time_rounding_method="down")
        assert patch(client, admin_headers, entry, end_time="2024-01-15T11:14")["duration_seconds"] == 3600

    def test_unchanged_times_keep_the_stored_duration(self, client, user_headers, entry, make_known_user, user_id):
        make_known_user(user_id, time_rounding_minutes=60, time_rounding_method="up")
        e = patch(client, user_headers, entry, start_time="2024-01-15T10:00", notes="same slot")
        assert e["duration_seconds"] == 3600

    @pytest.mark.parametrize("body", [{"end_time": "2024-01-15T10:00"}, {"start_time": "2024-01-15T12:00"}])
    def test_end_not_after_start(self, refused, entry, body):
        refused(entry, body, 400, "invalid_time_range")

    def test_overlap_with_another_entry(self, refused, entry, make_entry, user_id, project):
        make_entry(user_id, project, END + timedelta(hours=1), END + timedelta(hours=2))
        refused(entry, {"end_time": "2024-01-15T12:30"}, 400, "overlapping_entry")

    def test_overlap_ignores_the_entry_itself_and_other_users(
        self, client, user_headers, entry, make_entry, user_id, project
    ):
        make_entry(user_id + 1, project, START, END)
        e = patch(client, user_headers, entry, start_time="2024-01-15T10:30", end_time="2024-01-15T11:30")
        assert e["duration_seconds"] == 3600

    def test_touching_edges_are_fine(self, client, user_headers, entry, make_entry, user_id, project):
        make_entry(user_id, project, END + timedelta(hours=1), END + timedelta(hours=2))
        assert patch(client, user_headers, entry, end_time="2024-01-15T12:00")["duration_seconds"] == 7200

    def test_running_timer_refuses_an_end_time(self, refused, make_entry, user_id, project):
        running = make_entry(user_id, project, START)
        out = refused(running, {"end_time": "2024-01-15T12:00"}, 400, "timer_active")
        assert "stop the timer first" in out["message"]

    def test_running_timer_accepts_other_changes(self, client, user_headers, make_entry, user_id, project):
        running = make_entry(user_id, project, START)
        e = patch(client, user_headers, running, start_time="2024-01-15T09:00", notes="Earlier")
        assert (e["start_time"], e["is_active"], e["duration_seconds"], e["notes"]) == (
            "2024-01-15T08:00:00Z", True, None, "Earlier")  # fmt: skip


class TestUpdateLinks:
    def test_project_replaces_client_and_the_old_projects_task(
        self, client, user_headers, make_entry, user_id, project, make_project, make_task, make_known_client
    ):
        old = make_entry(user_id, project, START, END, client_id=make_known_client().id,
                         task_id=make_task(project).id)  # fmt: skip
        other = make_project(name="Other")
        e = patch(client, user_headers, old, project_id=str(other.id))
        assert (e["project_id"], e["client_id"], e["task_id"], e["project"]) == (other.id, None, None, "Other")

    def test_same_project_keeps_the_task(self, client, user_headers, make_entry, user_id, project, make_task):
        task = make_task(project)
        e = patch(client, user_headers, make_entry(user_id, project, START, END, task_id=task.id),
                  project_id=project.id)  # fmt: skip
        assert e["task_id"] == task.id

    def test_client_replaces_project_and_task(
        self, client, user_headers, make_entry, user_id, project, make_task, make_known_client
    ):
        acme = make_known_client(name="Acme")
        e = patch(client, user_headers, make_entry(user_id, project, START, END, task_id=make_task(project).id),
                  client_id=acme.id)  # fmt: skip
        assert (e["project_id"], e["task_id"], e["client_id"], e["client"]) == (None, None, acme.id, "Acme")

    def test_project_and_client_together_leave_a_client_only_entry(
        self, client, user_headers, entry, make_project, make_known_client
    ):
        acme = make_known_client()
        e = patch(client, user_headers, entry, project_id=make_project().id, client_id=acme.id)
        assert (e["project_id"], e["client_id"]) == (None, acme.id)

    def test_task_of_the_entrys_project(self, client, user_headers, entry, project, make_task):
        task = make_task(project, name="QA")
        e = patch(client, user_headers, entry, task_id=task.id)
        assert (e["task_id"], e["task"]) == (task.id, "QA")

    def test_task_of_the_new_project_in_the_same_body(self, client, user_headers, entry, make_project, make_task):
        other = make_project()
        task = make_task(other)
        e = patch(client, user_headers, entry, project_id=other.id, task_id=task.id)
        assert (e["project_id"], e["task_id"]) == (other.id, task.id)

    def test_unknown_project(self, refused, entry):
        refused(entry, {"project_id": 987654321}, 400, "invalid_project")

    @pytest.mark.parametrize("client_id", [987654321, None])
    def test_unknown_or_deleted_client(self, refused, entry, make_known_client, client_id):
        refused(entry, {"client_id": client_id or make_known_client(deleted=True).id}, 400, "invalid_client")

    def test_task_of_another_project(self, refused, entry, make_project, make_task):
        refused(entry, {"task_id": make_task(make_project()).id}, 400, "invalid_task")

    def test_task_on_a_client_only_entry(self, refused, make_entry, user_id, make_known_client, project, make_task):
        client_only = make_entry(user_id, None, START, END, client_id=make_known_client().id)
        refused(client_only, {"task_id": make_task(project).id}, 400, "task_requires_project")

    def test_task_with_a_switch_to_a_client(self, refused, entry, make_known_client, project, make_task):
        body = {"client_id": make_known_client().id, "task_id": make_task(project).id}
        refused(entry, body, 400, "task_requires_project")


class TestUpdateRequirements:
    def test_requirements_are_checked_on_the_resulting_state(self, make_app_client, refused, entry):
        http = make_app_client(time_entry_require_task=True)
        refused(entry, {"notes": "only notes"}, 400, "task_required", http=http)

    def test_clearing_notes_under_a_description_requirement(self, make_app_client, refused, entry):
        http = make_app_client(time_entry_require_description=True, time_entry_description_min_length=3)
        refused(entry, {"notes": ""}, 400, "description_required", http=http)
        refused(entry, {"notes": "ab"}, 400, "description_too_short", http=http)

    def test_requirements_come_before_the_overlap_check(
        self, make_app_client, refused, entry, make_entry, user_id, project
    ):
        make_entry(user_id, project, END, END + timedelta(hours=1))
        http = make_app_client(time_entry_require_task=True)
        refused(entry, {"end_time": "2024-01-15T11:30"}, 400, "task_required", http=http)


class TestOptimisticConcurrency:
    @pytest.mark.parametrize("offset", [0, -2, 2, 1.5])
    def test_matching_or_close_updated_at_passes(self, client, user_headers, entry, offset):
        sent = (entry.updated_at + timedelta(seconds=offset)).isoformat()
        r = client.patch(f"{URL}/{entry.id}", json={"if_updated_at": sent, "notes": "ok"}, headers=user_headers)
        assert r.status_code == 200 and r.json()["time_entry"]["notes"] == "ok"

    @pytest.mark.parametrize("offset", [-3, 3, -3600])
    def test_stale_or_future_updated_at_is_a_conflict(self, refused, entry, offset):
        sent = (entry.updated_at + timedelta(seconds=offset)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        out = refused(entry, {"if_updated_at": sent, "notes": "late"}, 409, "conflict")
        assert out["message"]

    def test_naive_value_is_app_time(self, client, user_headers, make_entry, user_id, project):
        e = make_entry(user_id, project, START, END, updated_at=datetime(2024, 1, 15, 9, 0, tzinfo=UTC))
        body = {"if_updated_at": "2024-01-15T10:00:01", "notes": "ok"}
        assert client.patch(f"{URL}/{e.id}", json=body, headers=user_headers).status_code == 200

    def test_unparseable_if_updated_at(self, refused, entry):
        out = refused(entry, {"if_updated_at": "earlier"}, 400, "validation_error")
        assert out["errors"] == {"if_updated_at": ["Not a valid datetime."]}


class TestUpdateAccess:
    def test_unknown_entry_is_404_before_the_body_is_read(self, client, user_headers):
        r = client.patch(f"{URL}/987654321", json={"start_time": "bad"}, headers=user_headers)
        assert (r.status_code, r.json()["error_code"]) == (404, "not_found")

    def test_another_users_entry_is_403_before_the_body_is_read(self, refused, make_entry, user_id, project):
        theirs = make_entry(user_id + 1, project, START, END)
        out = refused(theirs, {"start_time": "bad"}, 403, "forbidden")
        assert out["error"] == "Access denied"

    @pytest.mark.parametrize(("field", "value"), [("start_time", "later"), ("break_seconds", "x"), ("paid", "no?"),
                                                  ("tags", "t" * 501), ("task_id", "first")])  # fmt: skip
    def test_invalid_field(self, refused, entry, field, value):
        assert list(refused(entry, {field: value}, 400, "validation_error")["errors"]) == [field]

    def test_write_scope_required(self, refused, entry, headers_for, user_id):
        out = refused(entry, {"notes": "x"}, 403, "forbidden", headers=headers_for(user_id, "read:time_entries"))
        assert out["required_scope"] == "write:time_entries"
