"""Inventory errors with the spec's codes (inventory.md); generic ones come from `shared.errors`."""

from __future__ import annotations

from decimal import Decimal

from shared.errors import ApiError, ConflictError, NotFoundError


class StockItemNotFoundError(NotFoundError):
    error = "Stock item not found"

    def __init__(self, item_id: int) -> None:
        super().__init__(f"Stock item with ID {item_id} not found")


class WarehouseNotFoundError(NotFoundError):
    error = "Warehouse not found"

    def __init__(self, warehouse_id: int) -> None:
        super().__init__(f"Warehouse with ID {warehouse_id} not found")


class TransferNotFoundError(NotFoundError):
    error = "Transfer not found"

    def __init__(self, reference_id: int) -> None:
        super().__init__(f"Transfer with ID {reference_id} not found")


class DuplicateEntryError(ConflictError):
    """A uniqueness clash (warehouse `code`, item `sku`), on create and update alike (§0)."""

    error = "Duplicate entry"


class InsufficientStockError(ApiError):
    status_code = 400
    error_code = "insufficient_stock"
    error = "Insufficient stock"

    @classmethod
    def short(
        cls, *, available: Decimal, requested: Decimal, where: str = "in this warehouse"
    ) -> InsufficientStockError:
        return cls(f"Insufficient stock {where}: available {available:.2f}, requested {requested:.2f}")


class InsufficientLotsError(InsufficientStockError):
    """Stock on hand, but not enough cost layers to take it from (inventory.md §4 step 5)."""

    def __init__(self) -> None:
        super().__init__("Insufficient stock lots to cover this movement")
