"""Tracking domain errors, one class per spec error code (tracking.md, CONVENTIONS §7.2);
generic ones come from `shared.errors`.

A domain 400 carries one text as both `error` and `message`. Where an endpoint words the same
code differently (an entry's client vs a project's, the three `invalid_state` cases), the text
is passed in; the code, the status and the default text stay the class's."""

from __future__ import annotations

from shared.errors import ApiError, ConflictError, ForbiddenError


class TrackingError(ApiError):
    """A 400 with a domain `error_code`; `error` and `message` are the same text."""

    status_code = 400

    def __init__(self, text: str | None = None) -> None:
        super().__init__(text, error=text)


class InvalidProjectError(TrackingError):
    error_code = "invalid_project"
    error = "Invalid project selected"


class InvalidClientError(TrackingError):
    error_code = "invalid_client"
    error = "Invalid client"


class InvalidTaskError(TrackingError):
    error_code = "invalid_task"
    error = "The task does not belong to the selected project"


class DuplicateCodeError(TrackingError):
    error_code = "duplicate_code"
    error = "Project code already in use"


class DuplicateProjectError(TrackingError):
    error_code = "duplicate_project"
    error = "A project with this name already exists for this client"


class MissingProjectOrClientError(TrackingError):
    error_code = "missing_project_or_client"
    error = "A project or a client is required"


class TaskNotAllowedError(TrackingError):
    error_code = "task_not_allowed"
    error = "Tasks can only be set on project-based entries"


class TaskRequiresProjectError(TrackingError):
    error_code = "task_requires_project"
    error = "A task can only be set on an entry with a project"


class InvalidTimeRangeError(TrackingError):
    error_code = "invalid_time_range"
    error = "End time must be after start time"


class OverlappingEntryError(TrackingError):
    error_code = "overlapping_entry"
    error = "The time entry overlaps with another of your entries"


class TimerActiveError(TrackingError):
    error_code = "timer_active"
    error = "The timer is running; stop the timer first"


class ProjectArchivedError(TrackingError):
    error_code = "project_archived"
    error = "Cannot start a timer on an archived project"


class ProjectInactiveError(TrackingError):
    error_code = "project_inactive"
    error = "Cannot start a timer on an inactive project"


class TaskRequiredError(TrackingError):
    error_code = "task_required"
    error = "A task must be selected for this time entry"


class DescriptionRequiredError(TrackingError):
    error_code = "description_required"
    error = "A description is required for this time entry"


class DescriptionTooShortError(TrackingError):
    error_code = "description_too_short"
    error = "The description is too short"

    def __init__(self, minimum: int) -> None:
        super().__init__(f"The description must be at least {minimum} characters")


class NoActiveTimerError(TrackingError):
    error_code = "no_active_timer"
    error = "No active timer"


class InvalidStateError(TrackingError):
    """The resource is not in a state the action applies to; the text says which."""

    error_code = "invalid_state"
    error = "Invalid state"


class InvalidStatusError(TrackingError):
    error_code = "invalid_status"
    error = "The approval is not pending"

    def __init__(self, status: str) -> None:
        super().__init__(f"The approval is {status}, not pending")


class AlreadyPendingError(TrackingError):
    error_code = "already_pending"
    error = "An approval is already pending for this time entry"


class NoApproversError(TrackingError):
    error_code = "no_approvers"
    error = "No approvers are configured for this time entry"


class TimerAlreadyRunningError(ConflictError):
    error_code = "timer_already_running"
    error = "Timer already running"

    def __init__(self) -> None:
        super().__init__("A timer is already running; stop it first")


class IdempotencyInProgressError(ConflictError):
    error_code = "idempotency_in_progress"
    error = "Request in progress"

    def __init__(self) -> None:
        super().__init__("A request with this Idempotency-Key is still being processed; retry shortly")


class NoProjectAccessError(ForbiddenError):
    """A project outside the caller's project scope (CONVENTIONS §4)."""

    def __init__(self) -> None:
        super().__init__("You do not have access to this project")
