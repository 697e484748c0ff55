"""Wire shapes of the warehouse resource (inventory.md §1.1, §2)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator

from inventory.inputs import Text, Text50, Text200, trim_to_none
from inventory.schemas import WarehouseRead
from shared.inputs import published_required


def _code(value: Any) -> Any:
    """Trimmed and upper-cased, as upstream's warehouse model stores it (like SKUs)."""
    value = trim_to_none(value)
    return value.upper() if isinstance(value, str) else value


Code = Annotated[Text50, BeforeValidator(_code)]


class WarehouseFields(BaseModel):
    """Every writable field, all optional here: the service requires `name` and `code` on
    create (its message lists the missing ones)."""

    name: Text200 = None
    code: Code = None
    address: Text = None
    contact_person: Text200 = None
    contact_email: Text200 = None
    contact_phone: Text50 = None
    notes: Text = None
    is_active: bool | None = None


class WarehouseCreate(WarehouseFields):
    model_config = published_required("name", "code")


class WarehouseUpdate(WarehouseFields):
    """PUT and PATCH: only the keys present change."""


class WarehouseEnvelope(BaseModel):
    warehouse: WarehouseRead


class WarehouseMessageEnvelope(BaseModel):
    message: str
    warehouse: WarehouseRead


class WarehouseList(BaseModel):
    items: list[WarehouseRead]
    pagination: dict[str, Any]
