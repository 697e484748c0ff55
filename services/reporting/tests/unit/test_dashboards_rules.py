"""The dashboards' pure rules (reporting.md §4.1–4.3) and the user preferences they read."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from reporting.conventions.people import standard_hours_or_default, week_start, week_start_day_or_default, zone_or
from reporting.dashboards import sections
from reporting.dashboards.productivity import period_days
from reporting.dashboards.sections import Worked
from reporting.dashboards.service import best_weekday, change_percent, estimated_value

ROME = ZoneInfo("Europe/Rome")
THURSDAY = date(2026, 4, 23)


def worked(day: date, hour: int, seconds: int, *, billable: bool = True, project_id: int | None = None) -> Worked:
    return Worked(datetime(day.year, day.month, day.day, hour, tzinfo=ROME), seconds, billable, project_id)


class TestPreferences:
    @pytest.mark.parametrize(
        ("start_day", "expected"),
        [(1, date(2026, 4, 20)), (0, date(2026, 4, 19)), (4, THURSDAY), (5, date(2026, 4, 17)), (6, date(2026, 4, 18))],
    )
    def test_week_start_is_the_last_start_day_on_or_before(self, start_day, expected):
        assert week_start(THURSDAY, start_day) == expected

    def test_zone_override_only_when_valid(self):
        assert zone_or("America/New_York", ROME) == ZoneInfo("America/New_York")
        for bad in (None, "", "  ", "Mars/Base", "America", "../etc/passwd", "Europe/Rome\x00", "x" * 500):
            assert zone_or(bad, ROME) is ROME

    def test_out_of_range_preferences_take_the_defaults(self):
        assert week_start_day_or_default(7) == 1
        assert week_start_day_or_default(-1) == 1
        assert week_start_day_or_default(0) == 0
        assert standard_hours_or_default(0) == 8.0
        assert standard_hours_or_default(-3) == 8.0
        assert standard_hours_or_default(float("nan")) == 8.0
        assert standard_hours_or_default(7.5) == 7.5


class TestValueAndWeekRules:
    def test_best_weekday_breaks_ties_sunday_first_and_needs_time(self):
        assert best_weekday({}) is None
        assert best_weekday({3: 0}) is None
        assert best_weekday({6: 10, 2: 10}) == "Tuesday"
        assert best_weekday({0: 10, 6: 10}) == "Sunday"
        assert best_weekday({4: 11, 0: 10}) == "Thursday"

    def test_estimated_value_is_rounded_to_cents_and_null_unless_positive(self):
        assert estimated_value(Decimal(3600 * 100)) == 100.0
        assert estimated_value(Decimal(18)) == 0.01  # 0.005 rounds half away from zero
        assert estimated_value(Decimal(17)) is None  # 0.0047…
        assert estimated_value(Decimal(0)) is None
        assert estimated_value(Decimal(-3600)) is None

    def test_change_percent(self):
        assert change_percent(18.5, 22.0) == -15.9
        assert change_percent(3.0, 2.0) == 50.0
        assert change_percent(5.0, 0.0) is None


class TestProductivityRules:
    @pytest.mark.parametrize(("raw", "days"), [(None, 30), ("30", 30), ("0", 1), ("91", 90), ("x", 30), ("2.0", 30)])
    def test_period(self, raw, days):
        assert period_days(raw) == days

    def test_week_goal(self):
        assert sections.week_goal(8.0) == 40.0
        assert sections.week_goal(7.333) == 36.66
        assert sections.week_goal(0.0) == 40.0
        assert sections.week_goal(-1.0) == 40.0

    @pytest.mark.parametrize(
        ("hours", "level"), [(0.0, 0), (0.01, 1), (1.99, 1), (2.0, 2), (3.99, 2), (4.0, 3), (5.99, 3), (6.0, 4)]
    )
    def test_heat_level(self, hours, level):
        assert sections.heat_level(hours) == level

    def test_streak_ignores_future_days(self):
        tracked = {THURSDAY, THURSDAY + timedelta(days=1), THURSDAY + timedelta(days=2)}
        assert sections.streak(tracked, today=THURSDAY) == {
            "current_streak": 1,
            "longest_streak": 1,
            "tracked_days_this_month": 1,
            "total_days_this_month": 23,
        }

    def test_streak_across_a_month_boundary(self):
        today = date(2026, 5, 2)
        tracked = {date(2026, 4, 29), date(2026, 4, 30), date(2026, 5, 1)}
        assert sections.streak(tracked, today=today) == {
            "current_streak": 3,  # ending yesterday, as today has no entry
            "longest_streak": 3,
            "tracked_days_this_month": 1,
            "total_days_this_month": 2,
        }

    def test_summary_on_a_sunday_counts_back_to_monday(self):
        sunday = date(2026, 4, 26)
        rows = [worked(date(2026, 4, 20), 9, 3600), worked(date(2026, 4, 19), 9, 7200), worked(sunday, 9, 1800)]
        summary = sections.summary(rows, today=sunday, standard_hours=8.0, active_timer=None, names={})
        assert summary["week_hours"] == 1.5
        assert summary["today_hours"] == 0.5
        assert summary["top_project_week"] is None

    def test_top_project_tie_goes_to_the_lower_id(self):
        rows = [worked(THURSDAY, 9, 600, project_id=7), worked(THURSDAY, 10, 600, project_id=3)]
        summary = sections.summary(rows, today=THURSDAY, standard_hours=8.0, active_timer=None, names={3: "Three"})
        assert summary["top_project_week"] == {"name": "Three", "hours": 0.17}

    def test_focus_names_no_peak_without_seconds(self):
        focus = sections.focus([worked(THURSDAY, 9, 0)])
        assert focus["entries_per_day"] == 1.0
        assert focus["most_productive_hour"] is None
        assert focus["most_productive_day"] is None
        assert focus["avg_session_length_minutes"] == 0.0


class TestInsights:
    @staticmethod
    def breakdown(earlier: list[float]) -> list[dict]:
        return [{"hours": h} for h in earlier] + [{"hours": 0.0}] * 7

    @staticmethod
    def inputs(**overrides):
        values = {
            "summary": {"week_hours": 10.0, "billable_percent_week": 0},
            "breakdown": TestInsights.breakdown([1.0] * 7),
            "streak": {"current_streak": 0},
            "focus": {"most_productive_hour": None},
            "projects": [],
            "period_project_hours": 0.0,
        } | overrides
        return values

    def run(self, **overrides) -> list[str]:
        v = self.inputs(**overrides)
        return sections.insights(
            v["summary"], v["breakdown"], v["streak"], v["focus"], v["projects"],
            period_project_hours=v["period_project_hours"],
        )  # fmt: skip

    def test_week_over_week_change(self):
        [line] = self.run()  # 10 h against 7 h: 43 % more
        assert "43%" in line and "more" in line
        [line] = self.run(summary={"week_hours": 3.5, "billable_percent_week": 0})
        assert "50%" in line and "less" in line

    def test_no_week_insight_without_an_earlier_week_or_a_change(self):
        assert self.run(breakdown=self.breakdown([0.0] * 7)) == []
        assert self.run(summary={"week_hours": 7.0, "billable_percent_week": 0}) == []
        assert self.run(summary={"week_hours": 7.03, "billable_percent_week": 0}) == []  # 0.4 % rounds to 0
        assert self.run(breakdown=[{"hours": 5.0}] * 13) == []  # fewer than 14 days

    def test_all_five_kinds_in_order_cut_to_four(self):
        lines = self.run(
            summary={"week_hours": 14.0, "billable_percent_week": 80},
            streak={"current_streak": 5},
            focus={"most_productive_hour": 23},
            projects=[{"name": "Site", "hours": 3.0}],
            period_project_hours=4.0,
        )
        assert len(lines) == 4
        assert "100%" in lines[0]
        assert "5" in lines[1]
        assert "23:00–00:00" in lines[2]
        assert lines[3].startswith("Site") and "75%" in lines[3]

    def test_streak_of_two_and_zero_billable_say_nothing(self):
        assert self.run(breakdown=self.breakdown([0.0] * 7), streak={"current_streak": 2}) == []
        lines = self.run(breakdown=self.breakdown([0.0] * 7), summary={"week_hours": 1.0, "billable_percent_week": 7})
        assert len(lines) == 1 and "7%" in lines[0]


def test_worked_day_is_the_local_date():
    late = Worked(datetime(2026, 4, 23, 23, 30, tzinfo=UTC).astimezone(ROME), 60, True, None)
    assert late.day == date(2026, 4, 24)
