"""The time-entry export's filters: the query of `GET /api/v1/time-entries` (tracking.md §4.1),
which the export must select exactly (it is "that list, unpaginated"). Tracking owns the list;
this is the export's own reading of the same parameters, and
`tests/contract/test_export_matches_list.py` proves the two agree over a matrix of filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from shared.identity import Identity
from shared.query import billable_filter, filter_id, filter_instant, is_true
from shared.visibility import own_data_user


@dataclass(frozen=True, slots=True)
class ExportFilters:
    """None = not filtered; unparseable values were ignored (CONVENTIONS §5.4)."""

    user_id: int | None
    project_id: int | None
    start: datetime | None
    end: datetime | None  # a date-only end covers that whole day
    billable: bool | None
    include_active: bool

    @classmethod
    def from_query(cls, identity: Identity, zone: tzinfo, query: dict[str, str | None]) -> ExportFilters:
        """`query`: the list's parameters as sent, by name."""
        return cls(
            own_data_user(identity, filter_id(query.get("user_id"))),
            filter_id(query.get("project_id")),
            filter_instant(query.get("start_date"), zone),
            filter_instant(query.get("end_date"), zone, end_of_day=True),
            billable_filter(query.get("billable")),
            is_true(query.get("include_active")),
        )
