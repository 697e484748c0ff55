"""Client notes: `/api/v1/clients/{client_id}/notes` and `/api/v1/client-notes/{note_id}` (crm.md §2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from crm.models import ClientNote

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def make_note(session):
    """`make_note(client_id, user_id, content=..., is_important=..., created_at=...)`: a note row, flushed."""

    def make(client_id: int, user_id: int, **overrides: Any) -> ClientNote:
        fields: dict[str, Any] = {"content": "A note", "is_important": False}
        fields.update(overrides)
        note = ClientNote(client_id=client_id, user_id=user_id, **fields)
        session.add(note)
        session.flush()
        return note

    return make


@pytest.fixture
def note_count(session):
    def count() -> int:
        return session.scalar(select(func.count()).select_from(ClientNote))

    return count


@pytest.fixture
def stored_note(session):
    """The note as committed by the request (None once deleted)."""

    def read(note_id: int) -> ClientNote | None:
        session.expire_all()
        return session.get(ClientNote, note_id)

    return read


class TestListClientNotes:
    def test_important_first_then_newest_with_author_names(
        self, next_user_id, client, make_client, make_note, make_known_user, user_headers, user_id
    ):
        c = make_client(name="Acme", created_by=user_id)
        named = make_known_user(username="ada", full_name="Ada Lovelace")
        plain = make_known_user(username="bob", full_name=None)
        old = make_note(c.id, named.id, content="old", created_at=T0)
        new = make_note(c.id, plain.id, content="new", created_at=T0 + timedelta(hours=2))
        pinned_old = make_note(c.id, next_user_id(), content="pinned", is_important=True, created_at=T0)
        r = client.get(f"/api/v1/clients/{c.id}/notes", headers=user_headers)
        assert r.status_code == 200
        notes = r.json()["notes"]
        assert [n["id"] for n in notes] == [pinned_old.id, new.id, old.id]
        pinned, newest, oldest = notes
        assert (oldest["author"], oldest["author_full_name"], oldest["author_name"]) == (
            "ada",
            "Ada Lovelace",
            "Ada Lovelace",
        )
        assert (newest["author"], newest["author_full_name"], newest["author_name"]) == ("bob", None, "bob")
        assert (pinned["author"], pinned["author_full_name"], pinned["author_name"]) == (None, None, "Unknown")
        assert oldest == {
            "id": old.id,
            "content": "old",
            "client_id": c.id,
            "client_name": "Acme",
            "user_id": named.id,
            "author": "ada",
            "author_full_name": "Ada Lovelace",
            "author_name": "Ada Lovelace",
            "is_important": False,
            "created_at": "2024-03-01T09:00:00Z",
            "updated_at": oldest["updated_at"],
        }
        assert oldest["updated_at"].endswith("Z")

    def test_lists_only_that_clients_notes_by_every_author(
        self, next_user_id, client, make_client, make_note, user_headers, user_id
    ):
        mine = make_client(created_by=user_id)
        other = make_client(created_by=user_id)
        by_someone_else = make_note(mine.id, next_user_id(), content="theirs")
        make_note(other.id, user_id, content="elsewhere")
        r = client.get(f"/api/v1/clients/{mine.id}/notes", headers=user_headers)
        assert [n["id"] for n in r.json()["notes"]] == [by_someone_else.id]

    def test_pagination_edges(self, client, make_client, make_note, admin_headers):
        c = make_client()
        notes = [make_note(c.id, 1, content=f"n{i}", created_at=T0 + timedelta(minutes=i)) for i in range(5)]
        r = client.get(f"/api/v1/clients/{c.id}/notes?per_page=2&page=3", headers=admin_headers)
        assert [n["id"] for n in r.json()["notes"]] == [notes[0].id]
        assert r.json()["pagination"] == {
            "page": 3, "per_page": 2, "total": 5, "pages": 3,
            "has_next": False, "has_prev": True, "next_page": None, "prev_page": 2,
        }  # fmt: skip
        r = client.get(f"/api/v1/clients/{c.id}/notes?per_page=500&page=x", headers=admin_headers)
        assert r.json()["pagination"]["per_page"] == 100 and r.json()["pagination"]["page"] == 1
        assert len(r.json()["notes"]) == 5
        r = client.get(f"/api/v1/clients/{c.id}/notes?page=4&per_page=2", headers=admin_headers)
        assert r.status_code == 200 and r.json()["notes"] == []

    def test_client_without_notes_is_an_empty_page(self, client, make_client, admin_headers):
        c = make_client()
        r = client.get(f"/api/v1/clients/{c.id}/notes", headers=admin_headers)
        assert r.status_code == 200
        assert r.json()["notes"] == []
        assert r.json()["pagination"]["total"] == 0 and r.json()["pagination"]["pages"] == 0

    def test_unknown_client_is_404(self, client, admin_headers):
        r = client.get("/api/v1/clients/999999/notes", headers=admin_headers)
        assert r.status_code == 404 and r.json()["error_code"] == "not_found"

    def test_client_outside_scope_is_403(self, client, make_client, make_note, user_headers, user_id):
        c = make_client(created_by=user_id + 1)
        make_note(c.id, user_id)
        r = client.get(f"/api/v1/clients/{c.id}/notes", headers=user_headers)
        assert r.status_code == 403
        assert r.json()["error_code"] == "forbidden"
        assert r.json()["message"] == "You do not have access to this client"

    def test_subcontractor_reads_notes_of_assigned_clients(
        self, next_user_id, client, make_client, make_note, headers_for
    ):
        assigned = make_client()
        note = make_note(assigned.id, 1)
        headers = headers_for(next_user_id(), "read:clients", role="subcontractor", client_ids=(assigned.id,))
        r = client.get(f"/api/v1/clients/{assigned.id}/notes", headers=headers)
        assert [n["id"] for n in r.json()["notes"]] == [note.id]

    @pytest.mark.parametrize("scope", ["write:clients", "read:contacts"])
    def test_read_clients_scope_required(self, client, make_client, headers_for, user_id, scope):
        c = make_client(created_by=user_id)
        r = client.get(f"/api/v1/clients/{c.id}/notes", headers=headers_for(user_id, scope))
        assert r.status_code == 403
        assert r.json()["error_code"] == "forbidden"
        assert r.json()["required_scope"] == "read:clients"

    def test_clients_module_switch(self, next_user_id, client, make_client, headers_for):
        c = make_client()
        headers = headers_for(next_user_id(), "admin:all", role="admin", modules_off=("clients",))
        r = client.get(f"/api/v1/clients/{c.id}/notes", headers=headers)
        assert r.status_code == 403 and r.json()["error_code"] == "module_disabled"


class TestCreateClientNote:
    def test_creates_as_the_token_user_and_records_the_event(
        self, client, make_client, make_known_user, headers_for, outbox_events
    ):
        author = make_known_user(username="cleo", full_name="Cleo Jones")
        c = make_client(name="Acme", created_by=author.id)
        headers = headers_for(author.id, "write:clients")
        r = client.post(f"/api/v1/clients/{c.id}/notes", json={"content": "  Call back Monday "}, headers=headers)
        assert r.status_code == 201, r.text
        assert r.json()["message"] == "Client note created successfully"
        note = r.json()["note"]
        assert note["content"] == "Call back Monday"
        assert note["is_important"] is False
        assert (note["client_id"], note["client_name"], note["user_id"]) == (c.id, "Acme", author.id)
        assert (note["author"], note["author_full_name"], note["author_name"]) == ("cleo", "Cleo Jones", "Cleo Jones")
        assert note["created_at"].endswith("Z")
        [event] = outbox_events("tt.crm.client_note.created")
        assert event["data"] == note
        assert event["entity_id"] == str(note["id"])

    def test_important_note(self, client, make_client, admin_headers, stored_note):
        c = make_client()
        r = client.post(
            f"/api/v1/clients/{c.id}/notes", json={"content": "VIP", "is_important": True}, headers=admin_headers
        )
        assert r.status_code == 201
        assert r.json()["note"]["is_important"] is True
        assert stored_note(r.json()["note"]["id"]).is_important is True

    def test_unreplicated_author_reads_as_unknown(self, client, make_client, admin_headers, admin_id):
        c = make_client()
        r = client.post(f"/api/v1/clients/{c.id}/notes", json={"content": "x"}, headers=admin_headers)
        note = r.json()["note"]
        assert (note["user_id"], note["author"], note["author_name"]) == (admin_id, None, "Unknown")

    @pytest.mark.parametrize(
        "body", [{}, {"content": ""}, {"content": "   "}, {"content": None}, {"is_important": True}]
    )
    def test_content_is_required_and_nothing_is_written(
        self, client, make_client, admin_headers, note_count, outbox_events, body
    ):
        c = make_client()
        r = client.post(f"/api/v1/clients/{c.id}/notes", json=body, headers=admin_headers)
        assert r.status_code == 400
        assert r.json()["error_code"] == "validation_error"
        assert r.json()["errors"] == {"content": ["content is required"]}
        assert note_count() == 0 and outbox_events() == []

    def test_empty_body_is_a_missing_content(self, client, make_client, admin_headers):
        c = make_client()
        r = client.post(f"/api/v1/clients/{c.id}/notes", headers=admin_headers | {"Content-Type": "application/json"})
        assert r.status_code == 400 and r.json()["errors"] == {"content": ["content is required"]}

    @pytest.mark.parametrize(("field", "value"), [("content", 42), ("content", ["a"]), ("is_important", "maybe")])
    def test_wrong_types_are_validation_errors(self, client, make_client, admin_headers, note_count, field, value):
        c = make_client()
        body = {"content": "ok", field: value}
        r = client.post(f"/api/v1/clients/{c.id}/notes", json=body, headers=admin_headers)
        assert r.status_code == 400
        assert r.json()["error_code"] == "validation_error" and list(r.json()["errors"]) == [field]
        assert note_count() == 0

    def test_unknown_client_is_404(self, client, admin_headers, note_count, outbox_events):
        r = client.post("/api/v1/clients/999999/notes", json={"content": "x"}, headers=admin_headers)
        assert r.status_code == 404
        assert note_count() == 0 and outbox_events() == []

    def test_client_outside_scope_is_403(self, client, make_client, user_headers, user_id, note_count, outbox_events):
        c = make_client(created_by=user_id + 1)
        r = client.post(f"/api/v1/clients/{c.id}/notes", json={"content": "x"}, headers=user_headers)
        assert r.status_code == 403 and r.json()["message"] == "You do not have access to this client"
        assert note_count() == 0 and outbox_events() == []

    def test_write_clients_scope_required(self, client, make_client, headers_for, user_id, note_count):
        c = make_client(created_by=user_id)
        r = client.post(
            f"/api/v1/clients/{c.id}/notes", json={"content": "x"}, headers=headers_for(user_id, "read:clients")
        )
        assert r.status_code == 403
        assert r.json()["error_code"] == "forbidden" and r.json()["required_scope"] == "write:clients"
        assert note_count() == 0

    def test_clients_module_switch(self, next_user_id, client, make_client, headers_for, note_count):
        c = make_client()
        headers = headers_for(next_user_id(), "admin:all", role="admin", modules_off=("clients",))
        r = client.post(f"/api/v1/clients/{c.id}/notes", json={"content": "x"}, headers=headers)
        assert r.status_code == 403 and r.json()["error_code"] == "module_disabled"
        assert note_count() == 0


class TestGetClientNote:
    def test_returns_the_note(self, client, make_client, make_note, make_known_user, admin_headers):
        author = make_known_user(username="dan", full_name="")
        c = make_client(name="Acme")
        note = make_note(c.id, author.id, content="hello", is_important=True, created_at=T0)
        r = client.get(f"/api/v1/client-notes/{note.id}", headers=admin_headers)
        assert r.status_code == 200
        out = r.json()["note"]
        assert (out["id"], out["content"], out["client_name"], out["is_important"]) == (note.id, "hello", "Acme", True)
        assert out["author_name"] == "dan"  # an empty full name counts as unset
        assert out["created_at"] == "2024-03-01T09:00:00Z"

    def test_any_user_may_read_any_note(self, client, make_client, make_note, user_headers, user_id):
        """CONVENTIONS §4 "read all" and crm.md §2 name no client-scope check on this endpoint."""
        c = make_client(created_by=user_id + 1)
        note = make_note(c.id, user_id + 1, content="not mine")
        r = client.get(f"/api/v1/client-notes/{note.id}", headers=user_headers)
        assert r.status_code == 200 and r.json()["note"]["content"] == "not mine"

    def test_unknown_is_404(self, client, admin_headers):
        r = client.get("/api/v1/client-notes/999999", headers=admin_headers)
        assert r.status_code == 404 and r.json()["error_code"] == "not_found"

    def test_read_clients_scope_required(self, client, make_client, make_note, headers_for, user_id):
        note = make_note(make_client().id, user_id)
        r = client.get(f"/api/v1/client-notes/{note.id}", headers=headers_for(user_id, "write:clients"))
        assert r.status_code == 403 and r.json()["required_scope"] == "read:clients"

    def test_clients_module_switch(self, next_user_id, client, make_client, make_note, headers_for):
        note = make_note(make_client().id, 1)
        headers = headers_for(next_user_id(), "admin:all", role="admin", modules_off=("clients",))
        r = client.get(f"/api/v1/client-notes/{note.id}", headers=headers)
        assert r.status_code == 403 and r.json()["error_code"] == "module_disabled"


@pytest.mark.parametrize("method", ["put", "patch"])
class TestUpdateClientNote:
    def test_author_changes_content_and_flag(
        self, client, make_client, make_note, user_headers, user_id, outbox_events, method
    ):
        note = make_note(make_client().id, user_id, content="before", created_at=T0, updated_at=T0)
        body = {"content": " after ", "is_important": True}
        r = client.request(method, f"/api/v1/client-notes/{note.id}", json=body, headers=user_headers)
        assert r.status_code == 200, r.text
        assert r.json()["message"] == "Client note updated successfully"
        out = r.json()["note"]
        assert (out["content"], out["is_important"]) == ("after", True)
        assert out["created_at"] == "2024-03-01T09:00:00Z" and out["updated_at"] != out["created_at"]
        [event] = outbox_events("tt.crm.client_note.updated")
        assert event["data"] == out

    @pytest.mark.parametrize("flag", [{}, {"is_important": None}])
    def test_flag_is_kept_when_absent_or_null(
        self, client, make_client, make_note, user_headers, user_id, method, flag
    ):
        note = make_note(make_client().id, user_id, is_important=True)
        body = {"content": "new text"} | flag
        r = client.request(method, f"/api/v1/client-notes/{note.id}", json=body, headers=user_headers)
        assert r.status_code == 200 and r.json()["note"]["is_important"] is True

    @pytest.mark.parametrize("body", [{}, {"is_important": False}, {"content": "  "}, {"content": None}])
    def test_content_is_required_on_every_update(
        self, client, make_client, make_note, user_headers, user_id, stored_note, outbox_events, method, body
    ):
        note = make_note(make_client().id, user_id, content="kept", is_important=True)
        r = client.request(method, f"/api/v1/client-notes/{note.id}", json=body, headers=user_headers)
        assert r.status_code == 400
        assert r.json()["errors"] == {"content": ["content is required"]}
        kept = stored_note(note.id)
        assert (kept.content, kept.is_important) == ("kept", True)
        assert outbox_events() == []

    def test_admin_may_change_anyones_note(self, next_user_id, client, make_client, make_note, admin_headers, method):
        note = make_note(make_client().id, next_user_id(), content="theirs")
        r = client.request(method, f"/api/v1/client-notes/{note.id}", json={"content": "fixed"}, headers=admin_headers)
        assert r.status_code == 200 and r.json()["note"]["content"] == "fixed"
        assert r.json()["note"]["user_id"] == note.user_id

    @pytest.mark.parametrize("role", ["user", "manager"])
    def test_other_users_are_refused(
        self, next_user_id, client, make_client, make_note, headers_for, stored_note, outbox_events, method, role
    ):
        me = next_user_id()
        c = make_client(created_by=me)
        note = make_note(c.id, next_user_id(), content="theirs")
        headers = headers_for(me, "write:clients", role=role)
        r = client.request(method, f"/api/v1/client-notes/{note.id}", json={"content": "mine now"}, headers=headers)
        assert r.status_code == 403
        assert r.json()["error_code"] == "forbidden" and r.json()["error"] == "Access denied"
        assert stored_note(note.id).content == "theirs"
        assert outbox_events() == []

    def test_unknown_is_404(self, client, admin_headers, method):
        r = client.request(method, "/api/v1/client-notes/999999", json={"content": "x"}, headers=admin_headers)
        assert r.status_code == 404 and r.json()["error_code"] == "not_found"

    def test_write_clients_scope_required(self, client, make_client, make_note, headers_for, user_id, method):
        note = make_note(make_client().id, user_id)
        headers = headers_for(user_id, "read:clients")
        r = client.request(method, f"/api/v1/client-notes/{note.id}", json={"content": "x"}, headers=headers)
        assert r.status_code == 403 and r.json()["required_scope"] == "write:clients"

    def test_clients_module_switch(self, next_user_id, client, make_client, make_note, headers_for, method):
        note = make_note(make_client().id, 1)
        headers = headers_for(next_user_id(), "admin:all", role="admin", modules_off=("clients",))
        r = client.request(method, f"/api/v1/client-notes/{note.id}", json={"content": "x"}, headers=headers)
        assert r.status_code == 403 and r.json()["error_code"] == "module_disabled"


class TestDeleteClientNote:
    def test_author_deletes_and_the_event_carries_the_last_state(
        self, client, make_client, make_note, user_headers, user_id, stored_note, outbox_events
    ):
        c = make_client(name="Acme")
        note_id = make_note(c.id, user_id, content="bye").id
        r = client.delete(f"/api/v1/client-notes/{note_id}", headers=user_headers)
        assert r.status_code == 200 and r.json() == {"message": "Client note deleted successfully"}
        assert stored_note(note_id) is None
        assert client.get(f"/api/v1/client-notes/{note_id}", headers=user_headers).status_code == 404
        [event] = outbox_events("tt.crm.client_note.deleted")
        assert event["entity_id"] == str(note_id)
        assert (event["data"]["id"], event["data"]["content"], event["data"]["client_name"]) == (note_id, "bye", "Acme")

    def test_admin_may_delete_anyones_note(
        self, next_user_id, client, make_client, make_note, admin_headers, stored_note
    ):
        note = make_note(make_client().id, next_user_id())
        assert client.delete(f"/api/v1/client-notes/{note.id}", headers=admin_headers).status_code == 200
        assert stored_note(note.id) is None

    def test_other_users_are_refused(
        self, next_user_id, client, make_client, make_note, user_headers, user_id, stored_note, outbox_events
    ):
        note = make_note(make_client(created_by=user_id).id, next_user_id())
        r = client.delete(f"/api/v1/client-notes/{note.id}", headers=user_headers)
        assert r.status_code == 403 and r.json()["error"] == "Access denied"
        assert stored_note(note.id) is not None
        assert outbox_events() == []

    def test_unknown_is_404(self, client, admin_headers):
        r = client.delete("/api/v1/client-notes/999999", headers=admin_headers)
        assert r.status_code == 404 and r.json()["error_code"] == "not_found"

    def test_write_clients_scope_required(self, client, make_client, make_note, headers_for, user_id, stored_note):
        note = make_note(make_client().id, user_id)
        r = client.delete(f"/api/v1/client-notes/{note.id}", headers=headers_for(user_id, "read:clients"))
        assert r.status_code == 403 and r.json()["required_scope"] == "write:clients"
        assert stored_note(note.id) is not None

    def test_clients_module_switch(self, next_user_id, client, make_client, make_note, headers_for, stored_note):
        note = make_note(make_client().id, 1)
        headers = headers_for(next_user_id(), "admin:all", role="admin", modules_off=("clients",))
        r = client.delete(f"/api/v1/client-notes/{note.id}", headers=headers)
        assert r.status_code == 403 and r.json()["error_code"] == "module_disabled"
        assert stored_note(note.id) is not None
