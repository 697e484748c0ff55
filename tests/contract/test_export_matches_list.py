"""Two services, one query: reporting's time-entry export is "`GET /api/v1/time-entries`,
unpaginated" (tracking owns the list, each service reads the filters itself). Over a matrix of
filters — each alone, combined, unparseable, for an admin and for a standard user — the export
selects exactly the entries the list pages through, in the same order, or refuses alike."""

from __future__ import annotations

import json
import uuid

import pytest

SCOPES = "read:clients,write:clients,read:projects,write:projects,read:time_entries,write:time_entries,read:reports"
DAYS = ("2031-05-05", "2031-05-06", "2031-05-07")


@pytest.fixture(scope="module")
def world(stack, admin):
    """Entries of two people on two projects over three days: billable and not, a paused
    running timer, times at the edges of the days (app time zone Europe/Rome)."""
    client = admin.post("/api/v1/clients", json={"name": f"Matrix {uuid.uuid4().hex[:6]}"}).json()["client"]
    projects = [
        admin.post("/api/v1/projects", json={"name": f"Matrix {n} {uuid.uuid4().hex[:6]}", "client_id": client["id"]})
        .json()["project"]
        for n in (1, 2)
    ]
    account = {"username": f"m{uuid.uuid4().hex[:10]}", "password": "password-123"}
    worker = admin.post("/api/v1/users", json=account).json()["user"]
    token = admin.post("/api/v1/admin/api-tokens", json={"name": "matrix", "user_id": worker["id"], "scopes": SCOPES})
    token = token.json()["token"]
    me = admin.get("/api/v1/users/me").json()["user"]
    for n, day in enumerate(DAYS):
        for who in (me, worker):
            for hour, project in ((7, projects[0]), (21, projects[1])):  # 07:00Z = 09:00 Rome; 21:00Z = 23:00
                body = {"project_id": project["id"], "user_id": who["id"], "start_time": f"{day}T{hour:02d}:{n}0:00Z",
                        "end_time": f"{day}T{hour:02d}:{n}9:00Z", "billable": hour == 7}  # fmt: skip
                r = admin.post("/api/v1/time-entries", json=body)
                assert r.status_code == 201, r.text
    r = admin.post("/api/v1/time-entries", json={"project_id": projects[0]["id"], "start_time": f"{DAYS[1]}T12:00:00Z"})
    assert r.status_code == 201, r.text  # a running timer: listed only with include_active
    with stack.client(token) as standard:
        yield {"admin": admin, "standard": standard, "me": me, "worker": worker, "projects": projects}
    admin.post("/api/v1/timer/stop")


def matrix(world) -> list[dict[str, str]]:
    p1, p2 = (str(p["id"]) for p in world["projects"])
    bounded = {"start_date": DAYS[0], "end_date": DAYS[-1]}
    return [
        bounded,
        {**bounded, "include_active": "true"},
        {**bounded, "project_id": p1},
        {**bounded, "project_id": p2, "billable": "false"},
        {**bounded, "billable": "true"},
        {**bounded, "billable": "maybe"},  # unparseable: ignored
        {**bounded, "user_id": str(world["worker"]["id"])},
        {**bounded, "user_id": str(world["me"]["id"]), "include_active": "1"},
        {**bounded, "user_id": "abc"},
        {"start_date": DAYS[1], "end_date": DAYS[1]},  # one whole day, date-only end
        {"start_date": f"{DAYS[1]}T08:00:00", "end_date": f"{DAYS[2]}T07:30:00Z", "project_id": p1},
        {"start_date": "not-a-date", "end_date": DAYS[0], "project_id": p2},
        {"start_date": DAYS[2], "end_date": DAYS[0]},  # an empty range
        {"project_id": p1, "include_active": "yes"},
    ]


def listed(c, params: dict[str, str]) -> tuple[int, list[int]]:
    ids, page = [], 1
    while True:
        r = c.get("/api/v1/time-entries", params={**params, "page": page, "per_page": 100})
        if r.status_code != 200:
            return r.status_code, []
        body = r.json()
        ids += [entry["id"] for entry in body["time_entries"]]
        if not body["pagination"]["has_next"]:
            return 200, ids
        page += 1


def exported(c, params: dict[str, str]) -> tuple[int, list[int]]:
    r = c.get("/api/v1/exports/time-entries", params={**params, "format": "jsonl"})
    if r.status_code != 200:
        return r.status_code, []
    assert r.headers["X-TT-Freshness"] == "current"
    return 200, [json.loads(line)["id"] for line in r.text.splitlines()]


@pytest.mark.parametrize("caller", ["admin", "standard"])
def test_the_export_selects_what_the_list_lists(world, caller):
    c = world[caller]
    for params in matrix(world):
        status, ids = listed(c, params)
        assert exported(c, params) == (status, ids), params
    assert listed(c, matrix(world)[0])[1], "the matrix selects something"


def test_another_users_entries_are_refused_alike(world):
    params = {"user_id": str(world["me"]["id"]), "start_date": DAYS[0], "end_date": DAYS[-1]}
    assert listed(world["standard"], params)[0] == exported(world["standard"], params)[0] == 403
