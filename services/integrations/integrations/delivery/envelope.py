"""The webhook request body (integrations.md §1.3), built from a platform event and serialized
once: the stored bytes are what every attempt sends and signs."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from shared.events import EventEnvelope
from shared.timefmt import iso_utc

# entity type → how a sentence names it
_LABELS = {"time_entry": "time entry", "project": "project", "task": "task", "client": "client", "user": "user"}
_VERBS = {
    "created": "Created",
    "updated": "Updated",
    "deleted": "Deleted",
    "archived": "Archived",
    "unarchived": "Unarchived",
    "completed": "Completed",
}

NO_USER = {"id": None, "username": None, "display_name": None}


def entity_name(entity_type: str, data: dict[str, Any]) -> str | None:
    """§1.3: time entries `"<project or client name>[ - <task name>]"`; users their username;
    everything else its name."""
    if entity_type == "time_entry":
        base = data.get("project") or data.get("client")
        task = data.get("task")
        if base and task:
            return f"{base} - {task}"
        return base or task
    if entity_type == "user":
        return data.get("username")
    return data.get("name")


def description(entity_type: str, action: str, name: str | None, data: dict[str, Any]) -> str:
    label = _LABELS.get(entity_type, entity_type.replace("_", " "))
    subject = f"{label} {name}" if name else label
    if action == "started":
        return f"Started timer for {name or 'a time entry'}"
    if action == "stopped":
        return f"Stopped timer for {name or 'a time entry'}"
    if action == "assigned":
        assignee = data.get("assigned_user") or data.get("assigned_to")
        return f"Assigned {subject} to {assignee}" if assignee else f"Unassigned {subject}"
    if action == "status_changed":
        return f"Changed the status of {subject} to {data.get('status')}"
    verb = _VERBS.get(action, action.replace("_", " ").capitalize())
    return f"{verb} {subject}"


def _entity_id(event: EventEnvelope) -> int | None:
    raw = event.data.get("id", event.entity_id)
    try:
        return int(raw) if raw is not None else None
    except (TypeError, ValueError):
        return None


def event_envelope(name: str, event: EventEnvelope, user: dict[str, Any] | None) -> dict[str, Any]:
    """`name` is the catalogue name; `user` the acting user (`id`, `username`, `display_name`),
    None for a system-triggered event (every field null)."""
    entity_type, action = name.split(".", 1)
    label = entity_name(entity_type, event.data)
    return {
        "event_type": name,
        "event_id": event.id,
        "timestamp": iso_utc(event.occurred_at),
        "user": user or dict(NO_USER),
        "entity": {"type": entity_type, "id": _entity_id(event), "name": label},
        "action": action,
        "description": description(entity_type, action, label, event.data),
        "data": event.data,
    }


def ping_envelope(*, user_id: int | None, username: str | None, at: datetime) -> dict[str, Any]:
    """The test action's payload (§1.6)."""
    return {
        "event_type": "webhook.test",
        "timestamp": iso_utc(at),
        "user": {"id": user_id, "username": username},
        "message": "This is a test webhook from TimeTracker",
    }


def serialize(body: dict[str, Any]) -> tuple[bytes, str]:
    """UTF-8 JSON bytes and their SHA-256 (hex)."""
    raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return raw, hashlib.sha256(raw).hexdigest()
