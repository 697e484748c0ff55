"""`/api/v1/quotes` (crm.md §6)."""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from crm.models import Client, Quote, QuoteItem, outbox
from crm.quotes import service
from crm.quotes.schemas import QuoteCreate
from crm.settings import CrmSettings
from shared.events.outbox import session_info
from shared.identity import Identity

QUOTE_KEYS = {
    "id", "quote_number", "client_id", "title", "description", "status", "subtotal", "discount_type",
    "discount_amount", "discount_value", "discount_reason", "coupon_code", "subtotal_after_discount", "tax_rate",
    "tax_amount", "total_amount", "currency_code", "valid_until", "sent_at", "accepted_at", "rejected_at",
    "project_id", "created_by", "accepted_by", "created_at", "updated_at", "notes", "terms", "visible_to_client",
    "template_id", "is_draft", "is_sent", "is_accepted", "is_rejected", "is_expired", "can_be_accepted",
    "has_project", "items",
}  # fmt: skip
ITEM_KEYS = {
    "id", "quote_id", "line_kind", "display_name", "category", "line_date", "sku", "description", "quantity",
    "unit_price", "total_amount", "unit", "stock_item_id", "warehouse_id", "is_stock_item", "position", "created_at",
}  # fmt: skip
KIRITIMATI = "Pacific/Kiritimati"  # UTC+14: its date is always ahead of Pago Pago's (UTC−11)
PAGO_PAGO = "Pacific/Pago_Pago"


def today_in(zone: str) -> date:
    return datetime.now(ZoneInfo(zone)).date()


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def make_quote(session, make_client):
    """`make_quote(created_by, items=[{...}], **columns)`: a quote row with its lines, flushed."""

    def make(created_by: int, *, items=(), **overrides) -> Quote:
        fields = {"quote_number": f"T-{uuid.uuid4().hex[:12]}", "title": "Quote", "created_by": created_by}
        fields.update(overrides)
        if "client_id" not in fields:
            fields["client_id"] = make_client().id
        quote = Quote(**fields)
        quote.items = [QuoteItem(**{"description": "-", **item}) for item in items]
        session.add(quote)
        session.flush()
        return quote

    return make


@pytest.fixture
def mine(make_client, user_id):
    """A client in the standard user's client scope."""
    return make_client(created_by=user_id)


def post_quote(client, headers, **body):
    return client.post("/api/v1/quotes", json=body, headers=headers)


class TestCreateQuote:
    def test_creates_a_draft_and_records_the_event(self, client, user_headers, user_id, mine, outbox_events, settings):
        body = {
            "client_id": str(mine.id),
            "title": "  Website redesign ",
            "description": "Phase 1",
            "tax_rate": "19",
            "currency_code": "usd",
            "valid_until": "2099-12-31",
            "status": "accepted",
            "items": [{"description": "Design", "quantity": 10, "unit_price": "85", "unit": "hours"}],
        }
        r = client.post("/api/v1/quotes", json=body, headers=user_headers)
        assert r.status_code == 201, r.text
        assert r.json()["message"] == "Quote created successfully"
        q = r.json()["quote"]
        assert set(q) == QUOTE_KEYS and set(q["items"][0]) == ITEM_KEYS
        assert (q["client_id"], q["title"], q["description"]) == (mine.id, "Website redesign", "Phase 1")
        assert (q["status"], q["is_draft"], q["created_by"], q["currency_code"]) == ("draft", True, user_id, "USD")
        assert (q["subtotal"], q["tax_rate"], q["tax_amount"], q["total_amount"]) == (850.0, 19.0, 161.5, 1011.5)
        assert q["valid_until"] == "2099-12-31" and q["is_expired"] is False
        assert q["quote_number"] == f"QUO-{today_in(settings.timezone):%Y%m%d}-001"
        assert q["created_at"].endswith("Z") and q["sent_at"] is None and q["accepted_by"] is None
        assert (q["discount_type"], q["discount_amount"], q["discount_value"]) == (None, 0.0, 0.0)
        assert q["visible_to_client"] is False and q["has_project"] is False
        [event] = outbox_events("tt.crm.quote.created")
        assert event["entity_id"] == str(q["id"])
        assert event["data"] == q

    def test_minimal_body_gets_the_defaults(self, client, user_headers, mine):
        q = post_quote(client, user_headers, client_id=mine.id, title="Bare").json()["quote"]
        assert (q["currency_code"], q["tax_rate"], q["valid_until"], q["items"]) == ("EUR", 0.0, None, [])
        assert q["subtotal"] == q["total_amount"] == 0.0

    def test_item_kinds_keep_only_their_fields(self, client, user_headers, mine):
        extras = {"category": "Travel", "line_date": "2026-03-01", "sku": "SKU-1", "stock_item_id": "7",
                  "warehouse_id": 3, "display_name": "Thing"}  # fmt: skip
        kinds = ["item", "expense", "good", "service"]
        items = [{"line_kind": kind, **extras} for kind in kinds]
        out = post_quote(client, user_headers, client_id=mine.id, title="Kinds", items=items).json()["quote"]["items"]
        fields = [
            (i["line_kind"], i["category"], i["line_date"], i["sku"], i["stock_item_id"], i["warehouse_id"])
            for i in out
        ]
        assert fields == [
            ("item", None, None, None, 7, 3),
            ("expense", "Travel", "2026-03-01", None, None, None),
            ("good", "Travel", None, "SKU-1", None, None),
            ("item", None, None, None, 7, 3),
        ]
        assert [i["is_stock_item"] for i in out] == [True, False, False, True]
        assert [i["position"] for i in out] == [0, 1, 2, 3]
        assert all(i["display_name"] == "Thing" for i in out)

    def test_description_fallbacks(self, client, user_headers, mine):
        items = [
            {"line_kind": "item", "display_name": "Named", "description": "  "},
            {"line_kind": "item", "description": "  Own text "},
            {"line_kind": "good", "display_name": "Widget"},
            {"line_kind": "expense", "display_name": "Taxi", "description": "Airport"},
            {"line_kind": "expense"},
        ]
        out = post_quote(client, user_headers, client_id=mine.id, title="D", items=items).json()["quote"]["items"]
        assert [i["description"] for i in out] == ["-", "Own text", "Widget", "Airport", "-"]

    def test_item_defaults_and_lenient_stock_references(self, client, user_headers, mine):
        items = [{"stock_item_id": "", "warehouse_id": "abc"}, {"stock_item_id": 4.5, "quantity": None}]
        out = post_quote(client, user_headers, client_id=mine.id, title="D", items=items).json()["quote"]["items"]
        assert [(i["quantity"], i["unit_price"], i["total_amount"]) for i in out] == [(1.0, 0.0, 0.0)] * 2
        assert [(i["stock_item_id"], i["warehouse_id"], i["is_stock_item"]) for i in out] == [(None, None, False)] * 2

    def test_totals_round_half_up_at_each_step(self, client, user_headers, mine, session):
        # 3 × 3.335 → price 3.34, line 10.02; 0.5 × 0.45 = 0.225 → 0.23; subtotal 10.25; tax 1.025 → 1.03.
        items = [{"quantity": 3, "unit_price": 3.335}, {"quantity": "0.5", "unit_price": "0.45"}]
        r = post_quote(client, user_headers, client_id=mine.id, title="R", tax_rate=10, items=items)
        q = r.json()["quote"]
        assert [(i["unit_price"], i["total_amount"]) for i in q["items"]] == [(3.34, 10.02), (0.45, 0.23)]
        assert (q["subtotal"], q["subtotal_after_discount"], q["tax_amount"], q["total_amount"]) == (
            10.25, 10.25, 1.03, 11.28,
        )  # fmt: skip
        row = session.get(Quote, q["id"])
        assert (row.subtotal, row.tax_amount, row.total_amount) == (Decimal("10.25"), Decimal("1.03"), Decimal("11.28"))
        assert [item.total_amount for item in row.items] == [Decimal("10.02"), Decimal("0.23")]

    def test_unit_price_is_rounded_before_the_line_total(self, client, user_headers, mine):
        items = [{"quantity": 3, "unit_price": 10.005}]
        q = post_quote(client, user_headers, client_id=mine.id, title="R", items=items).json()["quote"]
        assert (q["items"][0]["unit_price"], q["items"][0]["total_amount"], q["total_amount"]) == (10.01, 30.03, 30.03)

    def test_tax_is_rounded_where_upstream_answers_63_002(self, client, user_headers, mine):
        body = {"client_id": mine.id, "title": "T", "tax_rate": 20, "items": [{"quantity": 1, "unit_price": 315.01}]}
        q = post_quote(client, user_headers, **body).json()["quote"]
        assert (q["tax_amount"], q["total_amount"]) == (63.0, 378.01)

    def test_sent_totals_are_recomputed(self, client, user_headers, mine):
        body = {"total_amount": 999, "hourly_rate": 80, "estimated_hours": "x", "items": [{"unit_price": 5}]}
        q = post_quote(client, user_headers, client_id=mine.id, title="T", **body).json()["quote"]
        assert q["total_amount"] == 5.0 and q["subtotal"] == 5.0

    @pytest.mark.parametrize(
        ("body", "missing"),
        [({}, ["client_id", "title"]), ({"client_id": 1}, ["title"]), ({"title": "T"}, ["client_id"]),
         ({"client_id": 1, "title": "   "}, ["title"]), ({"client_id": None, "title": None}, ["client_id", "title"])],
    )  # fmt: skip
    def test_client_id_and_title_are_required(self, client, user_headers, session, outbox_events, body, missing):
        r = client.post("/api/v1/quotes", json=body, headers=user_headers)
        assert r.status_code == 400 and r.json()["error_code"] == "validation_error"
        assert r.json()["message"] == "client_id and title are required"
        assert r.json()["errors"] == {field: [f"{field} is required"] for field in missing}
        assert count(session, Quote) == 0 and outbox_events() == []

    def test_unknown_client_is_invalid_client(self, client, user_headers, session, outbox_events):
        r = post_quote(client, user_headers, client_id=999999, title="T")
        assert r.status_code == 400 and r.json()["error_code"] == "invalid_client"
        assert count(session, Quote) == 0 and outbox_events() == []

    def test_client_id_no_client_can_have_is_invalid_client(self, client, user_headers, session):
        r = post_quote(client, user_headers, client_id=10**12, title="T")
        assert r.status_code == 400 and r.json()["error_code"] == "invalid_client"
        assert count(session, Quote) == 0

    def test_client_outside_the_callers_scope_is_403(self, client, user_headers, make_client, session, outbox_events):
        foreign = make_client(created_by=1)
        r = post_quote(client, user_headers, client_id=foreign.id, title="T")
        assert r.status_code == 403 and r.json()["message"] == "You do not have access to this client"
        assert count(session, Quote) == 0 and outbox_events() == []

    def test_manager_may_quote_any_client(self, client, headers_for, next_user_id, make_client):
        headers = headers_for(next_user_id(), "write:quotes", role="manager")
        assert post_quote(client, headers, client_id=make_client(created_by=1).id, title="T").status_code == 201

    @pytest.mark.parametrize(
        ("field", "value", "error_key"),
        [
            ("client_id", "abc", "client_id"),
            ("title", "x" * 201, "title"),
            ("tax_rate", "abc", "tax_rate"),
            ("tax_rate", -1, "tax_rate"),
            ("tax_rate", 100000, "tax_rate"),
            ("currency_code", "EURO", "currency_code"),
            ("items", "not a list", "items"),
            ("items", [5], "items.0"),
            ("items", [{"quantity": "three"}], "items.0.quantity"),
            ("items", [{"unit_price": 1}, {"unit_price": "a lot"}], "items.1.unit_price"),
            ("items", [{"unit_price": True}], "items.0.unit_price"),
            ("items", [{"quantity": 1e10}], "items.0.quantity"),
            ("items", [{"sku": "s" * 101, "line_kind": "good"}], "items.0.sku"),
            ("items", [{"stock_item_id": 10**12}], "items.0.stock_item_id"),
        ],
    )
    def test_invalid_values_are_validation_errors(
        self, client, user_headers, mine, session, outbox_events, field, value, error_key
    ):
        body = {"client_id": mine.id, "title": "T", field: value}
        r = client.post("/api/v1/quotes", json=body, headers=user_headers)
        assert r.status_code == 400, r.text
        assert r.json()["error_code"] == "validation_error"
        assert list(r.json()["errors"]) == [error_key]
        assert count(session, Quote) == 0 and outbox_events() == []

    def test_totals_beyond_storage_are_refused(self, client, user_headers, mine, session):
        items = [{"quantity": 9999999999, "unit_price": 9999999999}]
        r = post_quote(client, user_headers, client_id=mine.id, title="T", items=items)
        assert r.status_code == 400 and r.json()["errors"] == {"items": ["The quote total is too large"]}
        assert count(session, Quote) == 0

    def test_unparseable_valid_until_is_null(self, client, user_headers, mine):
        q = post_quote(client, user_headers, client_id=mine.id, title="T", valid_until="next week").json()["quote"]
        assert q["valid_until"] is None

    def test_write_scope_required(self, client, headers_for, user_id, mine, session):
        r = post_quote(client, headers_for(user_id, "read:quotes", "write:clients"), client_id=mine.id, title="T")
        assert r.status_code == 403 and r.json()["error_code"] == "forbidden"
        assert r.json()["required_scope"] == "write:quotes"
        assert count(session, Quote) == 0

    def test_disabled_module_answers_module_disabled(self, client, headers_for, admin_id, mine, session):
        headers = headers_for(admin_id, "admin:all", role="admin", modules_off=("quotes",))
        r = post_quote(client, headers, client_id=mine.id, title="T")
        assert r.status_code == 403 and r.json()["error_code"] == "module_disabled"
        assert count(session, Quote) == 0


class TestQuoteNumbers:
    def test_sequence_counts_up_within_the_day(self, client, user_headers, mine, settings):
        numbers = [post_quote(client, user_headers, client_id=mine.id, title="T").json()["quote"]["quote_number"]
                   for _ in range(3)]  # fmt: skip
        day = f"{today_in(settings.timezone):%Y%m%d}"
        assert numbers == [f"QUO-{day}-001", f"QUO-{day}-002", f"QUO-{day}-003"]

    def test_numbers_of_other_days_do_not_count(self, client, user_headers, mine, make_quote, settings):
        make_quote(1, quote_number="QUO-19990101-077")
        make_quote(1, quote_number=f"QUO-{today_in(settings.timezone):%Y%m%d}-004")
        q = post_quote(client, user_headers, client_id=mine.id, title="T").json()["quote"]
        assert q["quote_number"].endswith("-005")

    def test_pattern_prefix_and_start_number_come_from_settings(self, make_app_client, user_headers, mine):
        app = make_app_client(quote_number_pattern="{PREFIX}/{YY}/{SEQ}", quote_prefix="OFF", quote_start_number=42)
        first = post_quote(app, user_headers, client_id=mine.id, title="T").json()["quote"]["quote_number"]
        second = post_quote(app, user_headers, client_id=mine.id, title="T").json()["quote"]["quote_number"]
        assert (first, second) == (f"OFF/{today_in('Europe/Rome'):%y}/042", f"OFF/{today_in('Europe/Rome'):%y}/043")

    @pytest.mark.parametrize("zone", [KIRITIMATI, PAGO_PAGO])
    def test_date_is_today_in_the_app_time_zone(self, make_app_client, user_headers, mine, zone):
        app = make_app_client(timezone=zone)
        q = post_quote(app, user_headers, client_id=mine.id, title="T").json()["quote"]
        assert q["quote_number"] == f"QUO-{today_in(zone):%Y%m%d}-001"


def _committed_client(engine) -> int:
    with Session(engine) as s:
        c = Client(name=f"Concurrent {uuid.uuid4().hex[:8]}", custom_fields={})
        s.add(c)
        s.commit()
        return c.id


def _remove_committed(engine, client_id: int) -> None:
    with Session(engine) as s:
        s.execute(delete(outbox).where(outbox.c.payload["data"]["client_id"].astext == str(client_id)))
        s.execute(delete(Quote).where(Quote.client_id == client_id))
        s.execute(delete(Client).where(Client.id == client_id))
        s.commit()


def _create_committed(engine, settings, client_id: int, before_commit=lambda: None) -> str:
    """One create in its own transaction, like a request of another worker."""
    with Session(engine, info=session_info(outbox)) as s:
        body = QuoteCreate(client_id=client_id, title="Race", items=[{"unit_price": 1}])
        out = service.create_quote(s, body, actor=Identity(user_id=1, is_admin=True), settings=settings)
        before_commit()
        s.commit()
        return out["quote"]["quote_number"]


class TestConcurrentQuoteNumbers:
    """Real separate transactions, committed (and removed afterwards)."""

    @pytest.fixture
    def race(self, engine, settings_kwargs):
        client_id = _committed_client(engine)
        settings = CrmSettings(**settings_kwargs, quote_prefix=f"R{uuid.uuid4().hex[:6]}")
        yield client_id, settings
        _remove_committed(engine, client_id)

    def test_simultaneous_creates_get_distinct_numbers(self, engine, race):
        client_id, settings = race
        workers = 8
        barrier = threading.Barrier(workers)

        def create(_: int) -> str:
            barrier.wait(timeout=10)
            return _create_committed(engine, settings, client_id)

        with ThreadPoolExecutor(workers) as pool:
            numbers = list(pool.map(create, range(workers)))
        day = f"{today_in(settings.timezone):%Y%m%d}"
        assert sorted(numbers) == [f"{settings.quote_prefix}-{day}-{seq:03d}" for seq in range(1, workers + 1)]
        with Session(engine) as s:
            stored = s.scalars(select(Quote.quote_number).where(Quote.client_id == client_id)).all()
            assert sorted(stored) == sorted(numbers)
            assert (
                s.scalar(select(func.count()).select_from(QuoteItem).join(Quote).where(Quote.client_id == client_id))
                == workers
            )

    def test_a_create_that_collides_with_an_uncommitted_number_takes_the_next(self, engine, race):
        client_id, settings = race
        with ThreadPoolExecutor(1) as pool:
            waiting = []

            def let_the_other_collide() -> None:
                # The second create cannot see this uncommitted number, picks the same one and
                # waits on the unique index until this transaction commits.
                waiting.append(pool.submit(_create_committed, engine, settings, client_id))
                time.sleep(0.5)

            first = _create_committed(engine, settings, client_id, before_commit=let_the_other_collide)
            second = waiting[0].result(timeout=10)
        assert (first[-3:], second[-3:]) == ("001", "002")


class TestListQuotes:
    def test_standard_user_sees_only_their_quotes(self, client, make_quote, user_headers, user_id):
        own = make_quote(user_id)
        make_quote(user_id + 1)
        r = client.get("/api/v1/quotes", headers=user_headers)
        assert r.status_code == 200
        assert [q["id"] for q in r.json()["quotes"]] == [own.id]
        assert r.json()["pagination"]["total"] == 1

    def test_admin_sees_all_newest_first(self, client, make_quote, admin_headers):
        t = datetime(2026, 1, 1, tzinfo=UTC)
        old = make_quote(1, created_at=t)
        tie_a = make_quote(2, created_at=t + timedelta(days=1))
        tie_b = make_quote(3, created_at=t + timedelta(days=1))
        r = client.get("/api/v1/quotes", headers=admin_headers)
        assert [q["id"] for q in r.json()["quotes"]] == [tie_b.id, tie_a.id, old.id]

    def test_status_filter_is_exact_and_all_means_every_status(self, client, make_quote, user_headers, user_id):
        sent = make_quote(user_id, status="sent")
        draft = make_quote(user_id)

        def ids(query: str) -> set[int]:
            return {q["id"] for q in client.get(f"/api/v1/quotes{query}", headers=user_headers).json()["quotes"]}

        assert ids("?status=sent") == {sent.id}
        assert ids("?status=Sent") == set()
        assert ids("?status=all") == ids("") == {sent.id, draft.id}

    def test_client_filter_and_unparseable_client_is_ignored(self, client, make_quote, user_headers, user_id, mine):
        of_client = make_quote(user_id, client_id=mine.id)
        other = make_quote(user_id)
        r = client.get(f"/api/v1/quotes?client_id={mine.id}", headers=user_headers)
        assert [q["id"] for q in r.json()["quotes"]] == [of_client.id]
        r = client.get("/api/v1/quotes?client_id=abc", headers=user_headers)
        assert {q["id"] for q in r.json()["quotes"]} == {of_client.id, other.id}
        r = client.get("/api/v1/quotes?client_id=99999999999", headers=user_headers)
        assert r.status_code == 200 and r.json()["quotes"] == []

    def test_pagination_edges(self, client, make_quote, user_headers, user_id):
        t = datetime(2026, 1, 1, tzinfo=UTC)
        quotes = [make_quote(user_id, created_at=t + timedelta(hours=i)) for i in range(5)]
        r = client.get("/api/v1/quotes?per_page=2&page=3", headers=user_headers)
        assert [q["id"] for q in r.json()["quotes"]] == [quotes[0].id]
        assert r.json()["pagination"] == {
            "page": 3, "per_page": 2, "total": 5, "pages": 3,
            "has_next": False, "has_prev": True, "next_page": None, "prev_page": 2,
        }  # fmt: skip
        r = client.get("/api/v1/quotes?per_page=500&page=x", headers=user_headers)
        assert (r.json()["pagination"]["per_page"], r.json()["pagination"]["page"]) == (100, 1)
        r = client.get("/api/v1/quotes?page=9", headers=user_headers)
        assert r.status_code == 200 and r.json()["quotes"] == []

    def test_list_carries_items_and_totals(self, client, make_quote, user_headers, user_id):
        make_quote(user_id, tax_rate=Decimal("10"), items=[{"quantity": Decimal("2"), "unit_price": Decimal("5.125")}])
        [q] = client.get("/api/v1/quotes", headers=user_headers).json()["quotes"]
        assert (q["subtotal"], q["tax_amount"], q["total_amount"]) == (10.26, 1.03, 11.29)
        assert q["items"][0]["total_amount"] == 10.26

    def test_read_scope_and_module(self, client, headers_for, user_id, admin_id):
        r = client.get("/api/v1/quotes", headers=headers_for(user_id, "write:quotes", "read:clients"))
        assert r.status_code == 403 and r.json()["required_scope"] == "read:quotes"
        r = client.get(
            "/api/v1/quotes", headers=headers_for(admin_id, "admin:all", role="admin", modules_off=("quotes",))
        )
        assert r.status_code == 403 and r.json()["error_code"] == "module_disabled"


class TestGetQuote:
    def test_returns_the_quote_with_items_by_position_then_id(self, client, make_quote, user_headers, user_id):
        q = make_quote(user_id, items=[
            {"description": "third", "position": 2}, {"description": "first", "position": 0},
            {"description": "second-a", "position": 1}, {"description": "second-b", "position": 1},
        ])  # fmt: skip
        r = client.get(f"/api/v1/quotes/{q.id}", headers=user_headers)
        assert r.status_code == 200
        assert [i["description"] for i in r.json()["quote"]["items"]] == ["first", "second-a", "second-b", "third"]

    def test_other_users_quote_is_not_found(self, client, make_quote, user_headers):
        q = make_quote(1)
        r = client.get(f"/api/v1/quotes/{q.id}", headers=user_headers)
        assert r.status_code == 404
        assert (r.json()["error"], r.json()["error_code"]) == ("Quote not found", "not_found")

    def test_admin_sees_any_quote(self, client, make_quote, admin_headers):
        assert client.get(f"/api/v1/quotes/{make_quote(1).id}", headers=admin_headers).status_code == 200

    @pytest.mark.parametrize("quote_id", [999999, 10**12])
    def test_unknown_is_404(self, client, admin_headers, quote_id):
        r = client.get(f"/api/v1/quotes/{quote_id}", headers=admin_headers)
        assert r.status_code == 404 and r.json()["error"] == "Quote not found"

    @pytest.mark.parametrize(
        ("status", "flags"),
        [("draft", (True, False, False, False)), ("sent", (False, True, False, False)),
         ("accepted", (False, False, True, False)), ("rejected", (False, False, False, True)),
         ("expired", (False, False, False, False))],
    )  # fmt: skip
    def test_status_flags(self, client, make_quote, user_headers, user_id, status, flags):
        q = client.get(f"/api/v1/quotes/{make_quote(user_id, status=status).id}", headers=user_headers).json()["quote"]
        assert (q["is_draft"], q["is_sent"], q["is_accepted"], q["is_rejected"]) == flags
        assert q["can_be_accepted"] is (status == "sent")

    @pytest.mark.parametrize(("zone", "expired"), [(KIRITIMATI, True), (PAGO_PAGO, False)])
    def test_expiry_uses_today_in_the_app_time_zone(
        self, make_app_client, make_quote, user_headers, user_id, zone, expired
    ):
        q = make_quote(user_id, status="sent", valid_until=today_in(PAGO_PAGO))
        out = make_app_client(timezone=zone).get(f"/api/v1/quotes/{q.id}", headers=user_headers).json()["quote"]
        assert (out["is_expired"], out["can_be_accepted"]) == (expired, not expired)

    def test_stored_discount_coupon_and_project(self, client, make_quote, user_headers, user_id):
        q = make_quote(user_id, discount_type="fixed", discount_amount=Decimal("500"), coupon_code="spring",
                       project_id=77, items=[{"unit_price": Decimal("120")}])  # fmt: skip
        out = client.get(f"/api/v1/quotes/{q.id}", headers=user_headers).json()["quote"]
        assert (out["discount_amount"], out["discount_value"], out["subtotal_after_discount"]) == (500.0, 120.0, 0.0)
        assert (out["coupon_code"], out["project_id"], out["has_project"]) == ("SPRING", 77, True)

    def test_read_scope_required(self, client, make_quote, headers_for, user_id):
        r = client.get(f"/api/v1/quotes/{make_quote(user_id).id}", headers=headers_for(user_id, "write:quotes"))
        assert r.status_code == 403 and r.json()["required_scope"] == "read:quotes"


class TestUpdateQuote:
    @pytest.mark.parametrize("method", ["put", "patch"])
    def test_partial_update_changes_only_sent_keys(
        self, client, make_quote, user_headers, user_id, method, outbox_events
    ):
        q = make_quote(user_id, title="Old", description="Keep", items=[{"unit_price": Decimal("5")}])
        r = client.request(method, f"/api/v1/quotes/{q.id}", json={"title": "  New "}, headers=user_headers)
        assert r.status_code == 200 and r.json()["message"] == "Quote updated successfully"
        out = r.json()["quote"]
        assert (out["title"], out["description"], out["total_amount"]) == ("New", "Keep", 5.0)
        [event] = outbox_events("tt.crm.quote.updated")
        assert event["data"] == out

    def test_items_replace_every_line_and_totals_follow(self, client, make_quote, user_headers, user_id, session):
        q = make_quote(user_id, tax_rate=Decimal("20"), items=[{"description": "old", "unit_price": Decimal("1")}] * 2)
        old_ids = {item.id for item in q.items}
        items = [{"description": "a", "quantity": 2, "unit_price": 10}, {"description": "b", "unit_price": 0.5}]
        out = client.patch(f"/api/v1/quotes/{q.id}", json={"items": items}, headers=user_headers).json()["quote"]
        assert [(i["description"], i["position"]) for i in out["items"]] == [("a", 0), ("b", 1)]
        assert not old_ids & {i["id"] for i in out["items"]}
        assert (out["subtotal"], out["tax_amount"], out["total_amount"]) == (20.5, 4.1, 24.6)
        session.expire_all()
        assert session.scalar(select(func.count()).where(QuoteItem.quote_id == q.id)) == 2
        assert session.get(Quote, q.id).total_amount == Decimal("24.60")

    def test_empty_items_clear_the_lines_and_null_items_keep_them(self, client, make_quote, user_headers, user_id):
        q = make_quote(user_id, items=[{"unit_price": Decimal("3")}])
        out = client.patch(f"/api/v1/quotes/{q.id}", json={"items": None}, headers=user_headers).json()["quote"]
        assert len(out["items"]) == 1
        out = client.patch(f"/api/v1/quotes/{q.id}", json={"items": []}, headers=user_headers).json()["quote"]
        assert (out["items"], out["total_amount"]) == ([], 0.0)

    def test_tax_rate_change_recomputes_after_the_stored_discount(self, client, make_quote, user_headers, user_id):
        q = make_quote(user_id, discount_type="percentage", discount_amount=Decimal("10"),
                       items=[{"unit_price": Decimal("100.10")}])  # fmt: skip
        out = client.patch(f"/api/v1/quotes/{q.id}", json={"tax_rate": 19}, headers=user_headers).json()["quote"]
        assert (out["discount_value"], out["subtotal_after_discount"]) == (10.01, 90.09)
        assert (out["tax_amount"], out["total_amount"]) == (17.12, 107.21)

    def test_text_fields_dates_and_payment_terms(self, client, make_quote, user_headers, user_id, session):
        q = make_quote(user_id, description="Old", valid_until=date(2030, 1, 1))
        body = {"description": "  ", "currency_code": "gbp", "payment_terms": "Net 30", "valid_until": "someday"}
        out = client.patch(f"/api/v1/quotes/{q.id}", json=body, headers=user_headers).json()["quote"]
        assert (out["description"], out["currency_code"], out["valid_until"]) == (None, "GBP", "2030-01-01")
        assert "payment_terms" not in out
        session.expire_all()
        assert session.get(Quote, q.id).payment_terms == "Net 30"
        out = client.patch(f"/api/v1/quotes/{q.id}", json={"valid_until": "2031-02-03"}, headers=user_headers).json()
        assert out["quote"]["valid_until"] == "2031-02-03"
        out = client.patch(f"/api/v1/quotes/{q.id}", json={"valid_until": None}, headers=user_headers).json()
        assert out["quote"]["valid_until"] is None

    def test_null_leaves_required_columns_unchanged(self, client, make_quote, user_headers, user_id):
        q = make_quote(user_id, tax_rate=Decimal("7"), currency_code="CHF", status="sent")
        body = {"tax_rate": None, "currency_code": None, "status": None}
        out = client.patch(f"/api/v1/quotes/{q.id}", json=body, headers=user_headers).json()["quote"]
        assert (out["tax_rate"], out["currency_code"], out["status"]) == (7.0, "CHF", "sent")

    @pytest.mark.parametrize(("status", "stamp"), [("sent", "sent_at"), ("accepted", "accepted_at"),
                                                   ("rejected", "rejected_at")])  # fmt: skip
    def test_status_change_stamps_its_time_once(self, client, make_quote, user_headers, user_id, status, stamp):
        q = make_quote(user_id)
        first = client.patch(f"/api/v1/quotes/{q.id}", json={"status": status}, headers=user_headers).json()["quote"]
        assert first["status"] == status and first[stamp].endswith("Z")
        assert first["accepted_by"] == (user_id if status == "accepted" else None)
        client.patch(f"/api/v1/quotes/{q.id}", json={"status": "draft"}, headers=user_headers)
        again = client.patch(f"/api/v1/quotes/{q.id}", json={"status": status}, headers=user_headers).json()["quote"]
        assert again[stamp] == first[stamp]

    @pytest.mark.parametrize(
        ("body", "error_key"),
        [({"status": "archived"}, "status"), ({"title": "  "}, "title"), ({"title": None}, "title"),
         ({"tax_rate": "x"}, "tax_rate"), ({"items": [{"quantity": "x"}]}, "items.0.quantity"),
         ({"payment_terms": "p" * 101}, "payment_terms")],
    )  # fmt: skip
    def test_invalid_update_changes_nothing(
        self, client, make_quote, user_headers, user_id, session, outbox_events, body, error_key
    ):
        q = make_quote(user_id, title="Same", items=[{"unit_price": Decimal("2")}])
        r = client.patch(f"/api/v1/quotes/{q.id}", json=body, headers=user_headers)
        assert r.status_code == 400 and r.json()["error_code"] == "validation_error"
        assert list(r.json()["errors"]) == [error_key]
        session.expire_all()
        assert (session.get(Quote, q.id).title, session.get(Quote, q.id).status) == ("Same", "draft")
        assert len(session.get(Quote, q.id).items) == 1
        assert outbox_events() == []

    @pytest.mark.parametrize("method", ["put", "patch"])
    def test_other_users_quote_is_404_and_unchanged(
        self, client, make_quote, user_headers, session, outbox_events, method
    ):
        q = make_quote(1, title="Theirs")
        r = client.request(method.upper(), f"/api/v1/quotes/{q.id}", json={"title": "Mine now"}, headers=user_headers)
        assert r.status_code == 404 and r.json()["error_code"] == "not_found"
        session.expire_all()
        assert session.get(Quote, q.id).title == "Theirs" and outbox_events() == []

    def test_admin_may_update_any_quote(self, client, make_quote, admin_headers):
        q = make_quote(1)
        r = client.patch(f"/api/v1/quotes/{q.id}", json={"status": "sent"}, headers=admin_headers)
        assert r.status_code == 200 and r.json()["quote"]["status"] == "sent"

    @pytest.mark.parametrize("quote_id", [999999, 10**12])
    def test_unknown_is_404(self, client, user_headers, quote_id):
        r = client.patch(f"/api/v1/quotes/{quote_id}", json={"title": "x"}, headers=user_headers)
        assert r.status_code == 404 and r.json()["error"] == "Quote not found"

    def test_write_scope_and_module(self, client, make_quote, headers_for, user_id, admin_id):
        q = make_quote(user_id)
        r = client.patch(f"/api/v1/quotes/{q.id}", json={}, headers=headers_for(user_id, "read:quotes"))
        assert r.status_code == 403 and r.json()["required_scope"] == "write:quotes"
        headers = headers_for(admin_id, "admin:all", role="admin", modules_off=("quotes",))
        assert (
            client.patch(f"/api/v1/quotes/{q.id}", json={}, headers=headers).json()["error_code"] == "module_disabled"
        )


class TestDeleteQuote:
    def test_creator_deletes_with_items(self, client, make_quote, user_headers, user_id, session, outbox_events):
        q = make_quote(user_id, title="Bye", items=[{"unit_price": Decimal("4")}])
        quote_id = q.id
        r = client.delete(f"/api/v1/quotes/{quote_id}", headers=user_headers)
        assert r.status_code == 200 and r.json() == {"message": "Quote deleted successfully"}
        session.expire_all()
        assert session.get(Quote, quote_id) is None and count(session, QuoteItem) == 0
        [event] = outbox_events("tt.crm.quote.deleted")
        assert (event["entity_id"], event["data"]["title"], event["data"]["items"][0]["unit_price"]) == (
            str(quote_id), "Bye", 4.0,
        )  # fmt: skip

    def test_admin_deletes_any_quote(self, client, make_quote, admin_headers, session):
        quote_id = make_quote(1).id
        assert client.delete(f"/api/v1/quotes/{quote_id}", headers=admin_headers).status_code == 200
        session.expire_all()
        assert session.get(Quote, quote_id) is None

    def test_other_users_quote_is_not_found_and_kept(self, client, make_quote, user_headers, session, outbox_events):
        quote_id = make_quote(1).id
        r = client.delete(f"/api/v1/quotes/{quote_id}", headers=user_headers)
        assert r.status_code == 404 and r.json()["error"] == "Quote not found"
        session.expire_all()
        assert session.get(Quote, quote_id) is not None and outbox_events() == []

    @pytest.mark.parametrize("quote_id", [999999, 10**12])
    def test_unknown_is_404(self, client, admin_headers, quote_id):
        r = client.delete(f"/api/v1/quotes/{quote_id}", headers=admin_headers)
        assert r.status_code == 404 and r.json()["error"] == "Quote not found"

    def test_write_scope_and_module(self, client, make_quote, headers_for, user_id, admin_id, session):
        quote_id = make_quote(user_id).id
        r = client.delete(f"/api/v1/quotes/{quote_id}", headers=headers_for(user_id, "read:quotes"))
        assert r.status_code == 403 and r.json()["required_scope"] == "write:quotes"
        headers = headers_for(admin_id, "admin:all", role="admin", modules_off=("quotes",))
        assert client.delete(f"/api/v1/quotes/{quote_id}", headers=headers).json()["error_code"] == "module_disabled"
        assert session.get(Quote, quote_id) is not None
