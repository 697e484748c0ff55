"""The transfer objects of inventory.md §5.2–§5.3, built from a pair of movements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from inventory.models import StockMovement
from inventory.serializers import serialize_movement
from shared.inputs import as_number
from shared.timefmt import iso_utc


@dataclass(frozen=True, slots=True)
class Pair:
    out: StockMovement
    into: StockMovement

    @classmethod
    def of(cls, movements: list[StockMovement]) -> Pair | None:
        """A transfer is exactly two movements, one out (negative) and one in (positive)."""
        if len(movements) != 2:
            return None
        out, into = sorted(movements, key=lambda m: m.quantity)
        return cls(out, into) if out.quantity < 0 < into.quantity else None


def _fields(pair: Pair) -> dict[str, Any]:
    out, into = pair.out, pair.into
    return {
        "reference_id": out.reference_id,
        "moved_at": iso_utc(into.moved_at or out.moved_at),
        "stock_item_id": out.stock_item_id,
        "from_warehouse_id": out.warehouse_id,
        "to_warehouse_id": into.warehouse_id,
        "quantity": as_number(abs(out.quantity)),
        "notes": out.notes or into.notes,
    }


def serialize_listed(pair: Pair) -> dict[str, Any]:
    return _fields(pair) | {"movement_ids": [pair.out.id, pair.into.id]}


def serialize_transfer(pair: Pair) -> dict[str, Any]:
    return _fields(pair) | {"movements": [serialize_movement(pair.out), serialize_movement(pair.into)]}
