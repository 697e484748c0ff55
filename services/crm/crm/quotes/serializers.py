"""The quote object of crm.md §6.1 (also the quote event payload) and its item object (§6.2).
Totals are recomputed from the lines here, so the object never disagrees with its items."""

from __future__ import annotations

from datetime import date
from typing import Any

from crm.models import Quote, QuoteItem
from crm.quotes.totals import line_total, quote_totals
from crm.values import as_number
from shared.timefmt import iso_utc


def _iso_date(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def ordered_items(quote: Quote) -> list[QuoteItem]:
    # Lines not yet flushed have no id; they sort after flushed ones at the same position.
    return sorted(quote.items, key=lambda item: (item.position, item.id is None, item.id or 0))


def serialize_item(item: QuoteItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "quote_id": item.quote_id,
        "line_kind": item.line_kind,
        "display_name": item.display_name,
        "category": item.category,
        "line_date": _iso_date(item.line_date),
        "sku": item.sku,
        "description": item.description,
        "quantity": as_number(item.quantity),
        "unit_price": as_number(item.unit_price),
        "total_amount": as_number(line_total(item.quantity, item.unit_price)),
        "unit": item.unit,
        "stock_item_id": item.stock_item_id,
        "warehouse_id": item.warehouse_id,
        "is_stock_item": item.stock_item_id is not None,
        "position": item.position,
        "created_at": iso_utc(item.created_at),
    }


def is_expired(quote: Quote, today: date) -> bool:
    return quote.valid_until is not None and today > quote.valid_until


def serialize_quote(quote: Quote, *, today: date) -> dict[str, Any]:
    """`today` is the current date in the app time zone (expiry)."""
    items = ordered_items(quote)
    totals = quote_totals(
        (line_total(item.quantity, item.unit_price) for item in items),
        discount_type=quote.discount_type,
        discount_amount=quote.discount_amount,
        tax_rate=quote.tax_rate,
    )
    expired = is_expired(quote, today)
    return {
        "id": quote.id,
        "quote_number": quote.quote_number,
        "client_id": quote.client_id,
        "title": quote.title,
        "description": quote.description,
        "status": quote.status,
        "subtotal": as_number(totals.subtotal),
        "discount_type": quote.discount_type,
        "discount_amount": as_number(quote.discount_amount),
        "discount_value": as_number(totals.discount_value),
        "discount_reason": quote.discount_reason,
        "coupon_code": quote.coupon_code.upper() if quote.coupon_code else quote.coupon_code,
        "subtotal_after_discount": as_number(totals.subtotal_after_discount),
        "tax_rate": as_number(quote.tax_rate),
        "tax_amount": as_number(totals.tax_amount),
        "total_amount": as_number(totals.total_amount),
        "currency_code": quote.currency_code,
        "valid_until": _iso_date(quote.valid_until),
        "sent_at": iso_utc(quote.sent_at),
        "accepted_at": iso_utc(quote.accepted_at),
        "rejected_at": iso_utc(quote.rejected_at),
        "project_id": quote.project_id,
        "created_by": quote.created_by,
        "accepted_by": quote.accepted_by,
        "created_at": iso_utc(quote.created_at),
        "updated_at": iso_utc(quote.updated_at),
        "notes": quote.notes,
        "terms": quote.terms,
        "visible_to_client": quote.visible_to_client,
        "template_id": quote.template_id,
        "is_draft": quote.status == "draft",
        "is_sent": quote.status == "sent",
        "is_accepted": quote.status == "accepted",
        "is_rejected": quote.status == "rejected",
        "is_expired": expired,
        "can_be_accepted": quote.status == "sent" and not expired,
        "has_project": quote.project_id is not None,
        "items": [serialize_item(item) for item in items],
    }
