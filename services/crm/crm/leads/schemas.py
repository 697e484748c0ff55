"""Wire shapes of the lead resource (crm.md §5)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, model_validator

from crm.values import (
    CurrencyCode,
    Email,
    IntValue,
    LooseMoney,
    Percent,
    Tags,
    Text,
    Text50,
    Text100,
    Text200,
    Trimmed,
    Trimmed50,
    Trimmed100,
    Trimmed200,
    check_email,
    drop_invalid_money,
    tags_to_text,
    trim_to_none,
)
from shared.inputs import published_required


def _email_or_blank(value: str | None) -> str | None:
    return check_email(value) if value else value


def _tags_or_blank(value: Any) -> str | None:
    """Like `Tags`, but an empty list or string stays "" so that it clears the tags on update."""
    return None if value is None else tags_to_text(value) or ""


LeadStatus = Annotated[
    Literal["new", "contacted", "qualified", "converted", "lost"] | None, BeforeValidator(trim_to_none)
]
UpdateEmail = Annotated[Trimmed200, AfterValidator(_email_or_blank)]
UpdateTags = Annotated[str | None, BeforeValidator(_tags_or_blank)]


class LeadCreate(BaseModel):
    """First and last name are required by the service (one message for both, crm.md §5.2)."""

    model_config = published_required("first_name", "last_name")

    first_name: Text100 = None
    last_name: Text100 = None
    company_name: Text200 = None
    email: Email = None
    phone: Text50 = None
    title: Text100 = None
    source: Text100 = None
    status: LeadStatus = None
    score: Percent = None
    # Upstream drops a non-numeric estimate silently.
    estimated_value: LooseMoney = None
    currency_code: CurrencyCode = None
    owner_id: IntValue = None
    notes: Text = None
    tags: Tags = None


class LeadUpdate(BaseModel):
    """PUT and PATCH: only the keys present change; text fields and `score` ignore a null."""

    first_name: Trimmed100 = None
    last_name: Trimmed100 = None
    company_name: Trimmed200 = None
    email: UpdateEmail = None
    phone: Trimmed50 = None
    title: Trimmed100 = None
    source: Trimmed100 = None
    status: LeadStatus = None
    notes: Trimmed = None
    tags: UpdateTags = None
    score: Percent = None
    estimated_value: LooseMoney = None
    owner_id: IntValue = None

    @model_validator(mode="before")
    @classmethod
    def _ignore_invalid_estimate(cls, data: Any) -> Any:
        return drop_invalid_money(data, ("estimated_value",))


class LeadRead(BaseModel):
    id: int
    first_name: str
    last_name: str
    full_name: str
    display_name: str
    company_name: str | None
    email: str | None
    phone: str | None
    title: str | None
    source: str | None
    status: str
    score: int
    estimated_value: float | None
    currency_code: str
    converted_to_client_id: int | None
    converted_to_deal_id: int | None
    converted_at: str | None
    converted_by: int | None
    notes: str | None
    tags: list[str]
    created_by: int
    owner_id: int | None
    created_at: str
    updated_at: str
    is_converted: bool
    is_lost: bool


class LeadEnvelope(BaseModel):
    lead: LeadRead


class LeadMessageEnvelope(BaseModel):
    message: str
    lead: LeadRead


class LeadList(BaseModel):
    leads: list[LeadRead]
    pagination: dict[str, Any]
