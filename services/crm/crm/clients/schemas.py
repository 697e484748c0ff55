"""Wire shapes of the client resource (crm.md §1)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, StringConstraints

from crm.values import Email, Money, Text, Text50, Text200, to_int, trim
from shared.inputs import published_required


def _non_negative(value: Any) -> Any:
    if value is not None and value < 0:
        raise ValueError("Must not be negative")
    return value


def _reset_day(value: Any) -> int | None:
    day = to_int(value)
    return None if day is None else min(max(day, 1), 28)


Name = Annotated[Annotated[str, StringConstraints(max_length=200)] | None, BeforeValidator(trim)]
Amount = Annotated[Money, AfterValidator(_non_negative)]


class ClientFields(BaseModel):
    """Every writable field; all optional here, `name` is required by the service on create
    (so its message is the spec's "Client name is required")."""

    name: Name = None
    description: Text = None
    contact_person: Text200 = None
    email: Email = None
    phone: Text50 = None
    address: Text = None
    company: Text200 = None
    default_hourly_rate: Amount = None
    status: Literal["active", "inactive"] | None = None
    prepaid_hours_monthly: Amount = None
    prepaid_reset_day: Annotated[int | None, BeforeValidator(_reset_day)] = None
    custom_fields: dict[str, Any] | None = None


class ClientCreate(ClientFields):
    model_config = published_required("name")


class ClientUpdate(ClientFields):
    """PUT and PATCH: only the keys present in the body change."""


class ClientRead(BaseModel):
    id: int
    name: str
    description: str | None
    contact_person: str | None
    email: str | None
    phone: str | None
    address: str | None
    company: str | None
    default_hourly_rate: float | None
    status: str
    is_active: bool
    total_projects: int
    active_projects: int
    prepaid_hours_monthly: float | None
    prepaid_reset_day: int
    custom_fields: dict[str, Any]
    created_at: str
    updated_at: str


class ClientEnvelope(BaseModel):
    client: ClientRead


class ClientMessageEnvelope(BaseModel):
    message: str
    client: ClientRead


class ClientList(BaseModel):
    clients: list[ClientRead]
    pagination: dict[str, Any]
