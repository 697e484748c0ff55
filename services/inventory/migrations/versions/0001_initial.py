"""initial: warehouses, stock_items, warehouse_stock (with the lot valuation aggregate),
stock_movements, stock_lots, turnover_days, the transfer reference sequence, outbox,
processed_events

Revision ID: 0001
Revises:
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

TZ = sa.DateTime(timezone=True)
revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("published_at", TZ, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("event_id", name=op.f("uq_outbox_event_id")),
    )
    op.create_index(
        "ix_outbox_unpublished", "outbox", ["id"], unique=False, postgresql_where=sa.text("published_at IS NULL")
    )
    op.create_table(
        "processed_events",
        sa.Column("consumer", sa.String(length=100), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("processed_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("consumer", "event_id", name=op.f("pk_processed_events")),
    )
    op.create_table(
        "stock_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("category", sa.String(length=100), nullable=True),
        sa.Column("unit", sa.String(length=20), server_default="pcs", nullable=False),
        sa.Column("default_cost", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("default_price", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("currency_code", sa.String(length=3), server_default="EUR", nullable=False),
        sa.Column("barcode", sa.String(length=100), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("is_trackable", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("reorder_point", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("reorder_quantity", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("supplier", sa.String(length=200), nullable=True),
        sa.Column("supplier_sku", sa.String(length=100), nullable=True),
        sa.Column("image_url", sa.String(length=500), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_items")),
        sa.UniqueConstraint("sku", name=op.f("uq_stock_items_sku")),
    )
    op.create_index(op.f("ix_stock_items_category"), "stock_items", ["category"], unique=False)
    op.create_index(op.f("ix_stock_items_name"), "stock_items", ["name"], unique=False)
    op.create_table(
        "warehouses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("contact_person", sa.String(length=200), nullable=True),
        sa.Column("contact_email", sa.String(length=200), nullable=True),
        sa.Column("contact_phone", sa.String(length=50), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warehouses")),
        sa.UniqueConstraint("code", name=op.f("uq_warehouses_code")),
    )
    op.create_table(
        "stock_lots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stock_item_id", sa.Integer(), nullable=False),
        sa.Column("warehouse_id", sa.Integer(), nullable=False),
        sa.Column("lot_type", sa.String(length=20), server_default="normal", nullable=False),
        sa.Column("unit_cost", sa.Numeric(precision=14, scale=2), server_default=sa.text("0"), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("source_movement_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.CheckConstraint("lot_type IN ('normal', 'devalued')", name=op.f("ck_stock_lots_lot_type_valid")),
        sa.ForeignKeyConstraint(
            ["stock_item_id"],
            ["stock_items.id"],
            name=op.f("fk_stock_lots_stock_item_id_stock_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_id"], ["warehouses.id"], name=op.f("fk_stock_lots_warehouse_id_warehouses"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_lots")),
    )
    op.create_index(
        "ix_stock_lots_age", "stock_lots", ["stock_item_id", "warehouse_id", "created_at", "id"], unique=False
    )
    op.create_index(
        "ix_stock_lots_fifo",
        "stock_lots",
        ["stock_item_id", "warehouse_id", "created_at", "id"],
        unique=False,
        postgresql_where=sa.text("quantity > 0"),
    )
    op.create_table(
        "stock_movements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("movement_type", sa.String(length=20), nullable=False),
        sa.Column("stock_item_id", sa.Integer(), nullable=False),
        sa.Column("warehouse_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("reference_type", sa.String(length=50), nullable=True),
        sa.Column("reference_id", sa.BigInteger(), nullable=True),
        sa.Column("unit_cost", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("moved_by", sa.Integer(), nullable=False),
        sa.Column("moved_at", TZ, nullable=False),
        sa.Column("stock_change", sa.Numeric(precision=18, scale=2), server_default=sa.text("0"), nullable=False),
        sa.CheckConstraint(
            "movement_type IN ('adjustment', 'purchase', 'sale', 'usage', 'consumption', 'rent', 'return', "
            "'waste', 'transfer', 'devaluation')",
            name=op.f("ck_stock_movements_movement_type_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["stock_item_id"],
            ["stock_items.id"],
            name=op.f("fk_stock_movements_stock_item_id_stock_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_id"],
            ["warehouses.id"],
            name=op.f("fk_stock_movements_warehouse_id_warehouses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_movements")),
    )
    op.create_index("ix_stock_movements_item_moved_at", "stock_movements", ["stock_item_id", "moved_at"], unique=False)
    op.create_index(
        "ix_stock_movements_moved_at",
        "stock_movements",
        [sa.literal_column("moved_at DESC"), sa.literal_column("id DESC")],
        unique=False,
    )
    op.create_index(
        "ix_stock_movements_transfers",
        "stock_movements",
        ["reference_id", "moved_at"],
        unique=False,
        postgresql_where=sa.text("movement_type = 'transfer'"),
    )
    op.create_index("ix_stock_movements_type_moved_at", "stock_movements", ["movement_type", "moved_at"], unique=False)
    op.create_index(
        "ix_stock_movements_warehouse_moved_at", "stock_movements", ["warehouse_id", "moved_at"], unique=False
    )
    op.create_table(
        "turnover_days",
        sa.Column("stock_item_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("quantity_sold", sa.Numeric(precision=18, scale=2), server_default=sa.text("0"), nullable=False),
        sa.Column("sales", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("stock_change", sa.Numeric(precision=18, scale=2), server_default=sa.text("0"), nullable=False),
        sa.ForeignKeyConstraint(
            ["stock_item_id"],
            ["stock_items.id"],
            name=op.f("fk_turnover_days_stock_item_id_stock_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("stock_item_id", "day", name=op.f("pk_turnover_days")),
    )
    op.create_table(
        "warehouse_stock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("warehouse_id", sa.Integer(), nullable=False),
        sa.Column("stock_item_id", sa.Integer(), nullable=False),
        sa.Column("quantity_on_hand", sa.Numeric(precision=18, scale=2), server_default=sa.text("0"), nullable=False),
        sa.Column("quantity_reserved", sa.Numeric(precision=18, scale=2), server_default=sa.text("0"), nullable=False),
        sa.Column("location", sa.String(length=100), nullable=True),
        sa.Column("last_counted_at", TZ, nullable=True),
        sa.Column("last_counted_by", sa.Integer(), nullable=True),
        sa.Column("lot_quantity", sa.Numeric(precision=18, scale=2), server_default=sa.text("0"), nullable=False),
        sa.Column("lot_value", sa.Numeric(precision=30, scale=4), server_default=sa.text("0"), nullable=False),
        sa.Column("created_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("quantity_on_hand >= 0", name=op.f("ck_warehouse_stock_on_hand_not_negative")),
        sa.ForeignKeyConstraint(
            ["stock_item_id"],
            ["stock_items.id"],
            name=op.f("fk_warehouse_stock_stock_item_id_stock_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_id"],
            ["warehouses.id"],
            name=op.f("fk_warehouse_stock_warehouse_id_warehouses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warehouse_stock")),
        sa.UniqueConstraint("warehouse_id", "stock_item_id", name=op.f("uq_warehouse_stock_warehouse_id")),
    )
    op.create_index(op.f("ix_warehouse_stock_stock_item_id"), "warehouse_stock", ["stock_item_id"], unique=False)
    # Transfer reference ids start at the epoch in milliseconds (upstream's ids look like that).
    op.execute(sa.schema.CreateSequence(sa.Sequence("transfer_reference_ids")))
    op.execute("SELECT setval('transfer_reference_ids', (extract(epoch FROM clock_timestamp()) * 1000)::bigint)")


def downgrade() -> None:
    op.execute(sa.schema.DropSequence(sa.Sequence("transfer_reference_ids")))
    op.drop_index(op.f("ix_warehouse_stock_stock_item_id"), table_name="warehouse_stock")
    op.drop_table("warehouse_stock")
    op.drop_table("turnover_days")
    op.drop_index("ix_stock_movements_warehouse_moved_at", table_name="stock_movements")
    op.drop_index("ix_stock_movements_type_moved_at", table_name="stock_movements")
    op.drop_index(
        "ix_stock_movements_transfers",
        table_name="stock_movements",
        postgresql_where=sa.text("movement_type = 'transfer'"),
    )
    op.drop_index("ix_stock_movements_moved_at", table_name="stock_movements")
    op.drop_index("ix_stock_movements_item_moved_at", table_name="stock_movements")
    op.drop_table("stock_movements")
    op.drop_index("ix_stock_lots_fifo", table_name="stock_lots", postgresql_where=sa.text("quantity > 0"))
    op.drop_index("ix_stock_lots_age", table_name="stock_lots")
    op.drop_table("stock_lots")
    op.drop_table("warehouses")
    op.drop_index(op.f("ix_stock_items_name"), table_name="stock_items")
    op.drop_index(op.f("ix_stock_items_category"), table_name="stock_items")
    op.drop_table("stock_items")
    op.drop_table("processed_events")
    op.drop_index("ix_outbox_unpublished", table_name="outbox", postgresql_where=sa.text("published_at IS NULL"))
    op.drop_table("outbox")
