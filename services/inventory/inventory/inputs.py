"""How inventory request inputs are read: the shared input types, plus quantities and costs
(2 places, `0` → null where §1 says so), currency codes, and the checks the spec orders
itself (required fields first, then ids, then numbers) so their messages are the spec's."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field

from shared.errors import ValidationError
from shared.inputs import (  # noqa: F401 - the service's one import point for input types
    CurrencyCode,
    IntValue,
    Text,
    Text50,
    Text100,
    Text200,
    Text500,
    round_money,
    row_id,
    text,
    to_decimal,
    to_int,
    trim_to_none,
)

BIGINT_MAX = 2**63 - 1


def to_quantity(value: Any) -> Decimal | None:
    """A JSON number or numeric string, rounded to 2 places (half away from zero); blank → None."""
    try:
        number = to_decimal(value)
    except ValueError:
        raise ValueError("Not a valid number.") from None
    return None if number is None else round_money(number)


def _not_negative(value: Decimal | None) -> Decimal | None:
    if value is not None and value < 0:
        raise ValueError("Must not be negative")
    return value


def _zero_is_none(value: Decimal | None) -> Decimal | None:
    """§1: `0` → null (upstream stores a falsy amount as none)."""
    return value if value else None


def _bigint(value: int | None) -> int | None:
    if value is not None and not -BIGINT_MAX - 1 <= value <= BIGINT_MAX:
        raise ValueError("Out of range")
    return value


def _lower(value: Any) -> Any:
    value = trim_to_none(value)
    return value.lower() if isinstance(value, str) else value


Number = Annotated[Decimal | None, BeforeValidator(to_quantity)]
# Costs, prices, reorder levels: not negative; 0 is stored as null.
OptionalAmount = Annotated[Number, AfterValidator(_not_negative), AfterValidator(_zero_is_none)]
ReferenceId = Annotated[IntValue, AfterValidator(_bigint)]
Keyword = Annotated[Text50, BeforeValidator(_lower)]
# A field the service checks itself, in the order the spec gives (missing, then its type).
Raw = Annotated[Any, Field(default=None)]


def required(values: dict[str, Any], message: str | None = None) -> None:
    """400 naming the missing fields (None or blank): `Missing required fields: sku, name`."""
    missing = [
        name for name, value in values.items() if value is None or (isinstance(value, str) and not value.strip())
    ]
    if missing:
        raise ValidationError(
            {name: ["Required"] for name in missing}, message or f"Missing required fields: {', '.join(missing)}"
        )


def invalid(field: str, message: str) -> ValidationError:
    """A 400 validation_error on one field whose message is also the summary."""
    return ValidationError({field: [message]}, message)


def parse_id(field: str, value: Any) -> int:
    """A required row id; `"3"` is accepted. One past PostgreSQL `integer` names no row (→ 0)."""
    try:
        number = to_int(value)
    except ValueError:
        raise invalid(field, f"{field} must be an integer") from None
    return row_id(number)


def parse_quantity(value: Any, field: str = "quantity") -> Decimal:
    try:
        number = to_quantity(value)
    except ValueError:
        raise invalid(field, f"{field} must be a valid number") from None
    if number is None:
        raise invalid(field, f"{field} must be a valid number")
    return number
