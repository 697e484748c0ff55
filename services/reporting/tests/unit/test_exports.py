"""Pure rules of the exports: payroll dates and weeks, the entry object and its CSV cells."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

from reporting.conventions.display import hours
from reporting.exports.payroll import parse_day, required_range, week_row
from reporting.exports.repository import Names
from reporting.exports.time_entries import CSV_COLUMNS, csv_lines, entry_object, export_format, hms, jsonl_lines
from shared.errors import ValidationError

NOW = datetime(2024, 3, 5, 12, 0, tzinfo=UTC)


class TestPayrollDates:
    @pytest.mark.parametrize(
        ("raw", "expected"), [("2024-02-29", date(2024, 2, 29)), (" 2024-01-05 ", date(2024, 1, 5))]
    )
    def test_dates(self, raw, expected):
        assert parse_day(raw) == expected

    @pytest.mark.parametrize("raw", [None, "", "2023-02-29", "2024/01/05", "2024-01-05T00:00", "20240105", "x"])
    def test_not_dates(self, raw):
        assert parse_day(raw) is None

    def test_both_missing_names_both(self):
        with pytest.raises(ValidationError) as caught:
            required_range(None, None)
        body = caught.value.body()
        assert body["error_code"] == "validation_error"
        assert set(body["errors"]) == {"start_date", "end_date"}
        assert "start_date" in body["message"] and "end_date" in body["message"]

    def test_only_the_bad_one_is_in_errors(self):
        with pytest.raises(ValidationError) as caught:
            required_range("2024-01-01", "tomorrow")
        assert set(caught.value.body()["errors"]) == {"end_date"}

    def test_a_reversed_range_is_not_an_error(self):
        assert required_range("2024-02-01", "2024-01-01") == (date(2024, 2, 1), date(2024, 1, 1))


class TestWeekRow:
    @pytest.mark.parametrize(
        ("monday", "year", "week", "sunday"),
        [
            (date(2024, 12, 30), 2025, 1, "2025-01-05"),  # ISO 2025 starts in December 2024
            (date(2020, 12, 28), 2020, 53, "2021-01-03"),  # a 53-week year
            (date(2021, 1, 4), 2021, 1, "2021-01-10"),
            (date(2024, 2, 26), 2024, 9, "2024-03-03"),  # across 29 February
        ],
    )
    def test_iso_week_and_period(self, monday, year, week, sunday):
        row = week_row(7, "maria", monday, 3600, 1800)
        assert row == [7, "maria", year, week, monday.isoformat(), sunday, 1.0, 0.5, 0.5]

    def test_hours_round_the_sum_not_each_entry(self):
        assert hours(3 * 1200) == 1.0  # three 20-minute entries: 3 × 0.33 would be 0.99
        assert hours(4600) == 1.28
        assert hours(0) == 0.0

    def test_each_split_is_rounded_on_its_own(self):
        # 1.0125 h total: billable 0.5083 h, non-billable 0.5042 h
        assert week_row(1, "u", date(2024, 3, 4), 3645, 1830)[6:] == [1.01, 0.51, 0.5]


class TestFormat:
    @pytest.mark.parametrize(("raw", "name"), [(None, "csv"), ("", "csv"), ("CSV", "csv"), (" jsonl ", "jsonl")])
    def test_known(self, raw, name):
        assert export_format(raw).name == name

    @pytest.mark.parametrize("raw", ["json", "xlsx", "csv;", "\x00"])
    def test_unknown(self, raw):
        with pytest.raises(ValidationError) as caught:
            export_format(raw)
        assert list(caught.value.body()["errors"]) == ["format"]

    @pytest.mark.parametrize(("seconds", "text"), [(0, "00:00:00"), (59, "00:00:59"), (3661, "01:01:01"),
                                                   (360000, "100:00:00"), (-5, "00:00:00")])  # fmt: skip
    def test_hms(self, seconds, text):
        assert hms(seconds) == text


def row(**fields):
    doc = {"id": 1, "user_id": 2, "project_id": None, "task_id": None, "client_id": None,
           "start_time": "2024-03-05T09:00:00Z", "end_time": "2024-03-05T10:00:00Z", "duration_seconds": 3600,
           "duration_hours": 1.0, "break_seconds": 0, "paused_at": None, "notes": None, "tags": None,
           "billable": True, "paid": False, "source": "manual", "user": "old", "project": None, "task": None,
           "client": None} | fields.pop("doc", {})  # fmt: skip
    values = {"id": doc["id"], "user_id": doc["user_id"], "project_id": doc["project_id"], "task_id": doc["task_id"],
              "client_id": doc["client_id"], "start_time": datetime(2024, 3, 5, 9, tzinfo=UTC),
              "end_time": datetime(2024, 3, 5, 10, tzinfo=UTC), "paused_at": None, "break_seconds": 0,
              "doc": doc} | fields  # fmt: skip
    return SimpleNamespace(**values)


class TestEntryObject:
    def test_names_come_from_the_replicas(self):
        entry = row(doc={"project_id": 5, "task_id": 6, "client_id": 7, "project": "P0", "task": "T0", "client": "C0"})
        names = Names(users={2: "maria"}, projects={5: "Site"}, tasks={6: "Fix"}, clients={7: "ACME"})
        obj = entry_object(entry, names, NOW)
        assert (obj["user"], obj["project"], obj["task"], obj["client"]) == ("maria", "Site", "Fix", "ACME")

    def test_carried_names_stay_when_the_replica_does_not_know(self):
        entry = row(doc={"project_id": 5, "project": "P0"})
        obj = entry_object(entry, Names(), NOW)
        assert (obj["user"], obj["project"]) == ("old", "P0")

    def test_no_id_means_no_name(self):
        entry = row(doc={"project": "stale", "client": "stale"})
        obj = entry_object(entry, Names(projects={5: "Site"}), NOW)
        assert (obj["project"], obj["client"]) == (None, None)

    def test_a_deleted_task_drops_from_the_entry(self):
        entry = row(doc={"project_id": 5, "task_id": 6, "task": "Fix"})
        obj = entry_object(entry, Names(gone_tasks={6}), NOW)
        assert (obj["task_id"], obj["task"]) == (None, None)

    def test_missing_derived_fields_are_filled(self):
        entry = row()
        del entry.doc["duration_hours"], entry.doc["paid"]
        entry.doc["duration_seconds"] = 5000
        obj = entry_object(entry, Names(), NOW)
        assert (obj["duration_hours"], obj["paid"]) == (1.39, False)

    def test_a_running_timer_duration_is_live_and_the_doc_untouched(self):
        entry = row(end_time=None, start_time=datetime(2024, 3, 5, 9, tzinfo=UTC), break_seconds=120,
                    doc={"end_time": None, "duration_seconds": None, "duration_formatted": "00:00:00"})  # fmt: skip
        obj = entry_object(entry, Names(), NOW)
        assert obj["duration_formatted"] == "02:58:00"
        assert entry.doc["duration_formatted"] == "00:00:00"


class TestLines:
    def test_csv_cells(self):
        obj = {"id": 1, "user": None, "billable": False, "paid": True, "notes": 'a,"b"\nc', "duration_hours": 1.5}
        text = csv_lines([obj]).decode()
        assert text.endswith("\r\n")
        (parsed,) = csv.DictReader(io.StringIO(text, newline=""), fieldnames=CSV_COLUMNS)
        assert (parsed["id"], parsed["user"], parsed["billable"], parsed["paid"]) == ("1", "", "false", "true")
        assert (parsed["notes"], parsed["duration_hours"], parsed["source"]) == ('a,"b"\nc', "1.5", "")

    def test_jsonl_keeps_unicode_one_object_per_line(self):
        text = jsonl_lines([{"notes": "Café\nx"}, {"notes": None}]).decode()
        assert text == '{"notes": "Café\\nx"}\n{"notes": null}\n'
