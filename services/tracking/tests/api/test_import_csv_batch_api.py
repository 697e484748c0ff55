"""The CSV import judges a chunk as a batch (one lock, one read of the owner's entries, one
insert, one outbox statement): these tests prove it imports exactly what importing the rows
one by one would, with the same errors, including rows that overlap each other."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from shared.identity import Identity
from shared.testing.service import new_user_id
from tracking.csv_import import parsing
from tracking.csv_import import service as csv_import
from tracking.models import TimeEntry

URL = "/api/v1/time-entries/import-csv"
HEADER = "project_id,start_time,end_time,task_id,notes,tags,billable"
CREATED = "tt.tracking.time_entry.created"


def chunk(p: int, other_project_task: int, task: int) -> str:
    rows = [
        f"{p},2024-03-04T09:00:00Z,2024-03-04T10:00:00Z,,first,,yes",
        f"{p},2024-03-04T11:30:00Z,2024-03-04T12:30:00Z,,overlaps a stored entry,,",
        f"{p},2024-03-04T09:30:00Z,2024-03-04T09:45:00Z,,overlaps row 2,,",
        f"{p},2024-03-04T10:00:00Z,2024-03-04T11:00:00Z,,touches row 2,,",
        f"{p},2024-03-04T13:00:00Z,2024-03-04T13:00:00Z,,ends as it starts,,",
        f"{p},2024-03-04T14:00:00Z,2024-03-04T15:00:00Z,{other_project_task},task of another project,,",
        "2147483000,2024-03-04T16:00:00Z,2024-03-04T17:00:00Z,,unknown project,,",
        "abc,2024-03-04T16:00:00Z,2024-03-04T17:00:00Z,,,,",
        f"{p},,2024-03-04T17:00:00Z,,no start,,",
        f'{p},2024-03-05T08:00:00Z,2024-03-05T09:15:00Z,{task},with a task,"a, b",1',
        f"{p},2024-03-05T08:00:00Z,2024-03-05T09:15:00Z,{task},the same again,,",
        f"{p},2024-03-05T10:00:00Z,2024-03-05T11:00:00Z,,{'n' * 5001},,",
        f"{p},2024-03-01T23:00:00Z,2024-03-06T01:00:00Z,,spans every row,,",
        f"{p},2030-01-01T08:00:00Z,2030-01-01T08:01:00Z,,far ahead,,",
    ]
    return "\n".join((HEADER, *rows)) + "\n"


def stored(session, user_id: int) -> list[tuple]:
    session.expire_all()
    rows = session.scalars(select(TimeEntry).where(TimeEntry.user_id == user_id).order_by(TimeEntry.start_time))
    return [(e.start_time, e.end_time, e.duration_seconds, e.task_id, e.notes, e.tags, e.billable) for e in rows]


def one_by_one(session, app, text: str, identity: Identity) -> list[tuple[int, str]]:
    """The rows imported singly, each in its own savepoint: the reference behaviour."""
    errors = []
    for row in parsing.read_csv(text):
        error = csv_import._import_row(session, row, actor=identity, settings=app.state.settings)
        if error is not None:
            errors.append((row.number, error))
    return errors


@pytest.fixture
def scenario(make_project, make_task, make_entry):
    project, other = make_project(name="Batch"), make_project(name="Other")
    return project, make_task(other).id, make_task(project).id


# a manager sees every project and is held to the overlap rule; an admin imports history as is
@pytest.mark.parametrize("role", ["manager", "admin"])
def test_a_chunk_imports_exactly_what_row_by_row_would(client, session, app, headers_for, make_entry, scenario,
                                                       outbox_events, role):  # fmt: skip
    project, other_task, task = scenario
    batch_user, single_user = new_user_id(), new_user_id()
    for user in (batch_user, single_user):  # a stored entry each, at the same time
        make_entry(user, project, datetime(2024, 3, 4, 11, tzinfo=UTC), datetime(2024, 3, 4, 12, tzinfo=UTC))
    text = chunk(project.id, other_task, task)

    r = client.post(URL, json={"csv": text}, headers=headers_for(batch_user, "read:*", "write:*", role=role))
    assert r.status_code == 200, r.text
    batch = r.json()
    events_after_batch = len(outbox_events(CREATED))

    identity = Identity(user_id=single_user, username="single", is_admin=role == "admin", role=role,
                        scopes=("read:*", "write:*"))  # fmt: skip
    reference = one_by_one(session, app, text, identity)

    assert [(e["row"], e["error"]) for e in batch["errors"]] == reference
    assert batch["created"] == 14 - len(reference) and batch["failed"] == len(reference)
    assert stored(session, batch_user) == stored(session, single_user)
    assert events_after_batch == batch["created"]  # one event per imported row, none for a refused one
    refused = dict(reference)
    assert 2 not in refused and 15 not in refused
    assert {6, 7, 8, 9, 10, 13} <= set(refused)  # range, task, project, times and length rules
    if role == "manager":
        # the overlap rule held against stored entries and against earlier rows of the chunk
        assert {3, 4, 12, 14} <= set(refused) and "overlaps" in refused[4]
        assert 5 not in refused  # touching edges do not overlap
    else:
        assert not any("overlaps" in error for error in refused.values())


def test_a_second_import_of_the_same_chunk_overlaps_all_of_the_first(client, headers_for, scenario):
    project, other_task, task = scenario
    headers = headers_for(new_user_id(), "read:*", "write:*", role="manager")
    text = chunk(project.id, other_task, task)
    first = client.post(URL, json={"csv": text}, headers=headers).json()
    second = client.post(URL, json={"csv": text}, headers=headers).json()
    assert first["created"] > 0 and second["created"] == 0
    overlapping = [e for e in second["errors"] if "overlaps" in e["error"]]
    assert len(overlapping) >= first["created"]
