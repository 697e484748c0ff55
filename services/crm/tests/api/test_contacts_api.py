"""Contacts: `/api/v1/clients/{client_id}/contacts` and `/api/v1/contacts/{contact_id}` (crm.md §3)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from crm.models import Contact

NAMES_REQUIRED = "first_name and last_name are required"


@pytest.fixture
def make_contact(session):
    """`make_contact(client_id, first_name=..., is_primary=..., ...)`: a contact row, flushed."""

    def make(client_id: int, **overrides: Any) -> Contact:
        fields: dict[str, Any] = {"first_name": "Jo", "last_name": "Doe", "created_by": 1}
        fields.update(overrides)
        contact = Contact(client_id=client_id, **fields)
        session.add(contact)
        session.flush()
        return contact

    return make


@pytest.fixture
def contact_count(session):
    def count() -> int:
        return session.scalar(select(func.count()).select_from(Contact))

    return count


@pytest.fixture
def stored_contact(session):
    """The contact as the requests left it."""

    def read(contact_id: int) -> Contact | None:
        session.expire_all()
        return session.get(Contact, contact_id)

    return read


@pytest.fixture
def my_client(make_client, user_id):
    """A client in the standard user's client scope."""
    return make_client(name="Acme", created_by=user_id)


@pytest.fixture
def modules_off_headers(headers_for, next_user_id):
    return headers_for(next_user_id(), "admin:all", role="admin", modules_off=("contacts",))


class TestListClientContacts:
    def test_active_contacts_by_last_then_first_name(self, client, my_client, make_contact, user_headers):
        zed = make_contact(my_client.id, first_name="Zed", last_name="Adams")
        amy = make_contact(my_client.id, first_name="Amy", last_name="Brown")
        bob = make_contact(my_client.id, first_name="Bob", last_name="Adams")
        make_contact(my_client.id, first_name="Al", last_name="Aaron", is_active=False)
        r = client.get(f"/api/v1/clients/{my_client.id}/contacts", headers=user_headers)
        assert r.status_code == 200
        assert list(r.json()) == ["contacts"]  # not paginated
        assert [c["id"] for c in r.json()["contacts"]] == [bob.id, zed.id, amy.id]

    def test_contact_object(self, client, my_client, make_contact, user_headers):
        contact = make_contact(
            my_client.id,
            first_name="Ada",
            last_name="Lovelace",
            title="CTO",
            email="ada@acme.example",
            role="technical",
            is_primary=True,
            tags="math, engines",
            created_by=42,
        )
        r = client.get(f"/api/v1/clients/{my_client.id}/contacts", headers=user_headers)
        [out] = r.json()["contacts"]
        assert out == {
            "id": contact.id,
            "client_id": my_client.id,
            "first_name": "Ada",
            "last_name": "Lovelace",
            "full_name": "Ada Lovelace",
            "display_name": "Ada Lovelace - CTO",
            "email": "ada@acme.example",
            "phone": None,
            "mobile": None,
            "title": "CTO",
            "department": None,
            "role": "technical",
            "is_primary": True,
            "address": None,
            "notes": None,
            "tags": ["math", "engines"],
            "is_active": True,
            "created_by": 42,
            "created_at": out["created_at"],
            "updated_at": out["updated_at"],
        }
        assert out["created_at"].endswith("Z") and out["updated_at"].endswith("Z")

    def test_other_clients_contacts_are_not_listed(self, client, my_client, make_client, make_contact, user_headers):
        make_contact(make_client().id)
        r = client.get(f"/api/v1/clients/{my_client.id}/contacts", headers=user_headers)
        assert r.status_code == 200 and r.json() == {"contacts": []}

    def test_unknown_client_is_404(self, client, admin_headers):
        r = client.get("/api/v1/clients/999999/contacts", headers=admin_headers)
        assert r.status_code == 404 and r.json()["error_code"] == "not_found"

    def test_client_outside_scope_is_403(self, client, make_client, make_contact, user_headers, user_id):
        c = make_client(created_by=user_id + 1)
        make_contact(c.id)
        r = client.get(f"/api/v1/clients/{c.id}/contacts", headers=user_headers)
        assert r.status_code == 403 and r.json()["message"] == "You do not have access to this client"

    @pytest.mark.parametrize("scope", ["read:clients", "write:contacts"])
    def test_read_contacts_scope_required(self, client, my_client, headers_for, user_id, scope):
        r = client.get(f"/api/v1/clients/{my_client.id}/contacts", headers=headers_for(user_id, scope))
        assert r.status_code == 403
        assert r.json()["error_code"] == "forbidden" and r.json()["required_scope"] == "read:contacts"

    def test_contacts_module_switch(self, client, my_client, modules_off_headers):
        r = client.get(f"/api/v1/clients/{my_client.id}/contacts", headers=modules_off_headers)
        assert r.status_code == 403 and r.json()["error_code"] == "module_disabled"


class TestCreateContact:
    def test_creates_with_every_field_and_records_the_event(
        self, client, my_client, user_headers, user_id, outbox_events
    ):
        body = {
            "first_name": " Ada ",
            "last_name": " Lovelace ",
            "email": " ada@acme.example ",
            "phone": "+44 1",
            "mobile": "+44 2",
            "title": "CTO",
            "department": "Engineering",
            "role": "technical",
            "address": "12 St James's Square",
            "notes": "Prefers e-mail",
            "tags": [" math ", "engines", ""],
            "is_primary": True,
        }
        r = client.post(f"/api/v1/clients/{my_client.id}/contacts", json=body, headers=user_headers)
        assert r.status_code == 201, r.text
        assert r.json()["message"] == "Contact created successfully"
        c = r.json()["contact"]
        assert (c["first_name"], c["last_name"], c["email"]) == ("Ada", "Lovelace", "ada@acme.example")
        assert (c["full_name"], c["display_name"]) == ("Ada Lovelace", "Ada Lovelace - CTO")
        assert (c["phone"], c["mobile"], c["department"], c["role"]) == ("+44 1", "+44 2", "Engineering", "technical")
        assert (c["address"], c["notes"]) == ("12 St James's Square", "Prefers e-mail")
        assert c["tags"] == ["math", "engines"]
        assert c["is_primary"] is True and c["is_active"] is True
        assert (c["client_id"], c["created_by"]) == (my_client.id, user_id)
        [event] = outbox_events("tt.crm.contact.created")
        assert event["data"] == c and event["entity_id"] == str(c["id"])

    def test_minimal_body_gets_the_defaults(self, client, my_client, user_headers):
        body = {"first_name": "Jo", "last_name": "Doe", "email": " ", "title": "", "role": "  "}
        r = client.post(f"/api/v1/clients/{my_client.id}/contacts", json=body, headers=user_headers)
        assert r.status_code == 201
        c = r.json()["contact"]
        assert (c["role"], c["is_primary"], c["tags"], c["display_name"]) == ("contact", False, [], "Jo Doe")
        for field in ("email", "phone", "mobile", "title", "department", "address", "notes"):
            assert c[field] is None

    def test_tags_as_a_comma_string(self, client, my_client, user_headers, stored_contact):
        body = {"first_name": "Jo", "last_name": "Doe", "tags": "vip, billing,,"}
        r = client.post(f"/api/v1/clients/{my_client.id}/contacts", json=body, headers=user_headers)
        assert r.json()["contact"]["tags"] == ["vip", "billing"]
        assert stored_contact(r.json()["contact"]["id"]).tags == "vip, billing,,"

    @pytest.mark.parametrize(
        ("name", "first", "last"),
        [("  Ada King Lovelace ", "Ada", "King Lovelace"), ("Cher", "Cher", "")],
    )
    def test_mobile_name_is_split_on_the_first_whitespace(self, client, my_client, user_headers, name, first, last):
        r = client.post(f"/api/v1/clients/{my_client.id}/contacts", json={"name": name}, headers=user_headers)
        assert r.status_code == 201, r.text
        c = r.json()["contact"]
        assert (c["first_name"], c["last_name"], c["full_name"]) == (first, last, f"{first} {last}".strip())

    @pytest.mark.parametrize(
        ("body", "fields"),
        [
            ({}, ["first_name", "last_name"]),
            ({"first_name": "Ada"}, ["last_name"]),
            ({"first_name": "  ", "last_name": "Lovelace"}, ["first_name"]),
            ({"first_name": None, "last_name": None, "name": "   "}, ["first_name", "last_name"]),
            ({"first_name": "Ada", "name": "Ada Lovelace"}, ["last_name"]),
        ],
    )
    def test_names_are_required_and_nothing_is_written(
        self, client, my_client, user_headers, contact_count, outbox_events, body, fields
    ):
        r = client.post(f"/api/v1/clients/{my_client.id}/contacts", json=body, headers=user_headers)
        assert r.status_code == 400
        assert r.json()["error_code"] == "validation_error"
        assert r.json()["message"] == NAMES_REQUIRED
        assert r.json()["errors"] == {field: [NAMES_REQUIRED] for field in fields}
        assert contact_count() == 0 and outbox_events() == []

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("email", "not-an-email"),
            ("first_name", "x" * 101),
            ("last_name", "y" * 101),
            ("name", "z" * 101),
            ("phone", "1" * 51),
            ("title", "t" * 101),
            ("role", "r" * 51),
            ("is_primary", "maybe"),
            ("tags", 5),
        ],
    )
    def test_invalid_field_is_a_validation_error(
        self, client, my_client, user_headers, contact_count, outbox_events, field, value
    ):
        body = {"first_name": "Jo", "last_name": "Doe"} if field != "name" else {}
        r = client.post(f"/api/v1/clients/{my_client.id}/contacts", json=body | {field: value}, headers=user_headers)
        assert r.status_code == 400, r.text
        assert r.json()["error_code"] == "validation_error" and list(r.json()["errors"]) == [field]
        assert contact_count() == 0 and outbox_events() == []

    def test_email_on_an_internal_domain_is_accepted(self, client, my_client, user_headers, stored_contact):
        body = {"first_name": "Quinn", "last_name": "Ashe", "email": "qa@example.test"}
        r = client.post(f"/api/v1/clients/{my_client.id}/contacts", json=body, headers=user_headers)
        assert r.status_code == 201, r.text
        assert r.json()["contact"]["email"] == "qa@example.test"
        assert stored_contact(r.json()["contact"]["id"]).email == "qa@example.test"

    def test_malformed_email_is_the_standard_validation_error(self, client, my_client, user_headers, contact_count):
        body = {"first_name": "Quinn", "last_name": "Ashe", "email": "qa @example.test"}
        r = client.post(f"/api/v1/clients/{my_client.id}/contacts", json=body, headers=user_headers)
        assert r.status_code == 400
        out = r.json()
        assert {"error", "message", "error_code", "errors"} <= set(out) and out["error_code"] == "validation_error"
        assert out["errors"] == {"email": ["Not a valid email address."]}
        assert contact_count() == 0

    def test_names_of_100_characters_are_accepted(self, client, my_client, user_headers):
        body = {"first_name": "x" * 100, "last_name": "y" * 100}
        assert (
            client.post(f"/api/v1/clients/{my_client.id}/contacts", json=body, headers=user_headers).status_code == 201
        )

    def test_primary_contact_takes_the_flag_from_the_others(
        self, client, my_client, make_client, make_contact, user_headers, stored_contact, outbox_events
    ):
        old = make_contact(my_client.id, first_name="Old", is_primary=True)
        retired = make_contact(my_client.id, first_name="Retired", is_primary=True, is_active=False)
        elsewhere = make_contact(make_client().id, first_name="Elsewhere", is_primary=True)
        body = {"first_name": "New", "last_name": "Boss", "is_primary": True}
        r = client.post(f"/api/v1/clients/{my_client.id}/contacts", json=body, headers=user_headers)
        assert r.status_code == 201
        new = r.json()["contact"]
        assert new["is_primary"] is True and stored_contact(new["id"]).is_primary is True
        assert stored_contact(old.id).is_primary is False
        assert stored_contact(retired.id).is_primary is False
        assert stored_contact(elsewhere.id).is_primary is True
        demoted = outbox_events("tt.crm.contact.updated")
        assert sorted(e["data"]["id"] for e in demoted) == sorted([old.id, retired.id])
        assert all(e["data"]["is_primary"] is False for e in demoted)

    def test_non_primary_contact_leaves_the_primary_alone(
        self, client, my_client, make_contact, user_headers, stored_contact, outbox_events
    ):
        old = make_contact(my_client.id, is_primary=True)
        body = {"first_name": "New", "last_name": "Hire", "is_primary": False}
        assert (
            client.post(f"/api/v1/clients/{my_client.id}/contacts", json=body, headers=user_headers).status_code == 201
        )
        assert stored_contact(old.id).is_primary is True
        assert outbox_events("tt.crm.contact.updated") == []

    def test_unknown_client_is_404(self, client, admin_headers, contact_count, outbox_events):
        r = client.post("/api/v1/clients/999999/contacts", json={"name": "Jo Doe"}, headers=admin_headers)
        assert r.status_code == 404
        assert contact_count() == 0 and outbox_events() == []

    def test_client_outside_scope_is_403(
        self, client, make_client, user_headers, user_id, contact_count, outbox_events
    ):
        c = make_client(created_by=user_id + 1)
        r = client.post(f"/api/v1/clients/{c.id}/contacts", json={"name": "Jo Doe"}, headers=user_headers)
        assert r.status_code == 403 and r.json()["message"] == "You do not have access to this client"
        assert contact_count() == 0 and outbox_events() == []

    @pytest.mark.parametrize("scope", ["write:clients", "read:contacts"])
    def test_write_contacts_scope_required(self, client, my_client, headers_for, user_id, contact_count, scope):
        r = client.post(
            f"/api/v1/clients/{my_client.id}/contacts", json={"name": "Jo Doe"}, headers=headers_for(user_id, scope)
        )
        assert r.status_code == 403
        assert r.json()["error_code"] == "forbidden" and r.json()["required_scope"] == "write:contacts"
        assert contact_count() == 0

    def test_contacts_module_switch(self, client, my_client, modules_off_headers, contact_count):
        r = client.post(
            f"/api/v1/clients/{my_client.id}/contacts", json={"name": "Jo Doe"}, headers=modules_off_headers
        )
        assert r.status_code == 403 and r.json()["error_code"] == "module_disabled"
        assert contact_count() == 0


class TestGetContact:
    def test_returns_the_contact(self, client, my_client, make_contact, user_headers):
        contact = make_contact(my_client.id, first_name="Ada", last_name="Lovelace", title="CTO")
        r = client.get(f"/api/v1/contacts/{contact.id}", headers=user_headers)
        assert r.status_code == 200
        c = r.json()["contact"]
        assert (c["id"], c["client_id"], c["display_name"]) == (contact.id, my_client.id, "Ada Lovelace - CTO")

    def test_inactive_contact_is_still_readable(self, client, my_client, make_contact, user_headers):
        contact = make_contact(my_client.id, is_active=False)
        r = client.get(f"/api/v1/contacts/{contact.id}", headers=user_headers)
        assert r.status_code == 200 and r.json()["contact"]["is_active"] is False

    def test_unknown_is_404(self, client, admin_headers):
        r = client.get("/api/v1/contacts/999999", headers=admin_headers)
        assert r.status_code == 404 and r.json()["error_code"] == "not_found"

    def test_contact_of_a_client_outside_scope_is_403(self, client, make_client, make_contact, user_headers, user_id):
        contact = make_contact(make_client(created_by=user_id + 1).id)
        r = client.get(f"/api/v1/contacts/{contact.id}", headers=user_headers)
        assert r.status_code == 403 and r.json()["message"] == "You do not have access to this client"

    def test_subcontractor_reads_contacts_of_assigned_clients(
        self, client, make_client, make_contact, headers_for, next_user_id
    ):
        assigned, other = make_client(), make_client()
        mine, theirs = make_contact(assigned.id), make_contact(other.id)
        headers = headers_for(next_user_id(), "read:contacts", role="subcontractor", client_ids=(assigned.id,))
        assert client.get(f"/api/v1/contacts/{mine.id}", headers=headers).status_code == 200
        assert client.get(f"/api/v1/contacts/{theirs.id}", headers=headers).status_code == 403

    def test_read_contacts_scope_required(self, client, my_client, make_contact, headers_for, user_id):
        contact = make_contact(my_client.id)
        r = client.get(f"/api/v1/contacts/{contact.id}", headers=headers_for(user_id, "read:clients"))
        assert r.status_code == 403 and r.json()["required_scope"] == "read:contacts"

    def test_contacts_module_switch(self, client, my_client, make_contact, modules_off_headers):
        contact = make_contact(my_client.id)
        r = client.get(f"/api/v1/contacts/{contact.id}", headers=modules_off_headers)
        assert r.status_code == 403 and r.json()["error_code"] == "module_disabled"


@pytest.mark.parametrize("method", ["put", "patch"])
class TestUpdateContact:
    def test_only_sent_keys_change(self, client, my_client, make_contact, user_headers, outbox_events, method):
        contact = make_contact(my_client.id, first_name="Ada", last_name="Byron", email="ada@acme.example", tags="a")
        body = {"last_name": " Lovelace ", "title": " Countess ", "tags": ["x", "y"]}
        r = client.request(method, f"/api/v1/contacts/{contact.id}", json=body, headers=user_headers)
        assert r.status_code == 200, r.text
        assert r.json()["message"] == "Contact updated successfully"
        c = r.json()["contact"]
        assert (c["first_name"], c["last_name"], c["email"]) == ("Ada", "Lovelace", "ada@acme.example")
        assert (c["display_name"], c["tags"]) == ("Ada Lovelace - Countess", ["x", "y"])
        [event] = outbox_events("tt.crm.contact.updated")
        assert event["data"] == c

    def test_null_values_are_ignored(self, client, my_client, make_contact, user_headers, method):
        contact = make_contact(my_client.id, first_name="Ada", title="CTO", email="a@acme.example", tags="t")
        body = {"first_name": None, "title": None, "email": None, "tags": None, "role": None, "is_primary": None}
        r = client.request(method, f"/api/v1/contacts/{contact.id}", json=body, headers=user_headers)
        assert r.status_code == 200
        c = r.json()["contact"]
        assert (c["first_name"], c["title"], c["email"], c["tags"], c["role"]) == (
            "Ada",
            "CTO",
            "a@acme.example",
            ["t"],
            "contact",
        )

    def test_blank_optional_values_clear_the_field(self, client, my_client, make_contact, user_headers, method):
        contact = make_contact(my_client.id, title="CTO", phone="1", tags="t", role="billing")
        body = {"title": "  ", "phone": "", "tags": [], "role": " "}
        r = client.request(method, f"/api/v1/contacts/{contact.id}", json=body, headers=user_headers)
        c = r.json()["contact"]
        assert (c["title"], c["phone"], c["tags"], c["role"]) == (None, None, [], "contact")
        assert c["display_name"] == c["full_name"] == "Jo Doe"

    @pytest.mark.parametrize(
        ("body", "errors"),
        [
            ({"first_name": "  "}, {"first_name": [NAMES_REQUIRED]}),
            (
                {"first_name": "", "last_name": "", "title": "x"},
                {"first_name": [NAMES_REQUIRED], "last_name": [NAMES_REQUIRED]},
            ),
            ({"last_name": "y" * 101}, {"last_name": ["String should have at most 100 characters"]}),
            ({"email": "nope"}, {"email": ["Not a valid email address."]}),
            ({"mobile": "9" * 51}, {"mobile": ["String should have at most 50 characters"]}),
        ],
    )
    def test_invalid_values_are_refused_and_nothing_changes(
        self, client, my_client, make_contact, user_headers, stored_contact, outbox_events, method, body, errors
    ):
        contact = make_contact(my_client.id, first_name="Ada", last_name="Lovelace")
        r = client.request(method, f"/api/v1/contacts/{contact.id}", json=body, headers=user_headers)
        assert r.status_code == 400 and r.json()["error_code"] == "validation_error"
        assert r.json()["errors"] == errors
        kept = stored_contact(contact.id)
        assert (kept.first_name, kept.last_name, kept.email, kept.mobile, kept.title) == (
            "Ada",
            "Lovelace",
            None,
            None,
            None,
        )
        assert outbox_events() == []

    def test_becoming_primary_takes_the_flag_from_the_others(
        self, client, my_client, make_contact, user_headers, stored_contact, outbox_events, method
    ):
        old = make_contact(my_client.id, first_name="Old", is_primary=True)
        contact = make_contact(my_client.id, first_name="New")
        r = client.request(method, f"/api/v1/contacts/{contact.id}", json={"is_primary": True}, headers=user_headers)
        assert r.status_code == 200 and r.json()["contact"]["is_primary"] is True
        assert stored_contact(contact.id).is_primary is True
        assert stored_contact(old.id).is_primary is False
        events = outbox_events("tt.crm.contact.updated")
        assert [(e["data"]["id"], e["data"]["is_primary"]) for e in events] == [(contact.id, True), (old.id, False)]

    def test_a_primary_contact_can_step_down(self, client, my_client, make_contact, user_headers, method):
        contact = make_contact(my_client.id, is_primary=True)
        r = client.request(method, f"/api/v1/contacts/{contact.id}", json={"is_primary": False}, headers=user_headers)
        assert r.json()["contact"]["is_primary"] is False

    def test_an_update_without_is_primary_leaves_other_primaries_alone(
        self, client, my_client, make_contact, user_headers, stored_contact, method
    ):
        old = make_contact(my_client.id, is_primary=True)
        also_primary = make_contact(my_client.id, is_primary=True)
        r = client.request(method, f"/api/v1/contacts/{also_primary.id}", json={"notes": "n"}, headers=user_headers)
        assert r.status_code == 200
        assert stored_contact(old.id).is_primary is True

    def test_unknown_is_404(self, client, admin_headers, method):
        r = client.request(method, "/api/v1/contacts/999999", json={"title": "x"}, headers=admin_headers)
        assert r.status_code == 404 and r.json()["error_code"] == "not_found"

    def test_contact_of_a_client_outside_scope_is_403(
        self, client, make_client, make_contact, user_headers, user_id, stored_contact, outbox_events, method
    ):
        contact = make_contact(make_client(created_by=user_id + 1).id, title="Kept")
        r = client.request(method, f"/api/v1/contacts/{contact.id}", json={"title": "Mine"}, headers=user_headers)
        assert r.status_code == 403 and r.json()["error_code"] == "forbidden"
        assert stored_contact(contact.id).title == "Kept"
        assert outbox_events() == []

    def test_write_contacts_scope_required(self, client, my_client, make_contact, headers_for, user_id, method):
        contact = make_contact(my_client.id)
        headers = headers_for(user_id, "read:contacts", "write:clients")
        r = client.request(method, f"/api/v1/contacts/{contact.id}", json={"title": "x"}, headers=headers)
        assert r.status_code == 403 and r.json()["required_scope"] == "write:contacts"

    def test_contacts_module_switch(self, client, my_client, make_contact, modules_off_headers, method):
        contact = make_contact(my_client.id)
        r = client.request(method, f"/api/v1/contacts/{contact.id}", json={"title": "x"}, headers=modules_off_headers)
        assert r.status_code == 403 and r.json()["error_code"] == "module_disabled"


class TestDeleteContact:
    def test_soft_delete_hides_from_the_list_but_not_by_id(
        self, client, my_client, make_contact, user_headers, stored_contact, outbox_events
    ):
        contact = make_contact(my_client.id, first_name="Gone")
        r = client.delete(f"/api/v1/contacts/{contact.id}", headers=user_headers)
        assert r.status_code == 200 and r.json() == {"message": "Contact deleted successfully"}
        assert stored_contact(contact.id).is_active is False
        listed = client.get(f"/api/v1/clients/{my_client.id}/contacts", headers=user_headers).json()["contacts"]
        assert listed == []
        r = client.get(f"/api/v1/contacts/{contact.id}", headers=user_headers)
        assert r.status_code == 200 and r.json()["contact"]["is_active"] is False
        [event] = outbox_events("tt.crm.contact.deleted")
        assert event["entity_id"] == str(contact.id)
        assert event["data"]["is_active"] is False and event["data"]["first_name"] == "Gone"

    def test_deleting_again_answers_the_same_without_a_second_event(
        self, client, my_client, make_contact, user_headers, outbox_events
    ):
        contact = make_contact(my_client.id)
        assert client.delete(f"/api/v1/contacts/{contact.id}", headers=user_headers).status_code == 200
        r = client.delete(f"/api/v1/contacts/{contact.id}", headers=user_headers)
        assert r.status_code == 200 and r.json() == {"message": "Contact deleted successfully"}
        assert len(outbox_events("tt.crm.contact.deleted")) == 1

    def test_unknown_is_404(self, client, admin_headers):
        r = client.delete("/api/v1/contacts/999999", headers=admin_headers)
        assert r.status_code == 404 and r.json()["error_code"] == "not_found"

    def test_contact_of_a_client_outside_scope_is_403(
        self, client, make_client, make_contact, user_headers, user_id, stored_contact, outbox_events
    ):
        contact = make_contact(make_client(created_by=user_id + 1).id)
        r = client.delete(f"/api/v1/contacts/{contact.id}", headers=user_headers)
        assert r.status_code == 403
        assert stored_contact(contact.id).is_active is True
        assert outbox_events() == []

    def test_write_contacts_scope_required(self, client, my_client, make_contact, headers_for, user_id, stored_contact):
        contact = make_contact(my_client.id)
        r = client.delete(f"/api/v1/contacts/{contact.id}", headers=headers_for(user_id, "read:contacts"))
        assert r.status_code == 403 and r.json()["required_scope"] == "write:contacts"
        assert stored_contact(contact.id).is_active is True

    def test_contacts_module_switch(self, client, my_client, make_contact, modules_off_headers, stored_contact):
        contact = make_contact(my_client.id)
        r = client.delete(f"/api/v1/contacts/{contact.id}", headers=modules_off_headers)
        assert r.status_code == 403 and r.json()["error_code"] == "module_disabled"
        assert stored_contact(contact.id).is_active is True
