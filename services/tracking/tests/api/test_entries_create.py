"""`POST /api/v1/time-entries` (tracking.md §4.3): what gets stored and answered, running timers,
the desktop's manual entry and creating for another user. Refusals: test_entries_create_rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tracking.models import TimeEntry, TimerSettings

URL = "/api/v1/time-entries"
JAN15 = datetime(2024, 1, 15, 9, 0, tzinfo=UTC)  # 10:00 in Europe/Rome, the app time zone


@pytest.fixture
def project(make_project, user_id):
    return make_project(name="Website", created_by=user_id)


@pytest.fixture
def entry_count(session):
    return lambda: session.scalar(select(func.count()).select_from(TimeEntry))


def post(client, headers, **body):
    return client.post(URL, json=body, headers=headers)


class TestCreateCompletedEntry:
    def test_stores_every_field_and_records_the_created_event(
        self, client, user_headers, user_id, project, make_task, make_known_user, outbox_events
    ):
        make_known_user(user_id, username="alice")
        task = make_task(project, name="Design")
        body = {
            "project_id": str(project.id),
            "task_id": task.id,
            "start_time": "2024-01-15T10:00:00",
            "end_time": "2024-01-15T11:30:00.000",
            "break_seconds": "600",
            "notes": "  Homepage layout  ",
            "tags": " design, web ,, ",
            "billable": False,
            "paid": True,
            "invoice_number": "INV-7",
            "source": "ignored",
        }
        r = client.post(URL, json=body, headers=user_headers)
        assert r.status_code == 201, r.text
        assert r.json()["message"] == "Time entry created successfully"
        e = r.json()["time_entry"]
        assert (e["user_id"], e["project_id"], e["task_id"], e["client_id"]) == (user_id, project.id, task.id, None)
        assert (e["start_time"], e["end_time"]) == ("2024-01-15T09:00:00Z", "2024-01-15T10:30:00Z")
        assert (e["break_seconds"], e["duration_seconds"], e["duration_hours"]) == (600, 4800, 1.33)
        assert e["duration_formatted"] == "01:20:00"
        assert e["notes"] == "Homepage layout"
        assert (e["tags"], e["tag_list"]) == ("design, web ,,", ["design", "web"])
        assert (e["billable"], e["paid"], e["invoice_number"]) == (False, True, "INV-7")
        assert (e["source"], e["is_active"], e["paused_at"]) == ("manual", False, None)
        assert (e["user"], e["project"], e["task"], e["client"]) == ("alice", "Website", "Design", None)
        assert e["created_at"].endswith("Z") and e["updated_at"] == e["created_at"]
        [event] = outbox_events("tt.tracking.time_entry.created")
        assert event["data"] == e and event["entity_id"] == str(e["id"])
        assert outbox_events("tt.tracking.time_entry.started") == []

    def test_defaults(self, client, user_headers, project):
        r = post(
            client, user_headers, project_id=project.id, start_time="2024-01-15T10:00", end_time="2024-01-15T11:00"
        )
        e = r.json()["time_entry"]
        assert (e["billable"], e["paid"], e["break_seconds"]) == (True, False, 0)
        assert (e["notes"], e["tags"], e["tag_list"], e["invoice_number"]) == (None, None, [], None)
        assert e["duration_seconds"] == 3600

    def test_nulls_mean_the_defaults(self, client, user_headers, project):
        r = post(client, user_headers, project_id=project.id, start_time="2024-01-15T10:00",
                 end_time="2024-01-15T11:00", billable=None, paid=None, break_seconds=None, notes=None)  # fmt: skip
        assert r.status_code == 201
        e = r.json()["time_entry"]
        assert (e["billable"], e["paid"], e["break_seconds"], e["notes"]) == (True, False, 0, None)

    @pytest.mark.parametrize(
        ("start", "end", "stored"),
        [
            ("2024-01-15T10:00:00Z", "2024-01-15T11:00:00Z", "2024-01-15T10:00:00Z"),
            ("2024-01-15T10:00:00+02:00", "2024-01-15T11:00:00+02:00", "2024-01-15T08:00:00Z"),
            ("2024-07-15 10:00", "2024-07-15 11:00", "2024-07-15T08:00:00Z"),
            ("2024-01-15", "2024-01-15T01:00:00", "2024-01-14T23:00:00Z"),
        ],
    )
    def test_datetime_forms(self, client, user_headers, project, start, end, stored):
        r = post(client, user_headers, project_id=project.id, start_time=start, end_time=end)
        assert r.status_code == 201, r.text
        assert r.json()["time_entry"]["start_time"] == stored
        assert r.json()["time_entry"]["duration_seconds"] == 3600

    def test_negative_break_counts_as_zero_and_a_break_longer_than_the_span_gives_zero(
        self, client, user_headers, project
    ):
        r = post(client, user_headers, project_id=project.id, start_time="2024-01-15T10:00",
                 end_time="2024-01-15T11:00", break_seconds=-30)  # fmt: skip
        assert (r.json()["time_entry"]["break_seconds"], r.json()["time_entry"]["duration_seconds"]) == (0, 3600)
        r = post(client, user_headers, project_id=project.id, start_time="2024-01-16T10:00",
                 end_time="2024-01-16T10:10", break_seconds=900)  # fmt: skip
        assert r.json()["time_entry"]["duration_seconds"] == 0
        assert r.json()["time_entry"]["duration_formatted"] == "00:00:00"

    def test_owner_rounding_preference_applies(self, client, user_headers, user_id, project, make_known_user):
        make_known_user(user_id, time_rounding_enabled=True, time_rounding_minutes=15, time_rounding_method="up")
        r = post(client, user_headers, project_id=project.id, start_time="2024-01-15T10:00",
                 end_time="2024-01-15T10:31")  # fmt: skip
        assert r.json()["time_entry"]["duration_seconds"] == 45 * 60

    def test_archived_project_accepts_completed_entries(self, client, user_headers, make_project, user_id):
        archived = make_project(status="archived", created_by=user_id)
        r = post(client, user_headers, project_id=archived.id, start_time="2024-01-15T10:00",
                 end_time="2024-01-15T11:00")  # fmt: skip
        assert r.status_code == 201

    def test_project_scope_is_not_checked(self, client, user_headers, make_project):
        foreign = make_project(created_by=None)
        r = post(client, user_headers, project_id=foreign.id, start_time="2024-01-15T10:00",
                 end_time="2024-01-15T11:00")  # fmt: skip
        assert r.status_code == 201

    def test_client_only_entry_shows_the_client_name(self, client, user_headers, make_known_client):
        acme = make_known_client(name="Acme")
        r = post(client, user_headers, client_id=str(acme.id), start_time="2024-01-15T10:00",
                 end_time="2024-01-15T11:00")  # fmt: skip
        e = r.json()["time_entry"]
        assert (e["project_id"], e["client_id"], e["client"], e["project"]) == (None, acme.id, "Acme", None)

    def test_project_and_client_are_both_stored(self, client, user_headers, project, make_known_client):
        acme = make_known_client(name="Direct")
        r = post(client, user_headers, project_id=project.id, client_id=acme.id, start_time="2024-01-15T10:00",
                 end_time="2024-01-15T11:00")  # fmt: skip
        e = r.json()["time_entry"]
        assert (e["project_id"], e["client_id"], e["project"], e["client"]) == (
            project.id,
            acme.id,
            "Website",
            "Direct",
        )

    def test_touching_entries_do_not_overlap(self, client, user_headers, user_id, project, make_entry):
        make_entry(user_id, project, JAN15, JAN15 + timedelta(hours=1))
        r = post(client, user_headers, project_id=project.id, start_time="2024-01-15T11:00",
                 end_time="2024-01-15T12:00")  # fmt: skip
        assert r.status_code == 201

    def test_other_users_entries_and_running_timers_do_not_overlap(
        self, client, user_headers, user_id, project, make_entry
    ):
        make_entry(user_id + 1, project, JAN15, JAN15 + timedelta(hours=1))
        make_entry(user_id, project, JAN15 - timedelta(hours=1))
        r = post(client, user_headers, project_id=project.id, start_time="2024-01-15T10:00",
                 end_time="2024-01-15T11:00")  # fmt: skip
        assert r.status_code == 201

    def test_write_scope_is_required_and_nothing_is_created(
        self, client, headers_for, user_id, project, entry_count, outbox_events
    ):
        r = post(client, headers_for(user_id, "read:time_entries"), project_id=project.id,
                 start_time="2024-01-15T10:00", end_time="2024-01-15T11:00")  # fmt: skip
        assert r.status_code == 403
        assert (r.json()["error_code"], r.json()["required_scope"]) == ("forbidden", "write:time_entries")
        assert entry_count() == 0 and outbox_events() == []


class TestCreateRunningTimer:
    def test_without_end_time_a_timer_starts(self, client, user_headers, project, outbox_events):
        r = post(client, user_headers, project_id=project.id, start_time="2024-01-15T10:00")
        assert r.status_code == 201, r.text
        e = r.json()["time_entry"]
        assert (e["is_active"], e["end_time"], e["duration_seconds"], e["source"]) == (True, None, None, "manual")
        assert e["duration_hours"] == 0
        [created] = outbox_events("tt.tracking.time_entry.created")
        [started] = outbox_events("tt.tracking.time_entry.started")
        assert created["data"]["id"] == started["data"]["id"] == e["id"]
        assert started["data"]["is_active"] is True

    def test_explicit_null_end_time_also_starts_a_timer(self, client, user_headers, project):
        r = post(client, user_headers, project_id=project.id, start_time="2024-01-15T10:00", end_time=None)
        assert r.json()["time_entry"]["is_active"] is True

    @pytest.mark.parametrize(
        ("status", "code"),
        [("archived", "project_archived"), ("inactive", "project_inactive"), ("on_hold", "project_inactive")],
    )
    def test_needs_an_active_project(
        self, client, user_headers, make_project, status, code, entry_count, outbox_events
    ):
        p = make_project(status=status)
        r = post(client, user_headers, project_id=p.id, start_time="2024-01-15T10:00")
        assert (r.status_code, r.json()["error_code"]) == (400, code)
        assert entry_count() == 0 and outbox_events() == []

    def test_a_second_timer_is_refused_while_single_active_timer_is_on(
        self, client, user_headers, user_id, project, make_entry, entry_count, outbox_events
    ):
        make_entry(user_id, project, JAN15)
        r = post(client, user_headers, project_id=project.id, start_time="2024-01-15T12:00")
        assert (r.status_code, r.json()["error_code"]) == (409, "timer_already_running")
        assert entry_count() == 1 and outbox_events() == []

    def test_a_running_timer_does_not_block_completed_entries(self, client, user_headers, user_id, project, make_entry):
        make_entry(user_id, project, JAN15)
        r = post(client, user_headers, project_id=project.id, start_time="2024-01-15T12:00",
                 end_time="2024-01-15T13:00")  # fmt: skip
        assert r.status_code == 201

    def test_a_second_timer_starts_when_single_active_timer_is_off(
        self, client, user_headers, user_id, project, make_entry, session
    ):
        session.merge(TimerSettings(id=1, single_active_timer=False))
        session.flush()
        make_entry(user_id, project, JAN15)
        r = post(client, user_headers, project_id=project.id, start_time="2024-01-15T12:00")
        assert r.status_code == 201 and r.json()["time_entry"]["is_active"] is True

    def test_another_users_timer_does_not_count(self, client, user_headers, user_id, project, make_entry):
        make_entry(user_id + 1, project, JAN15)
        assert post(client, user_headers, project_id=project.id, start_time="2024-01-15T12:00").status_code == 201


class TestDesktopManualEntry:
    def test_first_entry_of_the_day_starts_at_nine_app_time(self, client, user_headers, project, make_task):
        task = make_task(project)
        body = {"project_id": project.id, "task_id": task.id, "duration_minutes": 90, "date": "2024-01-15",
                "notes": "Desk"}  # fmt: skip
        r = client.post(URL, json=body, headers=user_headers)
        assert r.status_code == 201, r.text
        e = r.json()["time_entry"]
        assert (e["start_time"], e["end_time"]) == ("2024-01-15T08:00:00Z", "2024-01-15T09:30:00Z")
        assert (e["duration_seconds"], e["task_id"], e["notes"], e["is_active"]) == (5400, task.id, "Desk", False)

    def test_next_entry_follows_the_latest_completed_entry_of_that_day(
        self, client, user_headers, user_id, project, make_entry
    ):
        make_entry(user_id, project, JAN15 + timedelta(hours=5), JAN15 + timedelta(hours=6))
        make_entry(user_id, project, JAN15, JAN15 + timedelta(hours=1))
        make_entry(user_id, project, JAN15 + timedelta(days=1), JAN15 + timedelta(days=1, hours=3))
        make_entry(user_id + 1, project, JAN15 + timedelta(hours=8), JAN15 + timedelta(hours=9))
        r = post(client, user_headers, project_id=project.id, duration_minutes="30", date="2024-01-15")
        e = r.json()["time_entry"]
        assert (e["start_time"], e["end_time"]) == ("2024-01-15T15:00:00Z", "2024-01-15T15:30:00Z")

    def test_start_time_wins_over_the_desktop_pair(self, client, user_headers, project):
        r = post(client, user_headers, project_id=project.id, start_time="2024-01-15T10:00",
                 end_time="2024-01-15T10:15", duration_minutes=90, date="2024-02-01")  # fmt: skip
        assert r.json()["time_entry"]["start_time"] == "2024-01-15T09:00:00Z"

    @pytest.mark.parametrize(
        ("body", "errors"),
        [
            ({"date": "2024-01-15"}, {"start_time": ["Missing data for required field."]}),
            ({"duration_minutes": 30}, {"start_time": ["Missing data for required field."]}),
            (
                {"date": "2024-01-15", "duration_minutes": 0},
                {"start_time": ["Missing data for required field."], "duration_minutes": ["Must be greater than 0."]},
            ),
            ({"date": "15/01/2024", "duration_minutes": 30}, {"date": ["Not a valid date."]}),
            ({"date": "2024-01-15", "duration_minutes": "half"}, {"duration_minutes": ["Not a valid integer."]}),
        ],
    )
    def test_incomplete_pair_is_a_validation_error(self, client, user_headers, project, body, errors, entry_count):
        r = client.post(URL, json={"project_id": project.id, **body}, headers=user_headers)
        assert (r.status_code, r.json()["error_code"]) == (400, "validation_error")
        assert r.json()["errors"] == errors
        assert entry_count() == 0


class TestCreateForAnotherUser:
    def test_admin_creates_for_an_active_user(self, client, admin_headers, make_known_user, project, outbox_events):
        bob = make_known_user(username="bob")
        r = post(client, admin_headers, user_id=str(bob.id), project_id=project.id, start_time="2024-01-15T10:00",
                 end_time="2024-01-15T11:00")  # fmt: skip
        assert r.status_code == 201, r.text
        assert (r.json()["time_entry"]["user_id"], r.json()["time_entry"]["user"]) == (bob.id, "bob")
        [event] = outbox_events("tt.tracking.time_entry.created")
        assert event["data"]["user_id"] == bob.id

    def test_overlap_is_checked_against_the_target_users_entries(
        self, client, admin_headers, admin_id, make_known_user, project, make_entry
    ):
        bob = make_known_user()
        make_entry(bob.id, project, JAN15, JAN15 + timedelta(hours=1))
        make_entry(admin_id, project, JAN15 + timedelta(hours=2), JAN15 + timedelta(hours=3))
        r = post(client, admin_headers, user_id=bob.id, project_id=project.id, start_time="2024-01-15T10:30",
                 end_time="2024-01-15T10:45")  # fmt: skip
        assert r.json()["error_code"] == "overlapping_entry"
        r = post(client, admin_headers, user_id=bob.id, project_id=project.id, start_time="2024-01-15T12:00",
                 end_time="2024-01-15T12:30")  # fmt: skip
        assert r.status_code == 201

    @pytest.mark.parametrize("active", [False, None])
    def test_admin_target_must_be_a_known_active_user(
        self, client, admin_headers, make_known_user, next_user_id, project, active, entry_count, outbox_events
    ):
        target = make_known_user(is_active=False).id if active is False else next_user_id()
        r = post(client, admin_headers, user_id=target, project_id=project.id, start_time="2024-01-15T10:00",
                 end_time="2024-01-15T11:00")  # fmt: skip
        assert (r.status_code, r.json()["error_code"]) == (400, "validation_error")
        assert list(r.json()["errors"]) == ["user_id"]
        assert entry_count() == 0 and outbox_events() == []

    def test_standard_user_cannot_create_for_someone_else(
        self, client, user_headers, make_known_user, project, entry_count
    ):
        other = make_known_user()
        r = post(client, user_headers, user_id=other.id, project_id=project.id, start_time="2024-01-15T10:00",
                 end_time="2024-01-15T11:00")  # fmt: skip
        assert (r.status_code, r.json()["error_code"], r.json()["error"]) == (403, "forbidden", "Access denied")
        assert entry_count() == 0

    def test_standard_user_may_name_themselves(self, client, user_headers, user_id, project):
        r = post(client, user_headers, user_id=user_id, project_id=project.id, start_time="2024-01-15T10:00",
                 end_time="2024-01-15T11:00")  # fmt: skip
        assert r.status_code == 201
