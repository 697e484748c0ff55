"""Quote use cases (crm.md §6): visibility, list and get, create with a unique number, update,
delete. Totals are recomputed and stored on every write."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm import events
from crm.access import can_access_client
from crm.errors import InvalidClientError, NoClientAccessError
from crm.models import Client, Quote
from crm.quotes import repository
from crm.quotes.items import build_items
from crm.quotes.numbering import NumberFormat
from crm.quotes.schemas import QuoteCreate, QuoteUpdate
from crm.quotes.serializers import ordered_items, serialize_quote
from crm.quotes.totals import line_total, quote_totals
from crm.settings import CrmSettings
from crm.values import int_or_none
from shared.db import utcnow
from shared.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from shared.identity import Identity
from shared.inputs import row_id
from shared.pagination import PageParams, paginate

REQUIRED_MESSAGE = "client_id and title are required"
NUMBER_CONSTRAINT = "uq_quotes_quote_number"
# Each failed attempt means another create won that number; ten covers a burst of creates.
MAX_NUMBER_ATTEMPTS = 10
# Beyond Numeric(14, 2): refused as invalid instead of failing in the database.
TOTAL_LIMIT = Decimal("1e12")
# The timestamp upstream's workflow sets when a quote reaches the status.
STATUS_TIMESTAMPS = {"sent": "sent_at", "accepted": "accepted_at", "rejected": "rejected_at"}


def today_in(settings: CrmSettings) -> date:
    return datetime.now(settings.zone).date()


def _not_found(quote_id: int) -> NotFoundError:
    return NotFoundError(f"Quote with ID {quote_id} not found", error="Quote not found")


def _is_visible(quote: Quote, identity: Identity) -> bool:
    return identity.is_admin or quote.created_by == identity.user_id


def _ensure_may_change(quote: Quote, identity: Identity) -> None:
    if not identity.is_admin and quote.created_by != identity.user_id:
        raise ForbiddenError("Only the quote's creator or an admin may change it")


def _find(session: Session, quote_id: int, *, lock: bool = False) -> Quote | None:
    return session.get(Quote, quote_id, with_for_update=lock)


def _visible_quote(session: Session, quote_id: int, identity: Identity, *, lock: bool = False) -> Quote:
    """Other users' quotes answer 404, as if they did not exist."""
    quote = _find(session, quote_id, lock=lock)
    if quote is None or not _is_visible(quote, identity):
        raise _not_found(quote_id)
    return quote


def _client_filter(raw: str | None) -> int | None:
    """CONVENTIONS §5.4: an unparseable id is ignored; one no client can have matches nothing."""
    return row_id(int_or_none(raw))


def list_quotes(
    session: Session,
    identity: Identity,
    page: PageParams,
    *,
    status: str | None,
    client_id: str | None,
    settings: CrmSettings,
) -> dict[str, Any]:
    stmt = repository.list_statement(
        created_by=None if identity.is_admin else identity.user_id,
        status=None if status in (None, "", "all") else status,
        client_id=_client_filter(client_id),
    )
    quotes, pagination = paginate(session, stmt, page)
    today = today_in(settings)
    return {"quotes": [serialize_quote(q, today=today) for q in quotes], "pagination": pagination}


def get_quote(session: Session, quote_id: int, identity: Identity, *, settings: CrmSettings) -> dict[str, Any]:
    quote = _visible_quote(session, quote_id, identity)
    return {"quote": serialize_quote(quote, today=today_in(settings))}


def _check_required(body: QuoteCreate) -> None:
    errors = {}
    if body.client_id is None:
        errors["client_id"] = ["client_id is required"]
    if body.title is None:
        errors["title"] = ["title is required"]
    if errors:
        raise ValidationError(errors, REQUIRED_MESSAGE)


def _check_client(session: Session, client_id: int, identity: Identity) -> None:
    """The client must exist; a caller cannot quote a client outside their client scope."""
    client = session.get(Client, row_id(client_id))
    if client is None:
        raise InvalidClientError(f"Client with ID {client_id} does not exist")
    if not can_access_client(identity, client):
        raise NoClientAccessError()


def _store_totals(quote: Quote) -> None:
    items = ordered_items(quote)
    for item in items:
        item.total_amount = line_total(item.quantity, item.unit_price)
    totals = quote_totals(
        (item.total_amount for item in items),
        discount_type=quote.discount_type,
        discount_amount=quote.discount_amount,
        tax_rate=quote.tax_rate,
    )
    amounts = [item.total_amount for item in items] + [totals.subtotal, totals.tax_amount, totals.total_amount]
    if any(abs(amount) >= TOTAL_LIMIT for amount in amounts):
        raise ValidationError({"items": ["The quote total is too large"]}, "The quote total is too large")
    quote.subtotal = totals.subtotal
    quote.tax_amount = totals.tax_amount
    quote.total_amount = totals.total_amount


def _is_number_clash(exc: IntegrityError) -> bool:
    diag = getattr(exc.orig, "diag", None)
    return getattr(diag, "constraint_name", None) == NUMBER_CONSTRAINT


def _insert_numbered(session: Session, quote: Quote, settings: CrmSettings) -> None:
    """Insert `quote` with the next free number. A concurrent create may take the same number
    first; the unique index refuses ours, the savepoint undoes it, and we try the next one."""
    number = NumberFormat.for_day(settings.quote_number_pattern, prefix=settings.quote_prefix, day=today_in(settings))
    seq = 0
    for _ in range(MAX_NUMBER_ATTEMPTS):
        existing = repository.numbers_between(session, number.head, number.tail)
        seq = max(number.next_sequence(existing, start=settings.quote_start_number), seq + 1)
        quote.quote_number = number.render(seq)
        try:
            # Added inside the savepoint: the number query above must not autoflush the quote.
            with session.begin_nested():
                session.add(quote)
                session.flush()
            return
        except IntegrityError as exc:
            if not _is_number_clash(exc):
                raise
    raise ConflictError("Could not allocate a unique quote number; please retry")


def create_quote(session: Session, body: QuoteCreate, *, actor: Identity, settings: CrmSettings) -> dict[str, Any]:
    _check_required(body)
    _check_client(session, body.client_id, actor)
    quote = Quote(
        client_id=body.client_id,
        title=body.title,
        description=body.description,
        status="draft",
        discount_amount=Decimal("0.00"),
        tax_rate=body.tax_rate or Decimal("0.00"),
        currency_code=body.currency_code or "EUR",
        valid_until=body.valid_until,
        created_by=actor.user_id,
    )
    quote.items = build_items(body.items)
    _store_totals(quote)
    _insert_numbered(session, quote, settings)
    data = serialize_quote(quote, today=today_in(settings))
    events.emit(session, "quote", "created", entity_id=quote.id, data=data, actor=actor)
    return {"message": "Quote created successfully", "quote": data}


def _set_status(quote: Quote, status: str, actor: Identity) -> None:
    """Reaching sent/accepted/rejected stamps the time once, as upstream's workflow does."""
    quote.status = status
    stamp = STATUS_TIMESTAMPS.get(status)
    if stamp is not None and getattr(quote, stamp) is None:
        setattr(quote, stamp, utcnow())
        if status == "accepted":
            quote.accepted_by = actor.user_id


def _apply(quote: Quote, body: QuoteUpdate, actor: Identity) -> None:
    fields = body.model_fields_set
    if "title" in fields:
        if body.title is None:
            raise ValidationError({"title": ["title is required"]}, "title is required")
        quote.title = body.title
    for field in ("description", "valid_until", "payment_terms"):
        if field in fields:
            setattr(quote, field, getattr(body, field))
    # Columns that cannot be null: a null in the body leaves them unchanged.
    for field in ("tax_rate", "currency_code"):
        if field in fields and getattr(body, field) is not None:
            setattr(quote, field, getattr(body, field))
    if body.status is not None:
        _set_status(quote, body.status, actor)
    if body.items is not None:
        quote.items = build_items(body.items)


def update_quote(
    session: Session, quote_id: int, body: QuoteUpdate, *, actor: Identity, settings: CrmSettings
) -> dict[str, Any]:
    """As DELETE: not visible (unknown, or another user's) → 404, so an id never tells a
    non-admin that someone else's quote exists (§6.3's visibility rule); visible but neither
    creator nor admin → 403, which waits for a wider visibility rule as in `delete_quote`."""
    quote = _visible_quote(session, quote_id, actor, lock=True)
    _ensure_may_change(quote, actor)
    _apply(quote, body, actor)
    _store_totals(quote)
    quote.updated_at = utcnow()
    session.flush()
    data = serialize_quote(quote, today=today_in(settings))
    events.emit(session, "quote", "updated", entity_id=quote.id, data=data, actor=actor)
    return {"message": "Quote updated successfully", "quote": data}


def delete_quote(session: Session, quote_id: int, *, actor: Identity, settings: CrmSettings) -> dict[str, Any]:
    """Not visible → 404; visible but neither creator nor admin → 403. Today only creators and
    admins see a quote, so the 403 waits for a wider visibility rule (upstream's edit_quotes)."""
    quote = _visible_quote(session, quote_id, actor, lock=True)
    _ensure_may_change(quote, actor)
    data = serialize_quote(quote, today=today_in(settings))
    session.delete(quote)
    session.flush()
    events.emit(session, "quote", "deleted", entity_id=quote_id, data=data, actor=actor)
    return {"message": "Quote deleted successfully"}
