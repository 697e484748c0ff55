"""`POST /api/v1/time-entries/import-csv` (tracking.md §4.6), part 2: what a row creates, the
per-row errors and their numbers, admins vs standard users. A failed row leaves no entry and no
event; the other rows are imported."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tracking.models import TimeEntry

URL = "/api/v1/time-entries/import-csv"
HEADER = "project_id,start_time,end_time,task_id,notes,tags,billable"
TIMES_REQUIRED = "start_time and end_time required (ISO 8601)"
CREATED = "tt.tracking.time_entry.created"


@pytest.fixture
def project(make_project, user_id):
    return make_project(name="Website", created_by=user_id)


@pytest.fixture
def entries(session):
    """The stored entries, earliest start first."""

    def read() -> list[TimeEntry]:
        session.expire_all()
        return list(session.scalars(select(TimeEntry).order_by(TimeEntry.start_time)))

    return read


@pytest.fixture
def post_csv(client, user_headers):
    def post(*lines: str, header: str = HEADER, headers=None, http=None) -> dict:
        text = "\n".join((header, *lines)) + "\n"
        r = (http or client).post(URL, json={"csv": text}, headers=headers or user_headers)
        assert r.status_code == 200, r.text
        return r.json()

    return post


def errors_of(out: dict) -> list[tuple[int, str]]:
    return [(e["row"], e["error"]) for e in out["errors"]]


class TestImportedEntries:
    def test_good_and_bad_rows(self, post_csv, project, make_task, user_id, make_known_user, entries, outbox_events):
        make_known_user(user_id, username="alice")
        task = make_task(project, name="Design")
        p = project.id
        out = post_csv(
            f'{p},2024-01-15T10:00,2024-01-15T11:30,{task.id}, Homepage ,"design, web",yes',
            ",2024-01-15T12:00,2024-01-15T13:00,,,,",
            f"{p},2024-01-16T10:00:00Z,2024-01-16T10:45:00Z,,,,",
            f"{p},,2024-01-15T13:00,,,,",
        )
        assert out == {
            "success": True,
            "created": 2,
            "failed": 2,
            "errors": [{"row": 3, "error": "project_id is required"}, {"row": 5, "error": TIMES_REQUIRED}],
        }
        first, second = entries()
        assert (first.user_id, first.project_id, first.task_id, first.client_id) == (user_id, p, task.id, None)
        assert (first.start_time, first.end_time) == (
            datetime(2024, 1, 15, 9, 0, tzinfo=UTC), datetime(2024, 1, 15, 10, 30, tzinfo=UTC))  # fmt: skip
        assert (first.duration_seconds, first.break_seconds) == (5400, 0)
        assert (first.notes, first.tags, first.source, first.paid, first.billable) == (
            "Homepage", "design, web", "manual", False, True)  # fmt: skip
        assert (second.duration_seconds, second.notes, second.billable) == (2700, None, False)
        events = outbox_events(CREATED)
        assert [e["entity_id"] for e in events] == [str(first.id), str(second.id)]
        assert (events[0]["data"]["user"], events[0]["data"]["task"], events[0]["data"]["project"]) == (
            "alice", "Design", "Website")  # fmt: skip
        assert outbox_events("tt.tracking.time_entry.started") == []

    def test_aliases_and_header_spelling(self, post_csv, project, entries):
        header = " Project ID ,START,End,Task Id,Description,TAGS"
        out = post_csv(f"{project.id},2024-01-15T10:00,2024-01-15T11:00,,Standup,daily", header=header)
        assert (out["created"], out["failed"]) == (1, 0)
        [e] = entries()
        assert (e.notes, e.tags, e.billable) == ("Standup", "daily", True)
        assert e.end_time - e.start_time == timedelta(hours=1)

    @pytest.mark.parametrize(
        ("cell", "billable"),
        [*((c, True) for c in ("1", "TRUE", "Yes", "y")), *((c, False) for c in ("", "0", "no", "maybe"))],
    )
    def test_billable_cell(self, post_csv, project, entries, cell, billable):
        post_csv(f"{project.id},2024-01-15T10:00,2024-01-15T11:00,,,,{cell}")
        assert [e.billable for e in entries()] == [billable]

    def test_billable_column_absent_means_billable(self, post_csv, project, entries):
        post_csv(f"{project.id},2024-01-15T10:00,2024-01-15T11:00", header="project_id,start_time,end_time")
        assert [e.billable for e in entries()] == [True]

    def test_archived_project_accepts_completed_entries(self, post_csv, make_project, user_id, entries):
        archived = make_project(created_by=user_id, status="archived")
        assert post_csv(f"{archived.id},2024-01-15T10:00,2024-01-15T11:00,,,,")["created"] == 1

    def test_blank_rows_are_skipped_but_counted(self, post_csv, project):
        out = post_csv("", ",,,,,,", f"{project.id},2024-01-15T10:00,,,,,")
        assert (out["created"], out["failed"], errors_of(out)) == (0, 1, [(4, TIMES_REQUIRED)])


class TestRowErrors:
    @pytest.mark.parametrize(
        ("line", "error"),
        [
            (",2024-01-15T10:00,2024-01-15T11:00,,,,", "project_id is required"),
            ("abc,2024-01-15T10:00,2024-01-15T11:00,,,,", "project_id must be an integer"),
            ("{p},2024-01-15T10:00,,,,,", TIMES_REQUIRED),
            ("{p},soon,2024-01-15T11:00,,,,", TIMES_REQUIRED),
            ("987654321,2024-01-15T10:00,2024-01-15T11:00,,,,", "Invalid project selected"),
            ("99999999999,2024-01-15T10:00,2024-01-15T11:00,,,,", "Invalid project selected"),
            ("{p},2024-01-15T11:00,2024-01-15T10:00,,,,", "End time must be after start time"),
            ("{p},2024-01-15T11:00,2024-01-15T11:00,,,,", "End time must be after start time"),
            ("{p},2024-01-15T10:00,2024-01-15T11:00,987654321,,,", "The task does not belong to the selected project"),
            ("{p},2024-01-15T10:00,2024-01-15T11:00,x,,,", "task_id must be an integer"),
            ("{p},2024-01-15T10:00,2024-01-15T11:00,,,{long_tags},", "tags must be at most 500 characters"),
        ],
    )
    def test_row_is_refused_and_leaves_nothing(self, post_csv, project, entries, outbox_events, line, error):
        out = post_csv(line.format(p=project.id, long_tags="t" * 501))
        assert (out["created"], out["failed"], errors_of(out)) == (0, 1, [(2, error)])
        assert entries() == [] and outbox_events() == []

    def test_task_of_another_project(self, post_csv, project, make_project, make_task, user_id):
        other = make_task(make_project(created_by=user_id))
        out = post_csv(f"{project.id},2024-01-15T10:00,2024-01-15T11:00,{other.id},,,")
        assert errors_of(out) == [(2, "The task does not belong to the selected project")]

    def test_a_nul_character_is_a_row_error(self, post_csv, project, entries):
        out = post_csv(f"{project.id},2024-01-15T10:00,2024-01-15T11:00,,a\x00b,,")
        assert errors_of(out) == [(2, "notes contains a NUL character, which cannot be stored")]

    def test_a_row_the_database_refuses_is_rolled_back_alone(
        self, post_csv, admin_headers, project, entries, outbox_events
    ):
        # ~8000 years do not fit the integer duration column: the insert itself fails (an admin's
        # rows skip the overlap check, so the row gets that far)
        out = post_csv(
            f"{project.id},2024-01-15T10:00,2024-01-15T11:00,,before,,",
            f"{project.id},0001-01-01T00:00:00Z,9999-01-01T00:00:00Z,,too long,,",
            f"{project.id},2024-01-15T12:00,2024-01-15T13:00,,after,,",
            headers=admin_headers,
        )
        assert (out["created"], errors_of(out)) == (2, [(3, "A value in the row is out of range or cannot be stored")])
        assert [e.notes for e in entries()] == ["before", "after"]
        assert [e["data"]["notes"] for e in outbox_events(CREATED)] == ["before", "after"]

    def test_only_the_first_50_failures_are_listed(self, post_csv, project, entries):
        bad = [f"{project.id},,,,,,"] * 55
        good = f"{project.id},2024-01-15T10:00,2024-01-15T11:00,,,,"
        out = post_csv(*bad[:30], good, *bad[30:])
        assert (out["created"], out["failed"], len(out["errors"])) == (1, 55, 50)
        assert [e["row"] for e in out["errors"]] == [*range(2, 32), *range(33, 53)]
        assert len(entries()) == 1


class TestProjectAccess:
    def test_standard_user_and_another_users_project(self, post_csv, project, make_project, user_id, entries):
        theirs = make_project(created_by=user_id + 1)
        out = post_csv(
            f"{theirs.id},2024-01-15T10:00,2024-01-15T11:00,,,,",
            f"{project.id},2024-01-15T12:00,2024-01-15T13:00,,,,",
        )
        assert (out["created"], errors_of(out)) == (1, [(2, "no access to project")])
        assert [e.project_id for e in entries()] == [project.id]

    def test_manager_sees_every_project(self, post_csv, headers_for, make_project, next_user_id, entries):
        manager = next_user_id()
        theirs = make_project(created_by=manager + 1)
        headers = headers_for(manager, "write:time_entries", role="manager")
        assert post_csv(f"{theirs.id},2024-01-15T10:00,2024-01-15T11:00,,,,", headers=headers)["created"] == 1
        assert [e.user_id for e in entries()] == [manager]

    def test_admin_imports_for_itself_into_any_project(self, post_csv, admin_headers, admin_id, project, entries):
        assert post_csv(f"{project.id},2024-01-15T10:00,2024-01-15T11:00,,,,", headers=admin_headers)["created"] == 1
        assert [e.user_id for e in entries()] == [admin_id]


class TestOverlapAndRequirements:
    def test_standard_user_rows_may_not_overlap(self, post_csv, project, make_entry, user_id, entries):
        make_entry(user_id, project, datetime(2024, 1, 15, 9, 0, tzinfo=UTC), datetime(2024, 1, 15, 10, 0, tzinfo=UTC))
        out = post_csv(
            f"{project.id},2024-01-15T10:30,2024-01-15T11:30,,,,",  # 09:30Z-10:30Z: overlaps the stored entry
            f"{project.id},2024-01-15T11:00,2024-01-15T12:00,,,,",  # touches it: fine
            f"{project.id},2024-01-15T11:30,2024-01-15T12:30,,,,",  # overlaps the row before
        )
        overlap = "The time entry overlaps with another of your entries"
        assert (out["created"], errors_of(out)) == (1, [(2, overlap), (4, overlap)])
        assert len(entries()) == 2

    def test_admin_rows_may_overlap(self, post_csv, admin_headers, project, entries):
        line = f"{project.id},2024-01-15T10:00,2024-01-15T11:00,,,,"
        assert post_csv(line, line, headers=admin_headers)["created"] == 2
        assert len(entries()) == 2

    def test_standard_user_meets_the_entry_requirements(self, post_csv, make_app_client, project, entries):
        http = make_app_client(time_entry_require_description=True, time_entry_description_min_length=5)
        out = post_csv(
            f"{project.id},2024-01-15T10:00,2024-01-15T11:00,,,,",
            f"{project.id},2024-01-15T11:00,2024-01-15T12:00,,Call,,",
            f"{project.id},2024-01-15T12:00,2024-01-15T13:00,,Client call,,",
            http=http,
        )
        assert (out["created"], errors_of(out)) == (
            1,
            [
                (2, "A description is required for this time entry"),
                (3, "The description must be at least 5 characters"),
            ],
        )
        assert [e.notes for e in entries()] == ["Client call"]

    def test_task_requirement_for_standard_users(self, post_csv, make_app_client, project, make_task):
        task = make_task(project)
        out = post_csv(
            f"{project.id},2024-01-15T10:00,2024-01-15T11:00,,,,",
            f"{project.id},2024-01-15T11:00,2024-01-15T12:00,{task.id},,,",
            http=make_app_client(time_entry_require_task=True),
        )
        assert (out["created"], errors_of(out)) == (1, [(2, "A task must be selected for this time entry")])

    def test_admin_skips_the_requirements(self, post_csv, make_app_client, admin_headers, project, entries):
        http = make_app_client(time_entry_require_description=True, time_entry_require_task=True)
        line = f"{project.id},2024-01-15T10:00,2024-01-15T11:00,,,,"
        assert post_csv(line, headers=admin_headers, http=http)["created"] == 1
