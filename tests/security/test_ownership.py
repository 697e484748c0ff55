"""Ownership matrix (CONVENTIONS §4 and the domain files): user A, a standard user, owns one of
every per-user resource; user B, another standard user with `read:*,write:*`, can neither read
nor change any of them through any route — by id, lists, search, exports, reports, bulk actions,
webhooks, connector settings, token management.

Shared by the spec, and asserted as shared here: tasks (`GET /tasks/{id}` has no visibility
filter, tracking.md §3), client notes by id (crm.md §2: everyone reads, only the author edits),
deals and leads in lists (owner-only by id)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import httpx
import pytest

DAY = "2025-03-10"
HIJACKED = "hijacked-by-b"


@dataclass
class World:
    a: httpx.Client
    b: httpx.Client
    a_user: dict
    b_user: dict
    a_token_id: int
    word: str
    ids: dict[str, int]
    b_project_id: int


def created(r: httpx.Response, key: str) -> dict:
    assert r.status_code in (200, 201), r.text
    return r.json()[key]


@pytest.fixture(scope="module")
def world(api, webhook_receiver, fake_github) -> World:
    word = uuid.uuid4().hex[:12]
    b_user = api.user()
    b_token, _ = api.token(b_user)
    a_user = api.user(github_username=f"gh-{word}")
    a_token, a_token_id = api.token(a_user)
    a, b = api.client(a_token), api.client(b_token)
    ids: dict[str, int] = {}
    for who, client in (("b", b), ("a", a)):
        hook = created(
            client.post(
                "/api/v1/webhooks",
                json={"name": f"{who} hook", "url": f"{webhook_receiver.url}/{who}", "events": ["*"]},
            ),  # fmt: skip
            "webhook",
        )
        api.captured.secrets.add(hook["secret"])
        ids[f"{who}_webhook"] = hook["id"]
    ids["webhook"] = ids.pop("a_webhook")

    ids["client"] = created(a.post("/api/v1/clients", json={"name": f"Client {word}"}), "client")["id"]
    project = {"name": f"Project {word}", "client_id": ids["client"]}
    ids["project"] = created(a.post("/api/v1/projects", json=project), "project")["id"]
    contact = {"first_name": "Ada", "last_name": f"L{word}"}
    ids["contact"] = created(a.post(f"/api/v1/clients/{ids['client']}/contacts", json=contact), "contact")["id"]
    note = {"content": f"note {word}"}
    ids["note"] = created(a.post(f"/api/v1/clients/{ids['client']}/notes", json=note), "note")["id"]
    entry = {"project_id": ids["project"], "start_time": f"{DAY}T09:00:00Z", "end_time": f"{DAY}T10:00:00Z",
             "notes": f"entry {word}"}  # fmt: skip
    ids["entry"] = created(a.post("/api/v1/time-entries", json=entry), "time_entry")["id"]
    task = {"name": f"Task {word}", "project_id": ids["project"]}
    ids["task"] = created(a.post("/api/v1/tasks", json=task), "task")["id"]
    quote = {"client_id": ids["client"], "title": f"Quote {word}"}
    ids["quote"] = created(a.post("/api/v1/quotes", json=quote), "quote")["id"]
    ids["deal"] = created(a.post("/api/v1/deals", json={"name": f"Deal {word}"}), "deal")["id"]
    ids["lead"] = created(a.post("/api/v1/leads", json={"first_name": "Lin", "last_name": f"Q{word}"}), "lead")["id"]
    created(a.post("/api/v1/users/me/favorites/projects", json={"project_id": ids["project"]}), "favorite")
    created(a.post("/api/v1/timer/start", json={"project_id": ids["project"]}), "timer")

    pat = f"ghp-{word}"
    fake_github.add_token(pat, a_user["github_username"])
    api.captured.secrets.add(pat)
    r = a.post("/api/integrations/github/config", json={"github_token": pat, "repo_owner": "acme",
                                                        "repo_name": f"repo-{word}"})  # fmt: skip
    assert r.status_code == 200, r.text
    api.captured.secrets.add(r.json()["webhook_secret"])

    b_client = created(b.post("/api/v1/clients", json={"name": f"B client {uuid.uuid4().hex[:8]}"}), "client")
    b_project = {"name": f"B project {uuid.uuid4().hex[:8]}", "client_id": b_client["id"]}
    b_project = created(b.post("/api/v1/projects", json=b_project), "project")
    world = World(a, b, a_user, b_user, a_token_id, word, ids, b_project["id"])
    yield world
    a.close()
    b.close()


# resource → its path, the answer B gets by id, a change B tries. Quotes: other users' quotes
# are not visible, so every method answers 404.
OWNED = {
    "client": ("/api/v1/clients/{}", 403, {"name": HIJACKED}),
    "project": ("/api/v1/projects/{}", 403, {"name": HIJACKED}),
    "contact": ("/api/v1/contacts/{}", 403, {"first_name": HIJACKED}),
    "entry": ("/api/v1/time-entries/{}", 403, {"notes": HIJACKED}),
    "quote": ("/api/v1/quotes/{}", 404, {"title": HIJACKED}),
    "deal": ("/api/v1/deals/{}", 403, {"name": HIJACKED}),
    "lead": ("/api/v1/leads/{}", 403, {"first_name": HIJACKED}),
    "webhook": ("/api/v1/webhooks/{}", 403, {"name": HIJACKED}),
}


def refused(r: httpx.Response, status: int) -> bool:
    return r.status_code == status and r.json().get("error_code") == ("forbidden" if status == 403 else "not_found")


@pytest.mark.parametrize("kind", sorted(OWNED))
def test_b_can_neither_read_nor_change_nor_delete_it_by_id(world, kind):
    path, status, change = OWNED[kind]
    url = path.format(world.ids[kind])
    before = world.a.get(url)
    assert before.status_code == 200, before.text
    for method, body in (("GET", None), ("PUT", change), ("PATCH", change), ("DELETE", None)):
        r = world.b.request(method, url, json=body)
        assert refused(r, status), (method, url, r.status_code, r.text)
    after = world.a.get(url)
    assert after.status_code == 200 and HIJACKED not in after.text
    assert after.json() == before.json()


def test_b_cannot_change_or_delete_the_client_note_but_reads_it_as_the_spec_says(world):
    url = f"/api/v1/client-notes/{world.ids['note']}"
    assert world.b.get(url).status_code == 200  # crm.md §2: notes by id are readable by all
    for method in ("PUT", "PATCH", "DELETE"):
        r = world.b.request(method, url, json={"content": HIJACKED} if method != "DELETE" else None)
        assert refused(r, 403), (method, r.status_code, r.text)
    assert world.a.get(url).json()["note"]["content"] == f"note {world.word}"


def test_tasks_are_shared_by_id_as_the_spec_says(world):
    r = world.b.get(f"/api/v1/tasks/{world.ids['task']}")
    assert r.status_code == 200  # tracking.md §3.2: no visibility filter on tasks by id


def test_under_as_client_b_can_neither_list_nor_add(world):
    client = world.ids["client"]
    for path, body in ((f"/api/v1/clients/{client}/contacts", {"first_name": "X", "last_name": HIJACKED}),
                       (f"/api/v1/clients/{client}/notes", {"content": HIJACKED})):  # fmt: skip
        assert refused(world.b.get(path), 403), path
        assert refused(world.b.post(path, json=body), 403), path
    assert HIJACKED not in world.a.get(f"/api/v1/clients/{client}/contacts").text


def ids_of(r: httpx.Response, key: str) -> list[int]:
    assert r.status_code == 200, r.text
    return [row["id"] for row in r.json()[key]]


def test_bs_lists_leave_out_as_resources(world):
    ids, b = world.ids, world.b
    listed = {
        "client": ids_of(b.get("/api/v1/clients", params={"per_page": 100}), "clients"),
        "project": ids_of(b.get("/api/v1/projects", params={"per_page": 100}), "projects"),
        "entry": ids_of(b.get("/api/v1/time-entries", params={"per_page": 100}), "time_entries"),
        "quote": ids_of(b.get("/api/v1/quotes", params={"per_page": 100}), "quotes"),
        "webhook": ids_of(b.get("/api/v1/webhooks", params={"per_page": 100}), "webhooks"),
    }
    assert {kind: ids[kind] in found for kind, found in listed.items()} == dict.fromkeys(listed, False)
    assert world.b_project_id in listed["project"]  # the list works: B's own project is there
    assert ids_of(b.get("/api/v1/leads", params={"search": world.word}), "leads") == [ids["lead"]]  # shared list
    favorites = b.get("/api/v1/users/me/favorites/projects").json()["favorites"]
    assert ids["project"] not in [f["project_id"] for f in favorites]
    r = b.get("/api/v1/time-entries", params={"user_id": world.a_user["id"]})
    assert refused(r, 403)
    assert refused(b.get("/api/v1/reports/summary", params={"user_id": world.a_user["id"]}), 403)
    assert refused(b.get(f"/api/v1/webhooks/{ids['webhook']}/deliveries"), 403)
    assert refused(b.post(f"/api/v1/webhooks/{ids['webhook']}/test"), 403)


def wait_for(check, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while not (found := check()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


def test_search_exports_and_reports_show_b_nothing_of_as(world):
    a, b, word = world.a, world.b, world.word
    hits = wait_for(lambda: {h["type"] for h in a.get("/api/v1/search", params={"q": word}).json()["results"]}
                    >= {"project", "client", "entry", "task"})  # fmt: skip
    assert hits, "A's own search never found A's resources"
    r = b.get("/api/v1/search", params={"q": word})
    assert r.status_code == 200 and r.json()["results"] == [], r.text
    day = {"start_date": DAY, "end_date": DAY}
    assert wait_for(lambda: a.get("/api/v1/reports/summary", params=day).json()["summary"]["total_entries"] == 1)
    assert b.get("/api/v1/reports/summary", params=day).json()["summary"]["total_entries"] == 0
    for fmt in ("csv", "jsonl"):
        mine = a.get("/api/v1/exports/time-entries", params={**day, "format": fmt})
        assert mine.status_code == 200 and word in mine.text
        theirs = b.get("/api/v1/exports/time-entries", params={**day, "format": fmt})
        assert theirs.status_code == 200 and word not in theirs.text
    payroll = b.get("/api/v1/exports/payroll", params=day)
    assert payroll.status_code == 200 and world.a_user["username"] not in payroll.text


def test_bs_bulk_actions_on_as_entry_are_refused_and_change_nothing(world):
    url = f"/api/v1/time-entries/{world.ids['entry']}"
    before = world.a.get(url).json()
    for action, value in (("set_billable", True), ("add_tag", HIJACKED), ("delete", None)):
        r = world.b.post("/api/v1/time-entries/bulk", json={"entry_ids": [world.ids["entry"]], "action": action,
                                                             "value": value})  # fmt: skip
        assert refused(r, 403), (action, r.status_code, r.text)
    assert world.a.get(url).json() == before


def test_bs_timer_is_bs_own(world):
    assert world.b.get("/api/v1/timer/status").json() == {"active": False, "timer": None}
    assert world.b.post("/api/v1/timer/stop").status_code >= 400
    assert world.a.get("/api/v1/timer/status").json()["active"] is True


def test_bs_webhook_never_receives_as_events(world, webhook_receiver):
    def received(who: str) -> list[str]:
        return [r.body.decode() for r in webhook_receiver.received(f"/{who}")]

    # A's hook got A's last write and B's got B's project: both deliveries have run by now
    assert wait_for(lambda: any(world.word in body for body in received("a")))
    assert wait_for(lambda: any(str(world.b_project_id) in body for body in received("b")))
    assert wait_for(lambda: any("time_entry.started" in body for body in received("a")))
    leaked = [body for body in received("b") if world.word in body or world.a_user["username"] in body]
    assert not leaked, leaked


def test_bs_connector_settings_are_bs_own(world):
    status = world.b.get("/api/integrations/github/status")
    assert status.status_code == 200 and status.json()["connected"] is False
    assert world.word not in status.text
    assert world.a.get("/api/integrations/github/status").json()["connected"] is True


def test_b_cannot_manage_as_token_even_with_admin_all(api, world):
    token, _ = api.token(world.b_user, "admin:all")
    with api.client(token) as b:
        assert refused(b.get("/api/v1/admin/api-tokens"), 403)
        assert refused(b.post(f"/api/v1/admin/api-tokens/{world.a_token_id}/toggle"), 403)
        assert refused(b.delete(f"/api/v1/admin/api-tokens/{world.a_token_id}"), 403)
    assert world.a.get("/api/v1/users/me").status_code == 200
