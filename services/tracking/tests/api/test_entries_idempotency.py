"""`Idempotency-Key` on `POST /api/v1/time-entries` (CONVENTIONS §11), through the API and in
real concurrent transactions."""

from __future__ import annotations

import hashlib
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from shared.errors import ApiError
from shared.events.outbox import session_info
from shared.identity import Identity
from shared.testing.fixtures import identity_headers
from tracking.entries import idempotency, service
from tracking.models import IdempotencyRecord, KnownClient, Project, TimeEntry, outbox
from tracking.settings import TrackingSettings

URL = "/api/v1/time-entries"


@pytest.fixture
def project(make_project):
    return make_project(name="Website")


@pytest.fixture
def body(project):
    return {"project_id": project.id, "start_time": "2024-01-15T10:00", "end_time": "2024-01-15T11:00"}


@pytest.fixture
def token_headers(identity_codec, user_id):
    """Headers of `user_id` calling through API token `token_id`."""

    def make(token_id: int, *scopes: str) -> dict[str, str]:
        return identity_headers(identity_codec, user_id=user_id, username=f"user{user_id}", role="user",
                                scopes=scopes or ("read:*", "write:*"), token_id=token_id)  # fmt: skip

    return make


@pytest.fixture
def entry_count(session):
    return lambda: session.scalar(select(func.count()).select_from(TimeEntry))


def post(client, headers, body, key):
    return client.post(URL, json=body, headers=headers | ({"Idempotency-Key": key} if key is not None else {}))


class TestReplay:
    def test_same_key_twice_creates_one_entry_and_replays_the_response(
        self, client, user_headers, body, entry_count, outbox_events
    ):
        first = post(client, user_headers, body, "sync-1")
        second = post(client, user_headers, body, "sync-1")
        assert (first.status_code, second.status_code) == (201, 201)
        assert second.json() == first.json()
        assert entry_count() == 1
        assert len(outbox_events("tt.tracking.time_entry.created")) == 1

    def test_a_different_or_invalid_body_still_replays(self, client, user_headers, body, entry_count):
        first = post(client, user_headers, body, "k")
        other = post(client, user_headers, {**body, "start_time": "2024-02-01T10:00", "end_time": "2024-02-01T11:00"},
                     "k")  # fmt: skip
        broken = post(client, user_headers, {"start_time": "not a time"}, "k")
        assert other.json() == broken.json() == first.json()
        assert entry_count() == 1

    def test_the_key_is_trimmed(self, client, user_headers, body, entry_count):
        first = post(client, user_headers, body, "  abc  ")
        assert post(client, user_headers, body, "abc").json() == first.json()
        assert entry_count() == 1

    def test_128_characters_is_still_a_key(self, client, user_headers, body, entry_count):
        key = "k" * 128
        post(client, user_headers, body, key)
        assert post(client, user_headers, body, key).status_code == 201
        assert entry_count() == 1

    def test_the_record_is_the_201_under_the_tokens_hashed_key(self, client, token_headers, body, session):
        r = post(client, token_headers(77), body, "mobile-42")
        record = session.scalars(select(IdempotencyRecord).where(IdempotencyRecord.token_id == 77)).one()
        assert record.scope == "post:time_entries"
        assert record.key_hash == hashlib.sha256(b"mobile-42").hexdigest()
        assert (record.status_code, record.body) == (201, r.json())
        assert timedelta(hours=23, minutes=59) < record.expires_at - record.created_at <= timedelta(hours=24)

    def test_a_replay_still_needs_the_write_scope(self, client, token_headers, body):
        post(client, token_headers(5), body, "k")
        r = post(client, token_headers(5, "read:time_entries"), body, "k")
        assert (r.status_code, r.json()["required_scope"]) == (403, "write:time_entries")


class TestKeyScope:
    def test_the_same_key_under_two_tokens_is_two_keys(self, client, token_headers, body, entry_count):
        first = post(client, token_headers(1), body, "shared")
        later = {**body, "start_time": "2024-01-15T12:00", "end_time": "2024-01-15T13:00"}
        second = post(client, token_headers(2), later, "shared")
        assert second.status_code == 201 and second.json()["time_entry"]["id"] != first.json()["time_entry"]["id"]
        assert entry_count() == 2

    def test_different_keys_create_separately(self, client, user_headers, body, entry_count):
        post(client, user_headers, body, "a")
        later = {**body, "start_time": "2024-01-15T12:00", "end_time": "2024-01-15T13:00"}
        assert post(client, user_headers, later, "b").status_code == 201
        assert entry_count() == 2

    @pytest.mark.parametrize("key", ["", "   ", "k" * 129])
    def test_empty_or_overlong_keys_are_ignored(self, client, user_headers, body, key, entry_count, session):
        assert post(client, user_headers, body, key).status_code == 201
        later = {**body, "start_time": "2024-01-15T12:00", "end_time": "2024-01-15T13:00"}
        assert post(client, user_headers, later, key).status_code == 201
        assert entry_count() == 2
        assert session.scalar(select(func.count()).select_from(IdempotencyRecord)) == 0


class TestFailuresAndExpiry:
    def test_failures_are_not_stored(self, client, user_headers, body, entry_count, session):
        failed = post(client, user_headers, {**body, "project_id": 987654321}, "retry-me")
        assert (failed.status_code, failed.json()["error_code"]) == (400, "invalid_project")
        assert session.scalar(select(func.count()).select_from(IdempotencyRecord)) == 0
        retried = post(client, user_headers, body, "retry-me")
        assert retried.status_code == 201 and entry_count() == 1
        assert post(client, user_headers, body, "retry-me").json() == retried.json()

    def test_a_409_is_not_stored_either(self, client, user_headers, user_id, project, make_entry, entry_count):
        make_entry(user_id, project, datetime(2024, 1, 1, tzinfo=UTC))
        running = {"project_id": project.id, "start_time": "2024-01-15T10:00"}
        assert post(client, user_headers, running, "t").status_code == 409
        completed = {**running, "end_time": "2024-01-15T11:00"}
        assert post(client, user_headers, completed, "t").status_code == 201
        assert entry_count() == 2

    def test_an_expired_record_counts_as_absent_and_is_replaced(self, client, user_headers, body, session, entry_count):
        first = post(client, user_headers, body, "old")
        session.execute(update(IdempotencyRecord).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
        later = {**body, "start_time": "2024-01-15T12:00", "end_time": "2024-01-15T13:00"}
        second = post(client, user_headers, later, "old")
        assert second.status_code == 201 and second.json() != first.json()
        assert entry_count() == 2
        assert post(client, user_headers, body, "old").json() == second.json()
        assert session.scalar(select(func.count()).select_from(IdempotencyRecord)) == 1

    def test_ttl_comes_from_the_settings(self, make_app_client, user_headers, body, entry_count):
        http = make_app_client(idempotency_ttl_seconds=0)
        post(http, user_headers, body, "short")
        later = {**body, "start_time": "2024-01-15T12:00", "end_time": "2024-01-15T13:00"}
        assert post(http, user_headers, later, "short").json()["time_entry"]["start_time"] == "2024-01-15T11:00:00Z"
        assert entry_count() == 2


@pytest.fixture
def committed(engine):
    """A user, token, client and project committed for real, removed afterwards."""
    uid, token_id = 900_000 + uuid.uuid4().int % 99_999, 900_000 + uuid.uuid4().int % 99_999
    with Session(engine) as s:
        known = KnownClient(id=uid, name=f"Race {uid}")
        s.add(known)
        s.flush()
        project = Project(name=f"Race {uid}", client_id=known.id, custom_fields={})
        s.add(project)
        s.commit()
        project_id = project.id
    yield Identity(user_id=uid, token_id=token_id, scopes=("write:*",)), project_id
    with Session(engine) as s:
        s.execute(delete(outbox).where(outbox.c.payload["data"]["user_id"].astext == str(uid)))
        s.execute(delete(IdempotencyRecord).where(IdempotencyRecord.token_id == token_id))
        s.execute(delete(TimeEntry).where(TimeEntry.user_id == uid))
        s.execute(delete(Project).where(Project.id == project_id))
        s.execute(delete(KnownClient).where(KnownClient.id == uid))
        s.commit()


def create_committed(engine, settings, actor, body, key, before_commit=lambda: None):
    """One create in its own transaction, like a request served by another worker."""
    with Session(engine, info=session_info(outbox)) as s:
        status, out = service.create_time_entry(s, body, actor=actor, settings=settings, idempotency_key=key)
        before_commit()
        s.commit()
        return status, out


def stored_entries(engine, user_id: int) -> int:
    with Session(engine) as s:
        return s.scalar(select(func.count()).select_from(TimeEntry).where(TimeEntry.user_id == user_id))


class TestConcurrentDuplicates:
    def test_a_hundred_simultaneous_posts_create_one_entry(self, engine, settings, committed):
        actor, project_id = committed
        workers = 100
        barrier = threading.Barrier(workers)

        def create(i: int):
            # each body a different slot: without the key every one would be a valid new entry
            start = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(hours=i)
            body = {
                "project_id": project_id,
                "start_time": start.isoformat(),
                "end_time": (start + timedelta(minutes=30)).isoformat(),
            }
            barrier.wait(timeout=30)
            return create_committed(engine, settings, actor, body, "offline-queue-1")

        with ThreadPoolExecutor(workers) as pool:
            responses = list(pool.map(create, range(workers)))
        assert stored_entries(engine, actor.user_id) == 1
        assert all(r == responses[0] for r in responses)
        assert responses[0][0] == 201

    def test_a_duplicate_waits_for_the_first_and_then_replays(self, engine, settings, committed):
        actor, project_id = committed
        body = {"project_id": project_id, "start_time": "2024-01-15T10:00", "end_time": "2024-01-15T11:00"}
        with ThreadPoolExecutor(1) as pool:
            waiting = []

            def start_the_duplicate() -> None:
                waiting.append(pool.submit(create_committed, engine, settings, actor, body, "k"))
                threading.Event().wait(0.3)
                assert not waiting[0].done()  # blocked on the key until this transaction ends

            first = create_committed(engine, settings, actor, body, "k", before_commit=start_the_duplicate)
            second = waiting[0].result(timeout=15)
        assert second == first
        assert stored_entries(engine, actor.user_id) == 1

    def test_when_the_first_fails_the_duplicate_runs_normally(self, engine, settings, committed):
        actor, project_id = committed
        body = {"project_id": project_id, "start_time": "2024-01-15T10:00", "end_time": "2024-01-15T11:00"}
        key = idempotency.request_key(actor, "k")
        with ThreadPoolExecutor(1) as pool, Session(engine, info=session_info(outbox)) as failing:
            idempotency.acquire(failing, key, settings)
            duplicate = pool.submit(create_committed, engine, settings, actor, body, "k")
            threading.Event().wait(0.3)
            assert not duplicate.done()
            failing.rollback()
            status, out = duplicate.result(timeout=15)
        assert status == 201 and out["time_entry"]["project_id"] == project_id
        assert stored_entries(engine, actor.user_id) == 1

    def test_a_wait_past_the_bound_is_idempotency_in_progress(self, engine, settings_kwargs, settings, committed):
        actor, project_id = committed
        body = {"project_id": project_id, "start_time": "2024-01-15T10:00", "end_time": "2024-01-15T11:00"}
        impatient = TrackingSettings(**settings_kwargs, idempotency_wait_seconds=0.2)
        key = idempotency.request_key(actor, "k")
        with Session(engine, info=session_info(outbox)) as holder:
            idempotency.acquire(holder, key, settings)
            with pytest.raises(ApiError) as refused:
                create_committed(engine, impatient, actor, body, "k")
            holder.rollback()
        assert (refused.value.status_code, refused.value.error_code) == (409, "idempotency_in_progress")
        assert stored_entries(engine, actor.user_id) == 0
        assert create_committed(engine, impatient, actor, body, "k")[0] == 201
