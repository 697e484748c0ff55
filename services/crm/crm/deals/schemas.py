"""Wire shapes of the deal resource (crm.md §4)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BaseModel, BeforeValidator, Field, model_validator

from crm.values import (
    CurrencyCode,
    IntValue,
    LooseDate,
    Money,
    Percent,
    Text,
    Text50,
    Text200,
    Text500,
    Trimmed,
    Trimmed50,
    Trimmed200,
    Trimmed500,
    drop_invalid_money,
    trim_to_none,
)
from shared.inputs import published_required

DealStatus = Annotated[Literal["open", "won", "lost", "cancelled"] | None, BeforeValidator(trim_to_none)]
# The desktop app sends the money as `amount`; `value` wins when both are present.
DealValue = Annotated[
    Money,
    Field(validation_alias=AliasChoices("value", "amount"), description="Also accepted as `amount` (desktop app)"),
]
MONEY_KEYS = ("value", "amount")


class DealFields(BaseModel):
    """Fields whose create and update rules coincide."""

    client_id: IntValue = None
    contact_id: IntValue = None
    lead_id: IntValue = None
    related_quote_id: IntValue = None
    related_project_id: IntValue = None
    owner_id: IntValue = None
    probability: Percent = None
    currency_code: CurrencyCode = None
    status: DealStatus = None
    expected_close_date: LooseDate = None
    value: DealValue = None


class DealCreate(DealFields):
    """`name` is required by the service (so its message is the spec's "name is required")."""

    model_config = published_required("name")

    name: Text200 = None
    description: Text = None
    stage: Text50 = None
    loss_reason: Text500 = None
    notes: Text = None


class DealUpdate(DealFields):
    """PUT and PATCH: only the keys present change; text fields ignore a null."""

    name: Trimmed200 = None
    description: Trimmed = None
    stage: Trimmed50 = None
    loss_reason: Trimmed500 = None
    notes: Trimmed = None
    actual_close_date: LooseDate = None

    @model_validator(mode="before")
    @classmethod
    def _ignore_invalid_value(cls, data: Any) -> Any:
        return drop_invalid_money(data, MONEY_KEYS)


class DealRead(BaseModel):
    id: int
    client_id: int | None
    contact_id: int | None
    lead_id: int | None
    name: str
    description: str | None
    stage: str
    value: float | None
    currency_code: str
    probability: int | None
    weighted_value: float
    expected_close_date: str | None
    actual_close_date: str | None
    status: str
    loss_reason: str | None
    related_quote_id: int | None
    related_project_id: int | None
    notes: str | None
    created_by: int
    owner_id: int | None
    created_at: str
    updated_at: str
    closed_at: str | None
    is_open: bool
    is_won: bool
    is_lost: bool


class DealEnvelope(BaseModel):
    deal: DealRead


class DealMessageEnvelope(BaseModel):
    message: str
    deal: DealRead


class DealList(BaseModel):
    deals: list[DealRead]
    pagination: dict[str, Any]
