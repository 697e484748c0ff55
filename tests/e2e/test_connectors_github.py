"""The GitHub connector through the gateway (integrations.md §3), against a local fake GitHub:
a user saves settings with any token of theirs, GitHub's signed deliveries become tasks in
tracking, a replayed delivery changes nothing, and no secret is ever answered or logged."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fakes.server import Answer

from integrations.github.rules import sign

WEBHOOK = "/api/integrations/github/webhook"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


# connector routes need no scope; these are for the project, client and reads the tests make
SCOPES = "read:projects,write:projects,read:clients,write:clients,read:tasks,read:time_entries"


def make_project(c: httpx.Client) -> dict:
    client = c.post("/api/v1/clients", json={"name": unique("GitHub client")})
    assert client.status_code == 201, client.text
    r = c.post("/api/v1/projects", json={"name": unique("GitHub project"), "client_id": client.json()["client"]["id"]})
    assert r.status_code == 201, r.text
    return r.json()["project"]


@pytest.fixture
def owner(stack, make_token, make_user):
    """A user with a token of theirs and a project."""
    user = make_user(github_username=unique("gh-owner"))
    token, _, _ = make_token(SCOPES, user=user)
    with stack.client(token) as c:
        yield c, user, make_project(c)


@pytest.fixture
def connected(owner, fake_github):
    """The owner's GitHub integration: a token the fake knows, a repository, a default project."""
    c, user, project = owner
    pat, repo = unique("ghp"), unique("repo")
    fake_github.add_token(pat, user["github_username"])
    r = c.post("/api/integrations/github/config", json={"github_token": pat, "repo_owner": "acme", "repo_name": repo,
                                                        "default_project_id": project["id"]})  # fmt: skip
    assert r.status_code == 200, r.text
    return c, user, project, {"pat": pat, "repo": repo, "secret": r.json()["webhook_secret"]}


def deliver(stack, secret: str | None, event: str, payload: dict, *, delivery: str | None = None, signature=None):
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json", "X-GitHub-Event": event,
               "X-GitHub-Delivery": delivery or str(uuid.uuid4())}  # fmt: skip
    if signature is not None or secret is not None:
        headers["X-Hub-Signature-256"] = signature if signature is not None else sign(secret, body)
    return httpx.post(stack.gateway_url + WEBHOOK, content=body, headers=headers, timeout=10)


def issue(number: int, title: str = "Crash on save", **fields) -> dict:
    return {"number": number, "title": title, "body": "Steps to reproduce", "labels": [], **fields}


def tasks_of(c, project_id: int) -> list[dict]:
    r = c.get("/api/v1/tasks", params={"project_id": project_id, "per_page": 100})
    assert r.status_code == 200, r.text
    return r.json()["tasks"]


class TestSettings:
    def test_the_first_save_generates_a_webhook_secret_shown_once(self, owner):
        c, _, project = owner
        r = c.post("/api/integrations/github/config", json={"repo_owner": "acme", "repo_name": " "})
        assert r.status_code == 200
        assert r.json()["ok"] is True and r.json()["is_active"] is False
        assert len(r.json()["webhook_secret"]) == 43
        again = c.post("/api/integrations/github/config", data={"default_project_id": str(project["id"])})
        assert again.status_code == 200 and "webhook_secret" not in again.json()
        status = c.get("/api/integrations/github/status").json()
        assert status["connected"] is False and status["has_webhook_secret"] is True
        assert status["repo_owner"] == "acme" and status["repo_name"] is None
        assert status["default_project_id"] == project["id"]
        assert status["webhook_url"] == stack_url(c) + WEBHOOK
        assert r.json()["webhook_secret"] not in json.dumps(status)

    def test_status_without_a_row_is_not_connected(self, owner):
        c, _, _ = owner
        assert c.get("/api/integrations/github/status").json() == {"ok": True, "connected": False}

    def test_test_and_sync_without_a_row_are_404_in_both_shapes(self, owner):
        c, _, _ = owner
        r = c.post("/api/integrations/github/test")
        assert r.status_code == 404
        body = r.json()
        assert body["ok"] is False and body["error"] == "Integration not configured"
        assert body["success"] is False and body["error_code"] == "not_found"

    def test_a_blank_token_keeps_the_stored_one_and_an_invalid_project_is_null(self, connected):
        c, _, _, _ = connected
        r = c.post("/api/integrations/github/config", json={"github_token": "  ", "default_project_id": "abc"})
        assert r.json() == {"ok": True, "is_active": True}
        assert c.get("/api/integrations/github/status").json()["default_project_id"] is None

    def test_any_token_of_the_user_will_do_no_scope_is_needed(self, stack, make_token):
        token, _, user = make_token("read:mileage")
        with stack.client(token) as c:
            assert c.post("/api/integrations/github/config", json={"repo_owner": "acme"}).status_code == 200
            assert c.get("/api/integrations/github/status").json()["repo_owner"] == "acme"

    def test_without_a_token_the_routes_are_401(self, stack):
        r = httpx.get(stack.gateway_url + "/api/integrations/github/status")
        assert r.status_code == 401 and r.json()["error_code"] == "unauthorized"


def stack_url(c: httpx.Client) -> str:
    return str(c.base_url).rstrip("/")


class TestConnectionTest:
    def test_a_valid_token_names_the_github_login(self, connected):
        c, user, _, _ = connected
        assert c.post("/api/integrations/github/test").json() == {
            "success": True,
            "message": f"Connected as {user['github_username']}",
        }

    def test_a_rejected_token_reports_githubs_status(self, connected):
        c, _, _, _ = connected
        c.post("/api/integrations/github/config", json={"github_token": unique("revoked")})
        assert c.post("/api/integrations/github/test").json() == {
            "success": False,
            "message": "GitHub returned HTTP 401",
        }

    def test_a_rate_limit_is_retried(self, connected, fake_github):
        c, user, _, _ = connected
        fake_github.fail_next("/user", Answer(429, {"message": "rate limited"}, {"Retry-After": "0"}))
        assert c.post("/api/integrations/github/test").json()["success"] is True


class TestWebhookReceiver:
    @pytest.mark.parametrize("signature", ["", "sha256=" + "0" * 64, "sha1=abc", "bad"])
    def test_a_bad_or_missing_signature_is_401_and_changes_nothing(self, stack, connected, signature):
        c, _, project, keys = connected
        payload = {"action": "opened", "issue": issue(901)}
        r = deliver(stack, None, "issues", payload, signature=signature or None)
        assert r.status_code == 401
        assert r.json()["ok"] is False and r.json()["error"] == "No matching GitHub integration"
        assert r.json()["error_code"] == "unauthorized"
        assert tasks_of(c, project["id"]) == []

    def test_a_body_signed_with_another_secret_is_401(self, stack, connected):
        c, _, project, _ = connected
        r = deliver(stack, unique("other-secret"), "issues", {"action": "opened", "issue": issue(902)})
        assert r.status_code == 401
        assert tasks_of(c, project["id"]) == []

    def test_a_malformed_payload_is_400(self, stack, connected):
        r = httpx.post(stack.gateway_url + WEBHOOK, content=b"[1, 2]", headers={"X-GitHub-Event": "issues"})
        assert r.status_code == 400 and r.json()["error"] == "Malformed payload"

    def test_ping_and_unhandled_events(self, stack, connected):
        _, _, _, keys = connected
        assert deliver(stack, keys["secret"], "ping", {"zen": "Keep it simple"}).json() == {
            "ok": True,
            "message": "Webhook received",
        }
        push = deliver(stack, keys["secret"], "push", {"ref": "main"})
        assert push.status_code == 422 and push.json()["error"] == "Unhandled event: push"
        edited = deliver(stack, keys["secret"], "issues", {"action": "edited", "issue": issue(3)})
        assert edited.status_code == 422 and edited.json()["error"] == "Unhandled action: edited"
        malformed = deliver(stack, keys["secret"], "issues", {"action": "opened", "issue": {"title": "x"}})
        assert malformed.status_code == 400 and malformed.json()["error"] == "Malformed issue payload"
        odd_action = deliver(stack, keys["secret"], "issues", {"action": ["opened"], "issue": issue(4)})
        assert odd_action.status_code == 400 and odd_action.json()["error"] == "Malformed issue payload"

    def test_an_opened_issue_is_one_task_a_replay_changes_nothing_and_closing_completes_it(self, stack, connected):
        c, user, project, keys = connected
        payload = {"action": "opened", "issue": issue(42, labels=[{"name": "bug"}])}
        delivery = str(uuid.uuid4())
        first = deliver(stack, keys["secret"], "issues", payload, delivery=delivery)
        assert first.status_code == 200, first.text
        task_id = first.json()["task_id"]
        (task,) = tasks_of(c, project["id"])  # visible on the very next request
        assert task["id"] == task_id and task["name"] == "Crash on save" and task["priority"] == "high"
        assert task["status"] == "todo" and task["description"] == "Steps to reproduce"
        assert task["created_by"] == user["id"]

        replay = deliver(stack, keys["secret"], "issues", payload, delivery=delivery)
        assert replay.status_code == 200 and replay.json() == first.json()
        again = deliver(stack, keys["secret"], "issues", payload)  # a new delivery of the same issue
        assert again.json() == {"ok": True, "skipped": True, "task_id": task_id}
        assert len(tasks_of(c, project["id"])) == 1

        closed = deliver(stack, keys["secret"], "issues", {"action": "closed", "issue": issue(42)})
        assert closed.json() == {"ok": True, "task_id": task_id}
        assert tasks_of(c, project["id"])[0]["status"] == "done"

    def test_concurrent_replays_of_one_delivery_make_one_task(self, stack, connected):
        c, _, project, keys = connected
        payload, delivery = {"action": "opened", "issue": issue(77)}, str(uuid.uuid4())
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda _: deliver(stack, keys["secret"], "issues", payload, delivery=delivery),
                                    range(8)))  # fmt: skip
        assert {r.status_code for r in answers} == {200}
        assert len({r.json()["task_id"] for r in answers}) == 1
        assert len(tasks_of(c, project["id"])) == 1

    def test_closing_an_unknown_issue_is_skipped(self, stack, connected):
        _, _, _, keys = connected
        r = deliver(stack, keys["secret"], "issues", {"action": "closed", "issue": issue(987654321)})
        assert r.json() == {"ok": True, "skipped": "task not found"}

    def test_an_assigned_issue_starts_the_mapped_users_timer(self, stack, connected, make_token):
        c, user, project, keys = connected
        c.post("/api/integrations/github/config", json={"auto_start_timer": True})
        payload = {"action": "assigned", "issue": issue(5, title="Fix login"),
                   "assignee": {"login": user["github_username"].upper()}}  # fmt: skip
        r = deliver(stack, keys["secret"], "issues", payload)
        assert r.json() == {"ok": True, "result": "Timer started successfully"}
        status = c.get("/api/v1/timer/status").json()
        assert status["active"] is True
        assert status["timer"]["project_id"] == project["id"]
        assert status["timer"]["notes"] == "GitHub issue #5: Fix login"
        # a second assignment: the single-active-timer rule answers, ok is false
        second = deliver(stack, keys["secret"], "issues", payload)
        assert second.status_code == 200 and second.json()["ok"] is False

    def test_assignment_skips(self, stack, connected):
        c, _, _, keys = connected
        payload = {"action": "assigned", "issue": issue(6), "assignee": {"login": "nobody-" + uuid.uuid4().hex}}
        assert deliver(stack, keys["secret"], "issues", payload).json() == {
            "ok": True,
            "skipped": "auto_start_timer disabled",
        }
        c.post("/api/integrations/github/config", json={"auto_start_timer": "on"})
        login = payload["assignee"]["login"]
        assert deliver(stack, keys["secret"], "issues", payload).json() == {
            "ok": True,
            "skipped": f"no TimeTracker user mapped to '{login}'",
        }
        assert deliver(stack, keys["secret"], "issues", {"action": "assigned", "issue": issue(6)}).json() == {
            "ok": True,
            "skipped": "no assignee login",
        }


class TestManualSync:
    def test_non_admins_are_refused(self, connected):
        c, _, _, _ = connected
        r = c.post("/api/integrations/github/sync")
        assert r.status_code == 403 and r.json()["error"] == "Admin only" and r.json()["ok"] is False

    def test_an_admin_upserts_open_issues_as_tasks(self, stack, make_token, make_user, fake_github):
        admin_user = make_user(role="admin")
        token, _, _ = make_token(SCOPES, user=admin_user)
        with stack.client(token) as c:
            project = make_project(c)
            pat, repo = unique("ghp"), unique("repo")
            fake_github.add_token(pat, "admin-login")
            fake_github.issues[("acme", repo)] = [
                issue(1, "First", labels=[{"name": "Sync"}, {"name": "enhancement"}]),
                issue(2, "A pull request", labels=[{"name": "sync"}], pull_request={"url": "x"}),
                issue(3, "Unlabelled"),
                issue(4, "Second", labels=[{"name": "SYNC"}]),
            ]
            settings = {"github_token": pat, "repo_owner": "acme", "repo_name": repo,
                        "default_project_id": project["id"], "label_filter": "sync"}  # fmt: skip
            c.post("/api/integrations/github/config", json=settings)
            r = c.post("/api/integrations/github/sync")
            assert r.json() == {"ok": True, "synced": 2, "updated": 0, "skipped": 2, "errors": []}
            names = sorted((t["name"], t["priority"]) for t in tasks_of(c, project["id"]))
            assert names == [("First", "medium"), ("Second", "low")]

            fake_github.issues[("acme", repo)][0]["title"] = "First, renamed"
            again = c.post("/api/integrations/github/sync").json()
            assert again == {"ok": True, "synced": 0, "updated": 2, "skipped": 2, "errors": []}
            assert sorted(t["name"] for t in tasks_of(c, project["id"])) == ["First, renamed", "Second"]
            assert c.get("/api/integrations/github/status").json()["last_sync_at"] is not None

            (listing,) = [q for q in fake_github.received(f"/repos/acme/{repo}/issues")][:1]
            assert listing.query == {"state": "open", "per_page": "50"}
            assert listing.headers["authorization"] == f"token {pat}"
            assert listing.headers["user-agent"] == "TimeTracker-GitHubConnector"

    def test_missing_settings_are_results(self, stack, make_token, make_user, fake_github):
        token, _, _ = make_token("read:projects", user=make_user(role="admin"))
        with stack.client(token) as c:
            c.post("/api/integrations/github/config", json={"repo_owner": "acme"})
            not_ready = c.post("/api/integrations/github/sync").json()
            assert not_ready == {"ok": False, "error": "Integration not configured"}
            c.post("/api/integrations/github/config", json={"github_token": unique("ghp")})
            assert c.post("/api/integrations/github/sync").json()["error"] == "repo_owner and repo_name are required"
            c.post("/api/integrations/github/config", json={"repo_name": "r"})
            assert c.post("/api/integrations/github/sync").json()["error"] == "default_project_id is required"


def test_no_secret_is_answered_or_logged(stack, owner, fake_github):
    c, user, project = owner
    pat = unique("ghp_secret")
    fake_github.add_token(pat, user["github_username"])
    saved = c.post("/api/integrations/github/config", json={"github_token": pat, "default_project_id": project["id"]})
    secret = saved.json()["webhook_secret"]
    answers = [
        c.get("/api/integrations/github/status").text,
        c.post("/api/integrations/github/test").text,
        deliver(stack, secret, "issues", {"action": "opened", "issue": issue(11)}).text,
        deliver(stack, "wrong", "issues", {"action": "opened", "issue": issue(12)}).text,
    ]
    logged = stack.integrations_log.read_text(errors="replace")
    for value in (pat, secret):
        assert all(value not in answer for answer in answers)
        assert value not in logged
