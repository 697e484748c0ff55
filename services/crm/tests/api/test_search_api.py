"""`/internal/search/clients`: the client domain of the global search (reporting.md §2)."""

from __future__ import annotations

import pytest

from shared.testing.fixtures import identity_headers


@pytest.fixture
def search_as(client, identity_codec):
    """Search as the reporting service would: a platform identity carrying the user."""

    def run(user_id: int, q: str, *, role: str = "user", limit: int | None = None, **fields):
        headers = identity_headers(
            identity_codec, user_id=user_id, role=role, is_admin=role == "admin", service="reporting", **fields
        )
        params = {"q": q} | ({"limit": limit} if limit is not None else {})
        return client.get("/internal/search/clients", params=params, headers=headers)

    return run


def test_matches_every_searchable_field_case_insensitively(search_as, make_client, next_user_id):
    make_client(name="Globex", email="ops@globex.example")
    make_client(name="Initech", company="Umbrella GmbH")
    make_client(name="Hooli", description="umbrella partner")
    make_client(name="Vandelay", contact_person="Art UMBRELLA")
    make_client(name="Unrelated")
    r = search_as(next_user_id(), "umbrella", role="admin")
    assert r.status_code == 200
    assert [hit["title"] for hit in r.json()["results"]] == ["Hooli", "Initech", "Vandelay"]


def test_hit_shape(search_as, make_client, next_user_id):
    c = make_client(name="Shape Co", contact_person="Pat", email="p@shape.example")
    [hit] = search_as(next_user_id(), "shape", role="admin").json()["results"]
    assert hit == {
        "type": "client", "category": "client", "id": c.id, "title": "Shape Co",
        "description": "Pat", "url": f"/clients/{c.id}", "badge": "Client",
    }  # fmt: skip


def test_percent_and_underscore_are_literal(search_as, make_client, next_user_id):
    make_client(name="100% Club")
    make_client(name="1000 Club")
    assert [h["title"] for h in search_as(next_user_id(), "0%", role="admin").json()["results"]] == ["100% Club"]
    assert search_as(next_user_id(), "_", role="admin").json()["results"] == []


def test_standard_user_only_finds_clients_in_scope(search_as, make_client, next_user_id):
    uid = next_user_id()
    make_client(name="Scope Mine", created_by=uid)
    make_client(name="Scope Theirs", created_by=uid + 1)
    assert [h["title"] for h in search_as(uid, "scope").json()["results"]] == ["Scope Mine"]


def test_limit_is_clamped(search_as, make_client, next_user_id):
    for i in range(3):
        make_client(name=f"Lim {i}")
    assert len(search_as(next_user_id(), "lim", role="admin", limit=2).json()["results"]) == 2
    assert len(search_as(next_user_id(), "lim", role="admin", limit=0).json()["results"]) == 1


def test_user_tokens_cannot_call_it(client, user_headers):
    r = client.get("/internal/search/clients", params={"q": "ab"}, headers=user_headers)
    assert r.status_code == 403
