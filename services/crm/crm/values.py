"""CRM inputs: the shared input types, plus tags as CRM stores them (a comma string)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator

from shared.inputs import (  # noqa: F401 - the CRM's one import point for input types
    CENT,
    Email,
    IntValue,
    LooseDate,
    LooseInt,
    LooseMoney,
    Money,
    Text,
    Text50,
    Text100,
    Text200,
    Text500,
    as_number,
    check_email,
    int_or_none,
    money_or_none,
    round_money,
    text,
    to_date_or_none,
    to_decimal,
    to_int,
    to_money,
    trim,
    trim_to_none,
)


def tags_to_text(value: Any) -> str | None:
    """Tags arrive as a comma string or a list; stored as a comma string, blank → None."""
    if value is None:
        return None
    if isinstance(value, list | tuple):
        value = ",".join(str(tag).strip() for tag in value if str(tag).strip())
    if not isinstance(value, str):
        raise ValueError("Tags must be a string or a list of strings")
    return value.strip() or None


def text_to_tags(value: str | None) -> list[str]:
    return [tag.strip() for tag in value.split(",") if tag.strip()] if value else []


Tags = Annotated[str | None, BeforeValidator(tags_to_text)]
