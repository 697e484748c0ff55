"""How request inputs are read: trimmed text, money, ids, lenient dates, e-mail addresses,
currency codes.

Pydantic `Annotated` types for request schemas plus the plain functions behind them, so the
spec's per-field leniency ("unparseable → null", "non-numeric → 400") is written once for
every service.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Any

import email_validator
from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BeforeValidator, ConfigDict, StringConstraints

CENT = Decimal("0.01")
# Beyond Numeric(15, 2): refused as invalid rather than failing in the database.
MAX_MONEY = Decimal("1e12")

# Upstream takes any syntactically valid e-mail address, and self-hosted teams use internal
# domains (`billing@acme.local`, `qa@example.test`, `admin@localhost`). email_validator refuses
# its special-use names (local, localhost, test, invalid, …) whatever the call's options; emptying
# its list is the library's documented switch. It is process-wide: `email_address` below is the
# platform's only caller.
email_validator.SPECIAL_USE_DOMAIN_NAMES.clear()


_CURRENCY = re.compile(r"[A-Za-z]{3}")


def trim(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def trim_to_none(value: Any) -> Any:
    """Strings trimmed, blank → None; other values pass to the type check."""
    if isinstance(value, str):
        return value.strip() or None
    return value


def to_decimal(value: Any) -> Decimal | None:
    """None and blank strings → None; numbers and numeric strings → Decimal; else ValueError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError("Invalid value")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError("Invalid value") from None
    if not number.is_finite() or abs(number) >= MAX_MONEY:
        raise ValueError("Invalid value")
    return number


def round_money(value: Decimal) -> Decimal:
    """2 places, half away from zero (crm.md §6.1)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def to_money(value: Any) -> Decimal | None:
    number = to_decimal(value)
    return None if number is None else round_money(number)


def money_or_none(value: Any) -> Decimal | None:
    """Upstream leniency: a value that is not a number is dropped silently."""
    try:
        return to_money(value)
    except ValueError:
        return None


def to_date_or_none(value: Any) -> date | None:
    """`YYYY-MM-DD` (a datetime's date part is accepted); anything unparseable → None."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        try:
            return datetime.fromisoformat(text).date()
        except ValueError:
            return None


def to_int(value: Any) -> int | None:
    """Ids and counts: ints, integral floats and numeric strings ("3"); else ValueError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError("Not a valid integer.")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise ValueError("Not a valid integer.")


# PostgreSQL `integer`, the type of every id column.
INT4_MAX = 2**31 - 1


def row_id(value: int | None) -> int | None:
    """An id that names a row: a number past PostgreSQL `integer` can be no row, so it becomes 0
    (which no row has either) instead of a parameter the database refuses."""
    if value is None:
        return None
    return value if -INT4_MAX - 1 <= value <= INT4_MAX else 0


def int_or_none(value: Any) -> int | None:
    """Upstream leniency for optional references: blank or non-integer → None."""
    try:
        return to_int(value)
    except ValueError:
        return None


def email_address(value: str) -> str:
    """`value` normalized (domain lower-cased) when it is a syntactically valid e-mail address on
    any domain, a single-label one included (no DNS lookup); else ValueError "Not a valid email
    address."."""
    try:
        return validate_email(value, check_deliverability=False, globally_deliverable=False).normalized
    except EmailNotValidError:
        raise ValueError("Not a valid email address.") from None


def check_email(value: str | None) -> str | None:
    """The `Email` field: kept as sent (trimmed) once `email_address` accepts it."""
    if value is None:
        return None
    email_address(value)
    return value


def text(max_length: int | None = None, *, keep_blank: bool = False) -> Any:
    """Optional trimmed text, blank → None (or kept as "" with `keep_blank`: on an update a
    blank clears a field where a null leaves it), refused past `max_length` (400).

    The length bound sits on `str` inside the union: pydantic cannot apply `Field(max_length=…)`
    to `str | None` (it fails on None), so bounded fields use these aliases instead."""
    inner = Annotated[str, StringConstraints(max_length=max_length)] if max_length else str
    return Annotated[inner | None, BeforeValidator(trim if keep_blank else trim_to_none)]


# Request-schema types.
Text = text()
Text50 = text(50)
Text100 = text(100)
Text200 = text(200)
Text500 = text(500)
Email = Annotated[text(200), AfterValidator(check_email)]
Money = Annotated[Decimal | None, BeforeValidator(to_money)]
LooseMoney = Annotated[Decimal | None, BeforeValidator(money_or_none)]
LooseDate = Annotated[date | None, BeforeValidator(to_date_or_none)]
IntValue = Annotated[int | None, BeforeValidator(to_int)]
LooseInt = Annotated[int | None, BeforeValidator(int_or_none)]
RowId = Annotated[int | None, BeforeValidator(to_int), AfterValidator(row_id)]


def as_number(value: Decimal | None) -> float | None:
    """Money out: a JSON number (COMPAT: never a string)."""
    return None if value is None else float(value)


def to_currency_code(value: Any) -> str | None:
    """Three letters, upper-cased; None and blank → None (the caller's default applies)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str) or not _CURRENCY.fullmatch(value.strip()):
        raise ValueError("Must be a 3-letter currency code")
    return value.strip().upper()


CurrencyCode = Annotated[str | None, BeforeValidator(to_currency_code)]


def published_required(*names: str) -> ConfigDict:
    """A create model's config that publishes `names` as required in its OpenAPI schema: present,
    not null and, for text, not blank.

    The model itself keeps them optional: the service checks them with the spec's own messages
    (one 400 naming every missing field), which pydantic's "missing" would not give. Published,
    clients and the schema fuzzer know what a create needs."""

    def publish(schema: dict[str, Any]) -> None:
        schema["required"] = list(names)
        for name in names:
            field = schema["properties"][name]
            branches = [b for b in field.pop("anyOf", [field]) if b.get("type") != "null"]
            field.pop("default", None)
            field.update(branches[0] if len(branches) == 1 else {"anyOf": branches})
            if field.get("type") == "string":
                field.update(minLength=1, pattern=r"\S")

    return ConfigDict(json_schema_extra=publish)
