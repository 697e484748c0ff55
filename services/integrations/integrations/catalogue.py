"""The webhook event catalogue (integrations.md §1.2) and how platform subjects map onto it."""

from __future__ import annotations

# `GET /api/v1/webhooks/events`, in this order.
EVENTS = (
    "project.created",
    "project.updated",
    "project.deleted",
    "project.archived",
    "project.unarchived",
    "task.created",
    "task.updated",
    "task.deleted",
    "task.completed",
    "task.assigned",
    "task.status_changed",
    "time_entry.created",
    "time_entry.updated",
    "time_entry.deleted",
    "time_entry.started",
    "time_entry.stopped",
    "invoice.created",
    "invoice.updated",
    "invoice.deleted",
    "invoice.sent",
    "invoice.paid",
    "invoice.overdue",
    "client.created",
    "client.updated",
    "client.deleted",
    "user.created",
    "user.updated",
    "user.deleted",
    "comment.created",
    "comment.updated",
    "comment.deleted",
)
WILDCARD = "*"
# Sent only by the test action, never subscribable.
TEST_EVENT = "webhook.test"
SUBSCRIBABLE = frozenset(EVENTS) | {WILDCARD}

# The platform service that owns each entity a webhook event names (§6: the consumed families).
OWNERS = {"time_entry": "tracking", "project": "tracking", "task": "tracking", "client": "crm", "user": "auth"}


def webhook_event(subject: str) -> str | None:
    """`tt.tracking.time_entry.started` → `time_entry.started`; None for a subject no webhook
    event stands for (approvals, tokens, CRM's other entities …)."""
    parts = subject.split(".")
    if len(parts) != 4 or parts[0] != "tt":
        return None
    _, service, entity, action = parts
    name = f"{entity}.{action}"
    if OWNERS.get(entity) != service or name not in SUBSCRIBABLE:
        return None
    return name
