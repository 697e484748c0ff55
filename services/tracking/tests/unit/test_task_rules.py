"""Pure task rules (tracking.md §1.2, §3.3) and the task body's value rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from pydantic import ValidationError

from tracking.tasks import rules
from tracking.tasks.schemas import TaskCreate, TaskUpdate, to_due_date, to_estimated_hours

TODAY = date(2024, 6, 10)


class TestDisplays:
    @pytest.mark.parametrize(
        ("status", "label"),
        [
            ("todo", "To Do"),
            ("in_progress", "In Progress"),
            ("review", "Review"),
            ("done", "Done"),
            ("cancelled", "Cancelled"),
            ("on_hold", "On Hold"),
            ("waiting_for_qa", "Waiting For Qa"),
        ],
    )
    def test_status_display(self, status, label):
        assert rules.status_display(status) == label

    @pytest.mark.parametrize(
        ("priority", "display", "css"),
        [
            ("low", "Low", "priority-low"),
            ("medium", "Medium", "priority-medium"),
            ("high", "High", "priority-high"),
            ("urgent", "Urgent", "priority-urgent"),
            ("critical", "critical", "priority-medium"),
            ("3", "3", "priority-medium"),
        ],
    )
    def test_priority_display_and_class(self, priority, display, css):
        assert rules.priority_display(priority) == display
        assert rules.priority_class(priority) == css


class TestStatusAndPriorityInput:
    @pytest.mark.parametrize("status", rules.STATUSES)
    def test_known_statuses_are_kept(self, status):
        assert rules.to_status(f" {status} ") == status

    @pytest.mark.parametrize("status", ["blocked", "Done", "", 3, True, ["todo"]])
    def test_anything_else_becomes_todo(self, status):
        assert rules.to_status(status) == "todo"

    @pytest.mark.parametrize(
        ("value", "priority"),
        [(1, "low"), (2, "medium"), (3, "high"), (4, "urgent"), (" 2 ", "medium"), ("urgent", "urgent")],
    )
    def test_names_and_numbers_one_to_four(self, value, priority):
        assert rules.to_priority(value) == priority

    @pytest.mark.parametrize("value", [0, 5, -2, "0", "Urgent", "", "²", True, False, 1.0, None, {}])
    def test_other_priorities_raise(self, value):
        with pytest.raises(ValueError):
            rules.to_priority(value)


class TestProgressAndState:
    @pytest.mark.parametrize(
        ("total", "estimate", "percent"),
        [
            (5.0, None, 0),
            (5.0, Decimal("0"), 0),
            (0.0, Decimal("4"), 0.0),
            (1.83, Decimal("4"), 45.8),
            (1.0, Decimal("3"), 33.3),
            (4.0, Decimal("4"), 100),
            (9.5, Decimal("4"), 100),
        ],
    )
    def test_progress_percentage(self, total, estimate, percent):
        assert rules.progress_percentage(total, estimate) == percent

    @pytest.mark.parametrize(
        ("status", "active"), [("todo", True), ("on_hold", True), ("done", False), ("cancelled", False)]
    )
    def test_is_active(self, status, active):
        assert rules.is_active(status) is active

    @pytest.mark.parametrize(
        ("due", "status", "overdue"),
        [
            (date(2024, 6, 9), "todo", True),
            (date(2024, 6, 10), "todo", False),
            (date(2024, 6, 11), "in_progress", False),
            (None, "todo", False),
            (date(2024, 1, 1), "done", False),
            (date(2024, 1, 1), "cancelled", False),
        ],
    )
    def test_is_overdue(self, due, status, overdue):
        assert rules.is_overdue(due, status, TODAY) is overdue

    @pytest.mark.parametrize(("raw", "terms"), [(None, []), ("", []), (" , ,", []), ("a, B ,,c", ["a", "B", "c"])])
    def test_tag_terms(self, raw, terms):
        assert rules.tag_terms(raw) == terms


class TestBodyValues:
    @pytest.mark.parametrize(
        ("raw", "value"),
        [
            (None, None),
            ("  ", None),
            ("2024-02-29", date(2024, 2, 29)),
            ("2024-03-01T23:30:00+05:00", date(2024, 3, 1)),
        ],
    )
    def test_due_date(self, raw, value):
        assert to_due_date(raw) == value

    @pytest.mark.parametrize("raw", ["2023-02-29", "tomorrow", 20240101, ["2024-01-01"]])
    def test_bad_due_date_raises(self, raw):
        with pytest.raises(ValueError, match="Not a valid date"):
            to_due_date(raw)

    @pytest.mark.parametrize(
        ("raw", "value"),
        [(None, None), ("", None), (3, Decimal("3.00")), ("1.005", Decimal("1.01")), (0, Decimal("0"))],
    )
    def test_estimated_hours(self, raw, value):
        assert to_estimated_hours(raw) == value

    @pytest.mark.parametrize("raw", ["x", True, -0.5, 1e8, "NaN"])
    def test_bad_estimated_hours_raise(self, raw):
        with pytest.raises(ValueError):
            to_estimated_hours(raw)

    def test_create_names_both_required_fields_at_once(self):
        with pytest.raises(ValidationError) as exc:
            TaskCreate.model_validate({"priority": 9})
        fields = {err["loc"][0]: err["msg"] for err in exc.value.errors()}
        assert fields == {
            "name": "Value error, Task name is required",
            "project_id": "Value error, project_id is required",
            "priority": f"Value error, {rules.PRIORITY_ERROR}",
        }

    def test_update_needs_nothing_and_drops_project_id(self):
        body = TaskUpdate.model_validate({"project_id": 5})
        assert body.model_fields_set == set()

    @pytest.mark.parametrize(
        ("data", "key"), [({"assigned_to": 3}, "assigned_to"), ({"assignee_id": 3}, "assignee_id")]
    )
    def test_assignee_alias_remembers_the_key_sent(self, data, key):
        body = TaskUpdate.model_validate(data)
        assert (body.assignee_id, body.assignee_key) == (3, key)
