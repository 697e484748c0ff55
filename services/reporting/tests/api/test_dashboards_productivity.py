"""`GET /api/productivity/stats` and `GET /api/v1/reports/productivity` (reporting.md §4.3): the
token user's completed entries bucketed by the USER time zone (app zone Europe/Rome in tests),
data built relative to the real current date."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from reporting.dashboards import productivity, repository

LEGACY = "/api/productivity/stats"
V1 = "/api/v1/reports/productivity"
MONDAY_FIRST = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
# A zone 12–13 hours ahead of Rome: its morning is the previous day in the app zone.
FAR_EAST = ZoneInfo("Pacific/Kiritimati")


@pytest.fixture
def zone(settings):
    return settings.zone


@pytest.fixture
def today(zone) -> date:
    return datetime.now(zone).date()


def local(day: date, zone, hour: int = 9, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)


@pytest.fixture
def work(entry, user_id, zone):
    """`work(day, seconds, hour=9, minute=0, zone=app zone, **fields)`: a completed entry."""

    def make(day: date, seconds: int, hour: int = 9, minute: int = 0, in_zone=None, **fields):
        start = local(day, in_zone or zone, hour, minute)
        return entry(
            user_id=fields.pop("user_id", user_id), start=start, end=start + timedelta(seconds=seconds), **fields
        )

    return make


def stats(client, headers, params: dict | None = None, url: str = LEGACY) -> dict:
    response = client.get(url, headers=headers, params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["ok"] is True
    return body


def days_back(today: date, count: int) -> list[date]:
    return [today - timedelta(days=n) for n in range(count - 1, -1, -1)]


class TestEmptyAndPeriod:
    def test_without_data_every_section_has_its_empty_value(self, client, headers_for, user_id, today):
        body = stats(client, headers_for(user_id))
        assert body["period"] == 30
        assert body["summary"] == {
            "today_hours": 0.0,
            "week_hours": 0.0,
            "workday_today_hours": 0.0,
            "workday_week_hours": 0.0,
            "week_goal_hours": 40.0,
            "week_goal_percent": 0,
            "active_timer": None,
            "billable_percent_week": 0,
            "top_project_week": None,
        }
        assert body["daily_breakdown"] == [
            {"date": d.isoformat(), "hours": 0.0, "billable_hours": 0.0, "entry_count": 0, "goal_hours": 8.0}
            for d in days_back(today, 14)
        ]
        assert body["streak"] == {
            "current_streak": 0,
            "longest_streak": 0,
            "tracked_days_this_month": 0,
            "total_days_this_month": today.day,
        }
        assert body["focus"] == {
            "avg_session_length_minutes": 0.0,
            "longest_session_hours": 0.0,
            "entries_per_day": 0.0,
            "most_productive_hour": None,
            "most_productive_day": None,
            "hour_distribution": [0.0] * 24,
        }
        assert body["projects"] == []
        assert body["heatmap"] == [{"date": d.isoformat(), "hours": 0.0, "level": 0} for d in days_back(today, 84)]
        assert body["insights"] == []

    @pytest.mark.parametrize(
        ("raw", "period"),
        [
            ("0", 1),
            ("1000", 90),
            ("abc", 30),
            ("-5", 1),
            ("7", 7),
            (" 12 ", 12),
            ("1.5", 30),
            ("", 30),
            ("9" * 40, 90),
            ("9" * 5000, 30),
            ("7\x00", 30),
            ("'", 30),
        ],
    )
    def test_period_is_clamped_to_1_90_and_defaults_to_30(self, client, headers_for, user_id, raw, period):
        assert stats(client, headers_for(user_id), {"period": raw})["period"] == period

    def test_period_limits_focus_and_projects_only(self, client, headers_for, user_id, work, today, project):
        site = project(name="Site")
        work(today - timedelta(days=2), 3600, project_id=site["id"])
        work(today - timedelta(days=3), 7200, project_id=site["id"])  # outside a 3-day period
        body = stats(client, headers_for(user_id), {"period": "3"})
        assert body["projects"][0]["hours"] == 1.0
        assert body["focus"]["longest_session_hours"] == 1.0
        assert sum(day["hours"] for day in body["daily_breakdown"]) == 3.0
        assert sum(day["hours"] for day in body["heatmap"]) == 3.0


class TestSummary:
    def test_today_week_goal_billable_and_top_project(self, client, headers_for, user_id, user, work, today, project):
        user(id=user_id, standard_hours_per_day=7.5)
        big, small = project(name="Big"), project(name="Small")
        monday = today - timedelta(days=today.weekday())
        work(today, 5400, hour=8, project_id=small["id"])  # 1.5 h
        work(today, 1800, hour=13, billable=False)  # 0.5 h, no project
        work(monday, 7200, hour=0, project_id=big["id"])  # 2 h on Monday (today too when it is Monday)
        work(monday - timedelta(days=1), 3600, hour=23)  # Sunday of last week
        body = stats(client, headers_for(user_id))["summary"]
        today_seconds = 5400 + 1800 + (7200 if monday == today else 0)
        assert body["today_hours"] == round(today_seconds / 3600, 2)
        assert body["week_hours"] == 4.0
        assert body["week_goal_hours"] == 37.5
        assert body["week_goal_percent"] == 11  # 4 / 37.5 = 10.67 %
        assert body["billable_percent_week"] == 88  # 3.5 of 4 h
        assert body["top_project_week"] == {"name": "Big", "hours": 2.0}
        assert body["workday_today_hours"] == 0.0
        assert body["workday_week_hours"] == 0.0

    def test_week_goal_is_40_when_the_standard_day_is_not_positive(self, client, headers_for, user_id, user):
        user(id=user_id, standard_hours_per_day=0)
        body = stats(client, headers_for(user_id))
        assert body["summary"]["week_goal_hours"] == 40.0
        assert body["daily_breakdown"][0]["goal_hours"] == 8.0

    def test_week_goal_percent_stops_at_100(self, client, headers_for, user_id, user, work, today):
        user(id=user_id, standard_hours_per_day=1)
        work(today, 6 * 3600, hour=0)
        summary = stats(client, headers_for(user_id))["summary"]
        assert summary["week_goal_hours"] == 5.0
        assert summary["week_goal_percent"] == 100

    def test_the_week_is_monday_to_today_whatever_the_users_week_start(
        self, client, headers_for, user_id, user, work, today
    ):
        user(id=user_id, week_start_day=(today.isoweekday() % 7))  # their week would start today
        monday = today - timedelta(days=today.weekday())
        work(monday, 3600, hour=0)
        assert stats(client, headers_for(user_id))["summary"]["week_hours"] == 1.0

    def test_a_running_timer_is_reported_live_and_not_counted(self, client, headers_for, user_id, entry, project, task):
        site = project(name="Site")
        design = task(name="Design", project_id=site["id"])
        start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=90)
        timer = entry(user_id=user_id, start=start, end=None, project_id=site["id"], task_id=design["id"],
                      break_seconds=600)  # fmt: skip
        summary = stats(client, headers_for(user_id))["summary"]
        active = summary.pop("active_timer")
        assert active.pop("duration_seconds") in range(4800, 4800 + 30)  # 90 min − 10 min break, live
        assert active == {
            "id": timer["id"],
            "project_name": "Site",
            "task_name": "Design",
            "start_time": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        assert summary["today_hours"] == 0.0
        assert summary["week_hours"] == 0.0

    def test_a_paused_timer_stops_counting_at_the_pause(self, client, headers_for, user_id, entry):
        start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
        entry(user_id=user_id, start=start, end=None, paused_at=(start + timedelta(minutes=45)).isoformat(),
              break_seconds=300)  # fmt: skip
        active = stats(client, headers_for(user_id))["summary"]["active_timer"]
        assert active["duration_seconds"] == 45 * 60 - 300
        assert active["project_name"] is None
        assert active["task_name"] is None

    def test_other_users_data_and_deleted_entries_are_invisible(
        self, client, headers_for, user_id, next_user_id, entry, work, today
    ):
        other = next_user_id()
        work(today, 3600, user_id=other)
        entry(user_id=other, start=datetime.now(UTC) - timedelta(minutes=5), end=None)
        gone = work(today, 1800)
        entry(action="deleted", **gone)
        body = stats(client, headers_for(user_id))
        assert body["summary"]["today_hours"] == 0.0
        assert body["summary"]["active_timer"] is None
        assert body["streak"]["current_streak"] == 0
        assert body["heatmap"][-1]["hours"] == 0.0


class TestBreakdownHeatmapStreak:
    def test_daily_breakdown_covers_the_last_14_days(self, client, headers_for, user_id, user, work, today):
        user(id=user_id, standard_hours_per_day=6.25)
        work(today - timedelta(days=14), 3600)  # one day too old
        work(today - timedelta(days=13), 1234)
        work(today - timedelta(days=13), 1234, hour=12, billable=False)
        work(today, 3600, hour=0)
        body = stats(client, headers_for(user_id))["daily_breakdown"]
        assert [row["date"] for row in body] == [d.isoformat() for d in days_back(today, 14)]
        assert body[0] == {"date": (today - timedelta(days=13)).isoformat(), "hours": 0.69, "billable_hours": 0.34,
                           "entry_count": 2, "goal_hours": 6.25}  # fmt: skip
        assert body[-1]["hours"] == 1.0
        assert sum(row["entry_count"] for row in body) == 3

    def test_heatmap_levels_follow_the_days_hours(self, client, headers_for, user_id, work, today):
        for back, seconds in ((0, 6 * 3600), (1, 5 * 3600), (2, 2 * 3600), (3, 3600), (83, 7140), (84, 9000)):
            work(today - timedelta(days=back), seconds, hour=0)
        heatmap = stats(client, headers_for(user_id))["heatmap"]
        assert len(heatmap) == 84
        assert heatmap[0] == {"date": (today - timedelta(days=83)).isoformat(), "hours": 1.98, "level": 1}
        assert [(row["hours"], row["level"]) for row in heatmap[-4:]] == [(1.0, 1), (2.0, 2), (5.0, 3), (6.0, 4)]

    def test_streaks_count_consecutive_tracked_days(self, client, headers_for, user_id, work, today):
        recent = [today - timedelta(days=n) for n in (1, 2)]  # today itself is not tracked yet
        older = [today - timedelta(days=n) for n in (10, 11, 12, 13)]
        ancient = [today - timedelta(days=1200 + n) for n in range(6)]  # beyond the 3-year window
        for day in recent + older + ancient:
            work(day, 600, hour=12)
        work(today - timedelta(days=11), 0, hour=15)  # a second entry on a tracked day changes nothing
        body = stats(client, headers_for(user_id))["streak"]
        month_start = today.replace(day=1)
        assert body == {
            "current_streak": 2,
            "longest_streak": 4,
            "tracked_days_this_month": sum(1 for d in recent + older if d >= month_start),
            "total_days_this_month": today.day,
        }

    def test_the_current_streak_includes_today_when_tracked(self, client, headers_for, user_id, work, today):
        for back in range(3):
            work(today - timedelta(days=back), 600, hour=0)
        body = stats(client, headers_for(user_id))
        assert body["streak"]["current_streak"] == 3
        assert body["streak"]["longest_streak"] == 3


class TestFocusAndProjects:
    def test_focus_over_the_period(self, client, headers_for, user_id, work, today):
        day = today - timedelta(days=1)
        work(day, 200, hour=7)  # too short for a session, still an entry
        work(day, 1800, hour=9, minute=15)
        work(day, 1800, hour=9, minute=45)
        work(today - timedelta(days=2), 3600, hour=14)
        work(today - timedelta(days=40), 9 * 3600, hour=3)  # outside the 30-day period
        focus = stats(client, headers_for(user_id))["focus"]
        distribution = [0.0] * 24
        distribution[7], distribution[9], distribution[14] = 0.06, 1.0, 1.0
        assert focus == {
            "avg_session_length_minutes": 40.0,  # (30 + 30 + 60) / 3
            "longest_session_hours": 1.0,
            "entries_per_day": 2.0,  # 4 entries on 2 days
            "most_productive_hour": 9,  # ties with 14: the earlier hour
            "most_productive_day": MONDAY_FIRST[day.weekday()],  # 1.06 h against 1.0 h
            "hour_distribution": distribution,
        }

    def test_projects_top_8_by_time_with_their_palette_colour(self, client, headers_for, user_id, work, today, project):
        projects = [project(name=f"P{n}") for n in range(9)]
        for n, site in enumerate(projects):
            work(today - timedelta(days=1), 600 * (n + 1), hour=8, project_id=site["id"])
        work(today - timedelta(days=2), 600, project_id=projects[8]["id"], billable=False)
        work(today - timedelta(days=2), 99_999)  # no project: in no project row
        rows = stats(client, headers_for(user_id))["projects"]
        palette = ["#3b82f6", "#10b981", "#f59e0b", "#ef4444", "#8b5cf6", "#ec4899", "#14b8a6", "#f97316",
                   "#6366f1", "#84cc16"]  # fmt: skip
        top = projects[8]
        assert rows[0] == {"project_id": top["id"], "name": "P8", "hours": 1.67, "billable_hours": 1.5,
                           "entry_count": 2, "color": palette[top["id"] % 10]}  # fmt: skip
        assert [row["name"] for row in rows] == ["P8", "P7", "P6", "P5", "P4", "P3", "P2", "P1"]

    def test_a_project_missing_from_the_replica_is_unknown(self, client, headers_for, user_id, work, today):
        work(today, 3600, hour=0, project_id=424242)
        body = stats(client, headers_for(user_id))
        assert body["projects"][0]["name"] == "Unknown"
        assert body["summary"]["top_project_week"] == {"name": "Unknown", "hours": 1.0}


class TestUserTimeZone:
    def test_days_hours_and_streak_use_the_users_zone(self, client, headers_for, user_id, user, work):
        user(id=user_id, timezone="Pacific/Kiritimati")
        their_today = datetime.now(FAR_EAST).date()
        work(their_today, 3600, hour=0, minute=30, in_zone=FAR_EAST)  # the previous day in Rome
        body = stats(client, headers_for(user_id))
        assert body["summary"]["today_hours"] == 1.0
        assert body["daily_breakdown"][-1]["date"] == their_today.isoformat()
        assert body["daily_breakdown"][-1]["hours"] == 1.0
        assert body["heatmap"][-1]["hours"] == 1.0
        assert body["streak"]["current_streak"] == 1
        assert body["focus"]["most_productive_hour"] == 0
        assert body["focus"]["most_productive_day"] == MONDAY_FIRST[their_today.weekday()]

    def test_an_invalid_zone_falls_back_to_the_app_zone(self, client, headers_for, user_id, user, work, today):
        user(id=user_id, timezone="Mars/Olympus_Mons")
        work(today, 3600, hour=0)
        body = stats(client, headers_for(user_id))
        assert body["daily_breakdown"][-1] == {"date": today.isoformat(), "hours": 1.0, "billable_hours": 1.0,
                                               "entry_count": 1, "goal_hours": 8.0}  # fmt: skip
        assert body["streak"]["current_streak"] == 1


class TestInsightsAndFailures:
    def test_insights_follow_the_data(self, client, headers_for, user_id, work, today):
        for back in range(3):
            work(today - timedelta(days=back), 3600, hour=10)
        insights = stats(client, headers_for(user_id))["insights"]
        assert 2 <= len(insights) <= 4
        assert any("3" in line for line in insights)  # the 3-day streak
        assert any("10:00–11:00" in line for line in insights)  # the peak hour

    def test_a_failing_section_degrades_alone(self, client, headers_for, user_id, work, today, project, monkeypatch):
        def broken(session, user_id):
            session.execute(text("SELECT 1 / 0"))  # a database error inside the request's transaction

        monkeypatch.setattr(repository, "running_entry", broken)
        site = project(name="Site")
        work(today, 3600, hour=0, project_id=site["id"])
        body = stats(client, headers_for(user_id))
        assert body["summary"]["active_timer"] is None
        assert body["summary"]["today_hours"] == 1.0
        assert body["projects"][0]["name"] == "Site"  # read after the failure, in the same transaction

    def test_an_internal_failure_is_a_500_with_ok_false(self, client, headers_for, user_id, monkeypatch):
        def broken(*args, **kwargs):
            raise RuntimeError("replica unavailable")

        monkeypatch.setattr(productivity, "preferences", broken)
        response = client.get(LEGACY, headers=headers_for(user_id))
        assert response.status_code == 500
        body = response.json()
        assert body["ok"] is False
        assert isinstance(body["error"], str) and body["error"]
        assert body["success"] is False
        assert "replica unavailable" not in response.text

    def test_legacy_path_needs_no_scope_and_v1_needs_read_reports(self, client, headers_for, user_id, work, today):
        work(today, 3600, hour=0)
        legacy = stats(client, headers_for(user_id), {"period": "14"})
        assert stats(client, headers_for(user_id, "read:*"), {"period": "14"}, V1) == legacy
        assert client.get(V1, headers=headers_for(user_id)).status_code == 403
