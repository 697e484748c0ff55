"""One API, not several databases (docs/architecture.md, "Consistency"): once a write is answered, the next
request — fired at once, as scripts and the browser extension do — is judged with it included,
whichever service owns it. Each flow runs many rounds, so a race cannot pass by luck."""

from __future__ import annotations

import uuid

import pytest

ROUNDS = 30
SCOPES = (
    "read:clients,write:clients,read:projects,write:projects,read:tasks,write:tasks,"
    "read:time_entries,write:time_entries,read:reports"
)


def unique(name: str) -> str:
    return f"{name} {uuid.uuid4().hex[:8]}"


@pytest.fixture
def worker(stack, make_token):
    token, _, user = make_token(SCOPES)
    with stack.client(token) as c:
        yield c, user


def new_client(c) -> dict:
    r = c.post("/api/v1/clients", json={"name": unique("Client")})
    assert r.status_code == 201, r.text
    return r.json()["client"]


def new_project(c, client_id: int) -> dict:
    r = c.post("/api/v1/projects", json={"name": unique("Project"), "client_id": client_id})
    assert r.status_code == 201, r.text
    return r.json()["project"]


def test_a_client_is_a_valid_client_id_for_a_project_at_once(worker):
    c, _ = worker
    for _ in range(40):
        client = new_client(c)
        project = new_project(c, client["id"])
        assert project["client_id"] == client["id"] and project["client"] == client["name"]


def test_a_client_can_be_booked_directly_at_once(worker):
    c, _ = worker
    for n in range(ROUNDS):
        client = new_client(c)
        body = {"client_id": client["id"], "start_time": f"2024-02-{n % 28 + 1:02d}T08:{n:02d}:00Z",
                "end_time": f"2024-02-{n % 28 + 1:02d}T08:{n:02d}:30Z"}  # fmt: skip
        r = c.post("/api/v1/time-entries", json=body)
        assert r.status_code == 201, r.text
        assert r.json()["time_entry"]["client_id"] == client["id"]


def test_a_client_with_a_project_made_a_moment_ago_cannot_be_deleted(worker):
    c, _ = worker
    for _ in range(ROUNDS):
        client = new_client(c)
        new_project(c, client["id"])
        r = c.delete(f"/api/v1/clients/{client['id']}")
        assert r.status_code == 409, r.text
        assert r.json()["error_code"] == "conflict"
    # and a client without projects still goes at once
    lone = new_client(c)
    assert c.delete(f"/api/v1/clients/{lone['id']}").status_code == 200


def test_a_user_created_by_the_admin_can_be_assigned_a_task_at_once(admin):
    project = new_project(admin, new_client(admin)["id"])
    for _ in range(ROUNDS):
        r = admin.post("/api/v1/users", json={"username": f"u{uuid.uuid4().hex[:10]}", "password": "password-123"})
        assert r.status_code == 201, r.text
        user = r.json()["user"]
        r = admin.post(
            "/api/v1/tasks", json={"name": unique("Task"), "project_id": project["id"], "assigned_to": user["id"]}
        )
        assert r.status_code == 201, r.text
        assert r.json()["task"]["assigned_to"] == user["id"]


def test_a_user_created_by_the_admin_can_be_booked_for_at_once(admin):
    project = new_project(admin, new_client(admin)["id"])
    for n in range(ROUNDS):
        r = admin.post("/api/v1/users", json={"username": f"u{uuid.uuid4().hex[:10]}", "password": "password-123"})
        user = r.json()["user"]
        body = {"project_id": project["id"], "user_id": user["id"], "start_time": f"2024-03-01T09:{n:02d}:00Z",
                "end_time": f"2024-03-01T09:{n:02d}:30Z"}  # fmt: skip
        r = admin.post("/api/v1/time-entries", json=body)
        assert r.status_code == 201, r.text
        assert r.json()["time_entry"]["user_id"] == user["id"]


def test_a_deleted_or_deactivated_token_is_refused_on_the_very_next_request(stack, admin, make_token):
    for n in range(ROUNDS):
        token, token_id, _ = make_token("read:users")
        with stack.client(token) as c:
            assert c.get("/api/v1/users/me").status_code == 200  # now cached by the gateway
            if n % 2:
                assert admin.delete(f"/api/v1/admin/api-tokens/{token_id}").status_code == 200
            else:
                assert admin.post(f"/api/v1/admin/api-tokens/{token_id}/toggle").status_code == 200
            r = c.get("/api/v1/users/me")
            assert r.status_code == 401, (n, r.status_code, r.text)
            assert r.json()["error_code"] == "unauthorized"


def test_a_deactivated_user_is_refused_on_the_very_next_request(stack, admin, make_token):
    for n in range(ROUNDS):
        token, _, user = make_token("read:users")
        with stack.client(token) as c:
            assert c.get("/api/v1/users/me").status_code == 200
            if n % 2:
                assert admin.delete(f"/api/v1/users/{user['id']}").status_code == 200
            else:
                assert admin.patch(f"/api/v1/users/{user['id']}", json={"is_active": False}).status_code == 200
            r = c.get("/api/v1/users/me")
            assert r.status_code == 401 and "inactive" in r.json()["message"].lower(), r.text


def test_a_token_toggled_back_on_works_on_the_very_next_request(stack, admin, make_token):
    """The gateway keeps no refusal either: a reactivated token passes at once."""
    token, token_id, _ = make_token("read:users")
    with stack.client(token) as c:
        for _ in range(10):
            assert admin.post(f"/api/v1/admin/api-tokens/{token_id}/toggle").status_code == 200
            assert c.get("/api/v1/users/me").status_code == 401
            assert admin.post(f"/api/v1/admin/api-tokens/{token_id}/toggle").status_code == 200
            assert c.get("/api/v1/users/me").status_code == 200


def test_an_entry_is_in_the_next_summary(worker):
    c, _ = worker
    project = new_project(c, new_client(c)["id"])
    for n in range(ROUNDS):
        body = {"project_id": project["id"], "start_time": f"2024-05-01T10:{n:02d}:00Z",
                "end_time": f"2024-05-01T10:{n:02d}:30Z"}  # fmt: skip
        assert c.post("/api/v1/time-entries", json=body).status_code == 201
        r = c.get("/api/v1/reports/summary", params={"start_date": "2024-05-01", "end_date": "2024-05-01"})
        assert r.status_code == 200 and r.headers["X-TT-Freshness"] == "current"
        assert r.json()["summary"]["total_entries"] == n + 1


def test_a_decision_that_caught_up_says_so(worker):
    """A miss that caught up answers `current`; a hit needs no catch-up and says nothing."""
    c, _ = worker
    client = new_client(c)
    r = c.post("/api/v1/projects", json={"name": unique("Project"), "client_id": client["id"]})
    assert r.status_code == 201
    hit = c.post("/api/v1/projects", json={"name": unique("Project"), "client_id": client["id"]})
    assert hit.status_code == 201 and "X-TT-Freshness" not in hit.headers
    unknown = c.post("/api/v1/projects", json={"name": unique("Project"), "client_id": 987654321})
    assert unknown.status_code == 400 and unknown.json()["error_code"] == "invalid_client"
    assert unknown.headers["X-TT-Freshness"] == "current"
