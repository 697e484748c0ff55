"""The payload of every event tracking publishes (`tt.tracking.<entity>.<action>`): the entity's
API object — for a project also `created_by` (replicas apply project scope), for an approval
also `approver_id`. The producer's side of the event contracts (`shared.events.contracts`;
schemas in `tests/contract/events/`, rewritten by `make contracts`)."""

from __future__ import annotations

from pydantic import BaseModel

from tracking.approvals.schemas import ApprovalRead
from tracking.events import subject
from tracking.projects.schemas import ProjectRead
from tracking.schemas import EntryRead
from tracking.tasks.schemas import TaskRead


class ProjectEventData(ProjectRead):
    created_by: int | None


class ApprovalEventData(ApprovalRead):
    approver_id: int | None


_ACTIONS: dict[str, tuple[type[BaseModel], tuple[str, ...]]] = {
    "project": (ProjectEventData, ("created", "updated", "archived", "unarchived")),
    "task": (TaskRead, ("created", "updated", "deleted", "completed", "assigned", "status_changed")),
    "time_entry": (EntryRead, ("created", "updated", "deleted", "started", "stopped")),
    "approval": (ApprovalEventData, ("requested", "approved", "rejected", "cancelled")),
}
PAYLOADS = {subject(entity, action): model for entity, (model, actions) in _ACTIONS.items() for action in actions}
