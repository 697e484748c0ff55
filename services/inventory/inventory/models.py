"""The inventory service's tables and the shared outbox and processed_events tables.

Quantities and money are exact `Numeric` decimals with 2 places (inventory.md §0); lot values
(quantity × unit cost) keep 4. Instants are UTC `timestamptz`. Beyond the API objects, three
things are kept current inside each movement's own transaction so the reports never scan the
ledger: the positive-lot aggregate on each stock row (valuation), the per-(item, UTC day)
turnover bucket, and the stock change a movement actually applied (`stock_change`).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    Sequence,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.db import TZDateTime, created_at_column, make_base, new_metadata, updated_at_column, utcnow
from shared.events.outbox import outbox_table, processed_events_table

metadata = new_metadata()
Base = make_base(metadata)
outbox = outbox_table(metadata)
processed_events = processed_events_table(metadata)

QUANTITY = Numeric(18, 2)
MONEY = Numeric(14, 2)
LOT_VALUE = Numeric(30, 4)
ZERO = text("0")

MOVEMENT_TYPES = (
    "adjustment",
    "purchase",
    "sale",
    "usage",
    "consumption",
    "rent",
    "return",
    "waste",
    "transfer",
    "devaluation",
)
LOT_TYPES = ("normal", "devalued")

# Transfer reference ids (inventory.md §5.1): unique under concurrency, started by the migration
# at the epoch in milliseconds, as upstream's ids look.
transfer_reference_ids = Sequence("transfer_reference_ids", metadata=metadata)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Warehouse(Base):
    __tablename__ = "warehouses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    code: Mapped[str] = mapped_column(String(50), nullable=False, unique=True)
    address: Mapped[str | None] = mapped_column(Text)
    contact_person: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(50))
    notes: Mapped[str | None] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default=text("true"))
    created_by: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class StockItem(Base):
    __tablename__ = "stock_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sku: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    description: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(100), index=True)
    unit: Mapped[str] = mapped_column(String(20), nullable=False, default="pcs", server_default="pcs")
    default_cost: Mapped[Decimal | None] = mapped_column(MONEY)
    default_price: Mapped[Decimal | None] = mapped_column(MONEY)
    currency_code: Mapped[str] = mapped_column(String(3), nullable=False, default="EUR", server_default="EUR")
    barcode: Mapped[str | None] = mapped_column(String(100))
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default=text("true"))
    is_trackable: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default=text("true"))
    reorder_point: Mapped[Decimal | None] = mapped_column(QUANTITY)
    reorder_quantity: Mapped[Decimal | None] = mapped_column(QUANTITY)
    supplier: Mapped[str | None] = mapped_column(String(200))
    supplier_sku: Mapped[str | None] = mapped_column(String(100))
    image_url: Mapped[str | None] = mapped_column(String(500))
    notes: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class WarehouseStock(Base):
    """One stock level per (warehouse, item), created by the first movement and locked
    (`SELECT … FOR UPDATE`) by every later one: the lock also guards the item's lots in that
    warehouse and the valuation aggregate kept here."""

    __tablename__ = "warehouse_stock"
    __table_args__ = (
        UniqueConstraint("warehouse_id", "stock_item_id"),
        CheckConstraint("quantity_on_hand >= 0", name="on_hand_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id", ondelete="CASCADE"), nullable=False)
    stock_item_id: Mapped[int] = mapped_column(
        ForeignKey("stock_items.id", ondelete="CASCADE"), nullable=False, index=True
    )
    quantity_on_hand: Mapped[Decimal] = mapped_column(QUANTITY, nullable=False, default=0, server_default=ZERO)
    quantity_reserved: Mapped[Decimal] = mapped_column(QUANTITY, nullable=False, default=0, server_default=ZERO)
    location: Mapped[str | None] = mapped_column(String(100))
    last_counted_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    last_counted_by: Mapped[int | None] = mapped_column(Integer)
    # Valuation aggregate of the lots here: Σ max(lot.quantity, 0) and Σ max(lot.quantity, 0) × cost.
    lot_quantity: Mapped[Decimal] = mapped_column(QUANTITY, nullable=False, default=0, server_default=ZERO)
    lot_value: Mapped[Decimal] = mapped_column(LOT_VALUE, nullable=False, default=0, server_default=ZERO)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    warehouse: Mapped[Warehouse] = relationship(lazy="raise")
    stock_item: Mapped[StockItem] = relationship(lazy="raise")


class StockMovement(Base):
    __tablename__ = "stock_movements"
    __table_args__ = (CheckConstraint(_one_of("movement_type", MOVEMENT_TYPES), name="movement_type_valid"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    movement_type: Mapped[str] = mapped_column(String(20), nullable=False)
    stock_item_id: Mapped[int] = mapped_column(ForeignKey("stock_items.id", ondelete="CASCADE"), nullable=False)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id", ondelete="CASCADE"), nullable=False)
    quantity: Mapped[Decimal] = mapped_column(QUANTITY, nullable=False)
    reference_type: Mapped[str | None] = mapped_column(String(50))
    # Bigint: transfer reference ids start at the epoch in milliseconds.
    reference_id: Mapped[int | None] = mapped_column(BigInteger)
    unit_cost: Mapped[Decimal | None] = mapped_column(MONEY)
    reason: Mapped[str | None] = mapped_column(String(500))
    notes: Mapped[str | None] = mapped_column(Text)
    moved_by: Mapped[int] = mapped_column(Integer, nullable=False)
    moved_at: Mapped[datetime] = mapped_column(TZDateTime(), nullable=False, default=utcnow)
    # Internal: the on-hand change this movement applied (floored at 0; 0 for non-trackable items
    # and devaluations). The turnover report's on_hand_at reconstruction sums it.
    stock_change: Mapped[Decimal] = mapped_column(QUANTITY, nullable=False, default=0, server_default=ZERO)


Index("ix_stock_movements_moved_at", StockMovement.moved_at.desc(), StockMovement.id.desc())
Index("ix_stock_movements_item_moved_at", StockMovement.stock_item_id, StockMovement.moved_at)
Index("ix_stock_movements_warehouse_moved_at", StockMovement.warehouse_id, StockMovement.moved_at)
Index("ix_stock_movements_type_moved_at", StockMovement.movement_type, StockMovement.moved_at)
Index(
    "ix_stock_movements_transfers",
    StockMovement.reference_id,
    StockMovement.moved_at,
    postgresql_where=text("movement_type = 'transfer'"),
)


class StockLot(Base):
    """A cost layer of one item in one warehouse (inventory.md §1.5), consumed oldest first.
    `created_at` is the layer's age: a transfer's inbound layers keep their source's."""

    __tablename__ = "stock_lots"
    __table_args__ = (CheckConstraint(_one_of("lot_type", LOT_TYPES), name="lot_type_valid"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stock_item_id: Mapped[int] = mapped_column(ForeignKey("stock_items.id", ondelete="CASCADE"), nullable=False)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id", ondelete="CASCADE"), nullable=False)
    lot_type: Mapped[str] = mapped_column(String(20), nullable=False, default="normal", server_default="normal")
    unit_cost: Mapped[Decimal] = mapped_column(MONEY, nullable=False, default=0, server_default=ZERO)
    quantity: Mapped[Decimal] = mapped_column(QUANTITY, nullable=False)
    source_movement_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), nullable=False, default=utcnow)


Index("ix_stock_lots_age", StockLot.stock_item_id, StockLot.warehouse_id, StockLot.created_at, StockLot.id)
Index(
    "ix_stock_lots_fifo",
    StockLot.stock_item_id,
    StockLot.warehouse_id,
    StockLot.created_at,
    StockLot.id,
    postgresql_where=text("quantity > 0"),
)


class TurnoverDay(Base):
    """Per (item, UTC day): sold quantity (|quantity| of sale/usage/consumption movements), how
    many such movements, and the net stock change applied. Periods read whole days here and
    only their partial edge days from the ledger."""

    __tablename__ = "turnover_days"

    stock_item_id: Mapped[int] = mapped_column(
        ForeignKey("stock_items.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    quantity_sold: Mapped[Decimal] = mapped_column(QUANTITY, nullable=False, default=0, server_default=ZERO)
    sales: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default=ZERO)
    stock_change: Mapped[Decimal] = mapped_column(QUANTITY, nullable=False, default=0, server_default=ZERO)
