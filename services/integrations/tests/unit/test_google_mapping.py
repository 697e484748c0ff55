"""Google connector rules (integrations.md §5.4, §5.5): config defaults, which events are
imported, and the calendar event of an exported entry."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from integrations.google import mapping


def timed(event_id, summary, start="2026-03-02T09:00:00Z", end="2026-03-02T10:00:00Z"):
    return {"id": event_id, "summary": summary, "start": {"dateTime": start}, "end": {"dateTime": end}}


class TestSettings:
    @pytest.mark.parametrize(("raw", "days"), [("3", 3), (0, 1), (99, 30), ("x", 7), (None, 7), (True, 7)])
    def test_days_back_is_clamped_and_defaults_to_7(self, raw, days):
        assert mapping.days_back(raw) == days

    @pytest.mark.parametrize(
        ("raw", "direction"), [("both", "both"), ("EXPORT", "export"), ("up", "import"), (None, "import")]
    )
    def test_an_unknown_direction_is_import(self, raw, direction):
        assert mapping.sync_direction(raw) == direction

    def test_blank_calendar_is_primary_and_a_bad_project_none(self):
        assert mapping.calendar_id("  ") == "primary"
        assert mapping.default_project_id("abc") is None and mapping.default_project_id("4") == 4

    def test_absent_fields_keep_their_value_and_new_ones_get_defaults(self):
        config = mapping.with_settings({"calendar_id": "team", "access_token": "enc:v1:x"}, {"sync_days_back": "12"})
        assert config == {
            "calendar_id": "team",
            "access_token": "enc:v1:x",
            "sync_direction": "import",
            "default_project_id": None,
            "sync_days_back": 12,
        }


class TestImport:
    def test_the_window_is_days_back_until_now(self):
        now = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
        assert mapping.import_window(now, 7) == {
            "timeMin": "2026-03-02T12:00:00Z",
            "timeMax": "2026-03-09T12:00:00Z",
            "singleEvents": "true",
            "orderBy": "startTime",
            "maxResults": "100",
        }

    def test_own_exports_all_day_events_and_events_without_id_are_skipped(self):
        items = [
            timed("a1", "Standup", start="2026-03-02T10:00:00+01:00", end="2026-03-02T10:30:00+01:00"),
            timed("a2", "[TT] Project \u2014 work"),
            {"id": "a3", "summary": "Holiday", "start": {"date": "2026-03-02"}, "end": {"date": "2026-03-03"}},
            timed(None, "No id"),
            timed("a5", None, start="not a time"),
            timed("a6", None),
        ]
        batch = mapping.importable(items)
        assert batch.skipped == 4
        assert batch.events == [
            {"event_id": "a1", "summary": "Standup", "start": "2026-03-02T09:00:00Z", "end": "2026-03-02T09:30:00Z"},
            {"event_id": "a6", "summary": None, "start": "2026-03-02T09:00:00Z", "end": "2026-03-02T10:00:00Z"},
        ]


class TestExport:
    ENTRY = {
        "id": 7,
        "start_time": "2026-03-02T09:00:00+00:00",
        "end_time": "2026-03-02T10:23:45+00:00",
        "duration_seconds": 5025,
        "notes": "n" * 80,
        "project_name": "Website",
        "task_name": None,
    }

    def test_summary_names_project_and_task_else_the_notes(self):
        assert mapping.event_summary(self.ENTRY) == "[TT] Website \u2014 " + "n" * 50
        assert mapping.event_summary({**self.ENTRY, "task_name": "Design"}) == "[TT] Website \u2014 Design"
        assert mapping.event_summary({"project_name": None, "notes": None}) == "[TT] TimeTracker \u2014 "
        assert len(mapping.event_summary({**self.ENTRY, "project_name": "p" * 300})) == 200

    def test_the_event_is_in_utc_with_the_duration(self):
        event = mapping.exported_event({**self.ENTRY, "start_time": "2026-03-02T10:00:00+01:00"})
        assert event["start"] == {"dateTime": "2026-03-02T09:00:00Z", "timeZone": "UTC"}
        assert event["end"] == {"dateTime": "2026-03-02T10:23:45Z", "timeZone": "UTC"}
        assert "01:23:45" in event["description"]

    def test_unreadable_times_are_not_exported(self):
        assert mapping.exported_event({**self.ENTRY, "end_time": None}) is None

    @pytest.mark.parametrize(("seconds", "shown"), [(0, "00:00:00"), (59, "00:00:59"), (3600 * 100 + 61, "100:01:01")])
    def test_hms(self, seconds, shown):
        assert mapping.hms(seconds) == shown
