"""The time-entry list's query (tracking.md §4.1). Reporting's export serves the same query from
its read model with filters of its own; `tests/contract/test_export_matches_list.py` proves the
two select the same entries over a matrix of filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from shared.identity import Identity
from shared.query import billable_filter, filter_id, filter_instant, is_true
from shared.visibility import own_data_user


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


def entry_filters(identity: Identity, raw: RawEntryFilters, zone: tzinfo) -> EntryFilters:
    """Unparseable filters are ignored (CONVENTIONS §5.4); a date-only end covers that day."""
    return EntryFilters(
        user_id=own_data_user(identity, filter_id(raw.user_id)),
        project_id=filter_id(raw.project_id),
        start=filter_instant(raw.start_date, zone),
        end=filter_instant(raw.end_date, zone, end_of_day=True),
        billable=billable_filter(raw.billable),
        include_active=is_true(raw.include_active),
    )
