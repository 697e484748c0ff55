"""The lead object of crm.md §5.1, also the payload of its events."""

from __future__ import annotations

from typing import Any

from crm.leads.rules import display_name, full_name, is_converted
from crm.models import Lead
from crm.money import shown_value
from crm.values import as_number, text_to_tags
from shared.timefmt import iso_utc


def serialize_lead(lead: Lead) -> dict[str, Any]:
    return {
        "id": lead.id,
        "first_name": lead.first_name,
        "last_name": lead.last_name,
        "full_name": full_name(lead.first_name, lead.last_name),
        "display_name": display_name(lead.first_name, lead.last_name, lead.company_name),
        "company_name": lead.company_name,
        "email": lead.email,
        "phone": lead.phone,
        "title": lead.title,
        "source": lead.source,
        "status": lead.status,
        "score": lead.score,
        "estimated_value": as_number(shown_value(lead.estimated_value)),
        "currency_code": lead.currency_code,
        "converted_to_client_id": lead.converted_to_client_id,
        "converted_to_deal_id": lead.converted_to_deal_id,
        "converted_at": iso_utc(lead.converted_at),
        "converted_by": lead.converted_by,
        "notes": lead.notes,
        "tags": text_to_tags(lead.tags),
        "created_by": lead.created_by,
        "owner_id": lead.owner_id,
        "created_at": iso_utc(lead.created_at),
        "updated_at": iso_utc(lead.updated_at),
        "is_converted": is_converted(lead.converted_to_client_id, lead.converted_to_deal_id),
        "is_lost": lead.status == "lost",
    }
