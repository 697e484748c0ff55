"""The suggestion object of reporting.md §4.5."""

from __future__ import annotations

from typing import Any

from reporting.suggestions.rules import Candidate, confidence

# What a pair without any completed entry of the user suggests: no notes, no tags, billable.
NO_DETAILS: tuple[str | None, str | None, bool] = (None, None, True)


def serialize_suggestion(
    candidate: Candidate,
    *,
    project_name: str | None,
    task_name: str | None,
    details: tuple[str | None, str | None, bool] = NO_DETAILS,
) -> dict[str, Any]:
    """`details`: notes, tags and billable of the user's latest entry on the same pair."""
    notes, tags, billable = details
    return {
        "project_id": candidate.project_id,
        "project_name": project_name,
        "task_id": candidate.task_id,
        "task_name": task_name,
        "notes": notes or "",
        "tags": tags or "",
        "billable": bool(billable),
        "confidence": confidence(candidate.score),
        "source": "deterministic",
    }
