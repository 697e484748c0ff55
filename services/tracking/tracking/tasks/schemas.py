"""Wire shapes of the task resource (tracking.md §1.2, §3.3, §3.4)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    BeforeValidator,
    Field,
    PrivateAttr,
    ValidatorFunctionWrapHandler,
    model_validator,
)

from shared.inputs import IntValue, Text, published_required, round_money, text, to_decimal
from tracking.tasks.rules import to_priority, to_status

# Numeric(10, 2): the largest estimate the column holds is below this.
MAX_ESTIMATED_HOURS = Decimal("1e8")


def _required(message: str) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if value is None:
            raise ValueError(message)
        return value

    return check


def to_due_date(value: Any) -> date | None:
    """`YYYY-MM-DD` (the date part of an ISO datetime is accepted); blank → None; else 400."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        text_value = value.strip()
        try:
            if len(text_value) == 10:
                return date.fromisoformat(text_value)
            return datetime.fromisoformat(text_value).date()
        except ValueError:
            pass
    raise ValueError("Not a valid date.")


def to_estimated_hours(value: Any) -> Decimal | None:
    try:
        number = to_decimal(value)
    except ValueError:
        raise ValueError("Not a valid number.") from None
    if number is None:
        return None
    if number < 0:
        raise ValueError("Must not be negative")
    number = round_money(number)
    if number >= MAX_ESTIMATED_HOURS:
        raise ValueError("Not a valid number.")
    return number


def _optional(rule: Callable[[Any], str]) -> Callable[[Any], str | None]:
    return lambda value: None if value is None else rule(value)


TaskName = Annotated[text(200), AfterValidator(_required("Task name is required"))]
ProjectId = Annotated[IntValue, AfterValidator(_required("project_id is required"))]
Status = Annotated[str | None, BeforeValidator(_optional(to_status))]
Priority = Annotated[str | None, BeforeValidator(_optional(to_priority))]
AssigneeId = Annotated[
    IntValue,
    Field(
        validation_alias=AliasChoices("assignee_id", "assigned_to"),
        description="User id of the assignee; also accepted as `assigned_to` (`assignee_id` wins)",
    ),
]
DueDate = Annotated[date | None, BeforeValidator(to_due_date)]
EstimatedHours = Annotated[Decimal | None, BeforeValidator(to_estimated_hours)]


class TaskFields(BaseModel):
    """Fields whose create and update rules coincide."""

    description: Text = None
    status: Status = Field(None, description="todo, in_progress, review, done, cancelled, on_hold; else todo")
    priority: Priority = Field(None, description="low, medium, high, urgent, or 1-4")
    assignee_id: AssigneeId = None
    due_date: DueDate = None
    estimated_hours: EstimatedHours = None
    tags: Text = None
    # The key the client used for the assignee, so a service-level error names that key.
    _assignee_key: str = PrivateAttr(default="assignee_id")

    @model_validator(mode="wrap")
    @classmethod
    def _remember_assignee_key(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        model = handler(data)
        if isinstance(data, dict) and "assignee_id" not in data and "assigned_to" in data:
            model._assignee_key = "assigned_to"
        return model

    @property
    def assignee_key(self) -> str:
        return self._assignee_key


class TaskCreate(TaskFields):
    model_config = published_required("name", "project_id")

    # Required through validators (not pydantic's `missing`), so the messages are the spec's
    # and a body missing both gets one 400 naming both.
    name: TaskName = Field(None, validate_default=True)
    project_id: ProjectId = Field(None, validate_default=True)


class TaskUpdate(TaskFields):
    """PUT and PATCH: only the keys present change; `project_id` is not updatable (ignored)."""

    name: TaskName = None


class TaskRead(BaseModel):
    id: int
    project_id: int
    name: str
    description: str | None
    status: str
    status_display: str
    priority: str
    priority_display: str
    priority_class: str
    estimated_hours: float | None
    due_date: str | None
    assigned_to: int | None
    assigned_user: str | None
    created_by: int
    creator: str | None
    created_at: str
    updated_at: str
    started_at: str | None
    completed_at: str | None
    total_hours: float
    total_billable_hours: float
    progress_percentage: float
    is_active: bool
    is_overdue: bool
    tags: str | None
    tag_list: list[str]


class TaskEnvelope(BaseModel):
    task: TaskRead


class TaskMessageEnvelope(BaseModel):
    message: str
    task: TaskRead


class TaskList(BaseModel):
    tasks: list[TaskRead]
    pagination: dict[str, Any]
