"""Time-entry request bodies (tracking.md §4.3–§4.4): types, leniency and the 400 shape."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from shared.errors import ValidationError
from tracking.entries.schemas import EntryCreate, EntryUpdate, parse_body

ROME = ZoneInfo("Europe/Rome")


def errors_of(model, raw) -> dict:
    with pytest.raises(ValidationError) as caught:
        parse_body(model, raw, ROME)
    assert caught.value.error_code == "validation_error" and caught.value.status_code == 400
    return caught.value.extra["errors"]


class TestCreateBody:
    def test_ids_as_strings_and_times_in_app_time(self):
        body = parse_body(EntryCreate, {"project_id": "3", "task_id": 4, "start_time": "2024-01-15T10:00:00.000",
                                        "end_time": "2024-01-15T10:30:00Z"}, ROME)  # fmt: skip
        assert (body.project_id, body.task_id) == (3, 4)
        assert body.start_time == datetime(2024, 1, 15, 9, 0, tzinfo=UTC)
        assert body.end_time == datetime(2024, 1, 15, 10, 30, tzinfo=UTC)

    def test_texts_are_trimmed_and_blank_is_null(self):
        body = parse_body(EntryCreate, {"notes": "  hi  ", "tags": "   ", "invoice_number": " 7 "}, ROME)
        assert (body.notes, body.tags, body.invoice_number) == ("hi", None, "7")

    def test_negative_break_is_zero(self):
        assert parse_body(EntryCreate, {"break_seconds": "-10"}, ROME).break_seconds == 0

    def test_unknown_fields_are_ignored(self):
        assert parse_body(EntryCreate, {"source": "api", "reason": "x"}, ROME).model_fields_set == set()

    def test_desktop_fields(self):
        body = parse_body(EntryCreate, {"date": "2024-01-15", "duration_minutes": "90"}, ROME)
        assert (body.date, body.duration_minutes) == (date(2024, 1, 15), 90)

    def test_ids_past_the_integer_column_become_an_id_no_row_has(self):
        assert parse_body(EntryCreate, {"project_id": 2**31, "user_id": "99999999999999"}, ROME).project_id == 0

    @pytest.mark.parametrize("value", ["tomorrow", 20240115, "", "2024-01-15T10:00:00+25:00", "0001-01-01"])
    def test_unparseable_datetime(self, value):
        assert errors_of(EntryCreate, {"start_time": value}) == {"start_time": ["Not a valid datetime."]}

    def test_every_bad_field_is_reported(self):
        errors = errors_of(EntryCreate, {"project_id": "p", "end_time": "e", "notes": "n" * 5001, "date": "d"})
        assert set(errors) == {"project_id", "end_time", "notes", "date"}
        assert errors["project_id"] == ["Not a valid integer."]


class TestUpdateBody:
    def test_null_is_not_provided_and_empty_string_is_kept(self):
        body = parse_body(EntryUpdate, {"notes": "", "tags": None, "project_id": None, "billable": False}, ROME)
        assert body.provided() == {"notes", "billable"}
        assert body.notes == ""

    def test_if_updated_at_in_app_time(self):
        body = parse_body(EntryUpdate, {"if_updated_at": "2024-07-01T12:00:00"}, ROME)
        assert body.if_updated_at == datetime(2024, 7, 1, 10, 0, tzinfo=UTC)

    def test_texts_keep_their_limits(self):
        assert set(errors_of(EntryUpdate, {"notes": "n" * 5001, "invoice_number": "i" * 101})) == {
            "notes", "invoice_number"}  # fmt: skip
