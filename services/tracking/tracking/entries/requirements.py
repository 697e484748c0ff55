"""Entry requirements (tracking.md §4.3 rule 7, §5.7): a task and a description, by setting."""

from __future__ import annotations

from tracking.errors import DescriptionRequiredError, DescriptionTooShortError, TaskRequiredError
from tracking.settings import TrackingSettings


def check_requirements(
    settings: TrackingSettings, *, project_id: int | None, task_id: int | None, notes: str | None
) -> None:
    """The task requirement applies to project entries only (never to client-only ones)."""
    if settings.time_entry_require_task and project_id is not None and task_id is None:
        raise TaskRequiredError()
    text = (notes or "").strip()
    if settings.time_entry_require_description and not text:
        raise DescriptionRequiredError()
    minimum = settings.time_entry_description_min_length
    if settings.time_entry_require_description and len(text) < minimum:
        raise DescriptionTooShortError(minimum)
