"""The event contracts as tests use them: the repository's schema folder, a check of one payload
(a consumer's fixture, or what a producer recorded) against its subject's schema, and a whole
payload as the producer sends it, built from the schema around the fields a test cares about."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from shared.events.contracts import check_payload, schema_path

EVENT_CONTRACTS = Path(__file__).resolve().parents[3] / "tests" / "contract" / "events"


def check_event(subject: str, data: Any) -> None:
    """Raise `ContractViolation` unless a producer publishes `subject` with payloads like `data`."""
    check_payload(EVENT_CONTRACTS, subject, data)


_EMPTY = {"boolean": False, "integer": 0, "number": 0, "string": "", "array": [], "object": {}}


def _neutral(prop: dict[str, Any]) -> Any:
    """The value a test that does not care about a field gets: null where the producer may send
    null, else the schema's default, else an empty value of the type."""
    if "default" in prop:
        return prop["default"]
    kinds = [option.get("type") for option in prop.get("anyOf", [prop])]
    if "null" in kinds:
        return None
    return _EMPTY.get(kinds[0], None)


def example_payload(subject: str, **fields: Any) -> dict[str, Any]:
    """`example_payload("tt.auth.user.created", id=5, username="ann")`: every field the producer
    sends, these ones as given; a field the producer never sends fails the check."""
    path = schema_path(EVENT_CONTRACTS, subject)
    if not path.exists():
        check_event(subject, fields)  # raises: no producer publishes it
    schema = json.loads(path.read_text())
    data = {name: _neutral(prop) for name, prop in schema["properties"].items()} | fields
    check_event(subject, data)
    return data
