"""`GET /api/v1/tasks` and `GET /api/v1/tasks/{id}` (tracking.md §1.2, §3.1, §3.2)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

T0 = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)


def ids(response) -> list[int]:
    return [t["id"] for t in response.json()["tasks"]]


class TestTaskObject:
    def test_every_field_of_a_task(self, client, user_headers, make_project, make_task, make_known_user):
        assignee = make_known_user(username="ann")
        creator = make_known_user(username="carl")
        project = make_project()
        task = make_task(
            project,
            name="Write docs",
            description="All of them",
            status="in_progress",
            priority="high",
            estimated_hours=Decimal("10.50"),
            due_date=date(2031, 5, 6),
            assigned_to=assignee.id,
            created_by=creator.id,
            tags="docs, urgent ,,",
        )
        r = client.get(f"/api/v1/tasks/{task.id}", headers=user_headers)
        assert r.status_code == 200, r.text
        out = r.json()["task"]
        assert out == {
            "id": task.id,
            "project_id": project.id,
            "name": "Write docs",
            "description": "All of them",
            "status": "in_progress",
            "status_display": "In Progress",
            "priority": "high",
            "priority_display": "High",
            "priority_class": "priority-high",
            "estimated_hours": 10.5,
            "due_date": "2031-05-06",
            "assigned_to": assignee.id,
            "assigned_user": "ann",
            "created_by": creator.id,
            "creator": "carl",
            "created_at": out["created_at"],
            "updated_at": out["created_at"],
            "started_at": None,
            "completed_at": None,
            "total_hours": 0.0,
            "total_billable_hours": 0.0,
            "progress_percentage": 0.0,
            "is_active": True,
            "is_overdue": False,
            "tags": "docs, urgent ,,",
            "tag_list": ["docs", "urgent"],
        }
        assert out["created_at"].endswith("Z")

    def test_usernames_unknown_to_the_replica_are_null(self, client, user_headers, make_project, make_task):
        task = make_task(make_project(), assigned_to=987654, created_by=987655)
        out = client.get(f"/api/v1/tasks/{task.id}", headers=user_headers).json()["task"]
        assert (out["assigned_to"], out["assigned_user"]) == (987654, None)
        assert (out["created_by"], out["creator"]) == (987655, None)

    def test_hours_come_from_completed_entries_on_the_task(
        self, client, user_headers, user_id, make_project, make_task, make_entry
    ):
        project = make_project()
        task = make_task(project, estimated_hours=Decimal("4"))
        other = make_task(project)
        make_entry(user_id, project, T0, T0 + timedelta(hours=1, minutes=30), task_id=task.id)
        make_entry(user_id, project, T0, T0 + timedelta(minutes=20), task_id=task.id, billable=False)
        # A running timer is not counted, whatever its row holds.
        make_entry(user_id, project, T0, None, task_id=task.id, duration_seconds=7200)
        make_entry(user_id, project, T0, T0 + timedelta(hours=5), task_id=other.id)
        out = client.get(f"/api/v1/tasks/{task.id}", headers=user_headers).json()["task"]
        assert out["total_hours"] == 1.83
        assert out["total_billable_hours"] == 1.5
        assert out["progress_percentage"] == 45.8

    def test_progress_is_capped_at_100(self, client, user_headers, user_id, make_project, make_task, make_entry):
        project = make_project()
        task = make_task(project, estimated_hours=Decimal("1"))
        make_entry(user_id, project, T0, T0 + timedelta(hours=3), task_id=task.id)
        out = client.get(f"/api/v1/tasks/{task.id}", headers=user_headers).json()["task"]
        assert (out["total_hours"], out["progress_percentage"]) == (3.0, 100.0)

    @pytest.mark.parametrize(
        ("status", "display", "active"),
        [
            ("todo", "To Do", True),
            ("review", "Review", True),
            ("done", "Done", False),
            ("cancelled", "Cancelled", False),
            ("on_hold", "On Hold", True),
        ],
    )
    def test_status_display_and_active(self, client, user_headers, make_project, make_task, status, display, active):
        task = make_task(make_project(), status=status)
        out = client.get(f"/api/v1/tasks/{task.id}", headers=user_headers).json()["task"]
        assert (out["status_display"], out["is_active"]) == (display, active)

    def test_unknown_priority_displays_raw_with_the_medium_class(self, client, user_headers, make_project, make_task):
        task = make_task(make_project(), priority="critical")
        out = client.get(f"/api/v1/tasks/{task.id}", headers=user_headers).json()["task"]
        assert (out["priority_display"], out["priority_class"]) == ("critical", "priority-medium")

    @pytest.mark.parametrize(
        ("days", "status", "overdue"),
        [(-1, "todo", True), (0, "todo", False), (-1, "done", False), (-1, "cancelled", False), (-30, "review", True)],
    )
    def test_overdue_is_judged_by_the_app_time_zone_day(
        self, client, user_headers, settings, make_project, make_task, days, status, overdue
    ):
        today = datetime.now(settings.zone).date()
        task = make_task(make_project(), status=status, due_date=today + timedelta(days=days))
        out = client.get(f"/api/v1/tasks/{task.id}", headers=user_headers).json()["task"]
        assert out["is_overdue"] is overdue

    # Between them these two zones differ from the UTC date at every hour of the day.
    @pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
    def test_today_is_the_app_time_zone_day_not_utc(self, make_app_client, user_headers, make_project, make_task, zone):
        app_client = make_app_client(timezone=zone)
        today = datetime.now(ZoneInfo(zone)).date()
        p = make_project()
        due_today = make_task(p, due_date=today)
        due_yesterday = make_task(p, due_date=today - timedelta(days=1))
        for task, overdue in ((due_today, False), (due_yesterday, True)):
            out = app_client.get(f"/api/v1/tasks/{task.id}", headers=user_headers).json()["task"]
            assert out["is_overdue"] is overdue


class TestListTasks:
    def test_every_task_for_any_caller_with_the_scope(self, client, headers_for, next_user_id, make_project, make_task):
        theirs = make_task(make_project(created_by=1), created_by=1)
        r = client.get("/api/v1/tasks", headers=headers_for(next_user_id(), "read:tasks", role="viewer"))
        assert r.status_code == 200
        assert ids(r) == [theirs.id]
        assert r.json()["tasks"][0]["name"] == theirs.name

    def test_order_priority_then_due_date_nulls_last_then_age(self, client, admin_headers, make_project, make_task):
        p = make_project()
        old, new = T0, T0 + timedelta(hours=1)
        low = make_task(p, priority="low", created_at=old)
        med_late_due = make_task(p, priority="medium", due_date=date(2030, 2, 1), created_at=old)
        med_no_due = make_task(p, priority="medium", created_at=old)
        med_early_due = make_task(p, priority="medium", due_date=date(2030, 1, 1), created_at=new)
        med_no_due_newer = make_task(p, priority="medium", created_at=new)
        high = make_task(p, priority="high", created_at=new)
        urgent = make_task(p, priority="urgent", created_at=new)
        r = client.get("/api/v1/tasks", headers=admin_headers)
        assert ids(r) == [
            urgent.id, high.id, med_early_due.id, med_late_due.id, med_no_due.id, med_no_due_newer.id, low.id
        ]  # fmt: skip

    def test_hours_are_per_task_on_a_page(self, client, admin_headers, user_id, make_project, make_task, make_entry):
        p = make_project()
        a = make_task(p, priority="urgent")
        b = make_task(p, priority="low")
        make_entry(user_id, p, T0, T0 + timedelta(hours=2), task_id=a.id)
        make_entry(user_id, p, T0, T0 + timedelta(minutes=45), task_id=b.id)
        tasks = client.get("/api/v1/tasks", headers=admin_headers).json()["tasks"]
        assert [(t["id"], t["total_hours"]) for t in tasks] == [(a.id, 2.0), (b.id, 0.75)]

    def test_project_filter_and_unparseable_project_id_ignored(self, client, admin_headers, make_project, make_task):
        p1, p2 = make_project(), make_project()
        a = make_task(p1)
        b = make_task(p2)
        assert ids(client.get(f"/api/v1/tasks?project_id={p1.id}", headers=admin_headers)) == [a.id]
        assert sorted(ids(client.get("/api/v1/tasks?project_id=abc", headers=admin_headers))) == sorted([a.id, b.id])
        assert ids(client.get("/api/v1/tasks?project_id=99999999999", headers=admin_headers)) == []

    def test_status_filter_is_exact(self, client, admin_headers, make_project, make_task):
        p = make_project()
        review = make_task(p, status="review")
        make_task(p, status="todo")
        assert ids(client.get("/api/v1/tasks?status=review", headers=admin_headers)) == [review.id]
        assert ids(client.get("/api/v1/tasks?status=REVIEW", headers=admin_headers)) == []

    def test_status_active_means_neither_done_nor_cancelled(self, client, admin_headers, make_project, make_task):
        p = make_project()
        open_ids = {make_task(p, status=s).id for s in ("todo", "in_progress", "review", "on_hold")}
        make_task(p, status="done")
        make_task(p, status="cancelled")
        assert set(ids(client.get("/api/v1/tasks?status=active", headers=admin_headers))) == open_ids

    def test_tags_match_any_listed_tag_as_a_case_insensitive_part(self, client, admin_headers, make_project, make_task):
        p = make_project()
        backend = make_task(p, tags="Backend,api")
        frontend = make_task(p, tags="frontend")
        make_task(p, tags="ops")
        make_task(p, tags=None)
        r = client.get("/api/v1/tasks?tags=END, ,api", headers=admin_headers)
        assert set(ids(r)) == {backend.id, frontend.id}
        assert ids(client.get("/api/v1/tasks?tags=back", headers=admin_headers)) == [backend.id]

    def test_tag_wildcards_are_literal(self, client, admin_headers, make_project, make_task):
        p = make_project()
        literal = make_task(p, tags="100%_done")
        make_task(p, tags="anything")
        assert ids(client.get("/api/v1/tasks?tags=%25_", headers=admin_headers)) == [literal.id]

    def test_blank_filters_are_no_filters(self, client, admin_headers, make_project, make_task):
        p = make_project()
        both = {make_task(p, status="done", tags="x").id, make_task(p).id}
        assert set(ids(client.get("/api/v1/tasks?status=&tags=,&project_id=", headers=admin_headers))) == both

    def test_pagination_edges(self, client, admin_headers, make_project, make_task):
        p = make_project()
        made = [make_task(p, created_at=T0 + timedelta(minutes=i)).id for i in range(5)]
        r = client.get("/api/v1/tasks?per_page=2&page=3", headers=admin_headers)
        assert ids(r) == made[4:]
        assert r.json()["pagination"] == {
            "page": 3, "per_page": 2, "total": 5, "pages": 3,
            "has_next": False, "has_prev": True, "next_page": None, "prev_page": 2,
        }  # fmt: skip
        r = client.get("/api/v1/tasks?per_page=500&page=x", headers=admin_headers)
        assert r.json()["pagination"]["per_page"] == 100 and r.json()["pagination"]["page"] == 1
        r = client.get("/api/v1/tasks?page=9", headers=admin_headers)
        assert r.status_code == 200 and r.json()["tasks"] == []

    def test_empty_list_has_zero_pages(self, client, admin_headers):
        r = client.get("/api/v1/tasks", headers=admin_headers)
        assert r.json() == {
            "tasks": [],
            "pagination": {
                "page": 1, "per_page": 50, "total": 0, "pages": 0,
                "has_next": False, "has_prev": False, "next_page": None, "prev_page": None,
            },
        }  # fmt: skip

    def test_read_scope_required_and_write_does_not_imply_it(self, client, headers_for, user_id):
        r = client.get("/api/v1/tasks", headers=headers_for(user_id, "write:tasks", "read:projects"))
        assert r.status_code == 403
        assert r.json()["error_code"] == "forbidden"
        assert r.json()["required_scope"] == "read:tasks"

    def test_no_identity_is_401(self, client):
        assert client.get("/api/v1/tasks").status_code == 401


class TestGetTask:
    @pytest.mark.parametrize("task_id", ["999999", "2147483648", "99999999999999999999"])
    def test_unknown_is_404(self, client, admin_headers, task_id):
        r = client.get(f"/api/v1/tasks/{task_id}", headers=admin_headers)
        assert r.status_code == 404
        assert r.json()["error_code"] == "not_found"
        assert r.json()["error"] == "Task not found"

    def test_read_scope_required(self, client, headers_for, user_id, make_project, make_task):
        task = make_task(make_project())
        r = client.get(f"/api/v1/tasks/{task.id}", headers=headers_for(user_id, "read:projects"))
        assert r.status_code == 403 and r.json()["required_scope"] == "read:tasks"

    def test_read_wildcard_opens_it(self, client, headers_for, user_id, make_project, make_task):
        task = make_task(make_project())
        r = client.get(f"/api/v1/tasks/{task.id}", headers=headers_for(user_id, "read:*"))
        assert r.status_code == 200 and r.json()["task"]["id"] == task.id
