"""The stock arithmetic of inventory.md §1.3–§1.5 as pure functions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Generic, TypeVar

ZERO = Decimal("0")
# Movements whose |quantity| is "sold" in the turnover report (§6.3).
SOLD_TYPES = frozenset({"sale", "usage", "consumption"})

Lot = TypeVar("Lot")


def applied_change(on_hand: Decimal, quantity: Decimal) -> Decimal:
    """The on-hand change a movement applies: on-hand never goes below 0 (§1.3)."""
    return max(on_hand + quantity, ZERO) - on_hand


@dataclass(frozen=True)
class FifoPlan(Generic[Lot]):
    """What to take from which lot, oldest first, and what the lots could not cover."""

    takes: list[tuple[Lot, Decimal]] = field(default_factory=list)
    remaining: Decimal = ZERO


def plan_fifo(lots: Iterable[tuple[Lot, Decimal]], amount: Decimal) -> FifoPlan[Lot]:
    """Take `amount` from `(lot, quantity)` pairs in the order given (oldest first); lots with
    nothing positive are skipped."""
    takes: list[tuple[Lot, Decimal]] = []
    remaining = amount
    for lot, quantity in lots:
        if remaining <= 0:
            break
        if quantity <= 0:
            continue
        take = min(quantity, remaining)
        takes.append((lot, take))
        remaining -= take
    return FifoPlan(takes, max(remaining, ZERO))


def positive(quantity: Decimal) -> Decimal:
    """A lot's contribution to valuation: only what is positive counts (§6.1)."""
    return quantity if quantity > 0 else ZERO
