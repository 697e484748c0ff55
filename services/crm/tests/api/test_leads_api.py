"""`/api/v1/leads` (crm.md §5)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from crm.models import Deal, Lead


@pytest.fixture
def make_lead(session):
    """`make_lead(owner_id=..., status=...)`: a lead row, flushed."""

    def make(**overrides: Any) -> Lead:
        fields: dict[str, Any] = {"first_name": "Lee", "last_name": "Ray", "created_by": 1, "owner_id": 1}
        fields.update(overrides)
        lead = Lead(**fields)
        session.add(lead)
        session.flush()
        return lead

    return make


def lead_count(session) -> int:
    return session.scalar(select(func.count()).select_from(Lead))


class TestCreateLead:
    def test_creates_with_every_field_and_records_the_event(self, client, user_headers, user_id, outbox_events):
        body = {
            "first_name": " Ada ",
            "last_name": "Byron ",
            "company_name": "Engines Ltd",
            "email": " ada@engines.example ",
            "phone": "+44 1",
            "title": "CTO",
            "source": "referral",
            "status": "qualified",
            "score": "85",
            "estimated_value": "2500.555",
            "currency_code": "gbp",
            "owner_id": user_id + 1,
            "notes": "met at expo",
            "tags": ["hot", " b2b ", ""],
        }
        r = client.post("/api/v1/leads", json=body, headers=user_headers)
        assert r.status_code == 201, r.text
        assert r.json()["message"] == "Lead created successfully"
        lead = r.json()["lead"]
        assert (lead["first_name"], lead["last_name"], lead["full_name"]) == ("Ada", "Byron", "Ada Byron")
        assert lead["display_name"] == "Ada Byron (Engines Ltd)"
        assert (lead["company_name"], lead["email"], lead["phone"], lead["title"]) == (
            "Engines Ltd",
            "ada@engines.example",
            "+44 1",
            "CTO",
        )
        assert (lead["source"], lead["status"], lead["score"]) == ("referral", "qualified", 85)
        assert (lead["estimated_value"], lead["currency_code"]) == (2500.56, "GBP")
        assert lead["tags"] == ["hot", "b2b"] and lead["notes"] == "met at expo"
        assert lead["created_by"] == user_id and lead["owner_id"] == user_id + 1
        assert (lead["is_converted"], lead["is_lost"]) == (False, False)
        assert lead["converted_at"] is None and lead["created_at"].endswith("Z")
        [event] = outbox_events("tt.crm.lead.created")
        assert event["data"] == lead and event["entity_id"] == str(lead["id"])

    def test_minimal_body_gets_the_defaults(self, client, user_headers, user_id):
        r = client.post("/api/v1/leads", json={"first_name": "Solo", "last_name": "Lead"}, headers=user_headers)
        assert r.status_code == 201
        lead = r.json()["lead"]
        assert (lead["status"], lead["score"], lead["currency_code"]) == ("new", 0, "EUR")
        assert lead["owner_id"] == user_id and lead["created_by"] == user_id
        assert lead["display_name"] == "Solo Lead" and lead["tags"] == []
        for field in ("company_name", "email", "phone", "title", "source", "estimated_value", "notes"):
            assert lead[field] is None

    def test_comma_string_tags_and_blank_tags(self, client, user_headers):
        body = {"first_name": "T", "last_name": "G", "tags": "a, b,,c"}
        assert client.post("/api/v1/leads", json=body, headers=user_headers).json()["lead"]["tags"] == ["a", "b", "c"]
        body = {"first_name": "T", "last_name": "G", "tags": "  "}
        assert client.post("/api/v1/leads", json=body, headers=user_headers).json()["lead"]["tags"] == []

    @pytest.mark.parametrize("raw", ["lots", {"x": 1}, True, 0])
    def test_unusable_or_zero_estimate_is_null(self, client, user_headers, raw):
        body = {"first_name": "E", "last_name": "V", "estimated_value": raw}
        r = client.post("/api/v1/leads", json=body, headers=user_headers)
        assert r.status_code == 201 and r.json()["lead"]["estimated_value"] is None

    @pytest.mark.parametrize(
        ("body", "missing"),
        [
            ({}, ["first_name", "last_name"]),
            ({"first_name": "Only"}, ["last_name"]),
            ({"first_name": "  ", "last_name": "Set"}, ["first_name"]),
            ({"first_name": None, "last_name": ""}, ["first_name", "last_name"]),
        ],
    )
    def test_names_are_required_and_nothing_is_written(
        self, client, user_headers, session, outbox_events, body, missing
    ):
        r = client.post("/api/v1/leads", json=body, headers=user_headers)
        assert r.status_code == 400
        assert r.json()["error_code"] == "validation_error"
        assert r.json()["message"] == "first_name and last_name are required"
        assert r.json()["errors"] == {field: ["first_name and last_name are required"] for field in missing}
        assert lead_count(session) == 0 and outbox_events() == []

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("score", "high"),
            ("score", 2.5),
            ("score", 101),
            ("score", -1),
            ("email", "not-an-email"),
            ("status", "won"),
            ("currency_code", "EURO"),
            ("owner_id", "me"),
            ("first_name", "x" * 101),
            ("company_name", "c" * 201),
            ("tags", 5),
        ],
    )
    def test_invalid_field_is_a_validation_error(self, client, user_headers, session, outbox_events, field, value):
        body = {"first_name": "Valid", "last_name": "Lead", field: value}
        r = client.post("/api/v1/leads", json=body, headers=user_headers)
        assert r.status_code == 400, r.text
        assert r.json()["error_code"] == "validation_error"
        assert list(r.json()["errors"]) == [field]
        assert lead_count(session) == 0 and outbox_events() == []

    def test_write_scope_required(self, client, headers_for, user_id, session):
        headers = headers_for(user_id, "read:leads", "write:deals")
        r = client.post("/api/v1/leads", json={"first_name": "A", "last_name": "B"}, headers=headers)
        assert r.status_code == 403
        assert r.json()["error_code"] == "forbidden" and r.json()["required_scope"] == "write:leads"
        assert lead_count(session) == 0

    def test_disabled_module_answers_module_disabled(self, client, headers_for, user_id, session):
        headers = headers_for(user_id, "admin:all", role="admin", modules_off=("leads",))
        r = client.post("/api/v1/leads", json={"first_name": "A", "last_name": "B"}, headers=headers)
        assert r.status_code == 403
        assert r.json()["error_code"] == "module_disabled" and r.json()["error"] == "module_disabled"
        assert lead_count(session) == 0


class TestListLeads:
    def test_without_status_converted_and_lost_are_left_out(self, client, make_lead, user_headers):
        kept = {s: make_lead(status=s) for s in ("new", "contacted", "qualified")}
        make_lead(status="converted")
        make_lead(status="lost")
        r = client.get("/api/v1/leads", headers=user_headers)
        assert r.status_code == 200
        assert sorted(lead["id"] for lead in r.json()["leads"]) == sorted(lead.id for lead in kept.values())

    @pytest.mark.parametrize("status", ["converted", "lost", "new"])
    def test_status_filter_is_exact(self, client, make_lead, user_headers, status):
        leads = {s: make_lead(status=s) for s in ("new", "converted", "lost")}
        r = client.get(f"/api/v1/leads?status={status}", headers=user_headers)
        assert [lead["id"] for lead in r.json()["leads"]] == [leads[status].id]

    def test_unknown_status_matches_nothing(self, client, make_lead, user_headers):
        make_lead(status="new")
        assert client.get("/api/v1/leads?status=all", headers=user_headers).json()["leads"] == []

    def test_source_filter_is_exact(self, client, make_lead, user_headers):
        wanted = make_lead(source="website")
        make_lead(source="Website")
        make_lead(source=None)
        r = client.get("/api/v1/leads?source=website", headers=user_headers)
        assert [lead["id"] for lead in r.json()["leads"]] == [wanted.id]

    @pytest.mark.parametrize("term", ["ADA", "byr", "engines", "@ENGINES.example"])
    def test_search_is_a_case_insensitive_substring(self, client, make_lead, user_headers, term):
        hit = make_lead(first_name="Ada", last_name="Byron", company_name="Engines", email="ada@engines.example")
        make_lead(first_name="Grace", last_name="Hopper", company_name="Navy", email="grace@navy.example")
        r = client.get("/api/v1/leads", params={"search": term}, headers=user_headers)
        assert [lead["id"] for lead in r.json()["leads"]] == [hit.id]

    def test_search_wildcards_are_literal(self, client, make_lead, user_headers):
        hit = make_lead(company_name="100% Organic")
        make_lead(company_name="1000 Organics")
        make_lead(company_name="AxB")
        r = client.get("/api/v1/leads", params={"search": "0%"}, headers=user_headers)
        assert [lead["id"] for lead in r.json()["leads"]] == [hit.id]
        r = client.get("/api/v1/leads", params={"search": "x_b"}, headers=user_headers)
        assert r.json()["leads"] == []

    def test_blank_search_filters_nothing(self, client, make_lead, user_headers):
        make_lead()
        make_lead()
        assert client.get("/api/v1/leads?search=%20", headers=user_headers).json()["pagination"]["total"] == 2

    def test_everyone_lists_every_lead_without_owner(self, client, make_lead, user_headers, user_id):
        make_lead(owner_id=user_id)
        make_lead(owner_id=77)
        make_lead(owner_id=None)
        assert client.get("/api/v1/leads", headers=user_headers).json()["pagination"]["total"] == 3

    def test_admin_gets_the_named_owners_leads(self, client, make_lead, admin_headers):
        theirs = make_lead(owner_id=77)
        make_lead(owner_id=78)
        r = client.get("/api/v1/leads?owner=77", headers=admin_headers)
        assert [lead["id"] for lead in r.json()["leads"]] == [theirs.id]

    def test_non_admin_passing_any_owner_gets_their_own(self, client, make_lead, user_headers, user_id):
        mine = make_lead(owner_id=user_id)
        make_lead(owner_id=77)
        r = client.get("/api/v1/leads?owner=77", headers=user_headers)
        assert [lead["id"] for lead in r.json()["leads"]] == [mine.id]

    def test_unparseable_owner_is_ignored(self, client, make_lead, user_headers):
        make_lead(owner_id=77)
        make_lead(owner_id=78)
        assert client.get("/api/v1/leads?owner=x7", headers=user_headers).json()["pagination"]["total"] == 2

    def test_order_is_score_then_newest(self, client, make_lead, user_headers):
        now = datetime.now(UTC)
        low = make_lead(score=10, created_at=now)
        high_old = make_lead(score=90, created_at=now - timedelta(days=2))
        high_new = make_lead(score=90, created_at=now - timedelta(days=1))
        high_same = make_lead(score=90, created_at=now - timedelta(days=1))
        r = client.get("/api/v1/leads", headers=user_headers)
        assert [lead["id"] for lead in r.json()["leads"]] == [high_same.id, high_new.id, high_old.id, low.id]

    def test_pagination_edges(self, client, make_lead, user_headers):
        for score in range(5):
            make_lead(score=score, first_name=f"S{score}")
        r = client.get("/api/v1/leads?per_page=2&page=3", headers=user_headers)
        assert [lead["first_name"] for lead in r.json()["leads"]] == ["S0"]
        assert r.json()["pagination"] == {
            "page": 3, "per_page": 2, "total": 5, "pages": 3,
            "has_next": False, "has_prev": True, "next_page": None, "prev_page": 2,
        }  # fmt: skip
        r = client.get("/api/v1/leads?per_page=0&page=-3", headers=user_headers)
        assert (r.json()["pagination"]["per_page"], r.json()["pagination"]["page"]) == (50, 1)
        r = client.get("/api/v1/leads?page=4&per_page=2", headers=user_headers)
        assert r.status_code == 200 and r.json()["leads"] == []

    def test_read_scope_required(self, client, headers_for, user_id):
        r = client.get("/api/v1/leads", headers=headers_for(user_id, "write:leads", "read:deals"))
        assert r.status_code == 403
        assert r.json()["error_code"] == "forbidden" and r.json()["required_scope"] == "read:leads"

    def test_disabled_module_answers_module_disabled(self, client, headers_for, user_id):
        headers = headers_for(user_id, "admin:all", role="admin", modules_off=("leads",))
        r = client.get("/api/v1/leads", headers=headers)
        assert r.status_code == 403 and r.json()["error_code"] == "module_disabled"


class TestGetLead:
    def test_owner_reads_the_lead(self, client, make_lead, make_client, user_headers, user_id):
        converted = make_client()
        lead = make_lead(
            owner_id=user_id,
            status="converted",
            converted_to_client_id=converted.id,
            converted_at=datetime(2026, 2, 1, 9, 0, tzinfo=UTC),
            converted_by=user_id,
            estimated_value=Decimal("0.00"),
            tags="a,b",
        )
        r = client.get(f"/api/v1/leads/{lead.id}", headers=user_headers)
        assert r.status_code == 200
        out = r.json()["lead"]
        assert out["converted_to_client_id"] == converted.id and out["converted_by"] == user_id
        assert out["converted_at"] == "2026-02-01T09:00:00Z"
        assert (out["is_converted"], out["is_lost"]) == (True, False)
        assert out["estimated_value"] is None and out["tags"] == ["a", "b"]

    def test_conversion_to_a_deal_counts_and_lost_is_flagged(self, client, make_lead, admin_headers):
        lead = make_lead(converted_to_deal_id=5, status="lost", estimated_value=Decimal("12.50"))
        out = client.get(f"/api/v1/leads/{lead.id}", headers=admin_headers).json()["lead"]
        assert (out["is_converted"], out["is_lost"], out["estimated_value"]) == (True, True, 12.5)

    @pytest.mark.parametrize("owner_id", [77, None])
    def test_someone_elses_lead_is_403(self, client, make_lead, user_headers, owner_id):
        lead = make_lead(owner_id=owner_id)
        r = client.get(f"/api/v1/leads/{lead.id}", headers=user_headers)
        assert r.status_code == 403
        assert r.json()["error_code"] == "forbidden" and r.json()["error"] == "Access denied"

    def test_admin_reads_any_lead(self, client, make_lead, admin_headers):
        lead = make_lead(owner_id=77)
        assert client.get(f"/api/v1/leads/{lead.id}", headers=admin_headers).status_code == 200

    def test_unknown_is_404(self, client, user_headers):
        r = client.get("/api/v1/leads/999999", headers=user_headers)
        assert r.status_code == 404 and r.json()["error_code"] == "not_found"


class TestUpdateLead:
    @pytest.mark.parametrize("method", ["put", "patch"])
    def test_partial_update_changes_only_sent_keys(
        self, client, make_lead, user_headers, user_id, outbox_events, method
    ):
        lead = make_lead(owner_id=user_id, company_name="Old Co", score=20, notes="keep")
        body = {"company_name": " New Co ", "score": "0"}
        r = client.request(method, f"/api/v1/leads/{lead.id}", json=body, headers=user_headers)
        assert r.status_code == 200
        assert r.json()["message"] == "Lead updated successfully"
        out = r.json()["lead"]
        assert (out["company_name"], out["display_name"], out["score"]) == ("New Co", "Lee Ray (New Co)", 0)
        assert (out["first_name"], out["notes"]) == ("Lee", "keep")
        [event] = outbox_events("tt.crm.lead.updated")
        assert event["data"] == out

    def test_text_fields_and_score_ignore_null_and_blank_clears_the_nullable_ones(
        self, client, make_lead, user_headers, user_id
    ):
        lead = make_lead(owner_id=user_id, email="a@b.example", phone="1", tags="x,y", score=40, status="contacted")
        body = {"first_name": None, "status": None, "score": None, "email": "", "phone": None, "tags": []}
        out = client.patch(f"/api/v1/leads/{lead.id}", json=body, headers=user_headers).json()["lead"]
        assert (out["first_name"], out["status"], out["score"], out["phone"]) == ("Lee", "contacted", 40, "1")
        assert (out["email"], out["tags"]) == (None, [])

    def test_every_listed_field_is_applied(self, client, make_lead, user_headers, user_id):
        lead = make_lead(owner_id=user_id)
        body = {
            "first_name": "Ada",
            "last_name": "Byron",
            "email": "ada@x.example",
            "phone": "2",
            "title": "CEO",
            "source": "ad",
            "status": "lost",
            "notes": "n",
            "tags": "p, q",
            "owner_id": user_id + 1,
            "estimated_value": 99.999,
        }
        out = client.patch(f"/api/v1/leads/{lead.id}", json=body, headers=user_headers).json()["lead"]
        assert (out["full_name"], out["email"], out["phone"], out["title"]) == (
            "Ada Byron",
            "ada@x.example",
            "2",
            "CEO",
        )
        assert (out["source"], out["status"], out["is_lost"], out["notes"]) == ("ad", "lost", True, "n")
        assert (out["tags"], out["owner_id"], out["estimated_value"]) == (["p", "q"], user_id + 1, 100.0)

    def test_currency_is_not_updatable(self, client, make_lead, user_headers, user_id):
        lead = make_lead(owner_id=user_id)
        out = client.patch(f"/api/v1/leads/{lead.id}", json={"currency_code": "USD"}, headers=user_headers).json()
        assert out["lead"]["currency_code"] == "EUR"

    @pytest.mark.parametrize(("raw", "expected"), [(None, None), ("lots", 10.0), ([1], 10.0), ("7.5", 7.5)])
    def test_estimate_null_clears_and_invalid_is_ignored(self, client, make_lead, user_headers, user_id, raw, expected):
        lead = make_lead(owner_id=user_id, estimated_value=Decimal("10.00"))
        r = client.patch(f"/api/v1/leads/{lead.id}", json={"estimated_value": raw}, headers=user_headers)
        assert r.status_code == 200 and r.json()["lead"]["estimated_value"] == expected

    def test_owner_may_be_cleared_by_an_admin(self, client, make_lead, admin_headers):
        lead = make_lead(owner_id=77)
        out = client.patch(f"/api/v1/leads/{lead.id}", json={"owner_id": None}, headers=admin_headers).json()
        assert out["lead"]["owner_id"] is None

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"first_name": "  "}, "first_name"),
            ({"last_name": ""}, "last_name"),
            ({"score": 500}, "score"),
            ({"score": "a lot"}, "score"),
            ({"email": "nope"}, "email"),
            ({"status": "won"}, "status"),
        ],
    )
    def test_invalid_update_is_refused(
        self, client, make_lead, user_headers, user_id, session, outbox_events, body, field
    ):
        lead = make_lead(owner_id=user_id, company_name="Same", score=5)
        r = client.patch(f"/api/v1/leads/{lead.id}", json=body | {"company_name": "Other"}, headers=user_headers)
        assert r.status_code == 400 and r.json()["error_code"] == "validation_error"
        assert list(r.json()["errors"]) == [field]
        session.expire_all()
        assert (session.get(Lead, lead.id).company_name, session.get(Lead, lead.id).score) == ("Same", 5)
        assert outbox_events() == []

    def test_someone_elses_lead_is_403_and_unchanged(self, client, make_lead, user_headers, session, outbox_events):
        lead = make_lead(owner_id=77, first_name="Theirs")
        r = client.put(f"/api/v1/leads/{lead.id}", json={"first_name": "Mine"}, headers=user_headers)
        assert r.status_code == 403 and r.json()["error"] == "Access denied"
        session.expire_all()
        assert session.get(Lead, lead.id).first_name == "Theirs"
        assert outbox_events() == []

    def test_unknown_is_404(self, client, admin_headers):
        r = client.patch("/api/v1/leads/999999", json={"score": 1}, headers=admin_headers)
        assert r.status_code == 404 and r.json()["error_code"] == "not_found"

    def test_write_scope_required(self, client, make_lead, headers_for, user_id, outbox_events):
        lead = make_lead(owner_id=user_id)
        r = client.patch(f"/api/v1/leads/{lead.id}", json={"score": 1}, headers=headers_for(user_id, "read:leads"))
        assert r.status_code == 403 and r.json()["required_scope"] == "write:leads"
        assert outbox_events() == []


class TestDeleteLead:
    def test_owner_deletes_for_good_and_the_event_carries_the_last_state(
        self, client, make_lead, user_headers, user_id, session, outbox_events
    ):
        lead = make_lead(owner_id=user_id, first_name="Gone")
        r = client.delete(f"/api/v1/leads/{lead.id}", headers=user_headers)
        assert r.status_code == 200 and r.json() == {"message": "Lead deleted successfully"}
        assert lead_count(session) == 0
        [event] = outbox_events("tt.crm.lead.deleted")
        assert event["data"]["first_name"] == "Gone" and event["entity_id"] == str(lead.id)

    def test_deals_linked_to_the_lead_keep_no_lead(self, client, make_lead, user_headers, user_id, session):
        lead = make_lead(owner_id=user_id)
        deal = Deal(name="From lead", lead_id=lead.id, created_by=user_id, owner_id=user_id)
        session.add(deal)
        session.flush()
        assert client.delete(f"/api/v1/leads/{lead.id}", headers=user_headers).status_code == 200
        session.expire_all()
        assert session.get(Deal, deal.id).lead_id is None

    def test_admin_deletes_any_lead(self, client, make_lead, admin_headers, session):
        lead = make_lead(owner_id=77)
        assert client.delete(f"/api/v1/leads/{lead.id}", headers=admin_headers).status_code == 200
        assert lead_count(session) == 0

    def test_someone_elses_lead_is_403_and_kept(self, client, make_lead, user_headers, session, outbox_events):
        lead = make_lead(owner_id=77)
        r = client.delete(f"/api/v1/leads/{lead.id}", headers=user_headers)
        assert r.status_code == 403 and r.json()["error_code"] == "forbidden"
        assert lead_count(session) == 1 and outbox_events() == []

    def test_unknown_is_404(self, client, user_headers):
        assert client.delete("/api/v1/leads/999999", headers=user_headers).status_code == 404

    def test_disabled_module_answers_module_disabled(self, client, make_lead, headers_for, user_id, session):
        lead = make_lead(owner_id=user_id)
        headers = headers_for(user_id, "admin:all", role="admin", modules_off=("leads",))
        r = client.delete(f"/api/v1/leads/{lead.id}", headers=headers)
        assert r.status_code == 403 and r.json()["error_code"] == "module_disabled"
        assert lead_count(session) == 1
