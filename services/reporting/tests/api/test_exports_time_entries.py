"""`GET /api/v1/exports/time-entries`: what `GET /api/v1/time-entries` lists for the same
filters (tracking.md §4.1), unpaginated, streamed as CSV or JSON Lines."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta

import pytest

URL = "/api/v1/exports/time-entries"
COLUMNS = [
    "id", "user_id", "user", "project_id", "project", "task_id", "task", "client_id", "client", "start_time",
    "end_time", "duration_seconds", "duration_hours", "break_seconds", "billable", "paid", "notes", "tags", "source",
]  # fmt: skip


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2024, month, day, hour, minute, tzinfo=UTC)


def rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    reader = csv.DictReader(io.StringIO(response.text, newline=""))
    assert reader.fieldnames == COLUMNS
    return list(reader)


def ids(response) -> list[int]:
    return [int(row["id"]) for row in rows(response)]


def objects(response) -> list[dict]:
    assert response.status_code == 200, response.text
    assert response.text == "" or response.text.endswith("\n")
    return [json.loads(line) for line in response.text.splitlines()]


@pytest.fixture
def reader(headers_for, user_id):
    return headers_for(user_id, "read:time_entries")


class TestFilters:
    """Rome is UTC+1 in March; every expectation is written from the entries applied."""

    @pytest.fixture
    def sample(self, entry, project, user_id, next_user_id):
        other = next_user_id()
        site, app = project(name="Site")["id"], project(name="App")["id"]
        made = {
            "a": entry(user_id=user_id, project_id=site, start=utc(3, 4, 9)),
            "b": entry(user_id=user_id, project_id=site, start=utc(3, 5, 9), billable=False),
            "c": entry(user_id=user_id, project_id=app, start=utc(3, 5, 13)),
            "late": entry(user_id=user_id, project_id=site, start=utc(3, 6, 22, 30)),  # 23:30 Rome, 6 March
            "next": entry(user_id=user_id, project_id=site, start=utc(3, 6, 23, 10)),  # 00:10 Rome, 7 March
            "early": entry(user_id=user_id, project_id=site, start=utc(3, 3, 23, 10)),  # 00:10 Rome, 4 March
            "timer": entry(user_id=user_id, project_id=site, start=utc(3, 7, 8), end=None),
            "other": entry(user_id=other, project_id=site, start=utc(3, 5, 9)),
        }
        return {name: data["id"] for name, data in made.items()} | {"site": site, "app": app, "other_user": other}

    def test_own_entries_newest_first_without_running_timers(self, client, reader, sample):
        s = sample
        assert ids(client.get(URL, headers=reader)) == [s["next"], s["late"], s["c"], s["b"], s["a"], s["early"]]

    def test_project_and_date_only_range(self, client, reader, sample):
        s = sample
        params = {"project_id": str(s["site"]), "start_date": "2024-03-04", "end_date": "2024-03-06"}
        # date-only end covers the whole 6 March in Rome; the start is 4 March 00:00 Rome
        assert ids(client.get(URL, params=params, headers=reader)) == [s["late"], s["b"], s["a"], s["early"]]

    def test_datetime_bounds_are_inclusive(self, client, reader, sample):
        s = sample
        params = {"start_date": "2024-03-05T10:00:00", "end_date": "2024-03-05T14:00:00+01:00"}
        assert ids(client.get(URL, params=params, headers=reader)) == [s["c"], s["b"]]

    @pytest.mark.parametrize(
        ("value", "expected"), [("true", ["c", "a", "early"]), ("TRUE", ["c", "a", "early"]), ("no", ["b"])]
    )
    def test_billable(self, client, reader, sample, value, expected):
        params = {"billable": value, "start_date": "2024-03-04", "end_date": "2024-03-05"}
        assert ids(client.get(URL, params=params, headers=reader)) == [sample[name] for name in expected]

    def test_running_timers_only_with_include_active(self, client, reader, sample):
        s = sample
        listed = rows(client.get(URL, params={"include_active": "true"}, headers=reader))
        assert [int(row["id"]) for row in listed][:2] == [s["timer"], s["next"]]
        timer = listed[0]
        assert (timer["end_time"], timer["duration_seconds"], timer["duration_hours"]) == ("", "", "0.0")
        assert ids(client.get(URL, params={"include_active": "yes"}, headers=reader))[0] == s["next"]

    def test_unparseable_filters_are_ignored(self, client, reader, sample):
        s = sample
        params = {"project_id": "x", "start_date": "soon", "end_date": "2024-02-31", "user_id": "me"}
        assert ids(client.get(URL, params=params, headers=reader)) == [s["next"], s["late"], s["c"], s["b"], s["a"],
                                                                        s["early"]]  # fmt: skip

    def test_admin_sees_everyone_ties_broken_by_id_descending(self, client, admin_headers, sample):
        s = sample
        params = {"start_date": "2024-03-05", "end_date": "2024-03-05"}
        # "b" and "other" both start 2024-03-05 09:00 UTC; "other" was created later (higher id)
        assert ids(client.get(URL, params=params, headers=admin_headers)) == [s["c"], s["other"], s["b"]]

    def test_admin_filters_by_user(self, client, admin_headers, sample):
        assert ids(client.get(URL, params={"user_id": str(sample["other_user"])}, headers=admin_headers)) == [
            sample["other"]
        ]

    def test_non_admin_naming_another_user_is_403(self, client, reader, sample):
        response = client.get(URL, params={"user_id": str(sample["other_user"])}, headers=reader)
        assert response.status_code == 403
        body = response.json()
        assert (body["error_code"], body["error"]) == ("forbidden", "Access denied")

    def test_non_admin_may_name_themself(self, client, reader, sample, user_id):
        assert len(ids(client.get(URL, params={"user_id": str(user_id)}, headers=reader))) == 6

    def test_needs_read_time_entries(self, client, headers_for, user_id):
        response = client.get(URL, headers=headers_for(user_id, "read:reports"))
        assert response.status_code == 403
        assert response.json()["error_code"] == "forbidden"


class TestCsv:
    def test_round_trip_of_every_column(self, client, reader, user_id, entry, project, task, client_record, user):
        user(id=user_id, username="maria")
        site = project(name="Old name")
        fix = task(project_id=site["id"], name="Fix bug")
        project(action="updated", **dict(site, name="Website"))
        notes = 'Call "ACME", then\nwrite up; 50% done'
        end = utc(3, 5, 10, 35) + timedelta(seconds=30)
        e = entry(user_id=user_id, project_id=site["id"], task_id=fix["id"], start=utc(3, 5, 9, 15), end=end,
                  break_seconds=300, notes=notes, tags="call, acme", paid=True, project="Old name", user="someone",
                  source="auto")  # fmt: skip
        acme = client_record(name="ACME srl")
        direct = entry(user_id=user_id, client_id=acme["id"], start=utc(3, 4, 9), end=utc(3, 4, 9, 1),
                       billable=False)  # fmt: skip
        got = rows(client.get(URL, headers=reader))
        assert got == [
            {"id": str(e["id"]), "user_id": str(user_id), "user": "maria", "project_id": str(site["id"]),
             "project": "Website", "task_id": str(fix["id"]), "task": "Fix bug", "client_id": "", "client": "",
             "start_time": "2024-03-05T09:15:00Z", "end_time": "2024-03-05T10:35:30Z", "duration_seconds": "4830",
             "duration_hours": "1.34", "break_seconds": "300", "billable": "true", "paid": "true", "notes": notes,
             "tags": "call, acme", "source": "auto"},
            {"id": str(direct["id"]), "user_id": str(user_id), "user": "maria", "project_id": "", "project": "",
             "task_id": "", "task": "", "client_id": str(acme["id"]), "client": "ACME srl",
             "start_time": "2024-03-04T09:00:00Z", "end_time": "2024-03-04T09:01:00Z", "duration_seconds": "60",
             "duration_hours": "0.02", "break_seconds": "0", "billable": "false", "paid": "false", "notes": "",
             "tags": "", "source": "manual"},
        ]  # fmt: skip

    def test_names_carried_by_the_event_stay_when_no_replica_knows_them(self, client, reader, user_id, entry):
        entry(user_id=user_id, project_id=424242, start=utc(3, 5, 9), project="Legacy", user="old-login")
        (row,) = rows(client.get(URL, headers=reader))
        assert (row["project"], row["user"]) == ("Legacy", "old-login")

    def test_response_headers(self, client, reader, entry, user_id):
        entry(user_id=user_id, start=utc(3, 5, 9))
        before = datetime.now(UTC).replace(microsecond=0)
        response = client.get(URL, headers=reader)
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        assert response.headers["x-tt-freshness"] == "eventual"
        match = re.fullmatch(r"attachment; filename=time_entries_(\d{8}_\d{6})\.csv",
                             response.headers["content-disposition"])  # fmt: skip
        assert match
        stamp = datetime.strptime(match.group(1), "%Y%m%d_%H%M%S").replace(tzinfo=UTC)
        assert before <= stamp <= datetime.now(UTC)
        assert response.text.startswith(",".join(COLUMNS) + "\r\n")

    def test_no_entries_is_the_header_alone(self, client, reader):
        response = client.get(URL, headers=reader)
        assert response.text == ",".join(COLUMNS) + "\r\n"

    def test_updated_entry_in_new_state_deleted_entry_absent(self, client, reader, user_id, entry):
        kept = entry(user_id=user_id, start=utc(3, 5, 9), notes="draft")
        entry(
            action="updated",
            **dict(kept, notes="final", end_time="2024-03-05T11:00:00Z", duration_seconds=7200, duration_hours=2.0),
        )
        gone = entry(user_id=user_id, start=utc(3, 6, 9))
        entry(action="deleted", **gone)
        (row,) = rows(client.get(URL, headers=reader))
        assert (int(row["id"]), row["notes"], row["end_time"], row["duration_hours"]) == (
            kept["id"], "final", "2024-03-05T11:00:00Z", "2.0"
        )  # fmt: skip

    def test_an_unknown_format_is_a_validation_error(self, client, reader):
        for value in ("xml", "csv2", "\x00", "j" * 5000):
            response = client.get(URL, params={"format": value}, headers=reader)
            assert response.status_code == 400
            body = response.json()
            assert body["error_code"] == "validation_error"
            assert list(body["errors"]) == ["format"]

    def test_format_is_case_insensitive(self, client, reader):
        assert client.get(URL, params={"format": "CSV"}, headers=reader).text.startswith("id,user_id,")

    @pytest.mark.parametrize(
        "params",
        [
            {"project_id": "99999999999999999999"},
            {"project_id": "-1"},
            {"start_date": "0001-01-01", "end_date": "9999-12-31"},
            {"start_date": "2024-03-01\x00"},
            {"end_date": "'; DROP TABLE entries; --"},
            {"billable": "x" * 10000},
            {"include_active": "\x00"},
        ],
    )
    def test_hostile_values_never_fail(self, client, reader, entry, user_id, params):
        entry(user_id=user_id, start=utc(3, 5, 9))
        response = client.get(URL, params=params, headers=reader)
        assert response.status_code == 200, response.text

    def test_a_huge_user_id_from_a_non_admin_is_403(self, client, reader):
        response = client.get(URL, params={"user_id": "99999999999999999999"}, headers=reader)
        assert response.status_code == 403


class TestJsonLines:
    def test_one_entry_object_per_line_with_current_names(self, client, reader, user_id, entry, project, task,
                                                          user):  # fmt: skip
        user(id=user_id, username="maria")
        site = project(name="Website")
        fix = task(project_id=site["id"], name="Old task name")
        task(action="updated", **dict(fix, name="Fix bug"))
        e = entry(user_id=user_id, project_id=site["id"], task_id=fix["id"], start=utc(3, 5, 9), tags="a,b",
                  tag_list=["a", "b"], duration_hours=1.0, paid=False, task="Old task name")  # fmt: skip
        response = client.get(URL, params={"format": "jsonl"}, headers=reader)
        assert response.headers["content-type"] == "application/x-ndjson"
        assert response.headers["content-disposition"].endswith(".jsonl")
        assert objects(response) == [e | {"user": "maria", "project": "Website", "task": "Fix bug", "client": None}]

    def test_a_deleted_task_is_gone_from_its_entries(self, client, reader, user_id, entry, project, task):
        site = project(name="Website")
        fix = task(project_id=site["id"], name="Fix bug")
        entry(user_id=user_id, project_id=site["id"], task_id=fix["id"], start=utc(3, 5, 9))
        task(action="deleted", **fix)
        (obj,) = objects(client.get(URL, params={"format": "jsonl"}, headers=reader))
        assert (obj["task_id"], obj["task"], obj["project"]) == (None, None, "Website")

    def test_a_paused_timer_shows_its_worked_time(self, client, reader, user_id, entry):
        entry(user_id=user_id, start=utc(3, 5, 9), end=None, paused_at="2024-03-05T10:30:00Z", break_seconds=600)
        assert objects(client.get(URL, params={"format": "jsonl"}, headers=reader)) == []
        (obj,) = objects(client.get(URL, params={"format": "jsonl", "include_active": "true"}, headers=reader))
        assert (obj["end_time"], obj["duration_seconds"], obj["is_active"]) == (None, None, True)
        assert obj["duration_formatted"] == "01:20:00"  # 10:30 − 09:00 − 10 min break

    def test_a_running_timer_counts_up_to_now(self, client, reader, user_id, entry):
        start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=101, minutes=2)
        entry(user_id=user_id, start=start, end=None)
        (obj,) = objects(client.get(URL, params={"format": "jsonl", "include_active": "true"}, headers=reader))
        assert obj["duration_formatted"] in ("101:02:00", "101:02:01", "101:02:02")

    def test_non_ascii_text_survives(self, client, reader, user_id, entry):
        entry(user_id=user_id, start=utc(3, 5, 9), notes="Café ☕ – naïve\nsecond line")
        (obj,) = objects(client.get(URL, params={"format": "jsonl"}, headers=reader))
        assert obj["notes"] == "Café ☕ – naïve\nsecond line"
        (row,) = rows(client.get(URL, headers=reader))
        assert row["notes"] == "Café ☕ – naïve\nsecond line"


class TestChunks:
    @pytest.fixture
    def seven(self, entry, user_id, next_user_id):
        """Seven entries, newest first as expected; two pairs share a start (ties by id)."""
        other = next_user_id()
        made = [
            entry(user_id=user_id, start=utc(3, 1, 9)),
            entry(user_id=user_id, start=utc(3, 2, 9)),
            entry(user_id=other, start=utc(3, 2, 9)),
            entry(user_id=user_id, start=utc(3, 3, 9)),
            entry(user_id=user_id, start=utc(3, 4, 9)),
            entry(user_id=other, start=utc(3, 4, 9)),
            entry(user_id=user_id, start=utc(3, 5, 9)),
        ]
        return [e["id"] for e in (made[6], made[5], made[4], made[3], made[2], made[1], made[0])]

    @pytest.mark.parametrize("chunk", [1, 2, 3, 6, 7, 8])
    def test_every_row_exactly_once_in_order(self, make_app_client, admin_headers, seven, chunk):
        small = make_app_client(export_chunk_rows=chunk)
        assert ids(small.get(URL, headers=admin_headers)) == seven
        lines = objects(small.get(URL, params={"format": "jsonl"}, headers=admin_headers))
        assert [obj["id"] for obj in lines] == seven

    def test_chunks_keep_the_filters(self, make_app_client, headers_for, user_id, seven):
        small = make_app_client(export_chunk_rows=2)
        own = [seven[0], seven[2], seven[3], seven[5], seven[6]]
        assert ids(small.get(URL, headers=headers_for(user_id, "read:time_entries"))) == own
