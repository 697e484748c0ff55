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
