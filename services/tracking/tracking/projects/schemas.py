"""Wire shapes of the project resource (tracking.md §1.1, §2.3–§2.4)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel

from shared.inputs import IntValue, Money, Text, Text100, Text200, published_required, text

COLOR = re.compile(r"#[0-9a-fA-F]{6}")
CODE_MAX = 20


def _below(limit: int) -> Any:
    """Money and hours: not negative, and small enough for the column (no database refusal)."""

    def check(value: Decimal | None) -> Decimal | None:
        if value is not None and value < 0:
            raise ValueError("Must not be negative")
        if value is not None and value >= limit:
            raise ValueError(f"Must be less than {limit}")
        return value

    return AfterValidator(check)


def _code(value: str | None) -> str | None:
    if value is None:
        return None
    code = value.upper()
    if len(code) > CODE_MAX:  # checked after upper-casing: "ß" becomes "SS"
        raise ValueError(f"Must be at most {CODE_MAX} characters")
    return code


def _percent(value: int | None) -> int | None:
    if value is not None and not 0 <= value <= 100:
        raise ValueError("Must be between 0 and 100")
    return value


def _color(value: str | None) -> str | None:
    if value is not None and not COLOR.fullmatch(value):
        raise ValueError("Must be a colour in the form #rrggbb")
    return value


Status = Literal["active", "inactive", "archived", "on_hold"]


class ProjectFields(BaseModel):
    """Every writable field, all optional here: the service requires `name` and `client_id`
    (so their messages are the spec's) and treats null as "unchanged" for columns that cannot
    hold it (`billable`, `status`, `budget_threshold_percent`)."""

    name: Text200 = None
    client_id: IntValue = None
    description: Text = None
    billable: bool | None = None
    hourly_rate: Annotated[Money, _below(10**7)] = None
    estimated_hours: Annotated[Money, _below(10**8)] = None
    status: Status | None = None
    code: Annotated[text(), AfterValidator(_code)] = None
    budget_amount: Annotated[Money, _below(10**10)] = None
    budget_threshold_percent: Annotated[IntValue, AfterValidator(_percent)] = None
    billing_ref: Text100 = None
    color: Annotated[Text, AfterValidator(_color)] = None


class ProjectCreate(ProjectFields):
    model_config = published_required("name", "client_id")


class ProjectUpdate(ProjectFields):
    """PUT and PATCH: only the keys present in the body change."""


class ProjectRead(BaseModel):
    id: int
    name: str
    code: str | None
    code_display: str
    client_id: int
    client: str
    description: str | None
    billable: bool
    hourly_rate: float | None
    billing_ref: str | None
    status: str
    estimated_hours: float | None
    budget_amount: float | None
    budget_threshold_percent: int
    created_at: str
    updated_at: str
    total_hours: float
    total_billable_hours: float
    estimated_cost: float | None
    budget_consumed_amount: float
    budget_threshold_exceeded: bool
    total_costs: float
    total_billable_costs: float
    total_project_value: float
    custom_fields: dict[str, Any]
    is_archived: bool
    archived_at: str | None
    archived_by: int | None
    archived_reason: str | None
    color: str | None


class ProjectEnvelope(BaseModel):
    project: ProjectRead


class ProjectMessageEnvelope(BaseModel):
    message: str
    project: ProjectRead


class ProjectList(BaseModel):
    projects: list[ProjectRead]
    pagination: dict[str, Any]
