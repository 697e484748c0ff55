"""Wire shapes of the time-entry resource (tracking.md §1.3, §4.1–§4.5).

Create and update bodies are validated by the service, not by FastAPI: a create replaying an
`Idempotency-Key` must not look at the new body (CONVENTIONS §11.3), and an update answers
404/403 before anything else (§4.4). `parse_body` gives both the shared 400 shape.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, StringConstraints, ValidationInfo, field_validator
from pydantic import ValidationError as PydanticValidationError

from shared.errors import ValidationError
from shared.inputs import INT4_MAX, IntValue, RowId, text, to_date_or_none, trim
from shared.timefmt import parse_instant
from tracking.schemas import EntryRead

M = TypeVar("M", bound=BaseModel)
NOT_A_DATETIME = "Not a valid datetime."
MISSING = "Missing data for required field."


def _non_negative(value: int | None) -> int | None:
    """`break_seconds`: negative → 0 (§4.3); beyond the column's range is refused."""
    if value is not None and value > INT4_MAX:
        raise ValueError(f"Must be at most {INT4_MAX}.")
    return None if value is None else max(0, value)


def _strict_date(value: Any) -> date | None:
    if value is None:
        return None
    parsed = to_date_or_none(value)
    if parsed is None:
        raise ValueError("Not a valid date.")
    return parsed


def instant(value: Any, zone: tzinfo) -> datetime | None:
    """CONVENTIONS §6.2 for a body field; None stays None, anything unparseable is refused."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(NOT_A_DATETIME)
    try:
        return parse_instant(value, zone)
    except (ValueError, OverflowError):
        raise ValueError(NOT_A_DATETIME) from None


BreakSeconds = Annotated[IntValue, AfterValidator(_non_negative)]
StrictDate = Annotated[date | None, BeforeValidator(_strict_date)]


def kept_text(max_length: int) -> Any:
    """Trimmed, but `""` stays `""`: on update it means "clear" while null means "not sent"."""
    return Annotated[Annotated[str, StringConstraints(max_length=max_length)] | None, BeforeValidator(trim)]


class _Instants(BaseModel):
    """Datetime fields read in the app time zone passed as validation context (`zone`)."""

    @field_validator("start_time", "end_time", "if_updated_at", mode="before", check_fields=False)
    @classmethod
    def _parse_instant(cls, value: Any, info: ValidationInfo) -> datetime | None:
        return instant(value, (info.context or {}).get("zone", UTC))


class EntryCreate(_Instants):
    """`POST /time-entries` (§4.3). `start_time` may be replaced by the desktop's `date` +
    `duration_minutes` (COMPAT); the service enforces that one of the two forms is present."""

    project_id: RowId = None
    client_id: RowId = None
    task_id: RowId = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    break_seconds: BreakSeconds = None
    notes: text(5000) = None
    tags: text(500) = None
    billable: bool | None = None
    paid: bool | None = None
    invoice_number: text(100) = None
    user_id: RowId = None
    date: StrictDate = None
    duration_minutes: IntValue = None


class EntryUpdate(_Instants):
    """`PUT|PATCH /time-entries/{id}` (§4.4): null = not provided; `""` clears a text field."""

    project_id: RowId = None
    client_id: RowId = None
    task_id: RowId = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    break_seconds: BreakSeconds = None
    notes: kept_text(5000) = None
    tags: kept_text(500) = None
    billable: bool | None = None
    paid: bool | None = None
    invoice_number: kept_text(100) = None
    if_updated_at: datetime | None = None
    reason: text() = None

    def provided(self) -> set[str]:
        return {name for name in self.model_fields_set if getattr(self, name) is not None}


class EntryDelete(BaseModel):
    """`DELETE /time-entries/{id}`: an optional reason (audit only)."""

    reason: Any = None


def _field_errors(exc: PydanticValidationError) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for err in exc.errors():
        field = ".".join(str(part) for part in err.get("loc", ())) or "body"
        message = MISSING if err.get("type") == "missing" else str(err.get("msg", "Invalid value"))
        errors.setdefault(field, []).append(message.removeprefix("Value error, "))
    return errors


def parse_body(model: type[M], raw: dict[str, Any], zone: tzinfo) -> M:
    """`raw` validated as `model`, or the 400 `validation_error` with per-field messages."""
    try:
        return model.model_validate(raw, context={"zone": zone})
    except PydanticValidationError as exc:
        raise ValidationError(_field_errors(exc)) from None


class EntryEnvelope(BaseModel):
    time_entry: EntryRead


class EntryMessageEnvelope(BaseModel):
    message: str
    time_entry: EntryRead


class EntryList(BaseModel):
    time_entries: list[EntryRead]
    pagination: dict[str, Any]


def openapi_body(model: type[BaseModel], *, required: bool = True) -> dict[str, Any]:
    """`openapi_extra` documenting a body the service validates itself."""
    schema = model.model_json_schema()
    return {"requestBody": {"required": required, "content": {"application/json": {"schema": schema}}}}
