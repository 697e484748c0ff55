"""Wire shapes of the stock item resource (inventory.md §1.2, §3)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator

from inventory.inputs import CurrencyCode, OptionalAmount, Text, Text100, Text200, text, trim_to_none
from inventory.schemas import ItemRead
from shared.inputs import published_required


def _upper(value: Any) -> Any:
    value = trim_to_none(value)
    return value.upper() if isinstance(value, str) else value


Sku = Annotated[Text100, BeforeValidator(_upper)]
Unit = text(20)
Url = text(500)


class ItemFields(BaseModel):
    """The keys create and update share; all optional here (the service requires `sku` and
    `name` on create, with the spec's message). The platform extension keys are accepted too."""

    name: Text200 = None
    description: Text = None
    category: Text100 = None
    unit: Unit = None
    default_price: OptionalAmount = None
    default_cost: OptionalAmount = None
    barcode: Text100 = None
    is_trackable: bool | None = None
    currency_code: CurrencyCode = None
    is_active: bool | None = None
    reorder_point: OptionalAmount = None
    reorder_quantity: OptionalAmount = None
    supplier: Text200 = None
    supplier_sku: Text100 = None
    image_url: Url = None
    notes: Text = None


class ItemCreate(ItemFields):
    model_config = published_required("sku", "name")

    sku: Sku = None


class ItemUpdate(ItemFields):
    """PUT and PATCH: only the keys present change; a `sku` key is ignored (not changeable)."""


class ItemEnvelope(BaseModel):
    item: ItemRead


class ItemMessageEnvelope(BaseModel):
    message: str
    item: ItemRead


class ItemList(BaseModel):
    items: list[ItemRead]
    pagination: dict[str, Any]


class AvailabilityRead(BaseModel):
    warehouse_id: int
    warehouse_code: str
    warehouse_name: str
    quantity_on_hand: float
    quantity_reserved: float
    quantity_available: float
    location: str | None


class ItemAvailability(BaseModel):
    item_id: int
    item_sku: str
    item_name: str
    availability: list[AvailabilityRead]
