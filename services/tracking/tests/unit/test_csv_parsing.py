"""Reading an import CSV (tracking.md §4.6): header matching, row numbers, the billable cell rule
and each row's values."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from shared.errors import ValidationError
from tracking.csv_import.parsing import (
    NO_HEADER,
    PROJECT_REQUIRED,
    TIMES_REQUIRED,
    CsvRow,
    RowError,
    billable_cell,
    entry_fields,
    header_columns,
    normalise,
    project_id_of,
    read_csv,
)

ROME = ZoneInfo("Europe/Rome")


def row(**cells: str) -> CsvRow:
    return CsvRow(2, cells, True)


class TestHeader:
    @pytest.mark.parametrize(
        ("name", "expected"),
        [
            ("Project ID", "project_id"),
            ("  START_time ", "start_time"),
            ("task\tid", "task_id"),
            ("\ufeffnotes", "notes"),
        ],
    )
    def test_names_are_case_insensitive_with_spaces_as_underscores(self, name, expected):
        assert normalise(name) == expected

    def test_aliases_name_the_same_columns(self):
        columns = header_columns(["Project Id", "Start", "End", "Task ID", "Description", "TAGS", "Billable", "x"])
        assert columns == {
            "project_id": [0],
            "start_time": [1],
            "end_time": [2],
            "task_id": [3],
            "notes": [4],
            "tags": [5],
            "billable": [6],
        }

    def test_the_columns_own_name_comes_before_its_alias(self):
        assert header_columns(["description", "start", "notes", "start_time"]) == {
            "notes": [2, 0],
            "start_time": [3, 1],
        }

    def test_own_name_wins_when_both_cells_are_filled(self):
        [r] = read_csv("description,notes\nfrom alias,from notes\n")
        assert r.cell("notes") == "from notes"

    def test_alias_fills_in_when_the_own_column_is_blank(self):
        [r] = read_csv("notes,description\n,from alias\n")
        assert r.cell("notes") == "from alias"

    def test_unknown_columns_are_ignored(self):
        [r] = read_csv("project_id,user_id,colour\n3,99,red\n")
        assert dict(r.cells) == {"project_id": "3"}


class TestBillableCell:
    @pytest.mark.parametrize("value", ["1", "true", "TRUE", "Yes", "y", " Y "])
    def test_true_words(self, value):
        assert billable_cell(value, column_present=True) is True

    @pytest.mark.parametrize("value", ["", None, "0", "false", "no", "n", "2", "billable", "t"])
    def test_anything_else_and_an_empty_cell_are_false(self, value):
        assert billable_cell(value, column_present=True) is False

    def test_no_column_means_billable(self):
        assert billable_cell(None, column_present=False) is True

    def test_rows_carry_the_rule(self):
        yes, empty, short = read_csv("project_id,billable\n1,yes\n2,\n3\n")
        assert (yes.billable, empty.billable, short.billable) == (True, False, False)
        [absent] = read_csv("project_id\n1\n")
        assert absent.billable is True


class TestReadCsv:
    @pytest.mark.parametrize("text", ["", "   ", "\n\r\n\t", "\ufeff \n"])
    def test_empty_input(self, text):
        with pytest.raises(ValidationError) as exc:
            read_csv(text)
        assert exc.value.error == "Empty CSV"
        assert exc.value.extra["errors"] == {"csv": ["Empty CSV"]}

    @pytest.mark.parametrize("text", ["\n1,2024-01-15T10:00,2024-01-15T11:00\n", ",,\n1,2,3\n", '""\n1\n'])
    def test_a_blank_first_row_is_no_header(self, text):
        with pytest.raises(ValidationError) as exc:
            read_csv(text)
        assert exc.value.error == NO_HEADER

    def test_a_header_without_rows_is_fine(self):
        assert read_csv("project_id,start_time,end_time\n") == []

    def test_rows_are_numbered_from_2_and_blank_rows_keep_their_number(self):
        text = 'project_id,notes\r\n1,a\r\n\r\n, ,\n2,"two\nlines"\n3,c'
        rows = read_csv(text)
        assert [(r.number, r.cell("project_id"), r.cell("notes")) for r in rows] == [
            (2, "1", "a"),
            (5, "2", "two\nlines"),
            (6, "3", "c"),
        ]

    def test_cells_are_trimmed_and_missing_cells_are_blank(self):
        [r] = read_csv("\ufeffproject_id,start_time,end_time,tags\n 7 , 2024-01-15T10:00 \n")
        assert dict(r.cells) == {"project_id": "7", "start_time": "2024-01-15T10:00", "end_time": "", "tags": ""}

    def test_a_broken_file_is_refused_whole(self):
        with pytest.raises(ValidationError) as exc:
            read_csv('project_id,notes\n1,"' + "x" * 200_000 + '"\n')
        assert exc.value.error == "Invalid CSV"


class TestRowValues:
    @pytest.mark.parametrize("value", ["", "  "])
    def test_project_id_is_required(self, value):
        with pytest.raises(RowError, match=PROJECT_REQUIRED):
            project_id_of(row(project_id=value))

    def test_project_id_must_be_an_integer(self):
        with pytest.raises(RowError, match="project_id must be an integer"):
            project_id_of(row(project_id="abc"))

    def test_project_id_past_postgresql_integer_is_no_row(self):
        assert project_id_of(row(project_id="99999999999")) == 0
        assert project_id_of(row(project_id="12")) == 12

    def test_times_follow_the_app_time_zone_rules(self):
        fields = entry_fields(row(start_time="2024-01-15T10:00", end_time="2024-01-15T12:00:00Z"), ROME)
        assert fields.start == datetime(2024, 1, 15, 9, 0, tzinfo=UTC)
        assert fields.end == datetime(2024, 1, 15, 12, 0, tzinfo=UTC)
        assert (fields.task_id, fields.notes, fields.tags) == (None, None, None)

    def test_a_bare_date_is_midnight(self):
        fields = entry_fields(row(start_time="2024-07-01", end_time="2024-07-01 08:00+02:00"), ROME)
        assert fields.start == datetime(2024, 6, 30, 22, 0, tzinfo=UTC)
        assert fields.end == datetime(2024, 7, 1, 6, 0, tzinfo=UTC)

    @pytest.mark.parametrize(
        ("start", "end"), [("", "2024-01-15T11:00"), ("2024-01-15T10:00", ""), ("yesterday", "2024-01-15T11:00")]
    )
    def test_both_times_are_required(self, start, end):
        with pytest.raises(RowError, match=TIMES_REQUIRED.replace("(", r"\(").replace(")", r"\)")):
            entry_fields(row(start_time=start, end_time=end), ROME)

    def test_task_notes_and_tags(self):
        cells = {"start_time": "2024-01-15T10:00", "end_time": "2024-01-15T11:00", "task_id": "4"}
        fields = entry_fields(row(**cells, notes="Call", tags="a, b"), ROME)
        assert (fields.task_id, fields.notes, fields.tags) == (4, "Call", "a, b")

    def test_task_id_must_be_an_integer(self):
        with pytest.raises(RowError, match="task_id must be an integer"):
            entry_fields(row(start_time="2024-01-15T10:00", end_time="2024-01-15T11:00", task_id="x"), ROME)

    @pytest.mark.parametrize(("column", "limit"), [("notes", 5000), ("tags", 500)])
    def test_text_limits_of_the_api_create(self, column, limit):
        times = {"start_time": "2024-01-15T10:00", "end_time": "2024-01-15T11:00"}
        assert entry_fields(row(**times, **{column: "x" * limit}), ROME)
        with pytest.raises(RowError, match=f"{column} must be at most {limit} characters"):
            entry_fields(row(**times, **{column: "x" * (limit + 1)}), ROME)

    def test_a_nul_character_cannot_be_stored(self):
        with pytest.raises(RowError, match="notes contains a NUL character"):
            entry_fields(row(start_time="2024-01-15T10:00", end_time="2024-01-15T11:00", notes="a\x00b"), ROME)
