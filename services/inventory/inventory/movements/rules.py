"""The movement checks of inventory.md §4 steps 2–3, as pure functions."""

from __future__ import annotations

from decimal import Decimal

from inventory.inputs import invalid, round_money
from inventory.models import MOVEMENT_TYPES

DEFAULT_TYPE = "adjustment"
# `transfer` movements are only created in pairs, by POST /transfers (§5).
ACCEPTED_TYPES = tuple(t for t in MOVEMENT_TYPES if t != "transfer")
DEVALUABLE_TYPES = ("return", "waste")
HUNDRED = Decimal("100")


def movement_type(value: str | None) -> str:
    kind = value or DEFAULT_TYPE
    if kind not in ACCEPTED_TYPES:
        raise invalid("movement_type", f"movement_type must be one of: {', '.join(ACCEPTED_TYPES)}")
    return kind


def check_devaluable(*, is_trackable: bool, default_cost: Decimal | None, what: str) -> None:
    if not is_trackable:
        raise invalid("stock_item_id", f"{what} needs a trackable item")
    if not default_cost or default_cost <= 0:
        raise invalid("stock_item_id", f"{what} needs the item's default_cost to be greater than 0")


def check_direction(kind: str, quantity: Decimal) -> None:
    """A return brings goods in, a waste takes them out."""
    if kind == "return" and quantity <= 0:
        raise invalid("quantity", "A return needs a positive quantity")
    if kind == "waste" and quantity >= 0:
        raise invalid("quantity", "A waste movement needs a negative quantity")


def devalued_cost(
    default_cost: Decimal, *, method: str | None, percent: Decimal | None, unit_cost: Decimal | None
) -> Decimal:
    """`percent`: default_cost × (100 − percent) / 100; `fixed`: the given unit cost; both
    rounded to 0.01."""
    method = method or "percent"
    if method == "percent":
        if percent is None or not 0 <= percent <= 100:
            raise invalid("devalue_percent", "devalue_percent is required and must be between 0 and 100")
        return round_money(default_cost * (HUNDRED - percent) / HUNDRED)
    if method == "fixed":
        if unit_cost is None or unit_cost < 0:
            raise invalid("devalue_unit_cost", "devalue_unit_cost is required and must be at least 0")
        return round_money(unit_cost)
    raise invalid("devalue_method", "devalue_method must be 'percent' or 'fixed'")


def check_not_above_default(new_cost: Decimal, default_cost: Decimal) -> None:
    if new_cost > default_cost:
        raise invalid(
            "devalue_unit_cost",
            f"The devalued unit cost ({new_cost:.2f}) must not be greater than the default cost ({default_cost:.2f})",
        )
