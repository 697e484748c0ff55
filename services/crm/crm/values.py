"""CRM inputs: the shared input types, plus what several CRM features read alike: tags as CRM
stores them (a comma string), trimmed text that keeps a blank, percentages, currency codes and
upstream's skipped non-numeric amounts."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator

from shared.inputs import (  # noqa: F401 - the CRM's one import point for input types
    CENT,
    CurrencyCode,
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
    to_currency_code,
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


# Trimmed text that keeps a blank string: on update a blank clears a field, a null does not.
Trimmed = text(keep_blank=True)
Trimmed50 = text(50, keep_blank=True)
Trimmed100 = text(100, keep_blank=True)
Trimmed200 = text(200, keep_blank=True)
Trimmed500 = text(500, keep_blank=True)


def check_percent(value: int | None) -> int | None:
    """Probabilities (and lead scores) are 0–100."""
    if value is not None and not 0 <= value <= 100:
        raise ValueError("Must be between 0 and 100")
    return value


Percent = Annotated[IntValue, AfterValidator(check_percent)]


def _is_money(value: Any) -> bool:
    try:
        to_money(value)
    except ValueError:
        return False
    return True


def drop_invalid_money(data: Any, keys: tuple[str, ...]) -> Any:
    """Upstream skips a non-numeric amount on update as if it had not been sent (null still clears)."""
    if isinstance(data, dict):
        return {k: v for k, v in data.items() if k not in keys or _is_money(v)}
    return data
