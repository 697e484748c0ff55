"""The tracking errors' wire format (CONVENTIONS §7): status, `error_code`, and one text as both
`error` and `message` for the domain 400s."""

from __future__ import annotations

import pytest

from tracking import errors

DOMAIN_400S = [
    (errors.InvalidProjectError(), "invalid_project", "Invalid project selected"),
    (errors.InvalidClientError(), "invalid_client", "Invalid client"),
    (errors.InvalidClientError("Invalid client selected"), "invalid_client", "Invalid client selected"),
    (errors.InvalidTaskError(), "invalid_task", "The task does not belong to the selected project"),
    (errors.DuplicateCodeError(), "duplicate_code", "Project code already in use"),
    (errors.DuplicateProjectError(), "duplicate_project", "A project with this name already exists for this client"),
    (errors.MissingProjectOrClientError(), "missing_project_or_client", "A project or a client is required"),
    (errors.TaskNotAllowedError(), "task_not_allowed", "Tasks can only be set on project-based entries"),
    (errors.TaskRequiresProjectError(), "task_requires_project", "A task can only be set on an entry with a project"),
    (errors.InvalidTimeRangeError(), "invalid_time_range", "End time must be after start time"),
    (errors.OverlappingEntryError(), "overlapping_entry", "The time entry overlaps with another of your entries"),
    (errors.TimerActiveError(), "timer_active", "The timer is running; stop the timer first"),
    (errors.ProjectArchivedError(), "project_archived", "Cannot start a timer on an archived project"),
    (errors.ProjectInactiveError(), "project_inactive", "Cannot start a timer on an inactive project"),
    (errors.TaskRequiredError(), "task_required", "A task must be selected for this time entry"),
    (errors.DescriptionRequiredError(), "description_required", "A description is required for this time entry"),
    (errors.DescriptionTooShortError(20), "description_too_short", "The description must be at least 20 characters"),
    (errors.NoActiveTimerError(), "no_active_timer", "No active timer"),
    (errors.InvalidStateError("The timer is not paused"), "invalid_state", "The timer is not paused"),
    (errors.InvalidStatusError("approved"), "invalid_status", "The approval is approved, not pending"),
    (errors.AlreadyPendingError(), "already_pending", "An approval is already pending for this time entry"),
    (errors.NoApproversError(), "no_approvers", "No approvers are configured for this time entry"),
]


@pytest.mark.parametrize(("error", "code", "text"), DOMAIN_400S, ids=[c for _, c, _ in DOMAIN_400S])
def test_domain_400(error, code, text):
    assert error.status_code == 400
    assert error.body() == {"success": False, "error": text, "message": text, "error_code": code}


@pytest.mark.parametrize(
    ("error", "status", "body"),
    [
        (
            errors.TimerAlreadyRunningError(),
            409,
            {"error": "Timer already running", "message": "A timer is already running; stop it first"},
        ),
        (
            errors.IdempotencyInProgressError(),
            409,
            {
                "error": "Request in progress",
                "message": "A request with this Idempotency-Key is still being processed; retry shortly",
            },
        ),
        (
            errors.NoProjectAccessError(),
            403,
            {"error": "Access denied", "message": "You do not have access to this project", "error_code": "forbidden"},
        ),
    ],
)
def test_other_statuses(error, status, body):
    assert error.status_code == status
    assert error.body() == {"success": False, "error_code": error.error_code, **body}
