"""`PUT|PATCH /api/v1/tasks/{id}` and `DELETE /api/v1/tasks/{id}` (tracking.md §3.4, §3.5, events §9)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from tracking.models import Task, TimeEntry

T0 = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)
PREFIX = "tt.tracking.task."


def actions(outbox_events) -> list[str]:
    return [e["type"].removeprefix(PREFIX) for e in outbox_events()]


@pytest.fixture
def task(make_project, make_task, make_known_user):
    owner = make_known_user(username="owner")
    return make_task(
        make_project(),
        name="Original",
        description="Desc",
        status="todo",
        priority="low",
        assigned_to=owner.id,
        due_date=date(2031, 1, 1),
        estimated_hours=Decimal("3.00"),
        tags="a,b",
    )


def stored(session, task_id: int) -> Task:
    session.expire_all()
    return session.get(Task, task_id)


class TestUpdateTask:
    @pytest.mark.parametrize("method", ["put", "patch"])
    def test_partial_update_changes_only_sent_keys(self, client, user_headers, task, method, outbox_events):
        r = client.request(method, f"/api/v1/tasks/{task.id}", json={"description": "New"}, headers=user_headers)
        assert r.status_code == 200, r.text
        assert r.json()["message"] == "Task updated successfully"
        out = r.json()["task"]
        assert (out["name"], out["description"], out["priority"], out["tags"]) == ("Original", "New", "low", "a,b")
        assert (out["assigned_user"], out["due_date"], out["estimated_hours"]) == ("owner", "2031-01-01", 3.0)
        assert actions(outbox_events) == ["updated"]
        assert outbox_events()[0]["data"] == out

    def test_every_updatable_key(self, client, user_headers, task, make_known_user, session):
        bob = make_known_user(username="bob")
        body = {
            "name": " Renamed ",
            "description": "D2",
            "status": "in_progress",
            "priority": 4,
            "assignee_id": bob.id,
            "due_date": "2032-02-02",
            "estimated_hours": 8,
            "tags": "x, y",
        }
        out = client.patch(f"/api/v1/tasks/{task.id}", json=body, headers=user_headers).json()["task"]
        assert (out["name"], out["status"], out["status_display"], out["priority"]) == (
            "Renamed", "in_progress", "In Progress", "urgent"
        )  # fmt: skip
        assert (out["assigned_to"], out["assigned_user"], out["due_date"]) == (bob.id, "bob", "2032-02-02")
        assert (out["estimated_hours"], out["tag_list"]) == (8.0, ["x", "y"])
        row = stored(session, task.id)
        assert (row.name, row.priority, row.assigned_to, row.tags) == ("Renamed", "urgent", bob.id, "x, y")

    def test_project_id_is_ignored(self, client, user_headers, task, make_project):
        other = make_project()
        r = client.put(f"/api/v1/tasks/{task.id}", json={"project_id": other.id, "name": "N"}, headers=user_headers)
        assert r.status_code == 200
        assert r.json()["task"]["project_id"] == task.project_id

    def test_status_change_records_status_changed(self, client, user_headers, task, outbox_events):
        client.patch(f"/api/v1/tasks/{task.id}", json={"status": "review"}, headers=user_headers)
        assert actions(outbox_events) == ["updated", "status_changed"]
        assert all(e["data"]["status"] == "review" for e in outbox_events())

    def test_becoming_done_records_completed(self, client, user_headers, task, outbox_events):
        out = client.patch(f"/api/v1/tasks/{task.id}", json={"status": "done"}, headers=user_headers).json()["task"]
        assert (out["is_active"], out["completed_at"]) == (False, None)
        assert actions(outbox_events) == ["updated", "status_changed", "completed"]

    def test_same_status_records_no_status_event(self, client, user_headers, task, outbox_events):
        client.patch(f"/api/v1/tasks/{task.id}", json={"status": "todo", "name": "Same"}, headers=user_headers)
        assert actions(outbox_events) == ["updated"]

    def test_unknown_status_becomes_todo(self, client, user_headers, make_project, make_task, outbox_events):
        t = make_task(make_project(), status="review")
        out = client.patch(f"/api/v1/tasks/{t.id}", json={"status": "blocked"}, headers=user_headers).json()["task"]
        assert out["status"] == "todo"
        assert actions(outbox_events) == ["updated", "status_changed"]

    def test_null_status_and_priority_leave_them_unchanged(self, client, user_headers, task):
        out = client.patch(
            f"/api/v1/tasks/{task.id}", json={"status": None, "priority": None}, headers=user_headers
        ).json()["task"]
        assert (out["status"], out["priority"]) == ("todo", "low")

    def test_null_clears_optional_fields(self, client, user_headers, task, outbox_events):
        body = {"description": None, "due_date": None, "estimated_hours": None, "tags": None}
        out = client.patch(f"/api/v1/tasks/{task.id}", json=body, headers=user_headers).json()["task"]
        assert [out[k] for k in body] == [None, None, None, None]
        assert out["tag_list"] == [] and out["progress_percentage"] == 0.0

    def test_new_assignee_records_assigned(self, client, user_headers, task, make_known_user, outbox_events):
        bob = make_known_user(username="bob")
        r = client.patch(f"/api/v1/tasks/{task.id}", json={"assigned_to": bob.id}, headers=user_headers)
        assert r.json()["task"]["assigned_user"] == "bob"
        assert actions(outbox_events) == ["updated", "assigned"]
        assert outbox_events()[1]["data"]["assigned_to"] == bob.id

    def test_unassigning_is_an_assignee_change(self, client, user_headers, task, outbox_events):
        out = client.patch(f"/api/v1/tasks/{task.id}", json={"assignee_id": None}, headers=user_headers).json()["task"]
        assert (out["assigned_to"], out["assigned_user"]) == (None, None)
        assert actions(outbox_events) == ["updated", "assigned"]

    def test_resending_the_current_assignee_is_no_assignment(
        self, client, user_headers, make_project, make_task, make_known_user, outbox_events
    ):
        # Accepted even after the user was deactivated: a client saving its whole form.
        gone = make_known_user(is_active=False)
        t = make_task(make_project(), assigned_to=gone.id)
        r = client.put(f"/api/v1/tasks/{t.id}", json={"assignee_id": gone.id, "name": "N"}, headers=user_headers)
        assert r.status_code == 200
        assert actions(outbox_events) == ["updated"]

    def test_inactive_new_assignee_is_refused(self, client, user_headers, task, make_known_user, outbox_events):
        gone = make_known_user(is_active=False)
        r = client.patch(f"/api/v1/tasks/{task.id}", json={"assignee_id": gone.id}, headers=user_headers)
        assert r.status_code == 400 and list(r.json()["errors"]) == ["assignee_id"]
        assert outbox_events() == []

    @pytest.mark.parametrize("key", ["assignee_id", "assigned_to"])
    def test_unknown_assignee_is_refused_and_nothing_changes(
        self, client, user_headers, task, session, outbox_events, key
    ):
        r = client.patch(f"/api/v1/tasks/{task.id}", json={key: 987654, "name": "Changed"}, headers=user_headers)
        assert r.status_code == 400
        assert r.json()["error_code"] == "validation_error" and list(r.json()["errors"]) == [key]
        assert stored(session, task.id).name == "Original"
        assert outbox_events() == []

    @pytest.mark.parametrize("name", [None, "", "  "])
    def test_name_cannot_be_blanked(self, client, user_headers, task, session, name):
        r = client.patch(f"/api/v1/tasks/{task.id}", json={"name": name}, headers=user_headers)
        assert r.status_code == 400 and r.json()["errors"] == {"name": ["Task name is required"]}
        assert stored(session, task.id).name == "Original"

    @pytest.mark.parametrize(
        ("field", "value"), [("priority", "critical"), ("priority", 7), ("due_date", "soon"), ("estimated_hours", "x")]
    )
    def test_invalid_values_are_refused_and_nothing_changes(
        self, client, user_headers, task, session, outbox_events, field, value
    ):
        r = client.patch(f"/api/v1/tasks/{task.id}", json={field: value, "name": "Changed"}, headers=user_headers)
        assert r.status_code == 400 and list(r.json()["errors"]) == [field]
        assert stored(session, task.id).name == "Original"
        assert outbox_events() == []

    def test_updated_at_moves_and_created_at_stays(self, client, user_headers, make_project, make_task):
        t = make_task(make_project(), created_at=T0, updated_at=T0)
        out = client.patch(f"/api/v1/tasks/{t.id}", json={"name": "Later"}, headers=user_headers).json()["task"]
        assert out["created_at"] == "2024-03-04T09:00:00Z"
        assert out["updated_at"] > out["created_at"]

    @pytest.mark.parametrize("method", ["put", "patch"])
    def test_unknown_is_404(self, client, user_headers, method, outbox_events):
        r = client.request(method, "/api/v1/tasks/999999", json={"name": "X"}, headers=user_headers)
        assert r.status_code == 404 and r.json()["error_code"] == "not_found"
        assert outbox_events() == []

    def test_write_scope_required_and_nothing_changes(self, client, headers_for, user_id, task, session, outbox_events):
        r = client.patch(f"/api/v1/tasks/{task.id}", json={"name": "X"}, headers=headers_for(user_id, "read:tasks"))
        assert r.status_code == 403 and r.json()["required_scope"] == "write:tasks"
        assert stored(session, task.id).name == "Original"
        assert outbox_events() == []


class TestDeleteTask:
    def test_deletes_and_entries_keep_existing_without_a_task(
        self, client, user_headers, user_id, task, make_entry, session, outbox_events
    ):
        entry = make_entry(user_id, None, T0, T0 + timedelta(hours=2), project_id=task.project_id, task_id=task.id)
        task_id, entry_id = task.id, entry.id
        r = client.delete(f"/api/v1/tasks/{task_id}", headers=user_headers)
        assert r.status_code == 200 and r.json() == {"message": "Task deleted successfully"}
        session.expire_all()
        assert session.get(Task, task_id) is None
        assert session.get(TimeEntry, entry_id).task_id is None
        assert client.get(f"/api/v1/tasks/{task_id}", headers=user_headers).status_code == 404
        [event] = outbox_events()
        assert event["type"] == PREFIX + "deleted"
        assert event["entity_id"] == str(task_id)
        assert (event["data"]["name"], event["data"]["total_hours"], event["data"]["assigned_user"]) == (
            "Original", 2.0, "owner"
        )  # fmt: skip

    def test_unknown_is_404(self, client, user_headers, outbox_events):
        r = client.delete("/api/v1/tasks/999999", headers=user_headers)
        assert r.status_code == 404 and r.json()["error_code"] == "not_found"
        assert outbox_events() == []

    def test_write_scope_required_and_nothing_deleted(self, client, headers_for, user_id, task, session, outbox_events):
        r = client.delete(f"/api/v1/tasks/{task.id}", headers=headers_for(user_id, "read:tasks"))
        assert r.status_code == 403 and r.json()["error_code"] == "forbidden"
        assert r.json()["required_scope"] == "write:tasks"
        assert stored(session, task.id) is not None
        assert outbox_events() == []
