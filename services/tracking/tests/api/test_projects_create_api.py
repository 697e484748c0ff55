"""`POST /api/v1/projects` (tracking.md §2.3), including creates racing in real transactions."""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from shared.errors import ApiError
from shared.events.outbox import session_info
from shared.identity import Identity
from tracking.models import KnownClient, Project, outbox
from tracking.projects import service
from tracking.projects.schemas import ProjectCreate


@pytest.fixture
def acme(make_known_client):
    return make_known_client(name="Acme")


@pytest.fixture
def project_count(session):
    return lambda: session.scalar(select(func.count()).select_from(Project))


class TestCreateProject:
    def test_creates_with_every_field_and_records_the_event(self, client, acme, user_headers, user_id, outbox_events):
        body = {
            "name": "  Website Redesign ",
            "client_id": str(acme.id),
            "description": "Complete overhaul",
            "billable": False,
            "hourly_rate": "75.555",
            "estimated_hours": 120,
            "status": "on_hold",
            "code": " web-1 ",
            "budget_amount": 10000,
            "budget_threshold_percent": "90",
            "billing_ref": "PO-7",
            "color": "#AA00ff",
            "unknown": "ignored",
        }
        r = client.post("/api/v1/projects", json=body, headers=user_headers)
        assert r.status_code == 201, r.text
        assert r.json()["message"] == "Project created successfully"
        p = r.json()["project"]
        assert p["name"] == "Website Redesign" and p["client_id"] == acme.id and p["client"] == "Acme"
        assert p["description"] == "Complete overhaul" and p["billable"] is False
        assert p["hourly_rate"] == 75.56 and p["estimated_hours"] == 120.0
        assert p["status"] == "on_hold" and p["is_archived"] is False
        assert (p["code"], p["code_display"]) == ("WEB-1", "WEB-1")
        assert p["budget_amount"] == 10000.0 and p["budget_threshold_percent"] == 90
        assert p["billing_ref"] == "PO-7" and p["color"] == "#AA00ff"
        assert p["custom_fields"] == {} and p["created_at"] == p["updated_at"]
        assert "created_by" not in p
        [event] = outbox_events("tt.tracking.project.created")
        assert event["entity_id"] == str(p["id"])
        assert event["data"] == p | {"created_by": user_id}
        assert len(outbox_events()) == 1

    def test_minimal_body_gets_the_defaults(self, client, acme, user_headers):
        r = client.post("/api/v1/projects", json={"name": "Solo", "client_id": acme.id}, headers=user_headers)
        assert r.status_code == 201
        p = r.json()["project"]
        assert p["status"] == "active" and p["billable"] is True and p["budget_threshold_percent"] == 80
        assert p["code"] is None and p["code_display"] == "SOLO"
        for field in ("description", "hourly_rate", "estimated_hours", "budget_amount", "billing_ref", "color"):
            assert p[field] is None
        assert p["archived_at"] is None and p["total_hours"] == 0.0

    def test_nulls_for_defaulted_fields_keep_the_defaults(self, client, acme, user_headers):
        body = {
            "name": "Nully",
            "client_id": acme.id,
            "billable": None,
            "status": None,
            "budget_threshold_percent": None,
        }
        p = client.post("/api/v1/projects", json=body, headers=user_headers).json()["project"]
        assert (p["billable"], p["status"], p["budget_threshold_percent"]) == (True, "active", 80)

    def test_the_creator_sees_it_and_another_standard_user_does_not(
        self, client, acme, user_headers, headers_for, next_user_id
    ):
        p = client.post("/api/v1/projects", json={"name": "Mine", "client_id": acme.id}, headers=user_headers)
        pid = p.json()["project"]["id"]
        assert client.get(f"/api/v1/projects/{pid}", headers=user_headers).status_code == 200
        other = headers_for(next_user_id(), "read:projects")
        assert client.get(f"/api/v1/projects/{pid}", headers=other).status_code == 403

    @pytest.mark.parametrize("name", [None, "", "   "])
    def test_name_is_required(self, client, acme, user_headers, outbox_events, project_count, name):
        body = {"client_id": acme.id} | ({} if name is None else {"name": name})
        r = client.post("/api/v1/projects", json=body, headers=user_headers)
        assert r.status_code == 400
        assert r.json()["error_code"] == "validation_error"
        assert r.json()["errors"] == {"name": ["Project name is required"]}
        assert r.json()["message"] == "Project name is required"
        assert outbox_events() == [] and project_count() == 0

    def test_client_id_is_required(self, client, user_headers, outbox_events, project_count):
        r = client.post("/api/v1/projects", json={"name": "No client"}, headers=user_headers)
        assert r.status_code == 400
        assert r.json()["errors"] == {"client_id": ["client_id is required"]}
        assert outbox_events() == [] and project_count() == 0

    def test_both_missing_in_one_answer(self, client, user_headers):
        r = client.post("/api/v1/projects", headers=user_headers)
        assert r.status_code == 400
        assert r.json()["errors"] == {"name": ["Project name is required"], "client_id": ["client_id is required"]}

    @pytest.mark.parametrize("kind", ["unknown", "deleted", "too large"])
    def test_client_must_be_known_to_the_replica(
        self, client, make_known_client, user_headers, outbox_events, project_count, kind
    ):
        client_id = {
            "unknown": 987654321,
            "deleted": make_known_client(deleted=True).id,
            "too large": 2**40,
        }[kind]
        r = client.post("/api/v1/projects", json={"name": "X", "client_id": client_id}, headers=user_headers)
        assert r.status_code == 400
        assert r.json()["error_code"] == "invalid_client"
        assert r.json()["message"] == "Invalid client"
        assert outbox_events() == [] and project_count() == 0

    def test_inactive_client_is_valid(self, client, make_known_client, user_headers):
        c = make_known_client(status="inactive")
        r = client.post("/api/v1/projects", json={"name": "X", "client_id": c.id}, headers=user_headers)
        assert r.status_code == 201

    def test_code_must_be_unique_case_insensitively(self, client, acme, make_project, user_headers, outbox_events):
        make_project(code="WEB")
        r = client.post(
            "/api/v1/projects", json={"name": "X", "client_id": acme.id, "code": "web"}, headers=user_headers
        )
        assert r.status_code == 400
        assert r.json()["error_code"] == "duplicate_code"
        assert r.json()["message"] == "Project code already in use"
        assert outbox_events() == []

    def test_same_name_for_the_same_client_is_a_duplicate(
        self, client, acme, make_project, make_known_client, user_headers, outbox_events
    ):
        make_project(name="Website", client_id=acme.id)
        r = client.post("/api/v1/projects", json={"name": " Website", "client_id": acme.id}, headers=user_headers)
        assert r.status_code == 400
        assert r.json()["error_code"] == "duplicate_project"
        assert outbox_events() == []
        other = make_known_client()
        r = client.post("/api/v1/projects", json={"name": "Website", "client_id": other.id}, headers=user_headers)
        assert r.status_code == 201

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("hourly_rate", "abc"),
            ("hourly_rate", -1),
            ("hourly_rate", 10_000_000),
            ("budget_amount", "lots"),
            ("estimated_hours", "many"),
            ("status", "deleted"),
            ("budget_threshold_percent", 101),
            ("budget_threshold_percent", -1),
            ("budget_threshold_percent", "high"),
            ("client_id", "abc"),
            ("client_id", True),
            ("name", "x" * 201),
            ("code", "C" * 21),
            ("billing_ref", "r" * 101),
            ("billable", "perhaps"),
            ("color", "blue"),
        ],
    )
    def test_invalid_field_is_a_validation_error(
        self, client, acme, user_headers, outbox_events, project_count, field, value
    ):
        body = {"name": "Valid", "client_id": acme.id, field: value}
        r = client.post("/api/v1/projects", json=body, headers=user_headers)
        assert r.status_code == 400, r.text
        assert r.json()["error_code"] == "validation_error"
        assert list(r.json()["errors"]) == [field]
        assert outbox_events() == [] and project_count() == 0

    def test_non_json_body_is_415(self, client, user_headers):
        r = client.post("/api/v1/projects", content="name=x", headers=user_headers | {"Content-Type": "text/plain"})
        assert r.status_code == 415

    def test_write_scope_required(self, client, acme, headers_for, user_id, project_count):
        body = {"name": "X", "client_id": acme.id}
        r = client.post("/api/v1/projects", json=body, headers=headers_for(user_id, "read:projects"))
        assert r.status_code == 403
        assert r.json()["error_code"] == "forbidden" and r.json()["required_scope"] == "write:projects"
        assert project_count() == 0


def _committed_client(engine) -> int:
    with Session(engine) as s:
        c = KnownClient(id=900_000 + uuid.uuid4().int % 99_999, name="Race client")
        s.add(c)
        s.commit()
        return c.id


def _remove_committed(engine, client_id: int) -> None:
    with Session(engine) as s:
        s.execute(delete(outbox).where(outbox.c.payload["data"]["client_id"].astext == str(client_id)))
        s.execute(delete(Project).where(Project.client_id == client_id))
        s.execute(delete(KnownClient).where(KnownClient.id == client_id))
        s.commit()


def _create_committed(engine, client_id: int, name: str, code: str | None, before_commit=lambda: None) -> str:
    """One create in its own transaction, like a request of another worker: its error code or "ok"."""
    with Session(engine, info=session_info(outbox)) as s:
        body = ProjectCreate(name=name, client_id=client_id, code=code)
        try:
            service.create_project(s, body, actor=Identity(user_id=1, is_admin=True))
        except ApiError as exc:
            return exc.error_code
        before_commit()
        s.commit()
        return "ok"


class TestConcurrentCreates:
    """Real separate transactions, committed (and removed afterwards)."""

    @pytest.fixture
    def race_client(self, engine):
        client_id = _committed_client(engine)
        yield client_id
        _remove_committed(engine, client_id)

    @pytest.mark.parametrize(
        ("second", "error"),
        [(("Race", None), "duplicate_project"), (("Other race", "RACE-CODE"), "duplicate_code")],
    )
    def test_a_create_racing_an_uncommitted_one_gets_the_domain_error(self, engine, race_client, second, error):
        code = f"{uuid.uuid4().hex[:8]}".upper()
        with ThreadPoolExecutor(1) as pool:
            waiting = []

            def let_the_other_collide() -> None:
                # The second create cannot see this uncommitted row, passes the checks and
                # waits on the unique index until this transaction commits.
                name, second_code = second
                waiting.append(pool.submit(_create_committed, engine, race_client, name, second_code and code))
                time.sleep(0.5)

            first = _create_committed(engine, race_client, "Race", code, before_commit=let_the_other_collide)
            second = waiting[0].result(timeout=10)
        assert (first, second) == ("ok", error)

    def test_simultaneous_creates_of_one_code_leave_one_project(self, engine, race_client):
        code = f"R{uuid.uuid4().hex[:8]}".upper()
        barrier = threading.Barrier(4)

        def create(i: int) -> str:
            barrier.wait(timeout=10)
            with Session(engine, info=session_info(outbox)) as s:
                try:
                    service.create_project(
                        s, ProjectCreate(name=f"Race {i}", client_id=race_client, code=code), actor=Identity(user_id=1)
                    )
                except ApiError as exc:
                    return exc.error_code
                s.commit()
                return "ok"

        with ThreadPoolExecutor(4) as pool:
            outcomes = sorted(pool.map(create, range(4)))
        assert outcomes == ["duplicate_code"] * 3 + ["ok"]
