"""Wire shapes of the transfer resource (inventory.md §5)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from inventory.inputs import Raw, Text
from inventory.schemas import MovementRead


class TransferCreate(BaseModel):
    """Ids and quantity are checked by the service in the spec's order (§5.1)."""

    stock_item_id: Raw = Field(default=None, description="integer, required")
    from_warehouse_id: Raw = Field(default=None, description="integer, required")
    to_warehouse_id: Raw = Field(default=None, description="integer, required")
    quantity: Raw = Field(default=None, description="number > 0, required")
    notes: Text = None


class TransferLeg(BaseModel):
    movement_id: int
    movement: MovementRead


class TransferCreated(BaseModel):
    message: str
    reference_id: int
    transfers: list[TransferLeg]


class TransferFields(BaseModel):
    reference_id: int
    moved_at: str | None
    stock_item_id: int
    from_warehouse_id: int
    to_warehouse_id: int
    quantity: float
    notes: str | None


class TransferListed(TransferFields):
    movement_ids: list[int]


class TransferRead(TransferFields):
    """A transfer with its two movements, out first (also the `transfer.completed` payload)."""

    movements: list[MovementRead]


class TransferList(BaseModel):
    transfers: list[TransferListed]
    pagination: dict[str, Any]


class TransferEnvelope(BaseModel):
    transfer: TransferRead
