"""`/api/v1/deals` (crm.md §4)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from crm.models import Contact, Deal, Lead, Quote


@pytest.fixture
def make_deal(session):
    """`make_deal(owner_id=..., status=...)`: a deal row, flushed."""

    def make(**overrides: Any) -> Deal:
        fields: dict[str, Any] = {"name": f"Deal {uuid.uuid4().hex[:6]}", "created_by": 1, "owner_id": 1}
        fields.update(overrides)
        deal = Deal(**fields)
        session.add(deal)
        session.flush()
        return deal

    return make


@pytest.fixture
def linked_rows(session, make_client, make_project):
    """One existing row for every id a deal may link to."""
    client_row = make_client()
    contact = Contact(client_id=client_row.id, first_name="Ann", last_name="Lee", created_by=1)
    lead = Lead(first_name="Lea", last_name="Dee", created_by=1)
    quote = Quote(quote_number=f"Q-{uuid.uuid4().hex[:8]}", client_id=client_row.id, title="Offer", created_by=1)
    session.add_all([contact, lead, quote])
    session.flush()
    project = make_project(client_row.id)
    return {
        "client_id": client_row.id,
        "contact_id": contact.id,
        "lead_id": lead.id,
        "related_quote_id": quote.id,
        "related_project_id": project.id,
    }


def deal_count(session) -> int:
    return session.scalar(select(func.count()).select_from(Deal))


class TestCreateDeal:
    def test_creates_with_every_field_and_records_the_event(
        self, client, user_headers, user_id, linked_rows, outbox_events
    ):
        body = {
            "name": "  Big rollout ",
            "description": "Phase 1",
            "stage": "proposal",
            "value": "1234.565",
            "currency_code": " usd ",
            "probability": "30",
            "expected_close_date": "2026-06-30",
            "status": "won",
            "loss_reason": "n/a",
            "notes": "call Monday",
            "owner_id": user_id + 1,
            **linked_rows,
        }
        r = client.post("/api/v1/deals", json=body, headers=user_headers)
        assert r.status_code == 201, r.text
        assert r.json()["message"] == "Deal created successfully"
        d = r.json()["deal"]
        assert (d["name"], d["description"], d["stage"]) == ("Big rollout", "Phase 1", "proposal")
        assert d["value"] == 1234.57 and d["currency_code"] == "USD" and d["probability"] == 30
        assert d["weighted_value"] == 370.37
        assert d["expected_close_date"] == "2026-06-30" and d["actual_close_date"] is None
        assert (d["status"], d["is_open"], d["is_won"], d["is_lost"]) == ("won", False, True, False)
        assert d["closed_at"] is None
        assert (d["loss_reason"], d["notes"]) == ("n/a", "call Monday")
        assert d["created_by"] == user_id and d["owner_id"] == user_id + 1
        assert {k: d[k] for k in linked_rows} == linked_rows
        assert d["created_at"].endswith("Z")
        [event] = outbox_events("tt.crm.deal.created")
        assert event["data"] == d
        assert event["entity_id"] == str(d["id"])

    def test_minimal_body_gets_the_defaults(self, client, user_headers, user_id):
        r = client.post("/api/v1/deals", json={"name": "Small"}, headers=user_headers)
        assert r.status_code == 201
        d = r.json()["deal"]
        assert (d["stage"], d["status"], d["currency_code"], d["probability"]) == ("prospecting", "open", "EUR", 50)
        assert d["owner_id"] == user_id and d["created_by"] == user_id
        assert d["value"] is None and d["weighted_value"] == 0.0
        assert (d["is_open"], d["is_won"], d["is_lost"]) == (True, False, False)
        for field in ("client_id", "contact_id", "lead_id", "related_quote_id", "related_project_id"):
            assert d[field] is None
        for field in ("description", "expected_close_date", "loss_reason", "notes", "closed_at"):
            assert d[field] is None

    def test_null_probability_and_owner_get_the_defaults(self, client, user_headers, user_id):
        body = {"name": "Nulls", "probability": None, "owner_id": None, "currency_code": None}
        d = client.post("/api/v1/deals", json=body, headers=user_headers).json()["deal"]
        assert (d["probability"], d["owner_id"], d["currency_code"]) == (50, user_id, "EUR")

    @pytest.mark.parametrize(
        ("money", "expected"),
        [
            ({"amount": 99.5}, 99.5),
            ({"value": 10, "amount": 20}, 10.0),
            ({"value": None, "amount": 20}, None),
            ({"amount": "7.255"}, 7.26),
        ],
    )
    def test_amount_is_an_alias_of_value_and_value_wins(self, client, user_headers, money, expected):
        r = client.post("/api/v1/deals", json={"name": "Desktop"} | money, headers=user_headers)
        assert r.status_code == 201
        assert r.json()["deal"]["value"] == expected

    def test_zero_value_is_shown_as_null(self, client, user_headers):
        d = client.post("/api/v1/deals", json={"name": "Zero", "value": 0}, headers=user_headers).json()["deal"]
        assert d["value"] is None and d["weighted_value"] == 0.0

    @pytest.mark.parametrize("raw", ["next week", "2026-13-45", 20260101, ""])
    def test_unparseable_expected_close_date_is_null(self, client, user_headers, raw):
        body = {"name": "Dates", "expected_close_date": raw}
        r = client.post("/api/v1/deals", json=body, headers=user_headers)
        assert r.status_code == 201 and r.json()["deal"]["expected_close_date"] is None

    def test_a_datetime_keeps_its_date(self, client, user_headers):
        body = {"name": "Dates", "expected_close_date": "2026-07-01T10:00:00Z"}
        assert client.post("/api/v1/deals", json=body, headers=user_headers).json()["deal"]["expected_close_date"] == (
            "2026-07-01"
        )

    @pytest.mark.parametrize("name", [None, "", "   "])
    def test_name_is_required_and_nothing_is_written(self, client, user_headers, session, outbox_events, name):
        body = {} if name is None else {"name": name}
        r = client.post("/api/v1/deals", json=body, headers=user_headers)
        assert r.status_code == 400
        assert r.json()["error_code"] == "validation_error"
        assert r.json()["errors"] == {"name": ["name is required"]}
        assert deal_count(session) == 0 and outbox_events() == []

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("value", "abc", "Invalid value"),
            ("amount", "abc", "Invalid value"),
            ("value", True, "Invalid value"),
            ("probability", "high", "Not a valid integer."),
            ("probability", 1.5, "Not a valid integer."),
            ("probability", 101, "Must be between 0 and 100"),
            ("probability", -1, "Must be between 0 and 100"),
            ("currency_code", "EURO", "Must be a 3-letter currency code"),
            ("currency_code", "E1R", "Must be a 3-letter currency code"),
            ("currency_code", 978, "Must be a 3-letter currency code"),
            ("client_id", "abc", "Not a valid integer."),
            ("owner_id", "me", "Not a valid integer."),
        ],
    )
    def test_invalid_field_is_a_validation_error(
        self, client, user_headers, session, outbox_events, field, value, message
    ):
        r = client.post("/api/v1/deals", json={"name": "Valid", field: value}, headers=user_headers)
        assert r.status_code == 400, r.text
        assert r.json()["error_code"] == "validation_error"
        assert r.json()["errors"] == {field: [message]}
        assert deal_count(session) == 0 and outbox_events() == []

    @pytest.mark.parametrize(
        ("field", "value"),
        [("status", "archived"), ("name", "x" * 201), ("stage", "s" * 51), ("loss_reason", "r" * 501)],
    )
    def test_out_of_range_text_is_a_validation_error(self, client, user_headers, field, value):
        r = client.post("/api/v1/deals", json={"name": "Valid", field: value}, headers=user_headers)
        assert r.status_code == 400 and r.json()["error_code"] == "validation_error"
        assert list(r.json()["errors"]) == [field]

    @pytest.mark.parametrize(
        ("field", "message"),
        [
            ("client_id", "Client not found"),
            ("contact_id", "Contact not found"),
            ("lead_id", "Lead not found"),
            ("related_quote_id", "Quote not found"),
            ("related_project_id", "Project not found"),
        ],
    )
    def test_linked_rows_must_exist(self, client, user_headers, session, outbox_events, field, message):
        r = client.post("/api/v1/deals", json={"name": "Linked", field: "999999"}, headers=user_headers)
        assert r.status_code == 400
        assert r.json()["error_code"] == "validation_error"
        assert r.json()["errors"] == {field: [message]}
        assert r.json()["message"] == message
        assert deal_count(session) == 0 and outbox_events() == []

    def test_every_failed_check_is_reported(self, client, user_headers):
        r = client.post("/api/v1/deals", json={"client_id": 999999, "lead_id": 999999}, headers=user_headers)
        assert r.status_code == 400
        assert r.json()["errors"] == {
            "name": ["name is required"],
            "client_id": ["Client not found"],
            "lead_id": ["Lead not found"],
        }

    def test_write_scope_required(self, client, headers_for, user_id, session):
        r = client.post("/api/v1/deals", json={"name": "X"}, headers=headers_for(user_id, "read:deals"))
        assert r.status_code == 403
        assert r.json()["error_code"] == "forbidden" and r.json()["required_scope"] == "write:deals"
        assert deal_count(session) == 0

    def test_disabled_module_answers_module_disabled(self, client, headers_for, user_id, session):
        headers = headers_for(user_id, "admin:all", role="admin", modules_off=("deals",))
        r = client.post("/api/v1/deals", json={"name": "X"}, headers=headers)
        assert r.status_code == 403
        assert r.json()["error_code"] == "module_disabled" and r.json()["error"] == "module_disabled"
        assert deal_count(session) == 0


class TestListDeals:
    def test_open_deals_by_default(self, client, make_deal, user_headers):
        open_deal = make_deal(status="open")
        make_deal(status="won")
        make_deal(status="cancelled")
        r = client.get("/api/v1/deals", headers=user_headers)
        assert r.status_code == 200
        assert [d["id"] for d in r.json()["deals"]] == [open_deal.id]

    @pytest.mark.parametrize("status", ["open", "won", "lost"])
    def test_open_won_and_lost_filter_exactly(self, client, make_deal, user_headers, status):
        deals = {s: make_deal(status=s) for s in ("open", "won", "lost", "cancelled")}
        r = client.get(f"/api/v1/deals?status={status}", headers=user_headers)
        assert [d["id"] for d in r.json()["deals"]] == [deals[status].id]

    @pytest.mark.parametrize("status", ["all", "cancelled", "", "WON"])
    def test_any_other_status_lists_every_status(self, client, make_deal, user_headers, status):
        for s in ("open", "won", "lost", "cancelled"):
            make_deal(status=s)
        r = client.get(f"/api/v1/deals?status={status}", headers=user_headers)
        assert sorted(d["status"] for d in r.json()["deals"]) == ["cancelled", "lost", "open", "won"]

    def test_stage_filter_is_exact(self, client, make_deal, user_headers):
        wanted = make_deal(stage="proposal")
        make_deal(stage="negotiation")
        make_deal(stage="Proposal")
        r = client.get("/api/v1/deals?stage=proposal", headers=user_headers)
        assert [d["id"] for d in r.json()["deals"]] == [wanted.id]

    def test_without_owner_everyone_lists_every_deal(self, client, make_deal, user_headers, user_id):
        make_deal(owner_id=user_id)
        make_deal(owner_id=user_id + 1)
        make_deal(owner_id=None)
        r = client.get("/api/v1/deals", headers=user_headers)
        assert r.json()["pagination"]["total"] == 3

    def test_admin_gets_the_named_owners_deals(self, client, make_deal, admin_headers):
        theirs = make_deal(owner_id=77)
        make_deal(owner_id=78)
        r = client.get("/api/v1/deals?owner=77", headers=admin_headers)
        assert [d["id"] for d in r.json()["deals"]] == [theirs.id]

    def test_non_admin_passing_any_owner_gets_their_own(self, client, make_deal, user_headers, user_id):
        mine = make_deal(owner_id=user_id)
        make_deal(owner_id=77)
        r = client.get("/api/v1/deals?owner=77", headers=user_headers)
        assert [d["id"] for d in r.json()["deals"]] == [mine.id]

    def test_unparseable_owner_is_ignored(self, client, make_deal, admin_headers):
        make_deal(owner_id=77)
        make_deal(owner_id=78)
        r = client.get("/api/v1/deals?owner=abc", headers=admin_headers)
        assert r.status_code == 200 and r.json()["pagination"]["total"] == 2

    def test_order_is_close_date_nulls_last_then_newest(self, client, make_deal, user_headers):
        now = datetime.now(UTC)
        undated_old = make_deal(created_at=now - timedelta(days=2))
        undated_new = make_deal(created_at=now - timedelta(days=1))
        late = make_deal(expected_close_date=date(2026, 9, 1), created_at=now - timedelta(days=5))
        soon_old = make_deal(expected_close_date=date(2026, 5, 1), created_at=now - timedelta(days=4))
        soon_new = make_deal(expected_close_date=date(2026, 5, 1), created_at=now - timedelta(days=3))
        same_time = make_deal(expected_close_date=date(2026, 5, 1), created_at=now - timedelta(days=3))
        r = client.get("/api/v1/deals", headers=user_headers)
        expected = [same_time, soon_new, soon_old, late, undated_new, undated_old]
        assert [d["id"] for d in r.json()["deals"]] == [d.id for d in expected]

    def test_pagination_edges(self, client, make_deal, user_headers):
        for day in range(1, 6):
            make_deal(expected_close_date=date(2026, 1, day), name=f"P{day}")
        r = client.get("/api/v1/deals?per_page=2&page=3", headers=user_headers)
        assert [d["name"] for d in r.json()["deals"]] == ["P5"]
        assert r.json()["pagination"] == {
            "page": 3, "per_page": 2, "total": 5, "pages": 3,
            "has_next": False, "has_prev": True, "next_page": None, "prev_page": 2,
        }  # fmt: skip
        r = client.get("/api/v1/deals?per_page=500&page=x", headers=user_headers)
        assert (r.json()["pagination"]["per_page"], r.json()["pagination"]["page"]) == (100, 1)
        r = client.get("/api/v1/deals?page=9", headers=user_headers)
        assert r.status_code == 200 and r.json()["deals"] == []

    def test_empty_list(self, client, user_headers):
        r = client.get("/api/v1/deals", headers=user_headers)
        assert r.json()["deals"] == [] and r.json()["pagination"]["pages"] == 0

    def test_read_scope_required(self, client, headers_for, user_id):
        r = client.get("/api/v1/deals", headers=headers_for(user_id, "write:deals", "read:clients"))
        assert r.status_code == 403
        assert r.json()["error_code"] == "forbidden" and r.json()["required_scope"] == "read:deals"

    def test_disabled_module_answers_module_disabled(self, client, headers_for, user_id):
        headers = headers_for(user_id, "admin:all", role="admin", modules_off=("deals",))
        r = client.get("/api/v1/deals", headers=headers)
        assert r.status_code == 403 and r.json()["error_code"] == "module_disabled"


class TestGetDeal:
    def test_owner_reads_the_deal(self, client, make_deal, user_headers, user_id):
        deal = make_deal(
            owner_id=user_id,
            value=Decimal("200.00"),
            probability=25,
            expected_close_date=date(2026, 3, 31),
            actual_close_date=date(2026, 4, 2),
            closed_at=datetime(2026, 4, 2, 8, 30, tzinfo=UTC),
            status="lost",
        )
        r = client.get(f"/api/v1/deals/{deal.id}", headers=user_headers)
        assert r.status_code == 200
        d = r.json()["deal"]
        assert (d["value"], d["weighted_value"]) == (200.0, 50.0)
        assert isinstance(d["value"], float)
        assert (d["expected_close_date"], d["actual_close_date"]) == ("2026-03-31", "2026-04-02")
        assert d["closed_at"] == "2026-04-02T08:30:00Z"
        assert (d["is_open"], d["is_won"], d["is_lost"]) == (False, False, True)

    def test_null_probability_weighs_nothing(self, client, make_deal, user_headers, user_id):
        deal = make_deal(owner_id=user_id, value=Decimal("80.00"), probability=None)
        d = client.get(f"/api/v1/deals/{deal.id}", headers=user_headers).json()["deal"]
        assert (d["value"], d["probability"], d["weighted_value"]) == (80.0, None, 0.0)

    def test_admin_reads_any_deal(self, client, make_deal, admin_headers):
        deal = make_deal(owner_id=77)
        assert client.get(f"/api/v1/deals/{deal.id}", headers=admin_headers).status_code == 200

    @pytest.mark.parametrize("owner_id", [77, None])
    def test_someone_elses_deal_is_403(self, client, make_deal, user_headers, owner_id):
        deal = make_deal(owner_id=owner_id)
        r = client.get(f"/api/v1/deals/{deal.id}", headers=user_headers)
        assert r.status_code == 403
        assert r.json()["error_code"] == "forbidden" and r.json()["error"] == "Access denied"

    def test_unknown_is_404(self, client, admin_headers):
        r = client.get("/api/v1/deals/999999", headers=admin_headers)
        assert r.status_code == 404 and r.json()["error_code"] == "not_found"

    def test_read_scope_required(self, client, make_deal, headers_for, user_id):
        deal = make_deal(owner_id=user_id)
        r = client.get(f"/api/v1/deals/{deal.id}", headers=headers_for(user_id, "read:clients"))
        assert r.status_code == 403 and r.json()["required_scope"] == "read:deals"


class TestUpdateDeal:
    @pytest.mark.parametrize("method", ["put", "patch"])
    def test_partial_update_changes_only_sent_keys(
        self, client, make_deal, user_headers, user_id, outbox_events, method
    ):
        deal = make_deal(owner_id=user_id, name="Keep", description="Old", value=Decimal("10.00"), stage="proposal")
        r = client.request(method, f"/api/v1/deals/{deal.id}", json={"notes": " new note "}, headers=user_headers)
        assert r.status_code == 200
        assert r.json()["message"] == "Deal updated successfully"
        d = r.json()["deal"]
        assert (d["name"], d["description"], d["value"], d["stage"]) == ("Keep", "Old", 10.0, "proposal")
        assert d["notes"] == "new note"
        [event] = outbox_events("tt.crm.deal.updated")
        assert event["data"] == d

    def test_text_fields_ignore_null_and_blank_clears_the_nullable_ones(self, client, make_deal, user_headers, user_id):
        deal = make_deal(owner_id=user_id, name="Keep", description="Old", notes="Old notes", stage="proposal")
        body = {"name": None, "stage": "  ", "status": None, "currency_code": None, "description": None, "notes": ""}
        d = client.patch(f"/api/v1/deals/{deal.id}", json=body, headers=user_headers).json()["deal"]
        assert (d["name"], d["stage"], d["status"], d["currency_code"]) == ("Keep", "proposal", "open", "EUR")
        assert (d["description"], d["notes"]) == ("Old", None)

    def test_text_fields_are_trimmed_and_applied(self, client, make_deal, user_headers, user_id):
        deal = make_deal(owner_id=user_id)
        body = {
            "name": " New ",
            "stage": " closed_won ",
            "status": "lost",
            "currency_code": "gbp",
            "loss_reason": " $ ",
        }
        d = client.patch(f"/api/v1/deals/{deal.id}", json=body, headers=user_headers).json()["deal"]
        assert (d["name"], d["stage"], d["status"], d["currency_code"]) == ("New", "closed_won", "lost", "GBP")
        assert d["loss_reason"] == "$" and d["is_lost"] is True

    def test_nullable_fields_accept_null(self, client, make_deal, user_headers, user_id, make_client):
        deal = make_deal(owner_id=user_id, client_id=make_client().id, probability=40, value=Decimal("100.00"))
        body = {"client_id": None, "probability": None, "owner_id": None}
        d = client.patch(f"/api/v1/deals/{deal.id}", json=body, headers=user_headers).json()["deal"]
        assert (d["client_id"], d["probability"], d["owner_id"], d["weighted_value"]) == (None, None, None, 0.0)

    def test_links_are_checked_and_applied(self, client, make_deal, user_headers, user_id, linked_rows):
        deal = make_deal(owner_id=user_id)
        r = client.patch(f"/api/v1/deals/{deal.id}", json=linked_rows, headers=user_headers)
        assert r.status_code == 200
        assert {k: r.json()["deal"][k] for k in linked_rows} == linked_rows

    def test_unknown_link_is_refused_and_nothing_changes(
        self, client, make_deal, user_headers, user_id, session, outbox_events
    ):
        deal = make_deal(owner_id=user_id, name="Same")
        body = {"name": "Changed", "related_project_id": 999999}
        r = client.patch(f"/api/v1/deals/{deal.id}", json=body, headers=user_headers)
        assert r.status_code == 400 and r.json()["errors"] == {"related_project_id": ["Project not found"]}
        session.expire_all()
        assert session.get(Deal, deal.id).name == "Same"
        assert outbox_events() == []

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"name": "  "}, "name"),
            ({"probability": 150}, "probability"),
            ({"probability": "x"}, "probability"),
            ({"currency_code": "EU"}, "currency_code"),
            ({"status": "closed"}, "status"),
        ],
    )
    def test_invalid_update_is_refused(
        self, client, make_deal, user_headers, user_id, session, outbox_events, body, field
    ):
        deal = make_deal(owner_id=user_id, name="Same", probability=10)
        r = client.patch(f"/api/v1/deals/{deal.id}", json=body, headers=user_headers)
        assert r.status_code == 400 and r.json()["error_code"] == "validation_error"
        assert list(r.json()["errors"]) == [field]
        session.expire_all()
        assert (session.get(Deal, deal.id).name, session.get(Deal, deal.id).probability) == ("Same", 10)
        assert outbox_events() == []

    @pytest.mark.parametrize(
        ("body", "expected"),
        [
            ({"value": None}, None),
            ({"value": "abc"}, 10.0),
            ({"value": {"x": 1}}, 10.0),
            ({"value": "12.345"}, 12.35),
            ({"amount": 30}, 30.0),
            ({"value": 0}, None),
        ],
    )
    def test_value_null_clears_and_non_numeric_is_ignored(
        self, client, make_deal, user_headers, user_id, body, expected
    ):
        deal = make_deal(owner_id=user_id, value=Decimal("10.00"))
        r = client.patch(f"/api/v1/deals/{deal.id}", json=body, headers=user_headers)
        assert r.status_code == 200
        assert r.json()["deal"]["value"] == expected

    def test_dates_are_applied_and_unparseable_ones_clear(self, client, make_deal, user_headers, user_id):
        deal = make_deal(owner_id=user_id, expected_close_date=date(2026, 1, 1))
        body = {"expected_close_date": "soon", "actual_close_date": "2026-02-03"}
        d = client.patch(f"/api/v1/deals/{deal.id}", json=body, headers=user_headers).json()["deal"]
        assert (d["expected_close_date"], d["actual_close_date"]) == (None, "2026-02-03")

    @pytest.mark.parametrize("status", ["won", "lost"])
    def test_closing_has_no_side_effects(self, client, make_deal, user_headers, user_id, status):
        deal = make_deal(owner_id=user_id, stage="negotiation")
        d = client.patch(f"/api/v1/deals/{deal.id}", json={"status": status}, headers=user_headers).json()["deal"]
        assert d["status"] == status
        assert (d["stage"], d["closed_at"], d["actual_close_date"]) == ("negotiation", None, None)

    def test_admin_updates_any_deal(self, client, make_deal, admin_headers):
        deal = make_deal(owner_id=77)
        r = client.patch(f"/api/v1/deals/{deal.id}", json={"owner_id": "78"}, headers=admin_headers)
        assert r.status_code == 200 and r.json()["deal"]["owner_id"] == 78

    def test_someone_elses_deal_is_403_and_unchanged(self, client, make_deal, user_headers, session, outbox_events):
        deal = make_deal(owner_id=77, name="Theirs")
        r = client.put(f"/api/v1/deals/{deal.id}", json={"name": "Mine now"}, headers=user_headers)
        assert r.status_code == 403 and r.json()["error"] == "Access denied"
        session.expire_all()
        assert session.get(Deal, deal.id).name == "Theirs"
        assert outbox_events() == []

    def test_unknown_is_404(self, client, user_headers):
        r = client.patch("/api/v1/deals/999999", json={"name": "X"}, headers=user_headers)
        assert r.status_code == 404 and r.json()["error_code"] == "not_found"

    def test_write_scope_required(self, client, make_deal, headers_for, user_id, outbox_events):
        deal = make_deal(owner_id=user_id)
        r = client.patch(f"/api/v1/deals/{deal.id}", json={"name": "X"}, headers=headers_for(user_id, "read:deals"))
        assert r.status_code == 403 and r.json()["required_scope"] == "write:deals"
        assert outbox_events() == []


class TestDeleteDeal:
    def test_owner_deletes_for_good_and_the_event_carries_the_last_state(
        self, client, make_deal, user_headers, user_id, session, outbox_events
    ):
        deal = make_deal(owner_id=user_id, name="Gone", value=Decimal("5.00"))
        r = client.delete(f"/api/v1/deals/{deal.id}", headers=user_headers)
        assert r.status_code == 200 and r.json() == {"message": "Deal deleted successfully"}
        assert deal_count(session) == 0
        [event] = outbox_events("tt.crm.deal.deleted")
        assert event["data"]["name"] == "Gone" and event["data"]["value"] == 5.0
        assert event["entity_id"] == str(deal.id)
        assert client.get(f"/api/v1/deals/{deal.id}", headers=user_headers).status_code == 404

    def test_admin_deletes_any_deal(self, client, make_deal, admin_headers, session):
        deal = make_deal(owner_id=77)
        assert client.delete(f"/api/v1/deals/{deal.id}", headers=admin_headers).status_code == 200
        assert deal_count(session) == 0

    def test_someone_elses_deal_is_403_and_kept(self, client, make_deal, user_headers, session, outbox_events):
        deal = make_deal(owner_id=77)
        r = client.delete(f"/api/v1/deals/{deal.id}", headers=user_headers)
        assert r.status_code == 403 and r.json()["error_code"] == "forbidden"
        assert deal_count(session) == 1 and outbox_events() == []

    def test_unknown_is_404(self, client, admin_headers):
        assert client.delete("/api/v1/deals/999999", headers=admin_headers).status_code == 404

    def test_disabled_module_answers_module_disabled(self, client, make_deal, headers_for, user_id, session):
        deal = make_deal(owner_id=user_id)
        headers = headers_for(user_id, "admin:all", role="admin", modules_off=("deals",))
        r = client.delete(f"/api/v1/deals/{deal.id}", headers=headers)
        assert r.status_code == 403 and r.json()["error_code"] == "module_disabled"
        assert deal_count(session) == 1
