"""The tracking service through the gateway: a whole working day with the spec's responses,
and the replicas and events that join it to CRM and auth."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

RESOURCES = ("clients", "projects", "tasks", "time_entries")
SCOPES = ",".join(f"{verb}:{r}" for r in RESOURCES for verb in ("read", "write"))


def unique(name: str) -> str:
    return f"{name} {uuid.uuid4().hex[:8]}"


def eventually(probe, timeout: float = 5.0):
    """Poll until `probe()` is truthy (replicas follow events within a second or so)."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.05)


@pytest.fixture
def worker(stack, make_token):
    """A standard user with the scopes of a working day, and its user object."""
    token, _, user = make_token(SCOPES)
    with stack.client(token) as c:
        yield c, user


@pytest.fixture
def project(worker):
    """A client made in CRM and, at once, a project on it made in tracking."""
    c, _ = worker
    client = c.post("/api/v1/clients", json={"name": unique("Client")}).json()["client"]
    r = c.post("/api/v1/projects", json={"name": unique("Project"), "client_id": client["id"], "hourly_rate": 80})
    assert r.status_code == 201, r.text
    return r.json()["project"]


class TestClientReplica:
    def test_a_new_crm_client_can_be_referenced_at_once(self, worker):
        c, _ = worker
        client = c.post("/api/v1/clients", json={"name": unique("Fresh")}).json()["client"]
        r = c.post("/api/v1/projects", json={"name": "On a fresh client", "client_id": client["id"]})
        assert r.status_code == 201, r.text
        assert r.json()["project"]["client"] == client["name"]

    def test_an_unknown_client_is_refused(self, worker):
        c, _ = worker
        r = c.post("/api/v1/projects", json={"name": "Nowhere", "client_id": 987654321})
        assert r.status_code == 400 and r.json()["error_code"] == "invalid_client"

    def test_crm_counts_the_projects_of_a_client(self, worker, project):
        c, _ = worker
        counts = eventually(
            lambda: (got := c.get(f"/api/v1/clients/{project['client_id']}").json()["client"])["total_projects"] and got
        )
        assert counts and (counts["total_projects"], counts["active_projects"]) == (1, 1)
        r = c.delete(f"/api/v1/clients/{project['client_id']}")
        assert r.status_code == 409  # a client with projects cannot be deleted


class TestWorkingDay:
    def test_timer_start_pause_resume_stop(self, worker, project):
        c, user = worker
        assert c.get("/api/v1/timer/status").json() == {"active": False, "timer": None}
        r = c.post("/api/v1/timer/start", json={"project_id": str(project["id"]), "notes": "deep work"})
        assert r.status_code == 201 and r.json()["message"] == "Timer started successfully"
        timer = r.json()["timer"]
        assert timer["is_active"] is True and timer["source"] == "auto" and timer["user"] == user["username"]
        r = c.post("/api/v1/timer/start", json={"project_id": project["id"]})
        assert r.status_code == 409 and r.json()["error_code"] == "timer_already_running"

        assert c.post("/api/v1/timer/pause", headers={"Content-Type": "application/json"}).status_code == 200
        r = c.post("/api/v1/timer/pause")
        assert r.status_code == 400 and r.json()["error_code"] == "invalid_state"
        time.sleep(1.1)
        resumed = c.post("/api/v1/timer/resume").json()["time_entry"]
        assert resumed["paused_at"] is None and resumed["break_seconds"] >= 1
        status = c.get("/api/v1/timer/status").json()
        assert status["active"] is True and status["timer"]["id"] == timer["id"]

        stopped = c.post("/api/v1/timer/stop")
        assert stopped.status_code == 200 and stopped.json()["message"] == "Timer stopped successfully"
        entry = stopped.json()["time_entry"]
        assert entry["is_active"] is False and entry["duration_seconds"] is not None
        r = c.post("/api/v1/timer/stop")
        assert r.status_code == 400 and r.json()["error_code"] == "no_active_timer"

    def test_manual_entries_edits_and_visibility(self, worker, project, make_token, stack):
        c, _ = worker
        desktop = {"project_id": project["id"], "duration_minutes": 90, "date": "2026-03-02", "notes": "desktop"}
        r = c.post("/api/v1/time-entries", json=desktop)
        assert r.status_code == 201, r.text
        first = r.json()["time_entry"]
        assert first["duration_seconds"] == 5400 and first["duration_formatted"] == "01:30:00"
        body = {"project_id": project["id"], "start_time": "2026-03-02T14:00:00Z", "end_time": "2026-03-02T15:00:00Z"}
        second = c.post("/api/v1/time-entries", json=body).json()["time_entry"]
        overlapping = {**body, "start_time": "2026-03-02T14:30:00Z", "end_time": "2026-03-02T16:00:00Z"}
        r = c.post("/api/v1/time-entries", json=overlapping)
        assert r.status_code == 400 and r.json()["error_code"] == "overlapping_entry"

        r = c.patch(
            f"/api/v1/time-entries/{second['id']}", json={"notes": "edited", "if_updated_at": second["updated_at"]}
        )
        assert r.status_code == 200 and r.json()["time_entry"]["notes"] == "edited"
        stale = c.patch(
            f"/api/v1/time-entries/{second['id']}", json={"notes": "x", "if_updated_at": "2020-01-01T00:00:00Z"}
        )
        assert stale.status_code == 409 and stale.json()["error_code"] == "conflict"

        listed = c.get("/api/v1/time-entries", params={"start_date": "2026-03-02", "end_date": "2026-03-02"}).json()
        assert [e["id"] for e in listed["time_entries"]] == [second["id"], first["id"]]
        other_token, _, _ = make_token(SCOPES)
        with stack.client(other_token) as other:
            assert other.get(f"/api/v1/time-entries/{second['id']}").status_code == 403
            assert other.delete(f"/api/v1/time-entries/{second['id']}").status_code == 403
            assert other.get("/api/v1/time-entries").json()["time_entries"] == []
        assert c.delete(f"/api/v1/time-entries/{first['id']}").json()["message"] == "Time entry deleted successfully"

    def test_post_without_end_time_starts_a_timer(self, worker, project):
        c, _ = worker
        r = c.post("/api/v1/time-entries", json={"project_id": project["id"], "start_time": "2026-03-03T09:00:00"})
        assert r.status_code == 201 and r.json()["time_entry"]["is_active"] is True
        assert c.get("/api/v1/timer/status").json()["timer"]["id"] == r.json()["time_entry"]["id"]
        assert c.post("/api/v1/timer/stop").status_code == 200

    def test_one_idempotency_key_under_100_concurrent_posts_creates_one_entry(self, stack, worker, project):
        c, _ = worker
        key = uuid.uuid4().hex
        headers = {**c.headers, "Idempotency-Key": key}

        def post(i: int) -> httpx.Response:
            start = f"2026-04-01T{8 + i % 10:02d}:{i % 60:02d}:00Z"  # every body different: only the key matches
            body = {"project_id": project["id"], "start_time": start, "end_time": start.replace(":00Z", ":30Z")}
            return httpx.post(stack.gateway_url + "/api/v1/time-entries", json=body, headers=headers, timeout=30)

        with ThreadPoolExecutor(max_workers=20) as pool:
            responses = list(pool.map(post, range(100)))
        assert {r.status_code for r in responses} == {201}
        assert len({r.json()["time_entry"]["id"] for r in responses}) == 1
        on_the_day = c.get("/api/v1/time-entries", params={"start_date": "2026-04-01", "end_date": "2026-04-01"})
        assert on_the_day.json()["pagination"]["total"] == 1


class TestBulkImportAndApprovals:
    def test_csv_import_then_bulk_changes(self, worker, project):
        c, _ = worker
        csv_text = (
            "Project ID,Start,End,Notes,Tags,Billable\n"
            f"{project['id']},2026-05-04T09:00:00Z,2026-05-04T10:00:00Z,imported one,a,yes\n"
            f"{project['id']},2026-05-04T11:00:00Z,2026-05-04T12:30:00Z,imported two,,no\n"
            f",2026-05-04T13:00:00Z,2026-05-04T14:00:00Z,no project,,\n"
            f"{project['id']},2026-05-04T09:30:00Z,2026-05-04T09:45:00Z,overlaps,,\n"
        )
        r = c.post("/api/v1/time-entries/import-csv", files={"file": ("day.csv", csv_text.encode(), "text/csv")})
        assert r.status_code == 200, r.text
        result = r.json()
        assert (result["success"], result["created"], result["failed"]) == (True, 2, 2)
        assert [e["row"] for e in result["errors"]] == [4, 5]
        r = c.post("/api/v1/time-entries/import-csv", content=b"", headers={"Content-Type": "text/csv"})
        assert r.status_code == 400 and r.json()["error_code"] == "validation_error"

        day = {"start_date": "2026-05-04", "end_date": "2026-05-04"}
        entries = c.get("/api/v1/time-entries", params=day).json()["time_entries"]
        assert sorted(e["billable"] for e in entries) == [False, True]
        ids = [e["id"] for e in entries]
        r = c.post("/api/v1/time-entries/bulk", json={"entry_ids": ids, "action": "add_tag", "value": "reviewed"})
        assert r.json() == {"success": True, "affected": 2}
        tags = {e["tags"] for e in c.get("/api/v1/time-entries", params=day).json()["time_entries"]}
        assert tags == {"a, reviewed", "reviewed"}
        r = c.post("/api/v1/time-entries/bulk", json={"entry_ids": ids, "action": "explode"})
        assert r.status_code == 400 and r.json()["errors"] == {"action": ["Unsupported action"]}
        r = c.post("/api/v1/time-entries/bulk", json={"entry_ids": ids, "action": "delete"})
        assert r.json()["affected"] == 2
        assert c.get("/api/v1/time-entries", params=day).json()["time_entries"] == []

    def test_approval_requested_by_a_user_and_approved_by_an_admin(self, stack, make_token, admin):
        token, _, _ = make_token(SCOPES + ",read:time_approvals,write:time_approvals")
        with stack.client(token) as c:
            client = c.post("/api/v1/clients", json={"name": unique("Approved")}).json()["client"]
            project = c.post("/api/v1/projects", json={"name": "Approval work", "client_id": client["id"]})
            times = {"start_time": "2026-06-01T09:00:00Z", "end_time": "2026-06-01T17:00:00Z"}
            entry = c.post("/api/v1/time-entries", json={"project_id": project.json()["project"]["id"], **times})
            entry_id = entry.json()["time_entry"]["id"]
            # no approver named and no policy: the admins approve (the bootstrap admin, via the user replica)
            r = c.post(f"/api/v1/time-entries/{entry_id}/request-approval", json={"comment": "please"})
            assert r.status_code == 200, r.text
            approval = r.json()["approval"]
            assert (approval["status"], approval["approval_level"]) == ("pending", 1)
            r = c.post(f"/api/v1/time-entries/{entry_id}/request-approval", json={})
            assert r.status_code == 400 and r.json()["error_code"] == "already_pending"
        assert approval["id"] in [a["id"] for a in admin.get("/api/v1/time-entry-approvals").json()["approvals"]]
        r = admin.post(f"/api/v1/time-entry-approvals/{approval['id']}/approve", json={"comment": "ok"})
        assert r.status_code == 200 and r.json()["approval"]["status"] == "approved"
        r = admin.post(f"/api/v1/time-entry-approvals/{approval['id']}/approve")
        assert r.status_code == 400 and r.json()["error_code"] == "invalid_status"
