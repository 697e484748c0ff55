"""Reporting service test fixtures: a migrated scratch database on the real PostgreSQL server,
one rolled-back transaction per test (requests included) — from `shared.testing.service` — and
identities signed like the gateway's.

The read models are filled the way production fills them: by applying events (the consumers'
handlers) in the test's transaction. `publish(subject, data)` applies one event;
`entry(...)`, `project(...)`, `task(...)`, `client(...)`, `user(...)` build and apply the
usual ones and return the API object they carried."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from reporting.consumers import consumers_for
from reporting.main import create_app
from reporting.models import outbox
from reporting.settings import ReportingSettings
from shared.events import EventEnvelope
from shared.testing.contracts import example_payload
from shared.testing.service import ServiceUnderTest, new_user_id
from shared.timefmt import iso_utc

SERVICE_DIR = Path(__file__).resolve().parents[1]
_ids = itertools.count(1_000_000)


@pytest.fixture
def service_under_test() -> ServiceUnderTest:
    # Fresh reads are tested on their own (test_freshness.py): no tracking or consumer runs here.
    return ServiceUnderTest(
        "reporting", SERVICE_DIR, ReportingSettings, create_app, outbox, {"read_your_writes": False}
    )


@pytest.fixture
def publish(session, settings):
    """`publish("tt.tracking.time_entry.created", data, occurred_at=None)`: apply one event as
    the service's consumer would (handler, then the session is flushed). The payload is the
    producer's whole contract around `data` (`example_payload`: a field the producer never
    sends fails). Returns the envelope."""
    handlers = {spec.subject.rstrip(">"): spec.handler for spec in consumers_for(settings.zone)}

    def apply(
        subject: str, data: dict[str, Any], *, occurred_at: datetime | None = None, raw: bool = False
    ) -> EventEnvelope:
        # `raw`: exactly `data`, for the consumer's defence against events no producer sends
        payload = data if raw else example_payload(subject, **data)
        fields: dict[str, Any] = {"type": subject, "source": subject.split(".")[1], "data": payload}
        if occurred_at is not None:
            fields["occurred_at"] = occurred_at
        event = EventEnvelope(**fields)
        handler = next(h for prefix, h in handlers.items() if subject.startswith(prefix))
        handler(session, event)
        session.flush()
        return event

    return apply


def build_entry_data(**fields: Any) -> dict[str, Any]:
    """A completed time entry's API object (tracking.md §1.3); `start`/`end` are datetimes."""
    start: datetime = fields.pop("start", datetime(2024, 3, 5, 9, 0, tzinfo=UTC))
    end: datetime | None = fields.pop("end", start + timedelta(hours=1))
    duration = fields.pop("duration_seconds", None if end is None else int((end - start).total_seconds()))
    data: dict[str, Any] = {
        "id": next(_ids),
        "user_id": 1,
        "project_id": None,
        "task_id": None,
        "client_id": None,
        "start_time": iso_utc(start),
        "end_time": iso_utc(end),
        "duration_seconds": duration,
        "duration_hours": round((duration or 0) / 3600, 2),
        "break_seconds": 0,
        "paused_at": None,
        "notes": None,
        "tags": None,
        "billable": True,
        "source": "manual",
        "is_active": end is None,
    }
    data.update(fields)
    return data


@pytest.fixture
def entry_data():
    """`entry_data(user_id=…, start=…, end=…, **fields)`: an entry's API object, not applied."""
    return build_entry_data


@pytest.fixture
def entry(publish):
    """`entry(user_id=…, project_id=…, start=…, end=…, action="created", **fields)` → API object."""

    def make(*, action: str = "created", occurred_at: datetime | None = None, **fields: Any) -> dict[str, Any]:
        data = fields if "start_time" in fields else build_entry_data(**fields)
        return publish(f"tt.tracking.time_entry.{action}", data, occurred_at=occurred_at).data

    return make


@pytest.fixture
def project(publish):
    def make(*, action: str = "created", **fields: Any) -> dict[str, Any]:
        pid = fields.pop("id", None) or next(_ids)
        data = {"id": pid, "name": f"Project {pid}", "client_id": next(_ids), "status": "active", "hourly_rate": None,
                "estimated_hours": None, "budget_amount": None, "created_by": None} | fields  # fmt: skip
        publish(f"tt.tracking.project.{action}", data)
        return data

    return make


@pytest.fixture
def task(publish):
    def make(*, action: str = "created", **fields: Any) -> dict[str, Any]:
        tid = fields.pop("id", None) or next(_ids)
        data = {"id": tid, "project_id": None, "name": f"Task {tid}", "status": "todo", "due_date": None,
                "assigned_to": None, "created_by": 1} | fields  # fmt: skip
        publish(f"tt.tracking.task.{action}", data)
        return data

    return make


@pytest.fixture
def client_record(publish):
    """A CRM client (named so as not to clash with the `client` TestClient fixture)."""

    def make(*, action: str = "created", **fields: Any) -> dict[str, Any]:
        cid = fields.pop("id", None) or next(_ids)
        data = {"id": cid, "name": f"Client {cid}", "default_hourly_rate": None, "status": "active"} | fields
        publish(f"tt.crm.client.{action}", data)
        return data

    return make


@pytest.fixture
def user(publish):
    def make(*, action: str = "created", **fields: Any) -> dict[str, Any]:
        uid = fields.pop("id", None) or new_user_id()
        data = {"id": uid, "username": f"user{uid}", "full_name": None, "role": "user", "is_admin": False,
                "is_active": True, "timezone": None, "week_start_day": 1,
                "standard_hours_per_day": 8.0} | fields  # fmt: skip
        publish(f"tt.auth.user.{action}", data)
        return data

    return make
