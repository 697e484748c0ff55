"""`GET /api/v1/reports/summary` (reporting.md §1) over rollups filled by events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

URL = "/api/v1/reports/summary"


def at(day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2024, 3, day, hour, minute, tzinfo=UTC)


def test_summary_sums_per_entry_rounded_hours_by_project(client, headers_for, user_id, entry, project):
    site = project(name="Website")
    entry(user_id=user_id, project_id=site["id"], start=at(5), end=at(5, 10, 20))  # 1.33 h
    entry(user_id=user_id, project_id=site["id"], start=at(6), end=at(6, 9, 20), billable=False)  # 0.33 h
    entry(user_id=user_id, client_id=7, start=at(7), end=at(7, 11))  # client-only, 2 h
    response = client.get(URL, params={"start_date": "2024-03-01", "end_date": "2024-03-31"},
                          headers=headers_for(user_id, "read:reports"))  # fmt: skip
    assert response.status_code == 200, response.text
    body = response.json()["summary"]
    assert body["total_hours"] == 3.66
    assert body["billable_hours"] == 3.33
    assert body["total_entries"] == 3
    assert body["by_project"] == [{"project_id": site["id"], "project_name": "Website", "hours": 1.66, "entries": 2}]
    assert body["start_date"] == "2024-02-29T23:00:00Z"
    assert body["end_date"] == "2024-03-31T21:59:59.999999Z"


def test_an_update_moves_time_and_a_delete_removes_it(client, headers_for, user_id, entry):
    e = entry(user_id=user_id, start=at(5), end=at(5, 11))
    moved = dict(e, start_time="2024-04-02T09:00:00Z", end_time="2024-04-02T10:00:00Z", duration_seconds=3600)
    entry(action="updated", **moved)
    headers = headers_for(user_id, "read:reports")
    march = client.get(URL, params={"start_date": "2024-03-01", "end_date": "2024-03-31"}, headers=headers).json()
    april = client.get(URL, params={"start_date": "2024-04-01", "end_date": "2024-04-30"}, headers=headers).json()
    assert march["summary"]["total_entries"] == 0
    assert april["summary"]["total_hours"] == 1.0
    entry(action="deleted", **moved)
    april = client.get(URL, params={"start_date": "2024-04-01", "end_date": "2024-04-30"}, headers=headers).json()
    assert april["summary"]["total_entries"] == 0


def test_default_range_is_the_last_thirty_days(client, headers_for, user_id, entry):
    now = datetime.now(UTC)
    entry(user_id=user_id, start=now - timedelta(days=29, hours=23), end=now - timedelta(days=29, hours=22))
    entry(user_id=user_id, start=now - timedelta(hours=3), end=now - timedelta(hours=2, minutes=30))
    entry(user_id=user_id, start=now - timedelta(days=31), end=now - timedelta(days=30, hours=23))
    response = client.get(URL, headers=headers_for(user_id, "read:reports"))
    assert response.status_code == 200, response.text
    body = response.json()["summary"]
    assert (body["total_entries"], body["total_hours"]) == (2, 1.5)


def report(client, headers, **params):
    response = client.get(URL, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["summary"]


MARCH = {"start_date": "2024-03-01", "end_date": "2024-03-31"}


def test_admins_see_everyone_or_the_user_they_name(client, headers_for, admin_headers, next_user_id, entry):
    alice, bob = next_user_id(), next_user_id()
    entry(user_id=alice, start=at(5), end=at(5, 10))
    entry(user_id=bob, start=at(6), end=at(6, 12))
    mine = report(client, headers_for(alice, "read:reports"), **MARCH)
    assert mine["total_hours"] == 1.0
    everyone = report(client, admin_headers, **MARCH)
    assert everyone["total_hours"] >= 4.0  # other tests' rows are rolled back; this one's two are here
    assert report(client, admin_headers, **MARCH, user_id=str(bob))["total_hours"] == 3.0


def test_a_user_naming_someone_else_is_refused(client, headers_for, user_id):
    response = client.get(URL, params={"user_id": user_id + 1}, headers=headers_for(user_id, "read:reports"))
    assert response.status_code == 403
    assert response.json()["error"] == "Access denied"
    assert report(client, headers_for(user_id, "read:reports"), user_id=str(user_id))["total_entries"] == 0


def test_the_scope_is_required(client, headers_for, user_id):
    response = client.get(URL, headers=headers_for(user_id, "read:projects"))
    assert response.status_code == 403
    assert response.json()["required_scope"] == "read:reports"


def test_project_filter_and_order_and_unknown_names(client, headers_for, user_id, entry, project):
    named = project(name="Named")
    entry(user_id=user_id, project_id=named["id"], start=at(5), end=at(5, 10))
    entry(user_id=user_id, project_id=999_999_001, start=at(6), end=at(6, 11))  # no replica row
    entry(user_id=user_id, project_id=999_999_000, start=at(7), end=at(7, 11))
    headers = headers_for(user_id, "read:reports")
    body = report(client, headers, **MARCH)
    assert [(p["project_id"], p["project_name"], p["hours"]) for p in body["by_project"]] == [
        (999_999_000, "Unknown", 2.0),
        (999_999_001, "Unknown", 2.0),
        (named["id"], "Named", 1.0),
    ]
    only = report(client, headers, **MARCH, project_id=str(named["id"]))
    assert (only["total_hours"], len(only["by_project"])) == (1.0, 1)


def test_bounds_are_inclusive_instants_and_date_only_end_covers_the_day(client, headers_for, user_id, entry):
    entry(user_id=user_id, start=at(5, 8), end=at(5, 9))
    entry(user_id=user_id, start=at(5, 12), end=at(5, 13))
    entry(
        user_id=user_id, start=datetime(2024, 3, 31, 21, 59, tzinfo=UTC), end=datetime(2024, 3, 31, 22, 30, tzinfo=UTC)
    )
    headers = headers_for(user_id, "read:reports")
    exact = report(client, headers, start_date="2024-03-05T08:00:00Z", end_date="2024-03-05T12:00:00Z")
    assert exact["total_entries"] == 2
    later = report(client, headers, start_date="2024-03-05T08:00:01Z", end_date="2024-03-05T13:00:00+01:00")
    assert later["total_entries"] == 1
    # 21:59 UTC on the 31st is 23:59 in Rome: still in the date-only end day
    assert report(client, headers, start_date="2024-03-31", end_date="2024-03-31")["total_entries"] == 1


def test_unparseable_parameters_are_ignored(client, headers_for, user_id, entry):
    entry(user_id=user_id, start=datetime.now(UTC) - timedelta(days=1), end=datetime.now(UTC) - timedelta(hours=23))
    headers = headers_for(user_id, "read:reports")
    for params in ({"start_date": "yesterday", "end_date": "\x00"}, {"project_id": "x'; --"}, {"user_id": "me"},
                   {"start_date": "9999-99-99", "end_date": "1" * 500}):  # fmt: skip
        assert report(client, headers, **params)["total_entries"] == 1, params


def test_running_timers_and_deleted_entries_are_not_counted(client, headers_for, user_id, entry):
    entry(user_id=user_id, start=at(5), end=None)
    gone = entry(user_id=user_id, start=at(6), end=at(6, 10))
    entry(action="deleted", **gone)
    assert report(client, headers_for(user_id, "read:reports"), **MARCH)["total_entries"] == 0
