"""`GET /api/reports/week-comparison` and `GET /api/v1/reports/week-comparison` (reporting.md
§4.2): this week from Monday through now against last week's same days, app time zone
(Europe/Rome in tests), data built relative to the real current date."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

LEGACY = "/api/reports/week-comparison"
V1 = "/api/v1/reports/week-comparison"


@pytest.fixture
def now(settings) -> datetime:
    return datetime.now(settings.zone)


@pytest.fixture
def today(now) -> date:
    return now.date()


@pytest.fixture
def monday(today) -> date:
    return today - timedelta(days=today.weekday())


@pytest.fixture
def at(settings):
    def make(day: date, hour: int = 9, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=settings.zone).astimezone(UTC)

    return make


@pytest.fixture
def work(entry, user_id):
    def make(start: datetime, seconds: int, **fields):
        return entry(
            user_id=fields.pop("user_id", user_id), start=start, end=start + timedelta(seconds=seconds), **fields
        )

    return make


def compare(client, headers, url: str = LEGACY) -> dict:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def span(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def earlier_today(now: datetime) -> datetime:
    """A start already past today: an hour ago, or midnight if the day is younger than that."""
    midnight = datetime.combine(now.date(), time.min, tzinfo=now.tzinfo)
    return max(midnight, now - timedelta(hours=1)).astimezone(UTC)


class TestWeekComparison:
    def test_without_entries_both_weeks_list_their_days_at_zero(self, client, headers_for, user_id, today, monday):
        body = compare(client, headers_for(user_id))
        last_monday = monday - timedelta(days=7)
        assert body == {
            "current_week": {
                "total_hours": 0.0,
                "by_day": [{"day": d.isoformat(), "hours": 0.0} for d in span(monday, today)],
            },
            "last_week": {
                "total_hours": 0.0,
                "by_day": [{"day": d.isoformat(), "hours": 0.0} for d in span(last_monday, today - timedelta(days=7))],
            },
            "change_percent": None,
        }
        assert len(body["current_week"]["by_day"]) == today.weekday() + 1
        assert len(body["last_week"]["by_day"]) == len(body["current_week"]["by_day"])

    def test_days_sum_seconds_then_round_and_totals_sum_the_rounded_days(
        self, client, headers_for, user_id, now, today, monday, at, work
    ):
        last_monday = monday - timedelta(days=7)
        work(at(last_monday, 8), 1200)
        work(at(last_monday, 10), 1200)  # 2400 s = 0.67 h (each entry alone would be 0.33)
        work(at(today - timedelta(days=7), 9), 4800)  # 1.33 h, the last day of last week's period
        work(earlier_today(now), 5400, billable=False)  # 1.5 h today, non-billable counts
        work(at(monday, 0, 30) if monday < today else earlier_today(now), 1800)  # 0.5 h on Monday
        body = compare(client, headers_for(user_id))

        last = {last_monday: 2400}
        last[today - timedelta(days=7)] = last.get(today - timedelta(days=7), 0) + 4800
        current = {today: 5400}
        current[monday] = current.get(monday, 0) + 1800
        expected_last = [round(last.get(d, 0) / 3600, 2) for d in span(last_monday, today - timedelta(days=7))]
        expected_current = [round(current.get(d, 0) / 3600, 2) for d in span(monday, today)]
        assert [d["hours"] for d in body["last_week"]["by_day"]] == expected_last
        assert [d["hours"] for d in body["current_week"]["by_day"]] == expected_current
        last_total = round(sum(expected_last), 2)
        current_total = round(sum(expected_current), 2)
        assert body["last_week"]["total_hours"] == last_total
        assert body["current_week"]["total_hours"] == current_total
        assert body["change_percent"] == round((current_total - last_total) / last_total * 100, 1)

    def test_last_weeks_days_after_todays_weekday_do_not_count(self, client, headers_for, user_id, today, at, work):
        if today.weekday() == 6:
            pytest.skip("on Sunday last week's period is the whole week")
        work(at(today - timedelta(days=6), 9), 3600)  # the day after "today one week ago"
        body = compare(client, headers_for(user_id))
        assert body["last_week"]["total_hours"] == 0.0
        assert body["change_percent"] is None

    def test_the_periods_start_on_monday_at_midnight(self, client, headers_for, user_id, today, monday, at, work):
        work(at(monday - timedelta(days=8), 23, 30), 3600)  # the Sunday before last week
        work(at(monday - timedelta(days=7), 0, 0), 900)  # last Monday 00:00
        work(at(monday - timedelta(days=1), 23, 30), 1800)  # last Sunday: in last week's period only on Sundays
        body = compare(client, headers_for(user_id))
        assert body["current_week"]["total_hours"] == 0.0
        assert body["last_week"]["total_hours"] == (0.75 if today.weekday() == 6 else 0.25)

    def test_entries_starting_later_today_are_not_yet_this_week(self, client, headers_for, user_id, now, at, work):
        end_of_day = datetime.combine(now.date() + timedelta(days=1), time.min, tzinfo=now.tzinfo)
        later = now + (end_of_day - now) / 2
        work(later.astimezone(UTC), 3600)
        work(earlier_today(now), 1800)
        body = compare(client, headers_for(user_id))
        assert body["current_week"]["by_day"][-1] == {"day": now.date().isoformat(), "hours": 0.5}

    def test_change_is_negative_when_this_week_has_less(self, client, headers_for, user_id, now, today, at, work):
        work(at(today - timedelta(days=7), 10), 4 * 3600)
        work(earlier_today(now), 3600)
        body = compare(client, headers_for(user_id))
        assert body["change_percent"] == -75.0

    def test_running_deleted_and_other_users_entries_do_not_count(
        self, client, headers_for, user_id, next_user_id, now, entry, work
    ):
        start = earlier_today(now)
        entry(user_id=user_id, start=start, end=None)
        gone = work(start, 600)
        entry(action="deleted", **gone)
        work(start, 3600, user_id=next_user_id())
        body = compare(client, headers_for(user_id))
        assert body["current_week"]["total_hours"] == 0.0

    def test_the_week_starts_on_monday_whatever_the_users_preference(self, client, headers_for, user_id, user, monday):
        user(id=user_id, week_start_day=0)
        body = compare(client, headers_for(user_id))
        assert body["current_week"]["by_day"][0]["day"] == monday.isoformat()
        assert body["last_week"]["by_day"][0]["day"] == (monday - timedelta(days=7)).isoformat()

    def test_legacy_path_needs_no_scope_and_v1_needs_read_reports(self, client, headers_for, user_id, now, work):
        work(earlier_today(now), 3600)
        legacy = compare(client, headers_for(user_id))
        assert compare(client, headers_for(user_id, "read:reports"), V1) == legacy
        assert client.get(V1, headers=headers_for(user_id, "write:time_entries")).status_code == 403
