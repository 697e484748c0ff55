"""`entries.batch.Intervals`: the overlap rule of §4.3 rule 10 (strict, touching edges allowed)
answered from spans held in memory, checked against the plain definition."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from tracking.entries.batch import Intervals

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def plainly_overlaps(spans, start, end) -> bool:
    return any(s < end and e > start for s, e in spans)


def test_touching_edges_do_not_overlap():
    spans = Intervals([(at(0), at(60)), (at(120), at(180))])
    assert not spans.overlaps(at(60), at(120))
    assert spans.overlaps(at(59), at(61))
    assert spans.overlaps(at(-10), at(200))


def test_a_long_entry_hidden_behind_a_short_one_still_counts():
    # the run of [0, 100) and [10, 20) reaches 100: a span at 50 overlaps the long one
    assert Intervals([(at(0), at(100)), (at(10), at(20))]).overlaps(at(50), at(60))


def test_random_spans_agree_with_the_definition():
    rng = random.Random(7)
    for _ in range(200):
        spans = []
        intervals = Intervals()
        for _ in range(rng.randint(0, 30)):
            s = rng.randint(0, 500)
            span = (at(s), at(s + rng.randint(1, 60)))
            spans.append(span)
            intervals.add(*span)
        for _ in range(20):
            s = rng.randint(-20, 520)
            start, end = at(s), at(s + rng.randint(1, 60))
            assert intervals.overlaps(start, end) == plainly_overlaps(spans, start, end)
