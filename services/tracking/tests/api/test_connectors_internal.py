"""`/internal/connectors/*`: what the integrations service's connectors (GitHub, Slack, Google
Calendar) call in tracking, with a platform identity carrying the connector's owner
(integrations.md §3–§5)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared.testing.fixtures import identity_headers
from tracking.models import Task, TimeEntry

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TASK = "tt.tracking.task."


@pytest.fixture
def owner_id(next_user_id) -> int:
    return next_user_id()


@pytest.fixture
def as_owner(identity_codec, owner_id):
    """Identity headers of the integrations service acting for a connector's owner."""

    def make(user_id: int | None = owner_id, *, role: str = "user", **fields) -> dict[str, str]:
        fields.setdefault("username", None if user_id is None else f"user{user_id}")
        return identity_headers(
            identity_codec, user_id=user_id, role=role, is_admin=role == "admin", service="integrations", **fields
        )

    return make


@pytest.fixture
def call(client, as_owner):
    def run(method: str, path: str, *, headers=None, **kwargs):
        return client.request(method, f"/internal/connectors{path}", headers=headers or as_owner(), **kwargs)

    return run


def ok(response) -> dict:
    assert response.status_code == 200, response.text
    return response.json()


def types(outbox_events, prefix: str = "") -> list[str]:
    return [e["type"].removeprefix(prefix) for e in outbox_events() if e["type"].startswith(prefix)]


def upsert_body(project_id: int, ref: str = "github_issue_7", **overrides) -> dict:
    body = {
        "project_id": project_id,
        "external_ref": ref,
        "name": "Fix the login",
        "description": "It breaks",
        "priority": "high",
        "update_existing": True,
    }
    return body | overrides


class TestUpsertTask:
    def test_missing_task_is_created_todo_by_the_owner(self, call, make_project, owner_id, session, outbox_events):
        project = make_project()
        out = ok(call("POST", "/tasks/upsert", json=upsert_body(project.id)))
        assert out == {"task_id": out["task_id"], "created": True, "updated": False}
        task = session.get(Task, out["task_id"])
        assert (task.project_id, task.external_ref, task.name, task.description) == (
            project.id, "github_issue_7", "Fix the login", "It breaks",
        )  # fmt: skip
        assert (task.status, task.priority, task.created_by) == ("todo", "high", owner_id)
        assert types(outbox_events) == [TASK + "created"]
        event = outbox_events()[0]
        assert event["entity_id"] == str(task.id)
        assert event["data"]["id"] == task.id and event["data"]["status"] == "todo"
        assert event["actor"]["user_id"] == owner_id

    def test_existing_task_is_updated_status_untouched(self, call, make_project, make_task, session, outbox_events):
        project = make_project()
        task = make_task(project, external_ref="github_issue_7", status="in_progress", priority="low")
        out = ok(call("POST", "/tasks/upsert", json=upsert_body(project.id, description=None)))
        assert out == {"task_id": task.id, "created": False, "updated": True}
        session.refresh(task)
        assert (task.name, task.description, task.priority, task.status) == (
            "Fix the login", None, "high", "in_progress",
        )  # fmt: skip
        assert types(outbox_events) == [TASK + "updated"]
        assert outbox_events()[0]["data"]["name"] == "Fix the login"

    def test_unchanged_task_emits_nothing(self, call, make_project, make_task, outbox_events):
        project = make_project()
        task = make_task(project, external_ref="r1", name="Same", description="Body", priority="urgent")
        body = upsert_body(project.id, "r1", name="Same", description="Body", priority="urgent")
        assert ok(call("POST", "/tasks/upsert", json=body)) == {"task_id": task.id, "created": False, "updated": False}
        assert outbox_events() == []

    def test_without_update_existing_the_task_is_left_alone(
        self, call, make_project, make_task, session, outbox_events
    ):
        project = make_project()
        task = make_task(project, external_ref="r2", name="Old")
        out = ok(call("POST", "/tasks/upsert", json=upsert_body(project.id, "r2", update_existing=False)))
        assert out == {"task_id": task.id, "created": False, "updated": False}
        session.refresh(task)
        assert task.name == "Old" and outbox_events() == []

    def test_the_ref_is_looked_up_in_that_project_only(self, call, make_project, make_task, outbox_events):
        elsewhere = make_task(make_project(), external_ref="github_issue_7")
        out = ok(call("POST", "/tasks/upsert", json=upsert_body(make_project().id)))
        assert out["created"] is True and out["task_id"] != elsewhere.id

    def test_an_archived_project_takes_tasks(self, call, make_project):
        project = make_project(status="archived")
        assert ok(call("POST", "/tasks/upsert", json=upsert_body(project.id)))["created"] is True

    def test_unknown_project_is_invalid_project(self, call, outbox_events):
        r = call("POST", "/tasks/upsert", json=upsert_body(987654321))
        assert r.status_code == 400 and r.json()["error_code"] == "invalid_project"
        assert outbox_events() == []

    @pytest.mark.parametrize(
        "override",
        [
            {"priority": "critical"},
            {"name": "  "},
            {"name": "x" * 201},
            {"external_ref": "r" * 201},
            {"project_id": "a"},
        ],
    )
    def test_invalid_body_is_400(self, call, make_project, override):
        r = call("POST", "/tasks/upsert", json=upsert_body(make_project().id) | override)
        assert r.status_code == 400 and r.json()["error_code"] == "validation_error"

    def test_a_call_for_no_user_is_400(self, call, as_owner, make_project):
        r = call("POST", "/tasks/upsert", json=upsert_body(make_project().id), headers=as_owner(None))
        assert r.status_code == 400 and r.json()["error_code"] == "bad_request"

    def test_user_identities_are_refused(self, client, headers_for, owner_id, make_project):
        r = client.post(
            "/internal/connectors/tasks/upsert", json=upsert_body(make_project().id), headers=headers_for(owner_id)
        )
        assert r.status_code == 403 and r.json()["error_code"] == "forbidden"

    def test_hidden_from_openapi(self, client):
        assert not any(p.startswith("/internal/connectors") for p in client.app.openapi()["paths"])


class TestCompleteTask:
    def test_task_becomes_done_as_a_patch_makes_it(self, call, make_project, make_task, session, outbox_events):
        task = make_task(make_project(), external_ref="github_issue_9", status="in_progress")
        assert ok(call("POST", "/tasks/complete", json={"external_ref": "github_issue_9"})) == {"task_id": task.id}
        session.refresh(task)
        assert task.status == "done" and task.completed_at is None  # the API never sets it (§1.2)
        assert types(outbox_events, TASK) == ["updated", "status_changed", "completed"]
        assert all(e["data"]["status"] == "done" for e in outbox_events())

    def test_lowest_id_in_any_project(self, call, make_project, make_task, session):
        first = make_task(make_project(), external_ref="shared_ref")
        second = make_task(make_project(), external_ref="shared_ref")
        assert ok(call("POST", "/tasks/complete", json={"external_ref": "shared_ref"})) == {"task_id": first.id}
        session.refresh(second)
        assert second.status == "todo"

    def test_already_done_changes_nothing(self, call, make_project, make_task, outbox_events):
        task = make_task(make_project(), external_ref="done_ref", status="done")
        assert ok(call("POST", "/tasks/complete", json={"external_ref": "done_ref"})) == {"task_id": task.id}
        assert outbox_events() == []

    def test_unknown_ref_is_null(self, call, outbox_events):
        assert ok(call("POST", "/tasks/complete", json={"external_ref": "github_issue_404"})) == {"task_id": None}
        assert outbox_events() == []

    def test_blank_ref_is_400(self, call):
        r = call("POST", "/tasks/complete", json={"external_ref": " "})
        assert r.status_code == 400 and r.json()["error_code"] == "validation_error"


def event(event_id: str, start: datetime, minutes: int = 60, summary: str | None = "Standup") -> dict:
    return {
        "event_id": event_id,
        "summary": summary,
        "start": start.isoformat(),
        "end": (start + timedelta(minutes=minutes)).isoformat(),
    }


class TestImportEntries:
    def test_events_become_completed_auto_entries(self, call, make_project, owner_id, session, outbox_events):
        project = make_project()
        body = {"project_id": project.id, "events": [event("evA", T0), event("evB", T0 + timedelta(hours=2), 30, None)]}
        out = ok(call("POST", "/entries/import", json=body))
        assert (out["imported"], out["skipped"], len(out["entry_ids"])) == (2, 0, 2)
        a, b = (session.get(TimeEntry, i) for i in out["entry_ids"])
        assert (a.user_id, a.project_id, a.start_time, a.end_time, a.duration_seconds) == (
            owner_id, project.id, T0, T0 + timedelta(hours=1), 3600,
        )  # fmt: skip
        assert (a.notes, a.source, a.billable) == ("Standup [gcal:evA]", "auto", False)
        assert (b.notes, b.duration_seconds) == ("Calendar event [gcal:evB]", 1800)
        created = [e for e in outbox_events() if e["type"] == "tt.tracking.time_entry.created"]
        assert [e["data"]["id"] for e in created] == out["entry_ids"]
        assert types(outbox_events) == ["tt.tracking.time_entry.created"] * 2
        assert created[0]["data"]["notes"] == "Standup [gcal:evA]" and created[0]["data"]["source"] == "auto"

    def test_the_owners_rounding_applies(self, call, make_project, make_known_user, owner_id, session):
        make_known_user(owner_id, time_rounding_enabled=True, time_rounding_minutes=15, time_rounding_method="up")
        body = {"project_id": make_project().id, "events": [event("evR", T0, 20)]}
        entry_id = ok(call("POST", "/entries/import", json=body))["entry_ids"][0]
        assert session.get(TimeEntry, entry_id).duration_seconds == 30 * 60

    def test_already_imported_events_are_skipped_case_insensitively(self, call, make_project, make_entry, owner_id):
        project = make_project()
        make_entry(
            owner_id, project, T0 - timedelta(days=1), T0 - timedelta(days=1, minutes=-5), notes="x [GCAL:EVOLD]"
        )
        body = {"project_id": project.id, "events": [event("evold", T0), event("evnew", T0 + timedelta(hours=1))]}
        out = ok(call("POST", "/entries/import", json=body))
        assert (out["imported"], out["skipped"]) == (1, 1)

    def test_another_users_import_does_not_count(self, call, make_project, make_entry, owner_id):
        project = make_project()
        make_entry(owner_id + 100000, project, T0, T0 + timedelta(hours=1), notes="Standup [gcal:evX]")
        out = ok(call("POST", "/entries/import", json={"project_id": project.id, "events": [event("evX", T0)]}))
        assert out["imported"] == 1

    def test_duplicates_within_the_batch_import_once(self, call, make_project):
        evs = [event("evD", T0), event("evD", T0 + timedelta(hours=1)), event("EVD", T0 + timedelta(hours=2))]
        out = ok(call("POST", "/entries/import", json={"project_id": make_project().id, "events": evs}))
        assert (out["imported"], out["skipped"]) == (1, 2)

    def test_events_ending_before_they_start_are_skipped(self, call, make_project, outbox_events):
        evs = [event("evZ", T0, 0), event("evN", T0, -10)]
        out = ok(call("POST", "/entries/import", json={"project_id": make_project().id, "events": evs}))
        assert out == {"imported": 0, "skipped": 2, "entry_ids": []}
        assert outbox_events() == []

    def test_overlaps_and_entry_requirements_are_bypassed(
        self, make_app_client, as_owner, make_project, make_entry, owner_id
    ):
        project = make_project()
        make_entry(owner_id, project, T0, T0 + timedelta(hours=2), notes="manual")
        client = make_app_client(time_entry_require_task=True, time_entry_require_description=True)
        body = {"project_id": project.id, "events": [event("evO", T0 + timedelta(minutes=30), summary=None)]}
        r = client.post("/internal/connectors/entries/import", json=body, headers=as_owner())
        assert ok(r)["imported"] == 1

    def test_inactive_projects_take_imports(self, call, make_project):
        body = {"project_id": make_project(status="archived").id, "events": [event("evI", T0)]}
        assert ok(call("POST", "/entries/import", json=body))["imported"] == 1

    def test_naive_datetimes_are_utc_and_offsets_honoured(self, call, make_project, session):
        evs = [
            {"event_id": "n1", "summary": "a", "start": "2026-03-02T09:00:00", "end": "2026-03-02T10:00:00"},
            {
                "event_id": "n2",
                "summary": "b",
                "start": "2026-03-02T12:00:00+01:00",
                "end": "2026-03-02T12:30:00+01:00",
            },
        ]
        ids = ok(call("POST", "/entries/import", json={"project_id": make_project().id, "events": evs}))["entry_ids"]
        assert [session.get(TimeEntry, i).start_time for i in ids] == [T0, T0 + timedelta(hours=2)]

    def test_long_summaries_keep_the_marker_within_the_notes_limit(self, call, make_project, session):
        body = {"project_id": make_project().id, "events": [event("evL", T0, summary="s" * 6000)]}
        notes = session.get(TimeEntry, ok(call("POST", "/entries/import", json=body))["entry_ids"][0]).notes
        assert len(notes) == 5000 and notes.endswith(" [gcal:evL]")

    def test_unknown_project_is_invalid_project(self, call, outbox_events):
        r = call("POST", "/entries/import", json={"project_id": 987654321, "events": [event("evU", T0)]})
        assert r.status_code == 400 and r.json()["error_code"] == "invalid_project"
        assert outbox_events() == []

    def test_more_than_500_events_is_400(self, call, make_project):
        evs = [event(f"e{i}", T0 + timedelta(hours=i)) for i in range(501)]
        r = call("POST", "/entries/import", json={"project_id": make_project().id, "events": evs})
        assert r.status_code == 400 and r.json()["error_code"] == "validation_error"

    def test_a_call_for_no_user_is_400(self, call, as_owner, make_project):
        body = {"project_id": make_project().id, "events": [event("ev", T0)]}
        r = call("POST", "/entries/import", json=body, headers=as_owner(None))
        assert r.status_code == 400 and r.json()["error_code"] == "bad_request"


class TestExportEntries:
    def test_completed_entries_created_since_oldest_first(self, call, make_project, make_task, make_entry, owner_id):
        project = make_project(name="Website")
        task = make_task(project, name="Design")
        since = T0
        old = make_entry(owner_id, project, T0, T0 + timedelta(hours=1), created_at=since - timedelta(seconds=1))
        second = make_entry(owner_id, project, T0 + timedelta(hours=3), T0 + timedelta(hours=4),
                            created_at=since + timedelta(hours=2), notes="later")  # fmt: skip
        first = make_entry(owner_id, project, T0 + timedelta(hours=1), T0 + timedelta(hours=2, minutes=30),
                           task_id=task.id, created_at=since, notes="Mockups")  # fmt: skip
        make_entry(owner_id, project, T0 + timedelta(hours=5), None, created_at=since)  # running
        make_entry(owner_id, None, T0 + timedelta(hours=6), T0 + timedelta(hours=7), created_at=since,
                   notes="Standup [gcal:ev1]")  # fmt: skip
        make_entry(owner_id + 100000, project, T0, T0 + timedelta(hours=1), created_at=since)
        out = ok(call("GET", "/entries/export", params={"since": "2026-03-02T09:00:00Z"}))
        assert out == {
            "entries": [
                {"id": first.id, "start_time": "2026-03-02T10:00:00Z", "end_time": "2026-03-02T11:30:00Z",
                 "duration_seconds": 5400, "notes": "Mockups", "project_name": "Website", "task_name": "Design"},
                {"id": second.id, "start_time": "2026-03-02T12:00:00Z", "end_time": "2026-03-02T13:00:00Z",
                 "duration_seconds": 3600, "notes": "later", "project_name": "Website", "task_name": None},
            ]
        }  # fmt: skip
        assert old.id not in [e["id"] for e in out["entries"]]

    def test_ties_on_created_at_go_by_id_and_limit_applies(self, call, make_project, make_entry, owner_id):
        project = make_project()
        ids = [
            make_entry(
                owner_id, project, T0 + timedelta(hours=i), T0 + timedelta(hours=i, minutes=30), created_at=T0
            ).id
            for i in range(3)
        ]
        out = ok(call("GET", "/entries/export", params={"since": T0.isoformat(), "limit": 2}))
        assert [e["id"] for e in out["entries"]] == sorted(ids)[:2]

    def test_a_client_entry_has_no_project_name(self, call, make_entry, make_known_client, owner_id):
        entry = make_entry(owner_id, None, T0, T0 + timedelta(hours=1), client_id=make_known_client().id, created_at=T0)
        out = ok(call("GET", "/entries/export", params={"since": T0.isoformat()}))
        assert [(e["id"], e["project_name"], e["task_name"]) for e in out["entries"]] == [(entry.id, None, None)]

    @pytest.mark.parametrize(
        "params",
        [{}, {"since": "yesterday"}, {"since": T0.isoformat(), "limit": 0}, {"since": T0.isoformat(), "limit": 201}],
    )
    def test_bad_query_is_400(self, call, params):
        r = call("GET", "/entries/export", params=params)
        assert r.status_code == 400 and r.json()["error_code"] == "validation_error"


class TestTodaySummary:
    def test_hours_and_projects_of_entries_started_today(self, call, make_project, make_entry, owner_id, settings):
        zone = settings.zone
        today = datetime.now(zone).date()
        midnight = datetime.combine(today, datetime.min.time(), tzinfo=zone).astimezone(UTC)
        a, b = make_project(), make_project()
        make_entry(owner_id, a, midnight + timedelta(minutes=1), midnight + timedelta(hours=1, minutes=1))
        make_entry(owner_id, a, midnight + timedelta(hours=2), midnight + timedelta(hours=2, minutes=20))
        make_entry(owner_id, b, midnight + timedelta(hours=3), midnight + timedelta(hours=3, minutes=10))
        make_entry(owner_id, b, midnight - timedelta(minutes=30), midnight + timedelta(minutes=30))  # yesterday
        make_entry(owner_id, b, midnight + timedelta(days=1), midnight + timedelta(days=1, hours=1))  # tomorrow
        make_entry(owner_id, b, midnight + timedelta(hours=4), None)  # running
        make_entry(owner_id + 100000, b, midnight + timedelta(hours=1), midnight + timedelta(hours=9))
        assert ok(call("GET", "/today")) == {"date": today.isoformat(), "hours": 1.5, "projects": 2}

    def test_the_day_is_the_given_zones(self, call, make_project, make_entry, owner_id):
        zone = ZoneInfo("Pacific/Kiritimati")  # UTC+14: its day differs from UTC's for 14 hours
        today = datetime.now(zone).date()
        midnight = datetime.combine(today, datetime.min.time(), tzinfo=zone).astimezone(UTC)
        make_entry(owner_id, make_project(), midnight + timedelta(minutes=5), midnight + timedelta(minutes=50))
        make_entry(owner_id, make_project(), midnight - timedelta(minutes=50), midnight - timedelta(minutes=5))
        out = ok(call("GET", "/today", params={"tz": "Pacific/Kiritimati"}))
        assert out == {"date": today.isoformat(), "hours": 0.75, "projects": 1}

    def test_nothing_today(self, call, settings):
        today = datetime.now(settings.zone).date().isoformat()
        assert ok(call("GET", "/today")) == {"date": today, "hours": 0.0, "projects": 0}

    @pytest.mark.parametrize("tz", ["Mars/Olympus", "../etc/passwd", "Europe/"])
    def test_unknown_zone_is_400(self, call, tz):
        r = call("GET", "/today", params={"tz": tz})
        assert r.status_code == 400 and r.json()["error_code"] == "validation_error"
        assert "tz" in r.json()["errors"]


class TestResolveProject:
    def test_an_integer_matches_the_id(self, call, make_project, owner_id):
        project = make_project(name="Alpha", created_by=owner_id)
        assert ok(call("GET", "/projects/resolve", params={"q": str(project.id)})) == {
            "project": {"id": project.id, "name": "Alpha"}
        }

    def test_text_matches_the_first_name_containing_it(self, call, make_project, owner_id):
        make_project(name="Website relaunch", created_by=owner_id)
        first = make_project(name="Mobile WEB app", created_by=owner_id)
        make_project(name="Archived web", created_by=owner_id, status="archived")
        assert ok(call("GET", "/projects/resolve", params={"q": " web "}))["project"] == {
            "id": first.id, "name": "Mobile WEB app",
        }  # fmt: skip

    def test_only_projects_in_the_owners_scope(self, call, make_project, owner_id):
        theirs = make_project(name="Zeta theirs", created_by=owner_id + 100000)
        assert ok(call("GET", "/projects/resolve", params={"q": "Zeta"})) == {"project": None}
        assert ok(call("GET", "/projects/resolve", params={"q": str(theirs.id)})) == {"project": None}

    def test_an_admin_owner_sees_every_project(self, call, as_owner, make_project, owner_id):
        theirs = make_project(name="Omega theirs", created_by=owner_id + 100000)
        out = ok(call("GET", "/projects/resolve", params={"q": "omega theirs"}, headers=as_owner(role="admin")))
        assert out["project"]["id"] == theirs.id

    def test_a_subcontractor_owner_sees_assigned_clients_projects(
        self, call, as_owner, make_project, make_known_client
    ):
        assigned = make_known_client()
        mine = make_project(name="Kappa assigned", client_id=assigned.id)
        make_project(name="Kappa other")
        headers = as_owner(role="subcontractor", client_ids=(assigned.id,))
        assert ok(call("GET", "/projects/resolve", params={"q": "kappa"}, headers=headers))["project"]["id"] == mine.id

    def test_inactive_projects_are_not_resolved_by_id(self, call, make_project, owner_id):
        project = make_project(name="Sleeping", created_by=owner_id, status="inactive")
        assert ok(call("GET", "/projects/resolve", params={"q": str(project.id)})) == {"project": None}

    @pytest.mark.parametrize("q", ["", "   ", "99999999999999", "no such project at all"])
    def test_nothing_found_is_null(self, call, q):
        assert ok(call("GET", "/projects/resolve", params={"q": q})) == {"project": None}

    def test_percent_is_literal(self, call, make_project, owner_id):
        make_project(name="100 Done", created_by=owner_id)
        assert ok(call("GET", "/projects/resolve", params={"q": "0%"})) == {"project": None}

    def test_a_call_for_no_user_is_400(self, call, as_owner):
        r = call("GET", "/projects/resolve", params={"q": "x"}, headers=as_owner(None))
        assert r.status_code == 400 and r.json()["error_code"] == "bad_request"
