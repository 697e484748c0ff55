"""The entry replica and its rollups under the event stream's realities: redelivery, events
arriving out of order, updates that move time between buckets, deletes, entries that cross
midnight, and a rebuild that must end where the incremental path did."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from reporting.models import DayTotal, Entry, MonthTotal, ProjectDayTotal, ProjectMonthTotal
from reporting.readmodel import rollups
from shared.events import MalformedEvent

T0 = datetime(2024, 3, 5, 9, 0, tzinfo=UTC)


def day_rows(session, user_id):
    rows = session.execute(
        select(DayTotal.day, DayTotal.project_id, DayTotal.seconds, DayTotal.billable_seconds, DayTotal.entries,
               DayTotal.centihours).where(DayTotal.user_id == user_id).order_by(DayTotal.day, DayTotal.project_id)
    ).all()  # fmt: skip
    return [tuple(r) for r in rows]


def month_rows(session, user_id):
    rows = session.execute(
        select(MonthTotal.month, MonthTotal.project_id, MonthTotal.seconds, MonthTotal.entries)
        .where(MonthTotal.user_id == user_id)
        .order_by(MonthTotal.month, MonthTotal.project_id)
    ).all()
    return [tuple(r) for r in rows]


def test_a_completed_entry_lands_in_its_day_and_month(session, entry, user_id):
    entry(user_id=user_id, project_id=4, start=T0, end=T0 + timedelta(minutes=50))
    assert day_rows(session, user_id) == [(date(2024, 3, 5), 4, 3000, 3000, 1, 83)]
    assert month_rows(session, user_id) == [(date(2024, 3, 1), 4, 3000, 1)]


def test_the_same_event_applied_twice_counts_once(session, publish, user_id, entry_data):
    data = entry_data(user_id=user_id, start=T0, end=T0 + timedelta(hours=1))
    at = datetime.now(UTC)
    publish("tt.tracking.time_entry.created", data, occurred_at=at)
    publish("tt.tracking.time_entry.created", data, occurred_at=at)
    assert day_rows(session, user_id) == [(date(2024, 3, 5), 0, 3600, 3600, 1, 100)]


def test_an_older_event_arriving_after_a_newer_one_changes_nothing(session, publish, user_id, entry_data):
    data = entry_data(user_id=user_id, start=T0, end=T0 + timedelta(hours=1))
    now = datetime.now(UTC)
    longer = dict(data, end_time="2024-03-05T11:00:00Z", duration_seconds=7200)
    publish("tt.tracking.time_entry.updated", longer, occurred_at=now)
    publish("tt.tracking.time_entry.created", data, occurred_at=now - timedelta(seconds=1))
    assert day_rows(session, user_id) == [(date(2024, 3, 5), 0, 7200, 7200, 1, 200)]


def test_a_late_update_cannot_revive_a_deleted_entry(session, publish, user_id, entry_data):
    data = entry_data(user_id=user_id, start=T0, end=T0 + timedelta(hours=1))
    now = datetime.now(UTC)
    publish("tt.tracking.time_entry.created", data, occurred_at=now - timedelta(seconds=2))
    publish("tt.tracking.time_entry.deleted", data, occurred_at=now)
    publish("tt.tracking.time_entry.updated", data, occurred_at=now - timedelta(seconds=1))
    assert day_rows(session, user_id) == []
    assert month_rows(session, user_id) == []


def test_an_update_moves_time_between_users_projects_and_days(session, entry, user_id, next_user_id):
    other = next_user_id()
    data = entry(user_id=user_id, project_id=1, start=T0, end=T0 + timedelta(hours=1))
    entry(user_id=user_id, project_id=1, start=T0 + timedelta(hours=2), end=T0 + timedelta(hours=3))
    moved = dict(data, user_id=other, project_id=2, start_time="2024-04-01T08:00:00Z",
                 end_time="2024-04-01T08:30:00Z", duration_seconds=1800, billable=False)  # fmt: skip
    entry(action="updated", **moved)
    assert day_rows(session, user_id) == [(date(2024, 3, 5), 1, 3600, 3600, 1, 100)]
    assert day_rows(session, other) == [(date(2024, 4, 1), 2, 1800, 0, 1, 50)]
    assert month_rows(session, other) == [(date(2024, 4, 1), 2, 1800, 1)]


def test_running_timers_count_only_once_stopped(session, entry, user_id):
    running = entry(user_id=user_id, start=T0, end=None)
    assert day_rows(session, user_id) == []
    stopped = dict(running, end_time="2024-03-05T09:45:00Z", duration_seconds=2700, is_active=False)
    entry(action="stopped", **stopped)
    assert day_rows(session, user_id) == [(date(2024, 3, 5), 0, 2700, 2700, 1, 75)]


def test_an_entry_crossing_midnight_counts_whole_on_its_start_day_in_the_app_zone(session, entry, user_id):
    # 22:30 UTC on 5 March is 23:30 in Rome; the entry runs two hours, past midnight
    start = datetime(2024, 3, 5, 22, 30, tzinfo=UTC)
    entry(user_id=user_id, start=start, end=start + timedelta(hours=2))
    # 23:30 UTC on the 6th is already the 7th in Rome
    late = datetime(2024, 3, 6, 23, 30, tzinfo=UTC)
    entry(user_id=user_id, start=late, end=late + timedelta(minutes=10))
    assert day_rows(session, user_id) == [
        (date(2024, 3, 5), 0, 7200, 7200, 1, 200),
        (date(2024, 3, 7), 0, 600, 600, 1, 17),
    ]


def test_rebuild_reproduces_the_incremental_rollups(session, entry, user_id, settings):
    first = entry(user_id=user_id, project_id=1, start=T0, end=T0 + timedelta(minutes=25))
    entry(user_id=user_id, project_id=1, task_id=3, start=T0 + timedelta(days=1), end=T0 + timedelta(days=1, hours=2))
    entry(user_id=user_id, client_id=9, start=T0 + timedelta(days=40), end=T0 + timedelta(days=40, minutes=7))
    entry(action="updated", **dict(first, project_id=2, billable=False))
    before_days, before_months = day_rows(session, user_id), month_rows(session, user_id)
    assert rollups.differences(session) == {
        "day_totals": 0,
        "month_totals": 0,
        "project_day_totals": 0,
        "project_month_totals": 0,
    }
    rollups.rebuild(session, settings.zone)
    session.expire_all()
    assert day_rows(session, user_id) == before_days
    assert month_rows(session, user_id) == before_months


def test_differences_detect_a_bucket_that_drifted(session, entry, user_id):
    entry(user_id=user_id, start=T0, end=T0 + timedelta(hours=1))
    session.execute(DayTotal.__table__.update().where(DayTotal.user_id == user_id).values(seconds=1))
    assert rollups.differences(session) == {
        "day_totals": 2,
        "month_totals": 0,
        "project_day_totals": 0,
        "project_month_totals": 0,
    }


def test_the_replica_keeps_the_entry_object_and_a_tombstone(session, entry, user_id):
    data = entry(user_id=user_id, start=T0, end=T0 + timedelta(hours=1), notes="design review")
    entry(action="deleted", **data)
    row = session.execute(select(Entry).where(Entry.id == data["id"])).scalar_one()
    assert row.deleted and row.doc["notes"] == "design review"


def test_everyones_buckets_sum_all_users_per_project(session, entry, next_user_id):
    alice, bob = next_user_id(), next_user_id()
    project_id = 880_001
    entry(user_id=alice, project_id=project_id, start=T0, end=T0 + timedelta(hours=1))
    moved = entry(user_id=bob, project_id=project_id, start=T0 + timedelta(hours=2), end=T0 + timedelta(hours=4))
    rows = session.execute(
        select(ProjectDayTotal.day, ProjectDayTotal.seconds, ProjectDayTotal.entries).where(
            ProjectDayTotal.project_id == project_id
        )
    ).all()
    assert [tuple(r) for r in rows] == [(date(2024, 3, 5), 3 * 3600, 2)]
    entry(action="updated", **dict(moved, project_id=project_id + 1))
    month = session.execute(
        select(ProjectMonthTotal.seconds).where(ProjectMonthTotal.project_id == project_id)
    ).scalar_one()
    assert month == 3600


def test_an_event_without_its_entity_is_malformed_and_writes_nothing(session, publish, user_id):
    for subject, data in (
        ("tt.auth.user.updated", {"id": user_id, "is_active": False}),  # another producer's partial event
        ("tt.tracking.time_entry.created", {"id": 5, "user_id": user_id}),
        ("tt.tracking.project.updated", {"name": "no id"}),
    ):
        with pytest.raises(MalformedEvent):
            publish(subject, data, raw=True)
    assert session.execute(select(Entry).where(Entry.user_id == user_id)).first() is None
