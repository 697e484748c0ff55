"""Checking many new entries of one owner at once (a CSV chunk) with a handful of queries: the
owner is locked once, the owner's completed entries in the batch's time range are read once,
and each accepted entry joins them, so a later entry of the batch is judged against the earlier
ones exactly as if they had been created one by one."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracking.entries.creation import Lookups, NewEntry
from tracking.models import TimeEntry


class Intervals:
    """Completed entries' `[start, end)` spans as sorted, disjoint runs, each the union of spans
    that strictly overlap in a chain. A new span strictly overlaps some entry exactly when it
    strictly overlaps the run holding it (a run has no gaps); touching edges never count."""

    def __init__(self, spans: Sequence[tuple[datetime, datetime]] = ()) -> None:
        self.starts: list[datetime] = []
        self.ends: list[datetime] = []
        for start, end in sorted(spans):
            self.add(start, end)

    def overlaps(self, start: datetime, end: datetime) -> bool:
        # runs starting before `end` are [0, i); ends rise with starts, so the last decides
        i = bisect_left(self.starts, end)
        return i > 0 and self.ends[i - 1] > start

    def add(self, start: datetime, end: datetime) -> None:
        i = bisect_left(self.starts, end)
        j = i
        while j > 0 and self.ends[j - 1] > start:
            j -= 1
        if j < i:  # runs [j, i) strictly overlap the span: they merge with it
            start, end = min(start, self.starts[j]), max(end, self.ends[i - 1])
        self.starts[j:i] = [start]
        self.ends[j:i] = [end]


class PreparedLookups(Lookups):
    """The checks' lookups for a batch of `news` of one owner."""

    def __init__(self, session: Session, news: Sequence[NewEntry]) -> None:
        super().__init__(session)
        assert len({n.user_id for n in news}) <= 1, "one owner per batch"
        completed = [n for n in news if n.end_time is not None]
        self._range = (min(n.start_time for n in completed), max(n.end_time for n in completed)) if completed else None
        self._locked: set[int] = set()
        self._intervals: Intervals | None = None

    def lock_owner(self, user_id: int) -> None:
        if user_id not in self._locked:
            super().lock_owner(user_id)
            self._locked.add(user_id)

    def overlaps(self, user_id: int, start: datetime, end: datetime) -> bool:
        return self._owner_intervals(user_id).overlaps(start, end)

    def accept(self, new: NewEntry) -> None:
        """`new` passed its checks and will be created: later ones are judged with it."""
        if new.end_time is not None and self._intervals is not None:
            self._intervals.add(new.start_time, new.end_time)

    def _owner_intervals(self, user_id: int) -> Intervals:
        # read after the owner's lock (the overlap check comes after it), so nothing the owner
        # creates elsewhere can slip in between
        if self._intervals is None:
            assert user_id in self._locked and self._range is not None
            low, high = self._range
            rows = self.session.execute(
                select(TimeEntry.start_time, TimeEntry.end_time).where(
                    TimeEntry.user_id == user_id,
                    TimeEntry.end_time.is_not(None),
                    TimeEntry.start_time < high,
                    TimeEntry.end_time > low,
                )
            ).all()
            self._intervals = Intervals([(start, end) for start, end in rows])
        return self._intervals
