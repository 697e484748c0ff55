"""Wire format of instants (CONVENTIONS §6.3): UTC, `Z`, fraction only when non-zero."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, tzinfo

_EXTENDED_FORM = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\Z")


def iso_utc(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    # naive isoformat: seconds, and microseconds only when there are any (strftime: 3× slower)
    return value.isoformat() + "Z"


def as_utc(value: datetime) -> datetime:
    """Naive datetimes from platform callers are UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def parse_instant(value: str, zone: tzinfo, *, end_of_day: bool = False) -> datetime:
    """CONVENTIONS §6.2 input → aware UTC datetime. Naive times are wall-clock in `zone`; `Z`
    and offsets are honoured; a bare date is that day's midnight in `zone`, or its last
    microsecond when it ends a range (`end_of_day`). Anything else raises ValueError."""
    text = value.strip()
    if not _EXTENDED_FORM.match(text):  # Python also reads basic and week forms ("20240115", "1111…")
        raise ValueError(f"not a CONVENTIONS §6.2 date or datetime: {text[:40]!r}")
    if len(text) == 10:
        day = date.fromisoformat(text)
        moment = datetime.combine(day, time.max if end_of_day else time.min)
    else:
        moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)
