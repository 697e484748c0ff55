"""Query-string filters as CONVENTIONS §5.4 reads them: a value that cannot be parsed is
ignored (None), never an error."""

from __future__ import annotations

from datetime import datetime, tzinfo

from shared.inputs import int_or_none, row_id
from shared.timefmt import parse_instant


def filter_id(raw: str | None) -> int | None:
    """An id filter; unparseable → None."""
    return row_id(int_or_none(raw))


def filter_instant(raw: str | None, zone: tzinfo, *, end_of_day: bool = False) -> datetime | None:
    """A date/datetime filter (§6.2); a bare date ending a range covers that whole day."""
    if raw is None or not raw.strip():
        return None
    try:
        return parse_instant(raw, zone, end_of_day=end_of_day)
    except (ValueError, OverflowError):
        return None


def is_true(raw: str | None) -> bool:
    """Query booleans: only `true` (any case) is true (CONVENTIONS §1)."""
    return raw is not None and raw.strip().lower() == "true"


def billable_filter(raw: str | None) -> bool | None:
    """Absent → no filter; `true` → billable only; any other value → non-billable only."""
    return None if raw is None else is_true(raw)
