"""Pure task rules (tracking.md §1.2, §3): status and priority values and their displays,
progress and overdue, the tag filter's terms."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

DEFAULT_STATUS = "todo"
DEFAULT_PRIORITY = "medium"
# The default kanban column keys plus `on_hold` (seed data); no columns are configurable here.
STATUSES = ("todo", "in_progress", "review", "done", "cancelled", "on_hold")
CLOSED_STATUSES = frozenset({"done", "cancelled"})
STATUS_LABELS = {
    "todo": "To Do",
    "in_progress": "In Progress",
    "review": "Review",
    "done": "Done",
    "cancelled": "Cancelled",
}
# Rank 1–4 is also the integer form clients may send (the seed example sends `1`).
PRIORITY_RANK = {"low": 1, "medium": 2, "high": 3, "urgent": 4}
PRIORITY_BY_NUMBER = {rank: name for name, rank in PRIORITY_RANK.items()}
PRIORITY_ERROR = "Priority must be one of low, medium, high, urgent (or 1-4)"


def status_display(status: str) -> str:
    if status in STATUS_LABELS:
        return STATUS_LABELS[status]
    return status.replace("_", " ").title()


def priority_display(priority: str) -> str:
    return priority.capitalize() if priority in PRIORITY_RANK else priority


def priority_class(priority: str) -> str:
    return f"priority-{priority if priority in PRIORITY_RANK else DEFAULT_PRIORITY}"


def to_status(value: Any) -> str:
    """A known column key (trimmed); anything else silently becomes `todo` (tracking.md §3.3)."""
    key = value.strip() if isinstance(value, str) else value
    return key if key in STATUSES else DEFAULT_STATUS


def to_priority(value: Any) -> str:
    """`low`/`medium`/`high`/`urgent`, or 1–4 as an integer or a numeric string; else ValueError."""
    if isinstance(value, bool):
        raise ValueError(PRIORITY_ERROR)
    if isinstance(value, str):
        text = value.strip()
        if text in PRIORITY_RANK:
            return text
        value = int(text) if text.isascii() and text.isdigit() else None
    if isinstance(value, int) and value in PRIORITY_BY_NUMBER:
        return PRIORITY_BY_NUMBER[value]
    raise ValueError(PRIORITY_ERROR)


def is_active(status: str) -> bool:
    return status not in CLOSED_STATUSES


def is_overdue(due_date: date | None, status: str, today: date) -> bool:
    return due_date is not None and due_date < today and is_active(status)


def progress_percentage(total_hours: float, estimated_hours: Decimal | float | None) -> float:
    """0 without an estimate, 100 once the estimate is reached, else one decimal."""
    if not estimated_hours:
        return 0
    estimate = float(estimated_hours)
    if total_hours >= estimate:
        return 100
    return round(total_hours / estimate * 100, 1)


def tag_terms(raw: str | None) -> list[str]:
    """The list filter's `tags`: a comma list, each part trimmed, empties dropped."""
    return [t.strip() for t in raw.split(",") if t.strip()] if raw else []
