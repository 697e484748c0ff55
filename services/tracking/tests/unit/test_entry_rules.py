"""Pure time-entry rules: list filters (§4.1), the desktop slot (COMPAT), `if_updated_at`
tolerance (§4.4) and timer project statuses (§6.2)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared.query import billable_filter, filter_id, filter_instant, is_true
from tracking.entries.rules import changed_since_read, day_bounds, desktop_slot, timer_project_error

ROME = ZoneInfo("Europe/Rome")


class TestFilterParsing:
    @pytest.mark.parametrize(("raw", "expected"), [("3", 3), (" 12 ", 12), ("abc", None), ("", None), (None, None),
                                                   ("1.5", None), ("99999999999", 0)])  # fmt: skip
    def test_ids(self, raw, expected):
        assert filter_id(raw) == expected

    def test_date_starts_at_midnight_app_time(self):
        assert filter_instant("2024-01-15", ROME) == datetime(2024, 1, 14, 23, 0, tzinfo=UTC)

    def test_date_ending_a_range_covers_the_whole_day(self):
        end = filter_instant("2024-07-15", ROME, end_of_day=True)
        assert end == datetime(2024, 7, 15, 21, 59, 59, 999999, tzinfo=UTC)

    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("2024-01-15T10:00:00Z", datetime(2024, 1, 15, 10, tzinfo=UTC)),
            ("2024-01-15T10:00:00+05:00", datetime(2024, 1, 15, 5, tzinfo=UTC)),
            ("2024-01-15T10:00", datetime(2024, 1, 15, 9, tzinfo=UTC)),
        ],
    )
    def test_datetimes_keep_their_time_even_at_the_end(self, raw, expected):
        assert filter_instant(raw, ROME, end_of_day=True) == expected

    @pytest.mark.parametrize("raw", ["soon", "2024-02-30", "15/01/2024", "", "  ", None, "0001-01-01"])
    def test_unparseable_dates_are_ignored(self, raw):
        assert filter_instant(raw, ROME) is None

    @pytest.mark.parametrize(("raw", "expected"), [("true", True), ("TRUE", True), (" true ", True), ("1", False),
                                                   ("yes", False), ("", False), (None, False)])  # fmt: skip
    def test_query_booleans(self, raw, expected):
        assert is_true(raw) is expected

    @pytest.mark.parametrize(("raw", "expected"), [(None, None), ("true", True), ("false", False), ("x", False)])
    def test_billable_filter(self, raw, expected):
        assert billable_filter(raw) is expected


class TestDesktopSlot:
    def test_day_bounds_in_app_time(self):
        assert day_bounds(date(2024, 3, 31), ROME) == (
            datetime(2024, 3, 30, 23, 0, tzinfo=UTC),
            datetime(2024, 3, 31, 22, 0, tzinfo=UTC),  # the day DST starts has 23 hours
        )

    def test_first_entry_of_the_day_starts_at_nine(self):
        start, end = desktop_slot(date(2024, 7, 15), 45, None, ROME)
        assert (start, end) == (datetime(2024, 7, 15, 7, 0, tzinfo=UTC), datetime(2024, 7, 15, 7, 45, tzinfo=UTC))

    def test_later_entries_follow_the_last_end(self):
        latest = datetime(2024, 7, 15, 14, 20, tzinfo=UTC)
        assert desktop_slot(date(2024, 7, 15), 30, latest, ROME) == (latest, latest + timedelta(minutes=30))


class TestChangedSinceRead:
    STORED = datetime(2024, 1, 15, 10, 0, 0, tzinfo=UTC)

    @pytest.mark.parametrize("seconds", [0, 1, -1, 2, -2])
    def test_within_two_seconds_is_the_same(self, seconds):
        assert not changed_since_read(self.STORED, self.STORED + timedelta(seconds=seconds))

    @pytest.mark.parametrize("seconds", [2.001, -2.001, 3600, -86400])
    def test_beyond_two_seconds_either_way_is_a_change(self, seconds):
        assert changed_since_read(self.STORED, self.STORED + timedelta(seconds=seconds))


class TestTimerProjectStatus:
    def test_active_is_fine(self):
        assert timer_project_error("active") is None

    @pytest.mark.parametrize(("status", "code"), [("archived", "project_archived"), ("inactive", "project_inactive"),
                                                  ("on_hold", "project_inactive")])  # fmt: skip
    def test_other_statuses(self, status, code):
        error = timer_project_error(status)
        assert (error.status_code, error.error_code) == (400, code)
