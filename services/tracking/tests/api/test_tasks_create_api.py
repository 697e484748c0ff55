"""`POST /api/v1/tasks` (tracking.md §3.3, events §9)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tracking.models import Task

CREATED = "tt.tracking.task.created"
ASSIGNED = "tt.tracking.task.assigned"


@pytest.fixture
def task_count(session):
    return lambda: session.scalar(select(func.count()).select_from(Task))


@pytest.fixture
def project(make_project, user_id):
    return make_project(created_by=user_id)


def post(client, headers, body):
    return client.post("/api/v1/tasks", json=body, headers=headers)


class TestCreateTask:
    def test_creates_with_every_field_and_records_the_events(
        self, client, user_headers, user_id, project, make_known_user, outbox_events
    ):
        make_known_user(user_id, username="me")
        assignee = make_known_user(username="ann")
        body = {
            "name": "  Ship it ",
            "project_id": str(project.id),
            "description": "Before Friday",
            "status": "review",
            "priority": "urgent",
            "assignee_id": assignee.id,
            "due_date": "2031-01-15",
            "estimated_hours": "7.5",
            "tags": " release, ops ",
            "unknown_field": "ignored",
        }
        r = post(client, user_headers, body)
        assert r.status_code == 201, r.text
        assert r.json()["message"] == "Task created successfully"
        task = r.json()["task"]
        assert (task["name"], task["project_id"], task["description"]) == ("Ship it", project.id, "Before Friday")
        assert (task["status"], task["status_display"]) == ("review", "Review")
        assert (task["priority"], task["priority_class"]) == ("urgent", "priority-urgent")
        assert (task["assigned_to"], task["assigned_user"]) == (assignee.id, "ann")
        assert (task["created_by"], task["creator"]) == (user_id, "me")
        assert (task["due_date"], task["estimated_hours"]) == ("2031-01-15", 7.5)
        assert (task["tags"], task["tag_list"]) == ("release, ops", ["release", "ops"])
        assert task["updated_at"] == task["created_at"]
        assert task["started_at"] is None and task["completed_at"] is None
        [created] = outbox_events(CREATED)
        [assigned] = outbox_events(ASSIGNED)
        assert created["data"] == task and assigned["data"] == task
        assert created["entity_id"] == str(task["id"])
        assert created["actor"]["user_id"] == user_id

    def test_minimal_body_gets_the_defaults_and_no_assigned_event(self, client, user_headers, project, outbox_events):
        r = post(client, user_headers, {"name": "Bare", "project_id": project.id})
        assert r.status_code == 201
        task = r.json()["task"]
        assert (task["status"], task["priority"], task["is_active"]) == ("todo", "medium", True)
        for field in ("description", "due_date", "estimated_hours", "assigned_to", "assigned_user", "tags"):
            assert task[field] is None
        assert task["creator"] is None  # the caller is not in the user replica
        assert task["tag_list"] == [] and task["total_hours"] == 0.0
        assert len(outbox_events(CREATED)) == 1 and outbox_events(ASSIGNED) == []

    def test_get_returns_what_create_answered(self, client, user_headers, project):
        created = post(client, user_headers, {"name": "Round trip", "project_id": project.id}).json()["task"]
        assert client.get(f"/api/v1/tasks/{created['id']}", headers=user_headers).json()["task"] == created

    @pytest.mark.parametrize("status", ["archived", "inactive"])
    def test_archived_and_inactive_projects_take_tasks(self, client, user_headers, make_project, status):
        p = make_project(status=status)
        assert post(client, user_headers, {"name": "Late", "project_id": p.id}).status_code == 201

    def test_any_project_regardless_of_project_scope(self, client, headers_for, next_user_id, make_project):
        foreign = make_project(created_by=1)
        headers = headers_for(next_user_id(), "write:tasks")
        assert post(client, headers, {"name": "Help out", "project_id": foreign.id}).status_code == 201


class TestCreateTaskRequiredFields:
    @pytest.mark.parametrize("body", [{}, {"name": "  ", "project_id": None}, {"name": None}])
    def test_both_missing_is_one_400_naming_both(self, client, user_headers, task_count, outbox_events, body):
        r = post(client, user_headers, body)
        assert r.status_code == 400
        assert r.json()["error_code"] == "validation_error"
        assert r.json()["errors"] == {"name": ["Task name is required"], "project_id": ["project_id is required"]}
        assert task_count() == 0 and outbox_events() == []

    def test_body_less_post_is_treated_as_empty(self, client, user_headers):
        r = client.post("/api/v1/tasks", headers=user_headers)
        assert r.status_code == 400
        assert set(r.json()["errors"]) == {"name", "project_id"}

    @pytest.mark.parametrize("name", [None, "", "   "])
    def test_name_is_required(self, client, user_headers, project, task_count, name):
        body = {"project_id": project.id} | ({} if name is None else {"name": name})
        r = post(client, user_headers, body)
        assert r.status_code == 400
        assert r.json()["errors"] == {"name": ["Task name is required"]}
        assert task_count() == 0

    def test_project_id_is_required(self, client, user_headers, task_count):
        r = post(client, user_headers, {"name": "Orphan"})
        assert r.status_code == 400
        assert r.json()["errors"] == {"project_id": ["project_id is required"]}
        assert task_count() == 0

    @pytest.mark.parametrize("project_id", ["abc", 1.5, True, [1]])
    def test_non_integer_project_id_is_a_validation_error(self, client, user_headers, project_id):
        r = post(client, user_headers, {"name": "X", "project_id": project_id})
        assert r.status_code == 400
        assert r.json()["error_code"] == "validation_error"
        assert list(r.json()["errors"]) == ["project_id"]

    @pytest.mark.parametrize("project_id", [999999, 0, -3, 2147483648])
    def test_unknown_project_is_invalid_project(self, client, user_headers, task_count, outbox_events, project_id):
        r = post(client, user_headers, {"name": "X", "project_id": project_id})
        assert r.status_code == 400
        assert r.json()["error_code"] == "invalid_project"
        assert r.json()["error"] == "Invalid project selected"
        assert task_count() == 0 and outbox_events() == []

    def test_name_longer_than_200_is_refused(self, client, user_headers, project):
        r = post(client, user_headers, {"name": "x" * 201, "project_id": project.id})
        assert r.status_code == 400 and list(r.json()["errors"]) == ["name"]
        assert post(client, user_headers, {"name": "x" * 200, "project_id": project.id}).status_code == 201


class TestCreateTaskValues:
    @pytest.mark.parametrize("status", ["todo", "in_progress", "review", "done", "cancelled", "on_hold"])
    def test_allowed_statuses_are_kept(self, client, user_headers, project, status):
        r = post(client, user_headers, {"name": "S", "project_id": project.id, "status": status})
        assert r.json()["task"]["status"] == status

    @pytest.mark.parametrize("status", ["blocked", "DONE", "", 5, None])
    def test_unknown_status_silently_becomes_todo(self, client, user_headers, project, status):
        r = post(client, user_headers, {"name": "S", "project_id": project.id, "status": status})
        assert r.status_code == 201
        assert r.json()["task"]["status"] == "todo"

    def test_done_task_is_not_active(self, client, user_headers, project, outbox_events):
        r = post(client, user_headers, {"name": "Old", "project_id": project.id, "status": "done"})
        assert r.json()["task"]["is_active"] is False
        assert [e["type"] for e in outbox_events()] == ["tt.tracking.task.created"]

    @pytest.mark.parametrize(
        ("priority", "stored"),
        [("low", "low"), (" high ", "high"), (1, "low"), (2, "medium"), (3, "high"), (4, "urgent"), ("4", "urgent")],
    )
    def test_priority_names_and_numbers(self, client, user_headers, project, priority, stored):
        r = post(client, user_headers, {"name": "P", "project_id": project.id, "priority": priority})
        assert r.status_code == 201, r.text
        assert r.json()["task"]["priority"] == stored

    @pytest.mark.parametrize("priority", [0, 5, -1, "critical", "High", "", True, 2.5, [1]])
    def test_other_priorities_are_refused(self, client, user_headers, project, task_count, outbox_events, priority):
        r = post(client, user_headers, {"name": "P", "project_id": project.id, "priority": priority})
        assert r.status_code == 400
        assert r.json()["error_code"] == "validation_error"
        assert list(r.json()["errors"]) == ["priority"]
        assert task_count() == 0 and outbox_events() == []

    def test_assigned_to_is_an_alias_of_assignee_id(self, client, user_headers, project, make_known_user):
        ann = make_known_user(username="ann")
        r = post(client, user_headers, {"name": "A", "project_id": project.id, "assigned_to": str(ann.id)})
        assert r.json()["task"]["assigned_to"] == ann.id

    def test_assignee_id_wins_over_assigned_to(self, client, user_headers, project, make_known_user):
        ann, bob = make_known_user(), make_known_user()
        body = {"name": "A", "project_id": project.id, "assignee_id": ann.id, "assigned_to": bob.id}
        assert post(client, user_headers, body).json()["task"]["assigned_to"] == ann.id

    @pytest.mark.parametrize("key", ["assignee_id", "assigned_to"])
    def test_unknown_assignee_is_refused_under_the_key_sent(
        self, client, user_headers, project, task_count, outbox_events, key
    ):
        r = post(client, user_headers, {"name": "A", "project_id": project.id, key: 987654})
        assert r.status_code == 400
        assert r.json()["error_code"] == "validation_error"
        assert list(r.json()["errors"]) == [key]
        assert task_count() == 0 and outbox_events() == []

    def test_inactive_assignee_is_refused(self, client, user_headers, project, make_known_user, task_count):
        gone = make_known_user(is_active=False)
        r = post(client, user_headers, {"name": "A", "project_id": project.id, "assignee_id": gone.id})
        assert r.status_code == 400 and list(r.json()["errors"]) == ["assignee_id"]
        assert task_count() == 0

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("assignee_id", "abc"),
            ("due_date", "2024-02-30"),
            ("due_date", "next week"),
            ("due_date", 20240101),
            ("estimated_hours", "abc"),
            ("estimated_hours", -1),
            ("estimated_hours", True),
            ("estimated_hours", 100000000),
            ("tags", ["a", "b"]),
            ("description", 5),
        ],
    )
    def test_invalid_values_are_validation_errors(self, client, user_headers, project, task_count, field, value):
        r = post(client, user_headers, {"name": "V", "project_id": project.id, field: value})
        assert r.status_code == 400, r.text
        assert r.json()["error_code"] == "validation_error"
        assert list(r.json()["errors"]) == [field]
        assert task_count() == 0

    def test_lenient_value_forms(self, client, user_headers, project):
        body = {"name": "L", "project_id": project.id, "due_date": "2031-03-04T10:00:00", "estimated_hours": "2.345"}
        body |= {"tags": "   ", "description": "  "}
        task = post(client, user_headers, body).json()["task"]
        assert (task["due_date"], task["estimated_hours"]) == ("2031-03-04", 2.35)
        assert task["tags"] is None and task["description"] is None

    def test_write_scope_required_and_nothing_written(
        self, client, headers_for, user_id, project, task_count, outbox_events
    ):
        r = post(client, headers_for(user_id, "read:tasks", "write:projects"), {"name": "X", "project_id": project.id})
        assert r.status_code == 403
        assert r.json()["error_code"] == "forbidden"
        assert r.json()["required_scope"] == "write:tasks"
        assert task_count() == 0 and outbox_events() == []
