"""Wire shapes of `POST /movements` (inventory.md §4)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field

from inventory.inputs import Keyword, Number, OptionalAmount, Raw, ReferenceId, Text, Text50, Text500, to_decimal
from inventory.schemas import MovementRead, StockRead


def _percent(value: Any) -> Decimal | None:
    try:
        return to_decimal(value)
    except ValueError:
        raise ValueError("Not a valid number.") from None


Percent = Annotated[Decimal | None, BeforeValidator(_percent)]


class MovementCreate(BaseModel):
    """`stock_item_id`, `warehouse_id` and `quantity` are checked by the service, in the
    spec's order (missing → 400 naming all three, then their types)."""

    movement_type: Keyword = None
    stock_item_id: Raw = Field(default=None, description="integer, required")
    warehouse_id: Raw = Field(default=None, description="integer, required")
    quantity: Raw = Field(default=None, description="number, required; positive into the warehouse, negative out")
    reason: Text500 = None
    notes: Text = None
    reference_type: Text50 = None
    reference_id: ReferenceId = None
    unit_cost: OptionalAmount = None
    devalue_enabled: bool | None = None
    devalue_method: Keyword = None
    devalue_percent: Percent = None
    devalue_unit_cost: Number = None


class MovementRecorded(BaseModel):
    message: str
    movement: MovementRead
    updated_stock: StockRead | None


class DevaluationRecorded(BaseModel):
    message: str
