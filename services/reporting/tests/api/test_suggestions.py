"""`GET /api/ai/suggest` and `GET /api/v1/ai/suggest` (reporting.md §4.5) over replicas filled
by events. Data is built relative to the real current date and hour in the app time zone."""

from __future__ import annotations

import time as clock
from datetime import date, datetime, time, timedelta

import pytest

LEGACY = "/api/ai/suggest"
V1 = "/api/v1/ai/suggest"
# A test must not straddle an hour boundary: the time-of-day source reads the current hour.
_MARGIN_SECONDS = 20


@pytest.fixture
def now(settings) -> datetime:
    current = datetime.now(settings.zone)
    left = 3600 - current.minute * 60 - current.second
    if left < _MARGIN_SECONDS:
        clock.sleep(left + 1)
        current = datetime.now(settings.zone)
    return current


@pytest.fixture
def today(now) -> date:
    return now.date()


@pytest.fixture
def other_hour(now) -> int:
    """An hour of the day that is not the current one."""
    return (now.hour + 12) % 24


@pytest.fixture
def at(settings, today):
    """`at(days_ago, hour, minute)`: that wall-clock time in the app time zone."""

    def make(days_ago: int, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(today - timedelta(days=days_ago), time(hour, minute), tzinfo=settings.zone)

    return make


@pytest.fixture
def midnight(at):
    return at(0, 0)


@pytest.fixture
def logged(entry, user_id):
    """`logged(project, task, start, **fields)`: a one-hour entry of the test user (`end=None`:
    a running timer)."""

    def make(project_id: int, task_id: int | None, start: datetime, **fields):
        fields.setdefault("user_id", user_id)
        fields.setdefault("end", start + timedelta(hours=1))
        return entry(project_id=project_id, task_id=task_id, start=start, **fields)

    return make


def suggestion(project: dict, task: dict | None, confidence: str, notes="", tags="", billable=True) -> dict:
    return {
        "project_id": project["id"],
        "project_name": project["name"],
        "task_id": task["id"] if task else None,
        "task_name": task["name"] if task else None,
        "notes": notes,
        "tags": tags,
        "billable": billable,
        "confidence": confidence,
        "source": "deterministic",
    }


def suggestions(client, headers, **params) -> list[dict]:
    response = client.get(LEGACY, params=params, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["ok"] is True
    return body["suggestions"]


@pytest.fixture
def patterns(project, task, entry, logged, at, other_hour, next_user_id):
    """Four (project, task) pairs used 7, 4, 2 and 1 times in the last 30 days, plus entries
    that must not count: another user's, older than 30 days, deleted and running ones."""
    site, two, mobile, ops = (project(name=n) for n in ("Website", "Project Two", "Mobile", "Ops"))
    api = task(project_id=site["id"], name="API")
    release = task(project_id=mobile["id"], name="Release")
    side = task(project_id=two["id"], name="Side")
    for days_ago in range(3, 9):
        logged(site["id"], api["id"], at(days_ago, other_hour), notes="Old notes", tags="old")
    logged(site["id"], api["id"], at(2, other_hour), notes="Refactor API", tags="backend,api", billable=False)
    logged(two["id"], None, at(3, other_hour), tags="ops")
    for days_ago in (4, 5, 6):
        logged(two["id"], None, at(days_ago, other_hour), notes="Earlier")
    logged(two["id"], side["id"], at(1, other_hour), notes="Not the same pair")
    logged(mobile["id"], release["id"], at(10, other_hour))
    logged(mobile["id"], release["id"], at(11, other_hour))
    logged(ops["id"], None, at(12, other_hour))
    stranger = next_user_id()
    for n in range(5):  # each group alone would lift Ops (1 use) above Mobile (2 uses)
        logged(ops["id"], None, at(n + 1, other_hour), user_id=stranger)
        logged(ops["id"], None, at(31 + n, other_hour))
        gone = logged(ops["id"], None, at(n + 1, other_hour, 30))
        entry(action="deleted", **gone)
        logged(ops["id"], None, at(n + 1, other_hour, 45), end=None)
    return {"site": site, "two": two, "mobile": mobile, "api": api, "release": release}


class TestPatterns:
    def test_top_three_pairs_with_the_latest_entrys_notes_tags_and_billable(
        self, client, headers_for, user_id, patterns
    ):
        p = patterns
        assert suggestions(client, headers_for(user_id)) == [
            suggestion(p["site"], p["api"], "high", notes="Refactor API", tags="backend,api", billable=False),  # 0.7
            suggestion(p["two"], None, "medium", tags="ops"),  # 0.4
            suggestion(p["mobile"], p["release"], "low"),  # 0.2
        ]

    @pytest.mark.parametrize(
        ("q", "names"),
        [("refactor", ["Website"]), ("  project TWO ", ["Project Two"]), ("o", ["Website", "Project Two", "Mobile"]),
         ("", ["Website", "Project Two", "Mobile"]), ("zzz", []), ("%", []), ("'; drop", []), ("\x00", []),
         ("x" * 5000, [])],
    )  # fmt: skip
    def test_q_keeps_suggestions_whose_project_name_or_notes_contain_it(
        self, client, headers_for, user_id, patterns, q, names
    ):
        found = suggestions(client, headers_for(user_id), q=q)
        assert [s["project_name"] for s in found] == names

    def test_only_the_last_100_completed_entries_count(
        self, client, headers_for, user_id, project, logged, at, other_hour
    ):
        old, recent = project(name="Old"), project(name="Recent")
        logged(old["id"], None, at(25, other_hour))
        for n in range(100):
            logged(recent["id"], None, at(1 + n // 10, other_hour, n % 10 * 5))
        assert suggestions(client, headers_for(user_id)) == [suggestion(recent, None, "high")]  # 100 uses → 1.0


class TestTimeOfDay:
    def test_the_project_most_used_at_this_hour_is_suggested_without_a_task(
        self, client, headers_for, user_id, project, task, logged, at, now
    ):
        usual, other, stale = project(name="Usual"), project(name="Other"), project(name="Stale")
        usual_task = task(project_id=usual["id"], name="Daily")
        for days_ago in (1, 2, 3):
            logged(usual["id"], usual_task["id"], at(days_ago, now.hour), notes="Standup")
        for days_ago in (4, 5):
            logged(other["id"], None, at(days_ago, now.hour, 10))
        for days_ago in range(31, 36):  # more uses, but older than 30 days
            logged(stale["id"], None, at(days_ago, now.hour))
        assert suggestions(client, headers_for(user_id)) == [
            suggestion(usual, None, "medium"),  # time of day 0.6; no entry on (Usual, no task): defaults
            suggestion(usual, usual_task, "low", notes="Standup"),  # pattern 3/10
            suggestion(other, None, "low"),  # pattern 2/10
        ]


class TestActiveTasks:
    def test_open_assigned_tasks_without_an_entry_of_the_user_today(
        self, client, headers_for, user_id, next_user_id, project, task, logged, midnight, other_hour, at
    ):
        board = project(name="Board")
        pid = board["id"]
        open_task = task(project_id=pid, name="Open", assigned_to=user_id, status="in_progress")
        colleague = next_user_id()
        logged(pid, open_task["id"], midnight, user_id=colleague, notes="Theirs")  # someone else's entry today
        done_today = task(project_id=pid, name="Logged today", assigned_to=user_id, status="todo")
        logged(pid, done_today["id"], at(0, other_hour))  # the user's entry today: no longer "active"
        timing = task(project_id=pid, name="Timing", assigned_to=user_id, status="todo")
        logged(pid, timing["id"], midnight, end=None)  # a running timer also counts as logged today
        task(project_id=pid, name="Finished", assigned_to=user_id, status="done")
        task(project_id=pid, name="Not mine", assigned_to=colleague, status="todo")
        dropped = task(project_id=pid, name="Deleted", assigned_to=user_id, status="todo")
        task(action="deleted", **dropped)
        assert suggestions(client, headers_for(user_id)) == [
            suggestion(board, open_task, "high"),  # active task 0.8; the colleague's notes are not copied
            suggestion(board, done_today, "low"),  # pattern 1/10 (the today entry)
        ]

    def test_at_most_five_active_tasks_and_five_suggestions(self, client, headers_for, user_id, project, task, today):
        board = project(name="Board")
        urgent = task(project_id=board["id"], name="Urgent", assigned_to=user_id,
                      due_date=(today + timedelta(days=1)).isoformat())  # fmt: skip
        newer = [task(project_id=board["id"], name=f"Task {n}", assigned_to=user_id) for n in range(6)]
        found = suggestions(client, headers_for(user_id))
        # the five newest open tasks are the active ones, so the oldest is left to its deadline (0.9)
        assert [s["task_name"] for s in found] == ["Urgent", "Task 5", "Task 4", "Task 3", "Task 2"]
        assert {s["confidence"] for s in found} == {"high"}
        assert urgent["id"] < newer[0]["id"]


class TestDeadlines:
    def test_three_earliest_due_within_a_week_scored_by_urgency(
        self, client, headers_for, user_id, project, task, logged, midnight, today
    ):
        board = project(name="Board")

        def due_task(name: str, days: int) -> dict:
            made = task(project_id=board["id"], name=name, assigned_to=user_id, status="todo",
                        due_date=(today + timedelta(days=days)).isoformat())  # fmt: skip
            logged(board["id"], made["id"], midnight, end=None)  # timing it today: not an "active task"
            return made

        later = due_task("Later", 5)
        overdue = due_task("Overdue", -3)
        soon = due_task("Soon", 2)
        due_task("Last of the week", 7)  # fourth earliest: beyond the 3
        due_task("Next week", 8)
        active = task(project_id=board["id"], name="Active", assigned_to=user_id, status="todo")
        assert suggestions(client, headers_for(user_id)) == [
            suggestion(board, overdue, "high"),  # 0.9
            suggestion(board, soon, "high"),  # 0.9
            suggestion(board, active, "high"),  # 0.8
            suggestion(board, later, "high"),  # 0.7
        ]


class TestOrdering:
    def test_a_pair_named_by_several_sources_keeps_the_first_in_pattern_active_time_deadline_order(
        self, client, headers_for, user_id, project, task, logged, at, today, other_hour
    ):
        board = project(name="Board")
        tomorrow = (today + timedelta(days=1)).isoformat()
        used = task(project_id=board["id"], name="Used", assigned_to=user_id, due_date=tomorrow)
        logged(board["id"], used["id"], at(1, other_hour), notes="Yesterday")  # a pattern before all else
        due = task(project_id=board["id"], name="Due", assigned_to=user_id, due_date=tomorrow)
        plain = task(project_id=board["id"], name="Plain", assigned_to=user_id)
        assert suggestions(client, headers_for(user_id)) == [
            suggestion(board, plain, "high"),  # active 0.8, newest task first
            suggestion(board, due, "high"),  # active 0.8, not its deadline's 0.9
            suggestion(board, used, "low", notes="Yesterday"),  # pattern 1/10, not active or deadline
        ]

    def test_equal_scores_rank_active_task_over_pattern_over_time_of_day(
        self, client, headers_for, user_id, project, task, logged, at, now, other_hour
    ):
        eight, six, third = project(name="Eight"), project(name="Six"), project(name="Third")
        t8, t6 = task(project_id=eight["id"], name="T8"), task(project_id=six["id"], name="T6")
        active = task(project_id=third["id"], name="Mine", assigned_to=user_id)
        for days_ago in range(1, 9):
            logged(eight["id"], t8["id"], at(days_ago, other_hour))
        for days_ago in range(1, 7):
            logged(six["id"], t6["id"], at(days_ago, now.hour))
        assert suggestions(client, headers_for(user_id)) == [
            suggestion(third, active, "high"),  # active task 0.8
            suggestion(eight, t8, "high"),  # pattern 8/10
            suggestion(six, t6, "medium"),  # pattern 6/10
            suggestion(six, None, "medium"),  # time of day 0.6
        ]


class TestEndpoints:
    def test_nothing_to_suggest(self, client, headers_for, user_id):
        assert suggestions(client, headers_for(user_id)) == []

    def test_the_legacy_path_takes_any_token_and_announces_its_successor(self, client, headers_for, user_id):
        response = client.get(LEGACY, headers=headers_for(user_id))
        assert response.status_code == 200
        assert response.headers["X-API-Deprecated"] == "true"
        assert response.headers["Link"] == '</api/v1/ai/suggest>; rel="successor-version"'
        assert response.headers["X-TT-Freshness"] == "eventual"
        assert client.get(LEGACY).status_code == 401

    def test_the_v1_path_needs_read_time_entries_and_is_not_deprecated(
        self, client, headers_for, user_id, project, task
    ):
        board = project(name="Board")
        mine = task(project_id=board["id"], name="Mine", assigned_to=user_id)
        denied = client.get(V1, headers=headers_for(user_id, "read:reports"))
        assert denied.status_code == 403
        assert denied.json()["required_scope"] == "read:time_entries"
        response = client.get(V1, headers=headers_for(user_id, "read:time_entries"))
        assert response.status_code == 200
        assert response.json() == {"ok": True, "suggestions": [suggestion(board, mine, "high")]}
        assert "X-API-Deprecated" not in response.headers
        assert "Link" not in response.headers

    @pytest.mark.parametrize("rich", ["1", "true", "garbage"])
    def test_rich_adds_nothing_without_an_llm(self, client, headers_for, user_id, project, task, rich):
        board = project(name="Board")
        task(project_id=board["id"], name="Mine", assigned_to=user_id)
        found = suggestions(client, headers_for(user_id), rich=rich)
        assert [(s["task_name"], s["source"]) for s in found] == [("Mine", "deterministic")]

    def test_a_failing_source_contributes_nothing(self, client, headers_for, user_id, project, task, monkeypatch):
        from reporting.suggestions import repository

        def broken(*args, **kwargs):
            raise RuntimeError("replica unavailable")

        board = project(name="Board")
        mine = task(project_id=board["id"], name="Mine", assigned_to=user_id)
        monkeypatch.setattr(repository, "recent_pairs", broken)
        assert suggestions(client, headers_for(user_id)) == [suggestion(board, mine, "high")]

    def test_a_failing_query_leaves_the_other_sources_working(
        self, client, headers_for, user_id, project, task, monkeypatch
    ):
        from sqlalchemy import text

        from reporting.suggestions import repository

        def broken(session, *args, **kwargs):
            session.execute(text("SELECT 1 / 0"))

        board = project(name="Board")
        mine = task(project_id=board["id"], name="Mine", assigned_to=user_id)
        monkeypatch.setattr(repository, "usual_project_at_hour", broken)
        assert suggestions(client, headers_for(user_id)) == [suggestion(board, mine, "high")]
