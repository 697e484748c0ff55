"""The reporting service through the gateway: reports that follow writes at once, stay exact
under updates, deletes and a replayed stream, a rebuild that changes nothing, the global search
over the live services, and exports that match the list endpoint."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import nats
import pytest

from tests.e2e.test_tracking import eventually, unique  # noqa: F401 - shared helpers

REPO = Path(__file__).resolve().parents[2]
SCOPES = "read:clients,write:clients,read:projects,write:projects,read:time_entries,write:time_entries,read:reports"
MARCH = {"start_date": "2025-03-01", "end_date": "2025-03-31"}


@pytest.fixture
def worker(stack, make_token):
    token, _, user = make_token(SCOPES)
    with stack.client(token) as c:
        yield c, user


@pytest.fixture
def project(worker):
    c, _ = worker
    client = c.post("/api/v1/clients", json={"name": unique("Client")}).json()["client"]
    r = c.post("/api/v1/projects", json={"name": unique("Project"), "client_id": client["id"], "hourly_rate": 100})
    assert r.status_code == 201, r.text
    return r.json()["project"]


def add_entry(c, project_id: int, day: int, start: str, end: str, **fields) -> dict:
    body = {"project_id": project_id, "start_time": f"2025-03-{day:02d}T{start}:00Z",
            "end_time": f"2025-03-{day:02d}T{end}:00Z", **fields}  # fmt: skip
    r = c.post("/api/v1/time-entries", json=body)
    assert r.status_code == 201, r.text
    return r.json()["time_entry"]


def summary(c, fresh: bool = True, **params) -> dict | None:
    """The March summary; None when `fresh` is False and the service could not confirm it has
    applied every write yet (while it replays the stream)."""
    r = c.get("/api/v1/reports/summary", params={**MARCH, **params})
    assert r.status_code == 200, r.text
    if r.headers["X-TT-Freshness"] != "current":
        assert not fresh, r.headers
        return None
    return r.json()["summary"]


def reporting_cli(stack, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "reporting.cli", *args],
        env={**os.environ, **stack.reporting_env},
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


class TestSummary:
    def test_every_acknowledged_write_is_in_the_next_report(self, worker, project):
        c, _ = worker
        for n in range(1, 11):
            add_entry(c, project["id"], n, "09:00", "09:30")
            got = summary(c)
            assert (got["total_entries"], got["total_hours"]) == (n, n * 0.5)
        assert got["by_project"] == [
            {"project_id": project["id"], "project_name": project["name"], "hours": 5.0, "entries": 10}
        ]

    def test_updates_and_deletes_move_the_numbers(self, worker, project):
        c, _ = worker
        kept = add_entry(c, project["id"], 3, "08:00", "10:00")
        moved = add_entry(c, project["id"], 4, "08:00", "09:00", billable=False)
        assert (summary(c)["total_hours"], summary(c)["billable_hours"]) == (3.0, 2.0)
        r = c.put(f"/api/v1/time-entries/{moved['id']}", json={"start_time": "2025-04-02T08:00:00Z",
                                                               "end_time": "2025-04-02T08:45:00Z"})  # fmt: skip
        assert r.status_code == 200, r.text
        assert summary(c)["total_hours"] == 2.0
        april = summary(c, start_date="2025-04-01", end_date="2025-04-30")
        assert (april["total_hours"], april["billable_hours"]) == (0.75, 0.0)
        assert c.delete(f"/api/v1/time-entries/{kept['id']}").status_code == 200
        assert summary(c)["total_entries"] == 0

    def test_a_non_admin_cannot_report_on_someone_else(self, worker, admin):
        c, user = worker
        r = c.get("/api/v1/reports/summary", params={"user_id": user["id"] + 1})
        assert r.status_code == 403 and r.json()["error"] == "Access denied"
        mine = c.get("/api/v1/reports/summary", params={"user_id": user["id"]})
        assert mine.status_code == 200

    def test_an_admin_reports_on_any_user(self, worker, project, admin):
        c, user = worker
        add_entry(c, project["id"], 12, "10:00", "11:15")
        theirs = admin.get("/api/v1/reports/summary", params={**MARCH, "user_id": user["id"]}).json()["summary"]
        assert (theirs["total_entries"], theirs["total_hours"]) == (1, 1.25)


class TestExactness:
    def test_a_replayed_stream_changes_nothing_and_rebuild_equals_incremental(self, stack, infra_urls, worker, project):
        c, _ = worker
        first = add_entry(c, project["id"], 20, "09:00", "10:10")
        add_entry(c, project["id"], 21, "09:00", "09:20", billable=False)
        c.put(f"/api/v1/time-entries/{first['id']}", json={"end_time": "2025-03-20T11:00:00Z"})
        before = summary(c)
        assert (before["total_hours"], before["billable_hours"]) == (2.33, 2.0)

        # Every event is delivered again: a new durable starts from the session's start.
        durable = stack.reporting_env["TT_NATS_DURABLE_PREFIX"] + "reporting-tracking"

        async def drop_durable() -> None:
            nc = await nats.connect(infra_urls["nats"])
            try:
                await nc.jetstream().delete_consumer("TT", durable)
            finally:
                await nc.close()

        asyncio.run(drop_durable())
        c.post("/api/v1/time-entries", json={"project_id": project["id"], "start_time": "2025-03-25T09:00:00Z",
                                             "end_time": "2025-03-25T09:06:00Z"})  # fmt: skip
        after = eventually(lambda: (s := summary(c, fresh=False)) and s["total_entries"] == 3 and s, timeout=30)
        assert after and (after["total_hours"], after["billable_hours"]) == (2.43, 2.1)

        assert reporting_cli(stack, "verify")["differences"] == {
            "day_totals": 0,
            "month_totals": 0,
            "project_day_totals": 0,
            "project_month_totals": 0,
        }
        replayed = reporting_cli(stack, "verify", "--from-stream")
        assert replayed["events"] > 0
        assert set(replayed["differences"].values()) == {0}, replayed
        reporting_cli(stack, "rebuild")
        assert summary(c) == after


class TestSearch:
    def test_search_spans_projects_clients_and_entries_of_the_caller(self, worker, project):
        c, _ = worker
        word = uuid.uuid4().hex[:10]
        client = c.post("/api/v1/clients", json={"name": f"Client {word}"}).json()["client"]
        add_entry(c, project["id"], 28, "09:00", "10:00", notes=f"call about {word}")
        r = c.get("/api/v1/search", params={"q": word})
        assert r.status_code == 200, r.text
        body = r.json()
        assert (body["partial"], body["errors"], body["query"]) == (False, {}, word)
        assert [(hit["type"], hit["id"]) for hit in body["results"]] == [("client", client["id"]), ("entry", hit_id(c))]
        assert body["count"] == 2

    def test_short_query_is_the_specs_400(self, worker):
        c, _ = worker
        r = c.get("/api/v1/search", params={"q": " a "})
        assert r.status_code == 400
        assert r.json()["error_code"] == "validation_error" and r.json()["results"] == []


def hit_id(c) -> int:
    entries = c.get("/api/v1/time-entries", params={"start_date": "2025-03-28", "end_date": "2025-03-28"})
    return entries.json()["time_entries"][0]["id"]


class TestExports:
    def test_an_export_of_a_filtered_range_matches_the_list(self, worker, project):
        c, _ = worker
        for day in (5, 6, 7, 8):
            add_entry(c, project["id"], day, "13:00", "14:30", notes=f"day {day}", billable=day % 2 == 0)
        params = {"start_date": "2025-03-06", "end_date": "2025-03-07", "project_id": project["id"]}
        listed = c.get("/api/v1/time-entries", params={**params, "per_page": 100}).json()["time_entries"]
        assert len(listed) == 2
        lines = c.get("/api/v1/exports/time-entries", params={**params, "format": "jsonl"})
        assert lines.status_code == 200, lines.text
        exported = [json.loads(line) for line in lines.text.splitlines() if line]
        keys = ("id", "start_time", "end_time", "duration_seconds", "notes", "billable", "project")
        assert [{k: e[k] for k in keys} for e in exported] == [{k: e[k] for k in keys} for e in listed]
        table = c.get("/api/v1/exports/time-entries", params=params)
        rows = list(csv.DictReader(io.StringIO(table.text)))
        assert [int(row["id"]) for row in rows] == [e["id"] for e in listed]


class TestDashboards:
    """The legacy session surfaces through the gateway, authenticated by token (CONVENTIONS §13)."""

    def test_value_dashboard_follows_writes_and_values_them_at_the_project_rate(self, worker, project):
        c, _ = worker
        add_entry(c, project["id"], 10, "09:00", "10:30")
        for path in ("/api/stats/value-dashboard", "/api/v1/reports/value-dashboard"):
            r = c.get(path)
            assert r.status_code == 200, r.text
            body = r.json()
            assert (body["total_hours"], body["entries_count"], body["active_days"]) == (1.5, 1, 1)
            assert (body["estimated_value_tracked"], body["estimated_value_currency"]) == (150.0, "EUR")
            assert len(body["last_7_days"]) == 7

    def test_legacy_paths_need_a_token(self, stack):
        for path in ("/api/stats/value-dashboard", "/api/productivity/stats", "/api/search?q=abc"):
            r = httpx.get(stack.gateway_url + path)
            assert r.status_code == 401 and r.json()["error_code"] == "unauthorized", path

    def test_forecast_of_own_project_and_refusal_of_anothers(self, worker, project, make_token, stack):
        c, _ = worker
        add_entry(c, project["id"], 11, "09:00", "11:00")
        r = c.get(f"/api/projects/{project['id']}/forecast")
        assert r.status_code == 200, r.text
        assert r.json()["ok"] is True and r.json()["forecast"]["total_logged_hours"] == 2.0
        token, _, _ = make_token(SCOPES)
        other = httpx.get(f"{stack.gateway_url}/api/projects/{project['id']}/forecast",
                          headers={"Authorization": f"Bearer {token}"})  # fmt: skip
        assert other.status_code == 403 and other.json() == {"ok": False, "error": "Access denied"}

    def test_suggestions_come_from_recent_work_with_deprecation_headers(self, worker, project):
        c, _ = worker
        add_entry(c, project["id"], 12, "09:00", "10:00", notes="weekly sync")
        r = c.get("/api/ai/suggest")
        assert r.status_code == 200 and r.headers["X-API-Deprecated"] == "true"
        assert r.json()["ok"] is True

    def test_payroll_export_through_the_gateway(self, worker, project):
        c, user = worker
        add_entry(c, project["id"], 3, "09:00", "11:00")  # Monday of ISO week 10
        add_entry(c, project["id"], 4, "09:00", "09:30", billable=False)
        r = c.get("/api/v1/exports/payroll", params=MARCH)
        assert r.status_code == 200, r.text
        assert r.headers["content-disposition"] == "attachment; filename=payroll_export_2025-03-01_2025-03-31.csv"
        rows = list(csv.reader(io.StringIO(r.text)))
        assert rows[1] == [str(user["id"]), user["username"], "2025", "10", "2025-03-03", "2025-03-09",
                           "2.5", "2.0", "0.5"]  # fmt: skip
        assert c.get("/api/v1/exports/payroll").status_code == 400
