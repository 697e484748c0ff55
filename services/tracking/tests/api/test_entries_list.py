"""`GET /api/v1/time-entries` and `GET /api/v1/time-entries/{id}` (tracking.md §4.1–§4.2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

URL = "/api/v1/time-entries"
# Midnight of 2024-01-15 in Europe/Rome (the app time zone).
DAY = datetime(2024, 1, 14, 23, 0, tzinfo=UTC)


@pytest.fixture
def project(make_project):
    return make_project(name="Website")


@pytest.fixture
def at(make_entry, project):
    """A completed entry of `user` starting `minutes` after DAY, lasting `length` minutes."""

    def make(user: int, minutes: int, length: int = 10, **fields):
        start = DAY + timedelta(minutes=minutes)
        return make_entry(user, fields.pop("project", project), start, start + timedelta(minutes=length), **fields)

    return make


def ids(client, headers, query: str = "") -> list[int]:
    r = client.get(URL + query, headers=headers)
    assert r.status_code == 200, r.text
    return [e["id"] for e in r.json()["time_entries"]]


class TestListVisibility:
    def test_standard_user_sees_own_completed_entries_newest_first(self, client, user_headers, user_id, at):
        first = at(user_id, 60)
        second = at(user_id, 120)
        at(user_id + 1, 90)
        r = client.get(URL, headers=user_headers)
        assert [e["id"] for e in r.json()["time_entries"]] == [second.id, first.id]
        assert r.json()["pagination"]["total"] == 2

    def test_admin_sees_every_user(self, client, admin_headers, user_id, at):
        a, b = at(user_id, 60), at(user_id + 1, 30)
        assert ids(client, admin_headers) == [a.id, b.id]

    def test_admin_filters_by_user(self, client, admin_headers, user_id, at):
        at(user_id, 60)
        theirs = at(user_id + 1, 30)
        assert ids(client, admin_headers, f"?user_id={user_id + 1}") == [theirs.id]

    def test_standard_user_may_pass_their_own_id(self, client, user_headers, user_id, at):
        mine = at(user_id, 60)
        assert ids(client, user_headers, f"?user_id={user_id}") == [mine.id]

    def test_standard_user_asking_for_another_user_is_403(self, client, user_headers, user_id):
        r = client.get(f"{URL}?user_id={user_id + 1}", headers=user_headers)
        assert (r.status_code, r.json()["error_code"], r.json()["error"]) == (403, "forbidden", "Access denied")

    def test_unparseable_user_id_is_ignored(self, client, user_headers, user_id, at):
        mine = at(user_id, 60)
        at(user_id + 1, 30)
        assert ids(client, user_headers, "?user_id=someone") == [mine.id]

    def test_read_scope_required(self, client, headers_for, user_id):
        r = client.get(URL, headers=headers_for(user_id, "write:time_entries"))
        assert (r.status_code, r.json()["error_code"]) == (403, "forbidden")
        assert r.json()["required_scope"] == "read:time_entries"


class TestListFilters:
    def test_running_timers_are_excluded_unless_asked_for(self, client, user_headers, user_id, at, make_entry, project):
        done = at(user_id, 60)
        running = make_entry(user_id, project, DAY + timedelta(hours=5))
        assert ids(client, user_headers) == [done.id]
        assert ids(client, user_headers, "?include_active=TRUE") == [running.id, done.id]
        assert ids(client, user_headers, "?include_active=1") == [done.id]

    def test_running_timer_shows_live_duration(self, client, user_headers, user_id, make_entry, project):
        make_entry(user_id, project, datetime.now(UTC) - timedelta(hours=2, seconds=5), break_seconds=5)
        [e] = client.get(f"{URL}?include_active=true", headers=user_headers).json()["time_entries"]
        assert e["is_active"] is True and e["duration_seconds"] is None
        assert e["duration_formatted"] in ("02:00:00", "02:00:01")

    def test_project_filter(self, client, user_headers, user_id, at, make_project):
        other = make_project()
        mine = at(user_id, 60)
        at(user_id, 90, project=other)
        assert ids(client, user_headers, f"?project_id={mine.project_id}") == [mine.id]
        assert len(ids(client, user_headers, "?project_id=abc")) == 2
        assert ids(client, user_headers, "?project_id=99999999999") == []

    def test_date_only_range_covers_whole_days_in_app_time(self, client, user_headers, user_id, at):
        at(user_id, -1)  # 23:59 the day before
        first = at(user_id, 0, 5)  # 00:00
        last = at(user_id, 24 * 60 - 1, 1)  # 23:59
        at(user_id, 24 * 60)  # next midnight
        assert ids(client, user_headers, "?start_date=2024-01-15&end_date=2024-01-15") == [last.id, first.id]

    def test_datetime_bounds_are_inclusive(self, client, user_headers, user_id, at):
        at(user_id, 59)
        on_start = at(user_id, 60)
        on_end = at(user_id, 120)
        at(user_id, 121)
        query = "?start_date=2024-01-15T00:00:00Z&end_date=2024-01-15T02:00:00%2B01:00"
        assert ids(client, user_headers, query) == [on_end.id, on_start.id]

    def test_unparseable_dates_are_ignored(self, client, user_headers, user_id, at):
        at(user_id, 60)
        at(user_id, 600)
        assert len(ids(client, user_headers, "?start_date=soon&end_date=2024-99-99")) == 2

    @pytest.mark.parametrize(("value", "billable"), [("true", True), ("True", True), ("false", False),
                                                     ("yes", False), ("", False)])  # fmt: skip
    def test_billable_filter(self, client, user_headers, user_id, at, value, billable):
        yes = at(user_id, 60, billable=True)
        no = at(user_id, 90, billable=False)
        assert ids(client, user_headers, f"?billable={value}") == [yes.id if billable else no.id]

    def test_unknown_parameters_are_ignored(self, client, user_headers, user_id, at):
        mine = at(user_id, 60)
        assert ids(client, user_headers, "?perPage=3&sort=up") == [mine.id]


class TestListPages:
    def test_ties_on_start_time_order_by_id_descending(self, client, user_headers, user_id, at, make_entry, project):
        a = at(user_id, 60)
        b = make_entry(user_id + 0, project, a.start_time, a.end_time)
        assert ids(client, user_headers) == [b.id, a.id]

    def test_pagination_edges(self, client, user_headers, user_id, at):
        entries = [at(user_id, 20 * i) for i in range(5)]
        r = client.get(f"{URL}?per_page=2&page=3", headers=user_headers)
        assert [e["id"] for e in r.json()["time_entries"]] == [entries[0].id]
        assert r.json()["pagination"] == {
            "page": 3, "per_page": 2, "total": 5, "pages": 3,
            "has_next": False, "has_prev": True, "next_page": None, "prev_page": 2,
        }  # fmt: skip
        r = client.get(f"{URL}?per_page=500&page=x", headers=user_headers)
        assert (r.json()["pagination"]["per_page"], r.json()["pagination"]["page"]) == (100, 1)
        r = client.get(f"{URL}?page=9", headers=user_headers)
        assert r.status_code == 200 and r.json()["time_entries"] == []
        assert r.json()["pagination"]["total"] == 5

    @pytest.mark.parametrize(
        ("query", "total"),
        [("", 2), ("?include_active=true", 3), ("?project_id={p}", 1), ("?project_id={p}&include_active=true", 2),
         ("?billable=false", 1), ("?billable=true&include_active=true", 2), ("?start_date=2024-01-15T05:00Z", 0),
         ("?start_date=2024-01-15T05:00Z&include_active=true", 1)],
    )  # fmt: skip
    def test_total_counts_what_the_filters_select(
        self, client, user_headers, user_id, at, make_entry, make_project, project, query, total
    ):
        at(user_id, 60)
        at(user_id, 90, project=make_project(), billable=False)
        make_entry(user_id, project, DAY + timedelta(hours=8))
        make_entry(user_id + 1, project, DAY + timedelta(hours=9))
        r = client.get(URL + query.format(p=project.id), headers=user_headers)
        assert r.json()["pagination"]["total"] == total == len(r.json()["time_entries"])

    def test_empty_list(self, client, user_headers):
        r = client.get(URL, headers=user_headers)
        assert r.json() == {
            "time_entries": [],
            "pagination": {"page": 1, "per_page": 50, "total": 0, "pages": 0, "has_next": False,
                           "has_prev": False, "next_page": None, "prev_page": None},
        }  # fmt: skip

    def test_display_names_for_a_whole_page(
        self, client, admin_headers, at, make_known_user, make_known_client, make_task, project, make_entry
    ):
        ann, ben = make_known_user(username="ann"), make_known_user(username="ben")
        task = make_task(project, name="Build")
        acme = make_known_client(name="Acme")
        at(ann.id, 60, task_id=task.id)
        make_entry(ben.id, None, DAY, DAY + timedelta(minutes=5), client_id=acme.id)
        rows = client.get(URL, headers=admin_headers).json()["time_entries"]
        names = [(e["user"], e["project"], e["task"], e["client"]) for e in rows]
        assert names == [("ann", "Website", "Build", None), ("ben", None, None, "Acme")]


class TestGetEntry:
    def test_own_entry(self, client, user_headers, user_id, at):
        entry = at(user_id, 60, notes="Standup", tags="a, b")
        r = client.get(f"{URL}/{entry.id}", headers=user_headers)
        assert r.status_code == 200
        e = r.json()["time_entry"]
        assert (e["id"], e["notes"], e["tag_list"], e["duration_seconds"]) == (entry.id, "Standup", ["a", "b"], 600)
        assert (e["start_time"], e["end_time"]) == ("2024-01-15T00:00:00Z", "2024-01-15T00:10:00Z")

    def test_another_users_entry_is_403(self, client, user_headers, user_id, at):
        theirs = at(user_id + 1, 60)
        r = client.get(f"{URL}/{theirs.id}", headers=user_headers)
        assert (r.status_code, r.json()["error_code"], r.json()["error"]) == (403, "forbidden", "Access denied")

    def test_admin_reads_any_entry(self, client, admin_headers, user_id, at):
        theirs = at(user_id, 60)
        assert client.get(f"{URL}/{theirs.id}", headers=admin_headers).json()["time_entry"]["user_id"] == user_id

    @pytest.mark.parametrize("entry_id", ["987654321", "2147483648", "99999999999999999999"])
    def test_unknown_is_404(self, client, admin_headers, entry_id):
        r = client.get(f"{URL}/{entry_id}", headers=admin_headers)
        assert (r.status_code, r.json()["error_code"]) == (404, "not_found")

    def test_read_scope_required(self, client, headers_for, user_id, at):
        entry = at(user_id, 60)
        r = client.get(f"{URL}/{entry.id}", headers=headers_for(user_id, "write:time_entries"))
        assert (r.status_code, r.json()["required_scope"]) == (403, "read:time_entries")
