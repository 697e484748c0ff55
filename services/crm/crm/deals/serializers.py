"""The deal object of crm.md §4.1, also the payload of its events."""

from __future__ import annotations

from datetime import date
from typing import Any

from crm.deals.rules import weighted_value
from crm.models import Deal
from crm.money import shown_value
from crm.values import as_number
from shared.timefmt import iso_utc


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def serialize_deal(deal: Deal) -> dict[str, Any]:
    return {
        "id": deal.id,
        "client_id": deal.client_id,
        "contact_id": deal.contact_id,
        "lead_id": deal.lead_id,
        "name": deal.name,
        "description": deal.description,
        "stage": deal.stage,
        "value": as_number(shown_value(deal.value)),
        "currency_code": deal.currency_code,
        "probability": deal.probability,
        "weighted_value": as_number(weighted_value(deal.value, deal.probability)),
        "expected_close_date": _day(deal.expected_close_date),
        "actual_close_date": _day(deal.actual_close_date),
        "status": deal.status,
        "loss_reason": deal.loss_reason,
        "related_quote_id": deal.related_quote_id,
        "related_project_id": deal.related_project_id,
        "notes": deal.notes,
        "created_by": deal.created_by,
        "owner_id": deal.owner_id,
        "created_at": iso_utc(deal.created_at),
        "updated_at": iso_utc(deal.updated_at),
        "closed_at": iso_utc(deal.closed_at),
        "is_open": deal.status == "open",
        "is_won": deal.status == "won",
        "is_lost": deal.status == "lost",
    }
