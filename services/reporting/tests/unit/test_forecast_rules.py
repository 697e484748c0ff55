"""The forecast's arithmetic (reporting.md §4.4), every expected value worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from reporting.forecast.rules import (
    Budget,
    TaskCounts,
    budget_fields,
    burn_rate_trend,
    days_to_completion,
    forecast,
    task_fields,
    velocity_fields,
)

TODAY = date(2026, 4, 22)
NOW = datetime(2026, 4, 22, 8, 15, 30, tzinfo=UTC)
H = 3600


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


class TestDefaults:
    def test_a_project_without_anything_has_every_default(self):
        body = forecast({}, Budget(), TaskCounts(), today=TODAY, now=NOW)
        assert body == {
            "has_data": False,
            "total_logged_hours": 0.0,
            "days_with_entries": 0,
            "avg_hours_per_active_day": 0.0,
            "first_entry_date": None,
            "last_entry_date": None,
            "elapsed_calendar_days": 0,
            "avg_hours_per_calendar_day": 0.0,
            "velocity_hours_per_day": 0.0,
            "budget_hours": 0.0,
            "budget_amount": 0.0,
            "hourly_rate": 0.0,
            "hours_remaining": 0.0,
            "budget_used_percent": 0,
            "budget_amount_used": 0.0,
            "budget_amount_remaining": 0.0,
            "at_risk": False,
            "days_to_completion": None,
            "projected_completion_date": None,
            "project_deadline": None,
            "days_until_deadline": None,
            "deadline_risk": "no_data",
            "total_tasks": 0,
            "completed_tasks": 0,
            "open_tasks": 0,
            "overdue_tasks": 0,
            "task_completion_percent": 0,
            "recent_hours_7d": 0.0,
            "prior_hours_7d": 0.0,
            "burn_rate_trend": "stable",
            "daily_hours": [{"date": f"2026-04-{d:02d}", "hours": 0.0} for d in range(9, 23)],
            "generated_at": "2026-04-22T08:15:30Z",
            "today": "2026-04-22",
        }


class TestVelocity:
    def test_one_active_day_counts_one_calendar_day(self):
        fields = velocity_fields({ago(2): 3 * H + 1800}, TODAY)
        assert fields["total_logged_hours"] == 3.5
        assert fields["days_with_entries"] == 1
        assert fields["elapsed_calendar_days"] == 1
        assert fields["avg_hours_per_calendar_day"] == 3.5
        assert fields["velocity_hours_per_day"] == 3.5
        assert fields["first_entry_date"] == fields["last_entry_date"] == "2026-04-20"

    def test_short_history_keeps_the_larger_of_calendar_and_seven_day_rates(self):
        # 2 h on the 18th, 4 h on the 22nd: 6 h over 5 calendar days = 1.2/day; last 7 days 6/7 = 0.86.
        fields = velocity_fields({ago(4): 2 * H, TODAY: 4 * H}, TODAY)
        assert fields["elapsed_calendar_days"] == 5
        assert fields["avg_hours_per_active_day"] == 3.0
        assert fields["avg_hours_per_calendar_day"] == 1.2
        assert fields["velocity_hours_per_day"] == 1.2

    def test_seven_or_more_days_of_history_use_the_calendar_rate_only(self):
        # 1 h ten days back, 9 h today: 10 h / 11 days = 0.91; the last 7 days alone would give 9/7 = 1.29.
        fields = velocity_fields({ago(10): H, TODAY: 9 * H}, TODAY)
        assert fields["elapsed_calendar_days"] == 11
        assert fields["avg_hours_per_calendar_day"] == 0.91
        assert fields["velocity_hours_per_day"] == 0.91

    def test_total_hours_round_the_summed_seconds(self):
        # 20 s + 25 s = 45 s = 0.0125 h → 0.01 (each day alone would round to 0.01 and 0.01)
        fields = velocity_fields({ago(1): 20, TODAY: 25}, TODAY)
        assert fields["total_logged_hours"] == 0.01
        assert fields["has_data"] is True


class TestBudget:
    def test_rate_falls_back_to_budget_amount_over_budget_hours(self):
        fields = budget_fields(8.5, Budget(hours=10, amount=1000, hourly_rate=0))
        assert fields == {
            "budget_hours": 10.0,
            "budget_amount": 1000.0,
            "hourly_rate": 100.0,
            "hours_remaining": 1.5,
            "budget_used_percent": 85,
            "budget_amount_used": 850.0,
            "budget_amount_remaining": 150.0,
            "at_risk": True,
        }

    def test_a_project_rate_wins_over_the_budget_ratio(self):
        fields = budget_fields(4.0, Budget(hours=10, amount=1000, hourly_rate=55.5))
        assert fields["hourly_rate"] == 55.5
        assert fields["budget_amount_used"] == 222.0
        assert fields["budget_amount_remaining"] == 778.0
        assert fields["budget_used_percent"] == 40
        assert fields["at_risk"] is False

    def test_over_budget_clamps_to_100_percent_and_nothing_remaining(self):
        fields = budget_fields(12.0, Budget(hours=10, amount=500, hourly_rate=60))
        assert fields["budget_used_percent"] == 100
        assert fields["hours_remaining"] == 0.0
        assert fields["budget_amount_used"] == 720.0
        assert fields["budget_amount_remaining"] == 0.0
        assert fields["at_risk"] is True

    @pytest.mark.parametrize(("total", "percent", "at_risk"), [(7.9, 79, False), (8.0, 80, True)])
    def test_at_risk_from_80_percent(self, total, percent, at_risk):
        fields = budget_fields(total, Budget(hours=10))
        assert (fields["budget_used_percent"], fields["at_risk"]) == (percent, at_risk)

    def test_without_budget_hours_nothing_is_used_or_at_risk(self):
        fields = budget_fields(50.0, Budget(amount=1000, hourly_rate=0))
        assert fields["hourly_rate"] == 0.0  # the ratio needs both budget hours and amount
        assert fields["budget_used_percent"] == 0
        assert fields["at_risk"] is False
        assert fields["hours_remaining"] == 0.0
        assert fields["budget_amount_remaining"] == 1000.0


class TestTimeline:
    def test_days_round_up(self):
        assert days_to_completion(5.0, 2.0, 10) == 3

    def test_exact_division_does_not_gain_a_day_from_float_noise(self):
        assert 0.07 / 0.01 > 7  # what a float division would ceil to 8
        assert days_to_completion(0.07, 0.01, 10) == 7

    def test_nothing_remaining_of_a_budget_is_done_today(self):
        assert days_to_completion(0.0, 0.0, 10) == 0
        body = forecast({TODAY: 11 * H}, Budget(hours=10), TaskCounts(), today=TODAY, now=NOW)
        assert body["days_to_completion"] == 0
        assert body["projected_completion_date"] == "2026-04-22"
        assert body["deadline_risk"] == "on_track"

    def test_no_velocity_or_no_budget_means_no_projection(self):
        assert days_to_completion(5.0, 0.0, 10) is None
        assert days_to_completion(0.0, 2.0, 0) is None
        body = forecast({TODAY: 2 * H}, Budget(), TaskCounts(), today=TODAY, now=NOW)
        assert body["projected_completion_date"] is None
        assert body["deadline_risk"] == "no_data"

    def test_projection_counts_from_today(self):
        # 2 h/day over 2 calendar days, 10 h budget: 6 h remaining → 3 days
        body = forecast({ago(1): 2 * H, TODAY: 2 * H}, Budget(hours=10), TaskCounts(), today=TODAY, now=NOW)
        assert body["velocity_hours_per_day"] == 2.0
        assert body["days_to_completion"] == 3
        assert body["projected_completion_date"] == "2026-04-25"
        assert body["deadline_risk"] == "on_track"
        assert body["project_deadline"] is None and body["days_until_deadline"] is None


class TestTasks:
    def test_counts_and_rounded_percent(self):
        fields = task_fields(TaskCounts(total=8, completed=1, open=6, overdue=2))
        # 1/8 = 12.5 % → 12 (round half to even)
        assert fields == {
            "total_tasks": 8,
            "completed_tasks": 1,
            "open_tasks": 6,
            "overdue_tasks": 2,
            "task_completion_percent": 12,
        }

    def test_no_tasks_is_zero_percent(self):
        assert task_fields(TaskCounts())["task_completion_percent"] == 0


class TestBurnRate:
    @pytest.mark.parametrize(
        ("recent", "prior", "trend"),
        [
            (0.0, 0.0, "stable"),
            (0.5, 0.0, "increasing"),
            (0.0, 5.0, "decreasing"),
            (11.01, 10.0, "increasing"),
            (11.0, 10.0, "stable"),  # exactly +10 % is not more than 10 %
            (9.0, 10.0, "stable"),  # exactly −10 %
            (8.99, 10.0, "decreasing"),
            (0.72, 0.8, "stable"),  # exactly −10 %, though 0.8 * 0.9 > 0.72 in floats
        ],
    )
    def test_trend(self, recent, prior, trend):
        assert burn_rate_trend(recent, prior) == trend

    def test_windows_are_today_minus_6_and_today_minus_13_to_minus_7(self):
        days = {ago(14): 9 * H, ago(13): 1 * H, ago(7): 2 * H, ago(6): 4 * H, TODAY: 1800}
        body = forecast(days, Budget(), TaskCounts(), today=TODAY, now=NOW)
        assert body["recent_hours_7d"] == 4.5
        assert body["prior_hours_7d"] == 3.0
        assert body["burn_rate_trend"] == "increasing"

    def test_daily_hours_cover_today_minus_13_to_today(self):
        days = {ago(14): 9 * H, ago(13): 5400, TODAY: 1200}
        daily = forecast(days, Budget(), TaskCounts(), today=TODAY, now=NOW)["daily_hours"]
        assert len(daily) == 14
        assert daily[0] == {"date": "2026-04-09", "hours": 1.5}
        assert daily[-1] == {"date": "2026-04-22", "hours": 0.33}
        assert [day["hours"] for day in daily[1:-1]] == [0.0] * 12
