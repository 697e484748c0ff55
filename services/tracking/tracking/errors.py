"""Tracking domain errors with the spec's codes (tracking.md, CONVENTIONS §7.2); generic ones
come from `shared.errors`."""

from __future__ import annotations

from shared.errors import ApiError, ConflictError, ForbiddenError


class DomainError(ApiError):
    """A 400 with a domain `error_code`: `DomainError("invalid_project", "Invalid project")`."""

    status_code = 400

    def __init__(self, error_code: str, message: str, **extra) -> None:
        super().__init__(message, error=message, error_code=error_code, **extra)


class TimerAlreadyRunningError(ConflictError):
    error_code = "timer_already_running"
    error = "Timer already running"

    def __init__(self) -> None:
        super().__init__("A timer is already running; stop it first")


class NoProjectAccessError(ForbiddenError):
    """A project outside the caller's project scope (CONVENTIONS §4)."""

    def __init__(self) -> None:
        super().__init__("You do not have access to this project")
