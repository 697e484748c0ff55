"""The introspection cache: TTLs, single flight, eviction by token and by user, bounded size."""

import asyncio

import pytest

from gateway.events import apply_event
from gateway.tokens import TokenCache, TokenRecord

pytestmark = pytest.mark.anyio


def body(token_id: int, user_id: int, **token) -> dict:
    return {
        "found": True,
        "token": {
            "id": token_id,
            "user_id": user_id,
            "scopes": ["read:projects", " write:projects "],
            "is_active": True,
            "expires_at": None,
            "ip_whitelist": None,
            **token,
        },
        "user": {"id": user_id, "username": f"u{user_id}", "is_admin": False, "is_active": True},
    }


class Directory:
    """Stands in for the auth service's introspection answer (plain data, counted)."""

    def __init__(self) -> None:
        self.rows: dict[str, dict] = {}
        self.calls = 0
        self.delay = 0.0

    async def __call__(self, digest: str) -> dict:
        self.calls += 1
        await asyncio.sleep(self.delay)
        return self.rows.get(digest, {"found": False})


def make_cache(directory: Directory, connected: bool = True, **kwargs) -> TokenCache:
    return TokenCache(directory, events_connected=lambda: connected, **kwargs)


async def test_positive_entries_are_cached():
    directory = Directory()
    directory.rows["h1"] = body(1, 10)
    cache = make_cache(directory)
    first = await cache.lookup("h1")
    assert isinstance(first, TokenRecord) and first.scopes == ("read:projects", "write:projects")
    assert await cache.lookup("h1") is first
    assert directory.calls == 1


async def test_negative_entries_expire_quickly():
    directory = Directory()
    cache = make_cache(directory, negative_ttl=0.05)
    assert await cache.lookup("nope") is None
    assert await cache.lookup("nope") is None
    assert directory.calls == 1
    await asyncio.sleep(0.06)
    directory.rows["nope"] = body(2, 20)
    assert (await cache.lookup("nope")).token_id == 2


async def test_short_ttl_while_events_are_disconnected():
    directory = Directory()
    directory.rows["h"] = body(1, 10)
    cache = make_cache(directory, connected=False, ttl=30, disconnected_ttl=0.05)
    await cache.lookup("h")
    await asyncio.sleep(0.06)
    await cache.lookup("h")
    assert directory.calls == 2


async def test_concurrent_lookups_share_one_introspection():
    directory = Directory()
    directory.rows["h"] = body(1, 10)
    directory.delay = 0.02
    cache = make_cache(directory)
    results = await asyncio.gather(*(cache.lookup("h") for _ in range(20)))
    assert directory.calls == 1 and len({id(r) for r in results}) == 1


async def test_events_evict_by_token_and_by_user():
    directory = Directory()
    directory.rows.update({"a": body(1, 10), "b": body(2, 10), "c": body(3, 30)})
    cache = make_cache(directory)
    for digest in "abc":
        await cache.lookup(digest)
    apply_event(cache, "tt.auth.api_token.revoked", {"data": {"token_id": 1, "user_id": 10}})
    assert len(cache) == 2
    apply_event(cache, "tt.auth.user.updated", {"entity_id": "10", "data": {"id": 10, "is_active": False}})
    assert len(cache) == 1
    await cache.lookup("c")
    assert directory.calls == 3


async def test_created_event_forgets_negative_entries():
    directory = Directory()
    cache = make_cache(directory, negative_ttl=60)
    assert await cache.lookup("new") is None
    directory.rows["new"] = body(5, 50)
    apply_event(cache, "tt.auth.api_token.created", {"data": {"token_id": 5, "user_id": 50}})
    assert (await cache.lookup("new")).token_id == 5


async def test_eviction_racing_an_introspection_is_not_undone():
    directory = Directory()
    directory.rows["h"] = body(1, 10)
    directory.delay = 0.05
    cache = make_cache(directory)
    pending = asyncio.ensure_future(cache.lookup("h"))
    await asyncio.sleep(0.01)
    cache.evict_token(1)  # the answer in flight may predate the revocation
    await pending
    assert len(cache) == 0


async def test_size_is_bounded():
    directory = Directory()
    cache = make_cache(directory, max_entries=5)
    for i in range(20):
        directory.rows[f"h{i}"] = body(i, i)
        await cache.lookup(f"h{i}")
    assert len(cache) == 5


async def test_expiry_and_allow_list_parsed_from_introspection():
    record = TokenRecord.from_introspection(body(1, 2, expires_at="2030-01-01T00:00:00Z", ip_whitelist="10.0.0.0/8"))
    assert record.expires_at == 1893456000.0 and len(record.networks) == 1
    naive = TokenRecord.from_introspection(body(1, 2, expires_at="2030-01-01T00:00:00"))
    assert naive.expires_at == 1893456000.0
    no_user = TokenRecord.from_introspection({**body(1, 2), "user": None})
    assert not no_user.user_found and not no_user.user_active


async def test_auth_naming_a_changed_token_or_user_evicts_it():
    directory = Directory()
    directory.rows = {"a": body(1, 10), "b": body(2, 10), "c": body(3, 20)}
    cache = TokenCache(directory, ttl=60)
    for digest in "abc":
        await cache.lookup(digest)
    cache.apply_change("token=3")
    assert len(cache) == 2
    cache.apply_change("user=10, nonsense, token=x")
    assert len(cache) == 0
    directory.rows["c"] = body(3, 20, is_active=False)
    assert (await cache.lookup("c")).is_active is False


async def test_a_lookup_after_an_eviction_does_not_join_one_from_before():
    """A request after the admin's answer must not get what an introspection begun before the
    change read from auth."""

    class ReadsFirst(Directory):  # auth reads the row, then the answer takes a while to arrive
        async def __call__(self, digest: str) -> dict:
            self.calls += 1
            row = self.rows.get(digest, {"found": False})
            await asyncio.sleep(self.delay)
            return row

    directory = ReadsFirst()
    directory.rows = {"a": body(1, 10)}
    directory.delay = 0.05
    cache = TokenCache(directory, ttl=60)
    before = asyncio.ensure_future(cache.lookup("a"))
    await asyncio.sleep(0.01)
    directory.rows["a"] = body(1, 10, is_active=False)
    cache.apply_change("token=1")
    after = await cache.lookup("a")
    assert (await before).is_active is True  # its caller came before the change
    assert after.is_active is False and directory.calls == 2
    assert (await cache.lookup("a")).is_active is False  # and the stale answer was not cached
