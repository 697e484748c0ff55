"""What a new time entry must pass before it exists, each check written once, and the order in
which each way of creating an entry runs them: `POST /time-entries` (tracking.md §4.3 rules
2–10), `POST /timer/start` (§6.2), a CSV row (§4.6) and a calendar event a connector imports
(integrations.md §5.5). The same input meets the same check and so the same error on every
path; only the order differs, where the spec orders differently.

Callers parse types (rule 1) into a `NewEntry`; `entries.service.create_entry` runs the path's
checks and creates the row."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime
from enum import Enum
from functools import cached_property
from typing import Any

from sqlalchemy.orm import Session

from shared.errors import ForbiddenError, ValidationError
from shared.identity import Identity
from shared.visibility import sees_everything
from tracking import locks
from tracking.access import can_access_project
from tracking.durations import Rounding, net_seconds
from tracking.entries import repository, requirements
from tracking.entries.rules import timer_project_error
from tracking.errors import (
    InvalidClientError,
    InvalidProjectError,
    InvalidTaskError,
    InvalidTimeRangeError,
    MissingProjectOrClientError,
    NoProjectAccessError,
    OverlappingEntryError,
    TaskNotAllowedError,
    TimerAlreadyRunningError,
)
from tracking.models import Project, Task, TimeEntry
from tracking.replicas import active_user, rounding_for, valid_client
from tracking.settings import TrackingSettings
from tracking.timer_settings import single_active_timer

# An entry's client is worded apart from a project's ("Invalid client", tracking.md §2.3).
ENTRY_CLIENT = "Invalid client selected"


class EntryPath(Enum):
    """The ways an entry comes to exist; each runs the checks in its section's order."""

    API = "api"  # POST /api/v1/time-entries, §4.3
    TIMER = "timer"  # POST /api/v1/timer/start, §6.2
    IMPORT = "import"  # a row of POST /api/v1/time-entries/import-csv, §4.6
    CONNECTOR = "connector"  # a calendar event, POST /internal/connectors/entries/import


@dataclass(frozen=True)
class NewEntry:
    """A parsed entry of `user_id` (its owner), named as its row; `end_time=None` is a running
    timer."""

    user_id: int
    start_time: datetime
    end_time: datetime | None = None
    project_id: int | None = None
    client_id: int | None = None
    task_id: int | None = None
    break_seconds: int = 0
    notes: str | None = None
    tags: str | None = None
    billable: bool = True
    paid: bool = False
    invoice_number: str | None = None
    source: str = "manual"


class Lookups:
    """How the checks reach the owner's other entries: one query per check. A batch of creations
    (a CSV chunk) passes `entries.batch.PreparedLookups`, which answers the same questions from
    what it loaded once."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def lock_owner(self, user_id: int) -> None:
        locks.lock_user_timers(self.session, user_id)

    def overlaps(self, user_id: int, start: datetime, end: datetime) -> bool:
        return repository.overlapping_entry(self.session, user_id, start, end) is not None


@dataclass
class Attempt:
    """One creation being checked: who asks, for what, and the rows the checks look up."""

    session: Session
    settings: TrackingSettings
    actor: Identity
    new: NewEntry
    lookups: Lookups

    @cached_property
    def project(self) -> Project | None:
        project_id = self.new.project_id
        return None if project_id is None else repository.get_project(self.session, project_id)

    @property
    def running(self) -> bool:
        return self.new.end_time is None


Check = Callable[[Attempt], None]


def existing_project(session: Session, project_id: int) -> Project:
    """The project named by an entry, or `invalid_project`."""
    project = repository.get_project(session, project_id)
    if project is None:
        raise InvalidProjectError()
    return project


def task_of_project(session: Session, task_id: int, project_id: int) -> Task:
    """The task, if it belongs to the project; else `invalid_task` (an unknown task included)."""
    task = repository.get_task(session, task_id)
    if task is None or task.project_id != project_id:
        raise InvalidTaskError()
    return task


def check_entry_client(session: Session, client_id: int) -> None:
    """A client CRM has and has not deleted."""
    if valid_client(session, client_id) is None:
        raise InvalidClientError(ENTRY_CLIENT)


def check_owner(a: Attempt) -> None:
    """§4.3 rule 2: only admins create for someone else, and only for an active user."""
    if a.new.user_id == a.actor.user_id:
        return
    if not a.actor.is_admin:
        raise ForbiddenError("Only admins may create time entries for other users")
    if active_user(a.session, a.new.user_id) is None:
        raise ValidationError({"user_id": ["User not found or inactive"]}, "User not found or inactive")


def check_scope(a: Attempt) -> None:
    """§6.2 step 2: the project is in the caller's scope. An unknown project is in no
    restricted scope; full-scope callers go on to learn that it is unknown."""
    visible = sees_everything(a.actor) if a.project is None else can_access_project(a.actor, a.project)
    if not visible:
        raise NoProjectAccessError()


def check_link_given(a: Attempt) -> None:
    """§4.3 rule 3: a project or a client."""
    if a.new.project_id is None and a.new.client_id is None:
        raise MissingProjectOrClientError()


def check_project(a: Attempt) -> None:
    """§4.3 rule 4, §6.2 step 6: a named project exists."""
    if a.new.project_id is not None and a.project is None:
        raise InvalidProjectError()


def check_task(a: Attempt) -> None:
    """§4.3 rule 4, §6.2 step 8: a task belongs to the entry's project."""
    if a.new.project_id is not None and a.new.task_id is not None:
        task_of_project(a.session, a.new.task_id, a.new.project_id)


def check_client(a: Attempt) -> None:
    """§4.3 rule 5: a named client exists, and a client's entry carries no task."""
    if a.new.client_id is None:
        return
    check_entry_client(a.session, a.new.client_id)
    if a.new.task_id is not None:
        raise TaskNotAllowedError()


def lock_owner(a: Attempt) -> None:
    """One user's creates run one at a time, so the timer and overlap checks after this hold
    under concurrency."""
    a.lookups.lock_owner(a.new.user_id)


def check_timer_project(a: Attempt) -> None:
    """§6.2 step 7 (§4.3 rule 6 for a running entry): timers run on active projects only."""
    if a.running and a.project is not None and (error := timer_project_error(a.project.status)) is not None:
        raise error


def check_single_timer(a: Attempt) -> None:
    """§6.2 step 4 (§4.3 rule 6): no second running entry while the setting is on."""
    if not a.running or not single_active_timer(a.session, a.settings):
        return
    if repository.active_timer(a.session, a.new.user_id) is not None:
        raise TimerAlreadyRunningError()


def check_requirements(a: Attempt) -> None:
    """§4.3 rule 7, §6.2 step 9."""
    new = a.new
    requirements.check_requirements(a.settings, project_id=new.project_id, task_id=new.task_id, notes=new.notes)


def check_time_range(a: Attempt) -> None:
    """§4.3 rule 9: a completed entry ends after it starts."""
    if not a.running and a.new.end_time <= a.new.start_time:
        raise InvalidTimeRangeError()


def check_overlap(a: Attempt) -> None:
    """§4.3 rule 10: no strict overlap with another completed entry of the owner."""
    new = a.new
    if a.running:
        return
    if a.lookups.overlaps(new.user_id, new.start_time, new.end_time):
        raise OverlappingEntryError()


def skipped_for_admins(check: Check) -> Check:
    """§4.6: admins import history as it was."""

    def unless_admin(a: Attempt) -> None:
        if not a.actor.is_admin:
            check(a)

    return unless_admin


# §4.3 rules 2–5, then the owner's lock: how a manual create and a CSV row begin.
_OWNER_AND_LINKS = (check_owner, check_link_given, check_project, check_task, check_client, lock_owner)

CHECKS: dict[EntryPath, tuple[Check, ...]] = {
    EntryPath.API: (
        *_OWNER_AND_LINKS,
        check_timer_project,
        check_single_timer,
        check_requirements,
        check_time_range,
        check_overlap,
    ),
    # Scope before existence, the single-timer rule before the project's status (§6.2).
    EntryPath.TIMER: (
        check_owner,
        check_scope,
        lock_owner,
        check_single_timer,
        check_link_given,
        check_project,
        check_timer_project,
        check_task,
        check_client,
        check_requirements,
    ),
    # §4.3's order; the row's project and its access are checked as the row is read (§4.6).
    EntryPath.IMPORT: (
        *_OWNER_AND_LINKS,
        skipped_for_admins(check_requirements),
        check_time_range,
        skipped_for_admins(check_overlap),
    ),
    # Calendar imports bypass the overlap and entry-requirement checks (integrations.md §5.5,
    # upstream); the connector skips an event already imported after taking the owner's lock.
    EntryPath.CONNECTOR: (check_owner, check_project, lock_owner, check_time_range),
}


def run_checks(
    session: Session,
    new: NewEntry,
    *,
    via: EntryPath,
    actor: Identity,
    settings: TrackingSettings,
    lookups: Lookups | None = None,
) -> Attempt:
    """Every check of `via`, in its order; the first failure is the error answered. The attempt
    returned holds the rows the checks loaded (the session's identity map holds them weakly):
    kept, they serve the entry's serialization without another query."""
    attempt = Attempt(session, settings, actor, new, lookups or Lookups(session))
    for check in CHECKS[via]:
        check(attempt)
    return attempt


def new_values(session: Session, new: NewEntry, *, rounding: Rounding | None = None) -> dict[str, Any]:
    """The row values of a checked entry; a completed one gets its duration (§1.4), rounded by
    the owner's preference (`rounding`, when the caller read it already)."""
    breaks = max(0, new.break_seconds)
    duration = None
    if new.end_time is not None:
        rounding = rounding or rounding_for(session, new.user_id)
        duration = net_seconds(new.start_time, new.end_time, breaks, rounding)
    # a shallow copy of the fields (asdict deep-copies every datetime)
    values = {field.name: getattr(new, field.name) for field in fields(NewEntry)}
    return values | {"break_seconds": breaks, "duration_seconds": duration}


def new_row(session: Session, new: NewEntry) -> TimeEntry:
    return TimeEntry(**new_values(session, new))
