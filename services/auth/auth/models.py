"""The auth service's tables: users, api_tokens, plus the shared outbox and processed_events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import TZDateTime, make_base, new_metadata, utcnow
from shared.events.outbox import outbox_table, processed_events_table

ROLES = ("admin", "manager", "user", "viewer", "subcontractor")
ADMIN_ROLES = frozenset({"admin"})

metadata = new_metadata()
Base = make_base(metadata)
outbox = outbox_table(metadata)
processed_events = processed_events_table(metadata)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'manager', 'user', 'viewer', 'subcontractor')", name="role_valid"),
        CheckConstraint("week_start_day BETWEEN 0 AND 6", name="week_start_day_valid"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), nullable=False)
    email: Mapped[str | None] = mapped_column(String(200))
    full_name: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), nullable=False, default="user", server_default="user")
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default=text("true"))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(
        TZDateTime(), nullable=False, default=utcnow, server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        TZDateTime(), nullable=False, default=utcnow, onupdate=utcnow, server_default=func.now()
    )
    last_login: Mapped[datetime | None] = mapped_column(TZDateTime())

    timezone: Mapped[str | None] = mapped_column(String(50))
    date_format: Mapped[str | None] = mapped_column(String(20))
    time_format: Mapped[str | None] = mapped_column(String(10))
    week_start_day: Mapped[int] = mapped_column(SmallInteger, nullable=False, default=1, server_default="1")
    standard_hours_per_day: Mapped[float] = mapped_column(Float, nullable=False, default=8.0, server_default="8")
    overtime_include_weekends: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=True, server_default=text("true")
    )
    time_rounding_enabled: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=True, server_default=text("true")
    )
    time_rounding_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")
    time_rounding_method: Mapped[str] = mapped_column(
        String(10), nullable=False, default="nearest", server_default="nearest"
    )

    github_username: Mapped[str | None] = mapped_column(String(100))
    slack_user_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    dismissed_release_version: Mapped[str | None] = mapped_column(String(50))
    avatar_filename: Mapped[str | None] = mapped_column(String(255))
    assigned_client_ids: Mapped[list[int]] = mapped_column(
        ARRAY(Integer), nullable=False, default=lambda: [], server_default="{}"
    )
    # Sum of the user's completed time entries, kept by a tracking-events consumer.
    total_seconds: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0, server_default="0")

    @property
    def is_admin(self) -> bool:
        return self.role in ADMIN_ROLES


# Usernames are stored lower-cased; the index also guards against mixed-case writes.
Index("uq_users_username_lower", func.lower(User.username), unique=True)


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="", server_default="")
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    token_prefix: Mapped[str] = mapped_column(String(8), nullable=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    scopes: Mapped[str] = mapped_column(Text, nullable=False, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(
        TZDateTime(), nullable=False, default=utcnow, server_default=func.now()
    )
    expires_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default=text("true"))
    ip_whitelist: Mapped[str | None] = mapped_column(Text)
    usage_count: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0, server_default="0")


class TrackedEntry(Base):
    """Each completed time entry's worked seconds, from tracking events: `users.total_seconds`
    is kept as their sum, adjusted by the difference an event makes."""

    __tablename__ = "tracked_entries"

    entry_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(Integer, nullable=False)
    seconds: Mapped[int] = mapped_column(BigInteger, nullable=False)
    # When the applied event happened: an older event arriving later changes nothing.
    event_at: Mapped[datetime] = mapped_column(TZDateTime(), nullable=False)
