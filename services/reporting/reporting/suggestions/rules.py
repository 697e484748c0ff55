"""Ranking of time-entry suggestions (reporting.md §4.5) as pure functions: scores per source,
de-duplication, ordering, confidence and the `q` filter."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

LIMIT = 5
PATTERN_PAIRS = 3
PATTERN_SATURATION = 10
ACTIVE_TASK_SCORE = 0.8
TIME_OF_DAY_SCORE = 0.6
URGENT_DAYS = 2

DEADLINE = "deadline"
ACTIVE_TASK = "active_task"
PATTERN = "pattern"
TIME_OF_DAY = "time_of_day"
# Ties on score: deadline first, time of day last.
SOURCE_RANK = {DEADLINE: 4, ACTIVE_TASK: 3, PATTERN: 2, TIME_OF_DAY: 1}


@dataclass(frozen=True, slots=True)
class Candidate:
    source: str
    project_id: int
    task_id: int | None
    score: float

    @property
    def key(self) -> tuple[int, int | None]:
        return (self.project_id, self.task_id)


def pattern_candidates(pairs: Sequence[tuple[int | None, int | None]]) -> list[Candidate]:
    """The most frequent (project, task) pairs of `pairs` (newest entry first); equal counts
    keep the pair used most recently first. Entries without a project suggest nothing."""
    counts = Counter((project, task) for project, task in pairs if project is not None)
    top = sorted(counts.items(), key=lambda item: -item[1])[:PATTERN_PAIRS]  # stable: recency breaks ties
    return [Candidate(PATTERN, project, task, min(count / PATTERN_SATURATION, 1.0)) for (project, task), count in top]


def deadline_score(due: date, today: date) -> float:
    return 0.9 if (due - today).days <= URGENT_DAYS else 0.7


def rank(candidates: Iterable[Candidate], limit: int = LIMIT) -> list[Candidate]:
    """First seen wins per (project, task), so list the sources in the spec's de-duplication
    order (pattern, active task, time of day, deadline); then by score, source rank on ties."""
    unique: dict[tuple[int, int | None], Candidate] = {}
    for candidate in candidates:
        unique.setdefault(candidate.key, candidate)
    ordered = sorted(unique.values(), key=lambda c: (-c.score, -SOURCE_RANK[c.source]))
    return ordered[:limit]


def confidence(score: float) -> str:
    if score >= 0.7:
        return "high"
    if score >= 0.4:
        return "medium"
    return "low"


def matches(query: str, *texts: str | None) -> bool:
    """`query` (already trimmed; empty matches everything) in any of `texts`, ignoring case."""
    needle = query.casefold()
    return not needle or any(needle in text.casefold() for text in texts if text)
