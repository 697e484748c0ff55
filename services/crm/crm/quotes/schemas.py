"""Wire shapes of the quote resource (crm.md §6). Every input field is optional here; the
service enforces the required ones so the messages are the spec's."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, model_validator

from crm.values import IntValue, LooseDate, LooseInt, Money, Text, Text100, Text200, text, to_date_or_none, trim_to_none
from shared.inputs import published_required, row_id

LINE_KINDS = ("item", "expense", "good")
QuoteStatus = Literal["draft", "sent", "accepted", "rejected", "expired"]
# Limits of the Numeric columns, refused as validation errors instead of database errors.
ITEM_NUMBER_LIMIT = Decimal("1e10")
TAX_RATE_LIMIT = Decimal("1e5")
# Ids an integer column can hold; the database refuses to store or compare others.


def _line_kind(value: Any) -> str:
    kind = value.strip().lower() if isinstance(value, str) else None
    return kind if kind in LINE_KINDS else "item"


def _item_number(value: Decimal | None) -> Decimal | None:
    if value is not None and abs(value) >= ITEM_NUMBER_LIMIT:
        raise ValueError(f"Must be less than {ITEM_NUMBER_LIMIT:,.0f} in absolute value")
    return value


def _storable_id(value: int | None) -> int | None:
    if value is not None and row_id(value) != value:
        raise ValueError("Out of range")
    return value


def _tax_rate(value: Decimal | None) -> Decimal | None:
    if value is not None and value < 0:
        raise ValueError("Must not be negative")
    if value is not None and value >= TAX_RATE_LIMIT:
        raise ValueError(f"Must be less than {TAX_RATE_LIMIT:,.0f}")
    return value


def _currency(value: Any) -> Any:
    value = trim_to_none(value)
    if isinstance(value, str):
        if not re.fullmatch(r"[A-Za-z]{3}", value):
            raise ValueError("Must be a 3-letter currency code")
        return value.upper()
    return value


Text20 = text(20)
ItemNumber = Annotated[Money, AfterValidator(_item_number)]
TaxRate = Annotated[Money, AfterValidator(_tax_rate)]
Currency = Annotated[str | None, BeforeValidator(_currency)]
StockRef = Annotated[LooseInt, AfterValidator(_storable_id)]


class QuoteItemInput(BaseModel):
    """One line as submitted; the per-kind rules of §6.2 are applied by the service."""

    line_kind: Annotated[str, BeforeValidator(_line_kind)] = "item"
    display_name: Text200 = None
    category: Text100 = None
    line_date: LooseDate = None
    sku: Text100 = None
    description: Text = None
    quantity: ItemNumber = None
    unit_price: ItemNumber = None
    unit: Text20 = None
    stock_item_id: StockRef = None
    warehouse_id: StockRef = None


class QuoteCreate(BaseModel):
    """`total_amount`, `hourly_rate` and `estimated_hours` are accepted like any unknown key and
    ignored: totals are always recomputed from the items."""

    model_config = published_required("client_id", "title")

    client_id: IntValue = None
    title: Text200 = None
    description: Text = None
    tax_rate: TaxRate = None
    currency_code: Currency = None
    valid_until: LooseDate = None
    items: list[QuoteItemInput] | None = None


class QuoteUpdate(BaseModel):
    """PUT and PATCH: only the keys present change; `items` replaces every line."""

    title: Text200 = None
    description: Text = None
    tax_rate: TaxRate = None
    currency_code: Currency = None
    status: QuoteStatus | None = None
    valid_until: LooseDate = None
    payment_terms: Text100 = None
    items: list[QuoteItemInput] | None = None

    @model_validator(mode="before")
    @classmethod
    def _unparseable_date_is_no_change(cls, data: Any) -> Any:
        # Upstream keeps the old date when the new one does not parse; null or "" clears it.
        if isinstance(data, dict) and trim_to_none(data.get("valid_until")) is not None:
            if to_date_or_none(data["valid_until"]) is None:
                return {key: value for key, value in data.items() if key != "valid_until"}
        return data


class QuoteItemRead(BaseModel):
    id: int
    quote_id: int
    line_kind: str
    display_name: str | None
    category: str | None
    line_date: str | None
    sku: str | None
    description: str
    quantity: float
    unit_price: float
    total_amount: float
    unit: str | None
    stock_item_id: int | None
    warehouse_id: int | None
    is_stock_item: bool
    position: int
    created_at: str


class QuoteRead(BaseModel):
    id: int
    quote_number: str
    client_id: int
    title: str
    description: str | None
    status: str
    subtotal: float
    discount_type: str | None
    discount_amount: float
    discount_value: float
    discount_reason: str | None
    coupon_code: str | None
    subtotal_after_discount: float
    tax_rate: float
    tax_amount: float
    total_amount: float
    currency_code: str
    valid_until: str | None
    sent_at: str | None
    accepted_at: str | None
    rejected_at: str | None
    project_id: int | None
    created_by: int
    accepted_by: int | None
    created_at: str
    updated_at: str
    notes: str | None
    terms: str | None
    visible_to_client: bool
    template_id: int | None
    is_draft: bool
    is_sent: bool
    is_accepted: bool
    is_rejected: bool
    is_expired: bool
    can_be_accepted: bool
    has_project: bool
    items: list[QuoteItemRead]


class QuoteEnvelope(BaseModel):
    quote: QuoteRead


class QuoteMessageEnvelope(BaseModel):
    message: str
    quote: QuoteRead


class QuoteList(BaseModel):
    quotes: list[QuoteRead]
    pagination: dict[str, Any]
