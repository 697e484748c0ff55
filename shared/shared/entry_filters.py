"""The time-entry list's query (tracking.md §4.1), read the same way by every service that
serves it: tracking's list and reporting's export. Also CONVENTIONS §4's rule for a `user_id`
filter on someone's own data, which the reports share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from shared.errors import ForbiddenError
from shared.identity import Identity
from shared.query import billable_filter, filter_id, filter_instant, is_true


@dataclass(frozen=True, slots=True)
class RawEntryFilters:
    """The query parameters as sent."""

    project_id: str | None = None
    user_id: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    billable: str | None = None
    include_active: str | None = None


@dataclass(frozen=True, slots=True)
class EntryFilters:
    """After parsing; None = not filtered."""

    user_id: int | None = None
    project_id: int | None = None
    start: datetime | None = None
    end: datetime | None = None
    billable: bool | None = None
    include_active: bool = False


def visible_user(identity: Identity, requested: int | None) -> int | None:
    """Whose data a request is about: admins choose any user (None = everyone); others only
    themselves, and naming anyone else is `403 Access denied`."""
    if identity.is_admin:
        return requested
    if requested is not None and requested != identity.user_id:
        raise ForbiddenError("Access denied")
    return identity.user_id


def entry_filters(identity: Identity, raw: RawEntryFilters, zone: tzinfo) -> EntryFilters:
    """Unparseable filters are ignored (CONVENTIONS §5.4); a date-only end covers that day."""
    return EntryFilters(
        user_id=visible_user(identity, filter_id(raw.user_id)),
        project_id=filter_id(raw.project_id),
        start=filter_instant(raw.start_date, zone),
        end=filter_instant(raw.end_date, zone, end_of_day=True),
        billable=billable_filter(raw.billable),
        include_active=is_true(raw.include_active),
    )
