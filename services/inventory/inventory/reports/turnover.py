"""The turnover arithmetic of inventory.md §6.3 and how a period splits into whole UTC days
(read from the day buckets) and partial edge days (read from the ledger), as pure functions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

ZERO = Decimal("0")
DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Sums:
    """What a span of the ledger adds up to for one item."""

    sold: Decimal = ZERO
    sales: int = 0
    change: Decimal = ZERO

    def __add__(self, other: Sums) -> Sums:
        return Sums(self.sold + other.sold, self.sales + other.sales, self.change + other.change)


@dataclass(frozen=True, slots=True)
class Split:
    """`[start, end)` as whole days `[first_day, end_day)` (end_day None: open) plus raw edges."""

    first_day: date | None
    end_day: date | None
    edges: tuple[tuple[datetime, datetime | None], ...]


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def split(start: datetime, end: datetime | None) -> Split:
    """Whole UTC days inside the half-open span, and the partial spans left at its edges."""
    start = start.astimezone(UTC)
    first = start.date() if start.timetz() == time.min.replace(tzinfo=UTC) else start.date() + DAY
    if end is None:
        return Split(first, None, ((start, _midnight(first)),) if start < _midnight(first) else ())
    end = end.astimezone(UTC)
    last = end.date()  # the day `end` falls in is not whole (it ends after `end`)
    if first >= last:
        return Split(None, None, ((start, end),) if start < end else ())
    edges = tuple((a, b) for a, b in ((start, _midnight(first)), (_midnight(last), end)) if a < b)
    return Split(first, last, edges)


def period_days(start: datetime, end: datetime) -> int:
    """floor((end − start) / 24 h): 2026-01-01 .. 2026-01-31 (end of day) is 30."""
    return (end - start) // DAY


def metrics(sold: Decimal, on_hand_start: Decimal, on_hand_end: Decimal, days: int) -> dict[str, float]:
    avg_stock = (on_hand_start + on_hand_end) / 2
    rate = sold / avg_stock if avg_stock > 0 and days >= 1 else ZERO
    days_on_hand = Decimal(days) / rate if rate > 0 else ZERO
    return {
        "quantity_sold": float(sold),
        "avg_stock": float(avg_stock),
        "turnover_rate": float(rate),
        "days_on_hand": float(days_on_hand),
    }
