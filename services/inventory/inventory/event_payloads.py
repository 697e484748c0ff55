"""The payload of every event inventory publishes (inventory.md §7): the new state as the API
shows it — a stock item or warehouse object; a movement with its updated stock row (null for
non-trackable items); a transfer with both movements. The producer's side of the event
contracts (`shared.events.contracts`; schemas in `tests/contract/events/`, rewritten by
`make contracts`)."""

from __future__ import annotations

from pydantic import BaseModel

from inventory.events import ACTIONS, subject
from inventory.schemas import ItemRead, MovementRead, StockRead, WarehouseRead
from inventory.transfers.schemas import TransferRead


class MovementRecordedData(BaseModel):
    movement: MovementRead
    updated_stock: StockRead | None


_MODELS: dict[str, type[BaseModel]] = {
    "stock_item": ItemRead,
    "warehouse": WarehouseRead,
    "movement": MovementRecordedData,
    "transfer": TransferRead,
}
PAYLOADS = {subject(entity, action): _MODELS[entity] for entity, actions in ACTIONS.items() for action in actions}
