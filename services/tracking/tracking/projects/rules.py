"""Pure project rules of tracking.md §1.1: the display code and the figures derived from the
project's completed time entries."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from shared.inputs import round_money

# Project costs (the source of `total_costs`) are beyond the seeds: always zero here.
NO_COSTS = Decimal("0")


def code_display(code: str | None, name: str) -> str:
    """The code when set; else the name without spaces, upper-cased, first 4 characters."""
    if code:
        return code
    return name.replace(" ", "").upper()[:4]


@dataclass(frozen=True)
class Totals:
    """Σ `duration_seconds` of a project's completed entries, all and billable only."""

    seconds: int = 0
    billable_seconds: int = 0


def _hours(seconds: int) -> float:
    return round(seconds / 3600, 2)


def _number(value: Decimal) -> float:
    return float(value)


def figures(
    totals: Totals,
    *,
    billable: bool,
    hourly_rate: Decimal | None,
    budget_amount: Decimal | None,
    threshold_percent: int,
) -> dict[str, Any]:
    """The aggregate fields of the project object. Money follows the upstream truthiness rule:
    a zero rate or budget counts as none."""
    total_hours = _hours(totals.seconds)
    billable_hours = _hours(totals.billable_seconds)
    billable_dec = Decimal(str(billable_hours))
    rate = hourly_rate or Decimal(0)
    estimated = round_money(billable_dec * rate) if billable and hourly_rate else None
    if not estimated:
        estimated = None
    consumed = round_money(billable_dec * rate)
    exceeded = bool(budget_amount) and consumed >= budget_amount * threshold_percent / 100
    value = (estimated or Decimal(0)) + NO_COSTS
    return {
        "total_hours": total_hours,
        "total_billable_hours": billable_hours,
        "estimated_cost": None if estimated is None else _number(estimated),
        "budget_consumed_amount": _number(consumed),
        "budget_threshold_exceeded": exceeded,
        "total_costs": _number(NO_COSTS),
        "total_billable_costs": _number(NO_COSTS),
        "total_project_value": _number(value),
    }
