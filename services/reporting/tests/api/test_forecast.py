"""`GET /api/projects/{id}/forecast` and `GET /api/v1/reports/projects/{id}/forecast`
(reporting.md §4.4) over replicas and rollups filled by events. Dates are relative to the real
"today" in the app time zone; every expected number is worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

LEGACY = "/api/projects/{}/forecast"
V1 = "/api/v1/reports/projects/{}/forecast"
AI_DISABLED = {
    "ok": False,
    "narrative": None,
    "risks": [],
    "recommendations": [],
    "error": "AI helper is not configured",
    "error_code": "ai_disabled",
}


@pytest.fixture
def today(settings) -> date:
    return datetime.now(settings.zone).date()


@pytest.fixture
def at(settings, today):
    """`at(days_ago, hour)`: that wall-clock time in the app time zone."""

    def make(days_ago: int, hour: int = 10, minute: int = 0) -> datetime:
        return datetime.combine(today - timedelta(days=days_ago), time(hour, minute), tzinfo=settings.zone)

    return make


def chart(today: date, hours_by_days_ago: dict[int, float]) -> list[dict]:
    days = [today - timedelta(days=n) for n in range(13, -1, -1)]
    return [{"date": d.isoformat(), "hours": hours_by_days_ago.get((today - d).days, 0.0)} for d in days]


class TestForecastValues:
    def test_every_field_of_a_project_with_history_budget_and_tasks(
        self, client, headers_for, user_id, next_user_id, entry, project, task, at, today
    ):
        colleague = next_user_id()
        site = project(name="Website", estimated_hours=20, budget_amount=2000, created_by=user_id)
        other = project(name="Other", created_by=user_id)
        pid = site["id"]
        entry(user_id=user_id, project_id=pid, start=at(9), end=at(9, 12))  # 2 h
        entry(user_id=user_id, project_id=pid, start=at(8), end=at(8))  # zero length: no active day
        entry(user_id=colleague, project_id=pid, start=at(3), end=at(3, 11, 30))  # 1.5 h, another user
        entry(user_id=user_id, project_id=pid, start=at(3, 14), end=at(3, 14, 30))  # 0.5 h
        entry(user_id=user_id, project_id=pid, start=at(0, 1), end=at(0, 4))  # 3 h today
        entry(user_id=colleague, project_id=pid, start=at(0, 5), end=None)  # running timer: not counted
        gone = entry(user_id=user_id, project_id=pid, start=at(2), end=at(2, 18))
        entry(action="deleted", **gone)
        entry(user_id=user_id, project_id=other["id"], start=at(1), end=at(1, 18))  # another project
        task(project_id=pid, status="done")
        task(project_id=pid, status="todo", due_date=(today - timedelta(days=1)).isoformat())  # overdue
        task(project_id=pid, status="in_progress", due_date=(today + timedelta(days=1)).isoformat())
        task(project_id=pid, status="cancelled", due_date=(today - timedelta(days=7)).isoformat())
        dropped = task(project_id=pid, status="todo", due_date=(today - timedelta(days=3)).isoformat())
        task(action="deleted", **dropped)
        task(project_id=other["id"], status="done")

        response = client.get(LEGACY.format(pid), headers=headers_for(user_id))

        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == {"ok", "project_id", "ai_enabled", "forecast"}
        assert (body["ok"], body["project_id"], body["ai_enabled"]) == (True, pid, False)
        forecast = body["forecast"]
        generated = forecast.pop("generated_at")
        assert generated.endswith("Z")
        assert abs(datetime.fromisoformat(generated) - datetime.now(UTC)) < timedelta(minutes=1)
        # 7 h over 3 active days; 10 calendar days from today−9 to today → 0.7 h/day (history ≥ 7 days)
        # 13 h remain → ceil(13 / 0.7 = 18.57) = 19 days; rate 2000 / 20 = 100
        assert forecast == {
            "has_data": True,
            "total_logged_hours": 7.0,
            "days_with_entries": 3,
            "avg_hours_per_active_day": 2.33,
            "first_entry_date": (today - timedelta(days=9)).isoformat(),
            "last_entry_date": today.isoformat(),
            "elapsed_calendar_days": 10,
            "avg_hours_per_calendar_day": 0.7,
            "velocity_hours_per_day": 0.7,
            "budget_hours": 20.0,
            "budget_amount": 2000.0,
            "hourly_rate": 100.0,
            "hours_remaining": 13.0,
            "budget_used_percent": 35,
            "budget_amount_used": 700.0,
            "budget_amount_remaining": 1300.0,
            "at_risk": False,
            "days_to_completion": 19,
            "projected_completion_date": (today + timedelta(days=19)).isoformat(),
            "project_deadline": None,
            "days_until_deadline": None,
            "deadline_risk": "on_track",
            "total_tasks": 4,
            "completed_tasks": 1,
            "open_tasks": 2,
            "overdue_tasks": 1,
            "task_completion_percent": 25,
            "recent_hours_7d": 5.0,
            "prior_hours_7d": 2.0,
            "burn_rate_trend": "increasing",
            "daily_hours": chart(today, {9: 2.0, 3: 2.0, 0: 3.0}),
            "today": today.isoformat(),
        }

    def test_short_history_over_budget(self, client, headers_for, user_id, entry, project, at, today):
        pid = project(estimated_hours=5, budget_amount=0, hourly_rate=40, created_by=user_id)["id"]
        entry(user_id=user_id, project_id=pid, start=at(2, 8), end=at(2, 12))  # 4 h
        entry(user_id=user_id, project_id=pid, start=at(1, 8), end=at(1, 10))  # 2 h
        forecast = client.get(LEGACY.format(pid), headers=headers_for(user_id)).json()["forecast"]
        # 6 h over 2 calendar days = 3.0 h/day (the last 7 days give 6/7 = 0.86, smaller)
        assert forecast["elapsed_calendar_days"] == 2
        assert forecast["velocity_hours_per_day"] == 3.0
        assert forecast["budget_used_percent"] == 100  # 120 % clamped
        assert forecast["at_risk"] is True
        assert forecast["hours_remaining"] == 0.0
        assert forecast["hourly_rate"] == 40.0
        assert forecast["budget_amount_used"] == 240.0
        assert forecast["budget_amount_remaining"] == 0.0
        assert forecast["days_to_completion"] == 0
        assert forecast["projected_completion_date"] == today.isoformat()
        assert forecast["recent_hours_7d"] == 6.0
        assert forecast["prior_hours_7d"] == 0.0
        assert forecast["burn_rate_trend"] == "increasing"

    def test_slowing_down_is_a_decreasing_trend(self, client, headers_for, user_id, entry, project, at):
        pid = project(created_by=user_id)["id"]
        entry(user_id=user_id, project_id=pid, start=at(13, 8), end=at(13, 13))  # 5 h, prior window
        entry(user_id=user_id, project_id=pid, start=at(7, 8), end=at(7, 13))  # 5 h, prior window
        entry(user_id=user_id, project_id=pid, start=at(6, 8), end=at(6, 17))  # 9 h, recent window
        forecast = client.get(LEGACY.format(pid), headers=headers_for(user_id)).json()["forecast"]
        assert (forecast["recent_hours_7d"], forecast["prior_hours_7d"]) == (9.0, 10.0)
        assert forecast["burn_rate_trend"] == "stable"  # −10 % exactly
        entry(user_id=user_id, project_id=pid, start=at(10, 8), end=at(10, 8, 6))  # +0.1 h prior
        forecast = client.get(LEGACY.format(pid), headers=headers_for(user_id)).json()["forecast"]
        assert forecast["prior_hours_7d"] == 10.1
        assert forecast["burn_rate_trend"] == "decreasing"  # 9 < 10.1 × 0.9 = 9.09
        # no budget hours: nothing to complete
        assert forecast["days_to_completion"] is None
        assert forecast["deadline_risk"] == "no_data"

    def test_a_project_without_entries_keeps_its_whole_budget(self, client, headers_for, user_id, project, today):
        pid = project(estimated_hours=12.5, budget_amount=900, created_by=user_id)["id"]
        forecast = client.get(LEGACY.format(pid), headers=headers_for(user_id)).json()["forecast"]
        assert forecast["has_data"] is False
        assert forecast["total_logged_hours"] == 0.0
        assert forecast["hours_remaining"] == 12.5
        assert forecast["hourly_rate"] == 72.0  # 900 / 12.5
        assert forecast["budget_amount_remaining"] == 900.0
        assert forecast["velocity_hours_per_day"] == 0.0
        assert forecast["days_to_completion"] is None
        assert forecast["deadline_risk"] == "no_data"
        assert forecast["burn_rate_trend"] == "stable"
        assert forecast["daily_hours"] == chart(today, {})


class TestMissingProject:
    def test_an_unknown_project_answers_the_default_forecast(self, client, headers_for, user_id, today):
        response = client.get(LEGACY.format(987654), headers=headers_for(user_id))
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["ok"], body["project_id"], body["ai_enabled"]) == (True, 987654, False)
        forecast = body["forecast"]
        assert forecast["has_data"] is False
        assert forecast["total_logged_hours"] == 0.0
        assert forecast["budget_hours"] == 0.0
        assert forecast["days_to_completion"] is None
        assert forecast["deadline_risk"] == "no_data"
        assert forecast["total_tasks"] == 0
        assert forecast["today"] == today.isoformat()
        assert forecast["daily_hours"] == chart(today, {})

    @pytest.mark.parametrize("raw", ["99999999999999999999", "2147483648"])
    def test_an_id_past_any_row_is_a_missing_project_not_an_error(self, client, headers_for, user_id, raw):
        response = client.get(LEGACY.format(raw), headers=headers_for(user_id))
        assert response.status_code == 200, response.text
        assert response.json()["forecast"]["has_data"] is False

    @pytest.mark.parametrize("raw", ["abc", "-1", "1.5", "%00"])
    def test_a_path_that_is_no_id_is_not_found(self, client, headers_for, user_id, raw):
        response = client.get(LEGACY.format(raw), headers=headers_for(user_id))
        assert response.status_code == 404
        assert response.json()["error_code"] == "not_found"


class TestProjectScope:
    def test_a_standard_user_is_denied_someone_elses_project(self, client, headers_for, user_id, next_user_id, project):
        pid = project(created_by=next_user_id())["id"]
        for url in (LEGACY, V1):
            response = client.get(url.format(pid), headers=headers_for(user_id, "read:reports"))
            assert response.status_code == 403
            assert response.json() == {"ok": False, "error": "Access denied"}

    def test_a_project_nobody_created_is_outside_a_standard_users_scope(self, client, headers_for, user_id, project):
        pid = project(created_by=None)["id"]
        assert client.get(LEGACY.format(pid), headers=headers_for(user_id)).status_code == 403

    @pytest.mark.parametrize("role", ["manager", "admin"])
    def test_managers_and_admins_see_every_project(self, client, headers_for, user_id, next_user_id, project, role):
        pid = project(created_by=next_user_id())["id"]
        response = client.get(LEGACY.format(pid), headers=headers_for(user_id, role=role))
        assert response.status_code == 200, response.text
        assert response.json()["project_id"] == pid

    def test_a_subcontractor_sees_the_projects_of_assigned_clients(
        self, client, headers_for, user_id, next_user_id, project
    ):
        mine = project(client_id=41, created_by=next_user_id())["id"]
        theirs = project(client_id=42, created_by=user_id)["id"]
        headers = headers_for(user_id, role="subcontractor", client_ids=(41,))
        assert client.get(LEGACY.format(mine), headers=headers).status_code == 200
        assert client.get(LEGACY.format(theirs), headers=headers).json() == {"ok": False, "error": "Access denied"}


class TestAuthAndFlags:
    def test_the_v1_path_needs_read_reports(self, client, headers_for, user_id, project):
        pid = project(created_by=user_id)["id"]
        denied = client.get(V1.format(pid), headers=headers_for(user_id, "read:projects"))
        assert denied.status_code == 403
        assert denied.json()["error_code"] == "forbidden"
        assert denied.json()["required_scope"] == "read:reports"
        allowed = client.get(V1.format(pid), headers=headers_for(user_id, "read:reports"))
        assert allowed.status_code == 200
        assert allowed.json()["project_id"] == pid

    def test_the_legacy_path_takes_any_token_and_none_is_401(self, client, headers_for, user_id, project):
        pid = project(created_by=user_id)["id"]
        assert client.get(LEGACY.format(pid), headers=headers_for(user_id)).status_code == 200
        assert client.get(LEGACY.format(pid)).status_code == 401

    @pytest.mark.parametrize("flag", ["1", "true", "TRUE", "yes", " on "])
    def test_a_truthy_ai_flag_adds_the_disabled_ai_object(self, client, headers_for, user_id, project, flag):
        pid = project(created_by=user_id)["id"]
        body = client.get(LEGACY.format(pid), params={"ai": flag}, headers=headers_for(user_id)).json()
        assert body["ai_enabled"] is False
        assert body["ai"] == AI_DISABLED
        assert body["forecast"]["has_data"] is False

    @pytest.mark.parametrize("flag", ["0", "false", "no", "", "maybe", "1\x00"])
    def test_other_ai_values_add_nothing(self, client, headers_for, user_id, project, flag):
        pid = project(created_by=user_id)["id"]
        response = client.get(LEGACY.format(pid), params={"ai": flag}, headers=headers_for(user_id))
        assert response.status_code == 200
        assert "ai" not in response.json()

    def test_the_missing_project_also_answers_the_ai_object(self, client, headers_for, user_id):
        body = client.get(V1.format(987655), params={"ai": "yes"}, headers=headers_for(user_id, "read:reports")).json()
        assert body["ai"] == AI_DISABLED

    def test_refresh_is_accepted_and_the_answer_is_current(self, client, headers_for, user_id, entry, project, at):
        pid = project(created_by=user_id)["id"]
        headers = headers_for(user_id)
        assert client.get(LEGACY.format(pid), headers=headers).json()["forecast"]["total_logged_hours"] == 0.0
        entry(user_id=user_id, project_id=pid, start=at(1), end=at(1, 11))
        response = client.get(LEGACY.format(pid), params={"refresh": "1"}, headers=headers)
        assert response.status_code == 200
        assert response.json()["forecast"]["total_logged_hours"] == 1.0

    def test_responses_say_how_fresh_they_are(self, client, headers_for, user_id, next_user_id, project):
        mine = project(created_by=user_id)["id"]
        theirs = project(created_by=next_user_id())["id"]
        for pid in (mine, theirs):
            response = client.get(LEGACY.format(pid), headers=headers_for(user_id))
            assert response.headers["X-TT-Freshness"] == "eventual"


class TestFailure:
    def test_an_unexpected_failure_answers_the_specs_500_body(self, client, headers_for, user_id, project, monkeypatch):
        from reporting.forecast import repository

        def broken(*args, **kwargs):
            raise RuntimeError("rollups unavailable")

        monkeypatch.setattr(repository, "seconds_by_day", broken)
        pid = project(created_by=user_id)["id"]
        response = client.get(LEGACY.format(pid), headers=headers_for(user_id))
        assert response.status_code == 500
        body = response.json()
        assert body["ok"] is False
        assert isinstance(body["error"], str) and body["error"]
        assert "rollups unavailable" not in body["error"]
