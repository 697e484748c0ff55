"""`GET /api/stats/value-dashboard` and `GET /api/v1/reports/value-dashboard` (reporting.md §4.1):
the token user's completed entries, days in the app time zone (Europe/Rome in tests), data built
relative to the real current date."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

LEGACY = "/api/stats/value-dashboard"
V1 = "/api/v1/reports/value-dashboard"
SUNDAY_FIRST = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]


@pytest.fixture
def today(settings) -> date:
    return datetime.now(settings.zone).date()


@pytest.fixture
def at(settings):
    """`at(day, hour, minute)`: that app-zone wall-clock time as a UTC instant."""

    def make(day: date, hour: int = 9, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=settings.zone).astimezone(UTC)

    return make


@pytest.fixture
def work(entry, user_id, at):
    """`work(day, seconds, hour=9, **fields)`: a completed entry of the test user."""

    def make(day: date, seconds: int, hour: int = 9, **fields):
        start = at(day, hour)
        return entry(
            user_id=fields.pop("user_id", user_id), start=start, end=start + timedelta(seconds=seconds), **fields
        )

    return make


def dashboard(client, headers, url: str = LEGACY) -> dict:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def sunday_first_weekday(day: date) -> int:
    return day.isoweekday() % 7


class TestValueDashboard:
    def test_without_entries_every_field_has_its_empty_value(self, client, headers_for, user_id, today):
        body = dashboard(client, headers_for(user_id))
        assert body == {
            "total_hours": 0.0,
            "entries_count": 0,
            "active_days": 0,
            "avg_session_length": 0.0,
            "most_productive_day": None,
            "this_week_hours": 0.0,
            "this_month_hours": 0.0,
            "last_7_days": [{"date": (today - timedelta(days=n)).isoformat(), "hours": 0.0} for n in range(6, -1, -1)],
            "estimated_value_tracked": None,
            "estimated_value_currency": "EUR",
        }

    def test_all_time_totals_count_completed_entries_only_billable_or_not(
        self, client, headers_for, user_id, next_user_id, entry, work, today, at
    ):
        work(today - timedelta(days=40), 5400)  # 1.5 h
        work(today - timedelta(days=40), 1200, hour=14, billable=False)  # 20 min, same day
        work(today - timedelta(days=400), 1000)  # 1000 s
        entry(user_id=user_id, start=at(today - timedelta(days=2)), end=None)  # running timer
        gone = work(today - timedelta(days=3), 7200)
        entry(action="deleted", **gone)
        work(today - timedelta(days=40), 9999, user_id=next_user_id())  # someone else's
        body = dashboard(client, headers_for(user_id))
        # 5400 + 1200 + 1000 = 7600 s = 2.1111 h
        assert body["total_hours"] == 2.11
        assert body["entries_count"] == 3
        assert body["active_days"] == 2
        assert body["avg_session_length"] == round(2.11 / 3, 2) == 0.70

    def test_most_productive_day_is_the_weekday_with_most_time(self, client, headers_for, user_id, work, today):
        busy = today - timedelta(days=20)
        work(busy, 3600)
        work(busy - timedelta(days=7), 3600)  # same weekday a week earlier: 2 h in total
        work(today - timedelta(days=22), 5400)  # another weekday: 1.5 h
        body = dashboard(client, headers_for(user_id))
        assert body["most_productive_day"] == SUNDAY_FIRST[sunday_first_weekday(busy)]

    def test_a_tie_goes_to_the_earliest_weekday_counting_from_sunday(self, client, headers_for, user_id, work, today):
        one, other = today - timedelta(days=30), today - timedelta(days=31)
        work(one, 3600)
        work(other, 3600)
        earliest = min(sunday_first_weekday(one), sunday_first_weekday(other))
        assert dashboard(client, headers_for(user_id))["most_productive_day"] == SUNDAY_FIRST[earliest]

    def test_zero_length_entries_name_no_productive_day(self, client, headers_for, user_id, work, today):
        work(today - timedelta(days=1), 0)
        body = dashboard(client, headers_for(user_id))
        assert body["entries_count"] == 1
        assert body["most_productive_day"] is None

    def test_this_week_starts_on_monday_by_default(self, client, headers_for, user_id, work, today):
        monday = today - timedelta(days=today.weekday())
        work(monday, 3600)
        work(monday - timedelta(days=1), 7200)  # Sunday of last week
        assert dashboard(client, headers_for(user_id))["this_week_hours"] == 1.0

    def test_this_week_starts_on_the_users_week_start_day(self, client, headers_for, user_id, user, work, today):
        # The week starts tomorrow's weekday, so it began six days ago.
        user(id=user_id, week_start_day=(sunday_first_weekday(today) + 1) % 7)
        work(today - timedelta(days=6), 3600)
        work(today - timedelta(days=7), 7200)
        work(today, 1800)
        assert dashboard(client, headers_for(user_id))["this_week_hours"] == 1.5

    def test_a_week_starting_today_holds_only_today(self, client, headers_for, user_id, user, work, today):
        user(id=user_id, week_start_day=sunday_first_weekday(today))
        work(today, 900, hour=0)
        work(today - timedelta(days=1), 3600, hour=23)
        assert dashboard(client, headers_for(user_id))["this_week_hours"] == 0.25

    def test_week_and_month_end_with_today_and_the_month_starts_on_the_first(
        self, client, headers_for, user_id, work, today
    ):
        first = today.replace(day=1)
        work(first, 3600, hour=0)
        work(first - timedelta(days=1), 7200, hour=23)  # last day of the previous month
        work(today + timedelta(days=1), 5400)  # tomorrow: not yet this week or month
        body = dashboard(client, headers_for(user_id))
        assert body["this_month_hours"] == 1.0
        assert body["total_hours"] == 4.5
        monday = today - timedelta(days=today.weekday())
        expected_week = (1.0 if first >= monday else 0.0) + (2.0 if first - timedelta(days=1) >= monday else 0.0)
        assert body["this_week_hours"] == expected_week

    def test_last_7_days_lists_today_and_the_six_days_before(self, client, headers_for, user_id, work, today):
        work(today - timedelta(days=7), 3600)
        work(today - timedelta(days=6), 1234)  # 0.3428 h
        work(today - timedelta(days=6), 1234, hour=11)  # the day's sum is rounded: 2468 s = 0.69 h
        work(today, 5400)
        body = dashboard(client, headers_for(user_id))
        expected = [{"date": (today - timedelta(days=n)).isoformat(), "hours": 0.0} for n in range(6, -1, -1)]
        expected[0]["hours"] = 0.69
        expected[6]["hours"] = 1.5
        assert body["last_7_days"] == expected

    def test_estimated_value_takes_the_first_rate_set(
        self, client, headers_for, user_id, work, today, project, client_record
    ):
        rated_client = client_record(default_hourly_rate=20.00)
        direct_client = client_record(default_hourly_rate=40.00)
        costly = project(hourly_rate=50.00, client_id=rated_client["id"])
        unrated = project(client_id=rated_client["id"])
        free = project(hourly_rate=0, client_id=rated_client["id"])
        day = today - timedelta(days=10)
        work(day, 7200, project_id=costly["id"], client_id=direct_client["id"])  # project rate: 2 h × 50 = 100
        work(day, 5400, project_id=unrated["id"])  # project's client: 1.5 h × 20 = 30
        work(day, 3600, project_id=unrated["id"], client_id=direct_client["id"])  # direct client first: 40
        work(day, 1800, client_id=direct_client["id"], billable=False)  # client-only, non-billable: 0.5 × 40 = 20
        work(day, 3600, project_id=free["id"])  # a zero project rate is a rate: 0
        work(day, 3600)  # no project, no client: 0
        body = dashboard(client, headers_for(user_id))
        assert body["estimated_value_tracked"] == 190.0
        assert body["estimated_value_currency"] == "EUR"

    def test_estimated_value_is_rounded_to_cents_and_follows_rate_changes(
        self, client, headers_for, user_id, work, today, project
    ):
        site = project(name="Site", hourly_rate=37.50)
        work(today - timedelta(days=100), 1234, project_id=site["id"])  # 1234 / 3600 × 37.5 = 12.854166…
        assert dashboard(client, headers_for(user_id))["estimated_value_tracked"] == 12.85
        project(action="updated", **(site | {"hourly_rate": 99.99}))  # 1234 / 3600 × 99.99 = 34.2743…
        assert dashboard(client, headers_for(user_id))["estimated_value_tracked"] == 34.27

    def test_estimated_value_is_null_when_nothing_is_rated(self, client, headers_for, user_id, work, today, project):
        site = project(hourly_rate=0.01)
        work(today - timedelta(days=1), 1, project_id=site["id"])  # 1 s × 0.01/h rounds to 0.00
        work(today - timedelta(days=1), 7200)
        assert dashboard(client, headers_for(user_id))["estimated_value_tracked"] is None

    def test_a_deleted_clients_rate_no_longer_applies(self, client, headers_for, user_id, work, today, client_record):
        acme = client_record(default_hourly_rate=60)
        work(today - timedelta(days=1), 3600, client_id=acme["id"])
        assert dashboard(client, headers_for(user_id))["estimated_value_tracked"] == 60.0
        client_record(action="deleted", **acme)
        assert dashboard(client, headers_for(user_id))["estimated_value_tracked"] is None

    def test_currency_is_the_system_setting(self, make_app_client, headers_for, user_id):
        body = dashboard(make_app_client(currency="CHF"), headers_for(user_id))
        assert body["estimated_value_currency"] == "CHF"

    def test_an_admin_sees_only_their_own_numbers(self, client, admin_headers, user_id, work, today):
        work(today, 3600)
        body = dashboard(client, admin_headers)
        assert body["total_hours"] == 0.0
        assert body["entries_count"] == 0

    def test_legacy_path_needs_no_scope_and_v1_needs_read_reports(self, client, headers_for, user_id, work, today):
        work(today, 3600)
        legacy = dashboard(client, headers_for(user_id))
        assert dashboard(client, headers_for(user_id, "read:reports"), V1) == legacy
        refused = client.get(V1, headers=headers_for(user_id, "read:projects"))
        assert refused.status_code == 403
        assert refused.json()["error_code"] == "forbidden"
        assert refused.json()["required_scope"] == "read:reports"

    def test_without_an_identity_the_answer_is_401(self, client):
        response = client.get(LEGACY)
        assert response.status_code == 401
        assert response.json()["error_code"] == "unauthorized"

    def test_responses_say_how_fresh_they_are(self, client, headers_for, user_id):
        response = client.get(LEGACY, headers=headers_for(user_id))
        assert response.headers["X-TT-Freshness"] == "eventual"
