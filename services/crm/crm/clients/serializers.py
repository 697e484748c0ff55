"""The client object of crm.md §1.1 and the client event payload."""

from __future__ import annotations

from typing import Any

from crm.models import Client
from crm.values import as_number
from shared.timefmt import iso_utc


def serialize_client(client: Client, counts: tuple[int, int] = (0, 0)) -> dict[str, Any]:
    total, active = counts
    return {
        "id": client.id,
        "name": client.name,
        "description": client.description,
        "contact_person": client.contact_person,
        "email": client.email,
        "phone": client.phone,
        "address": client.address,
        "company": client.company,
        "default_hourly_rate": as_number(client.default_hourly_rate),
        "status": client.status,
        "is_active": client.status == "active",
        "total_projects": total,
        "active_projects": active,
        "prepaid_hours_monthly": as_number(client.prepaid_hours_monthly),
        "prepaid_reset_day": client.prepaid_reset_day,
        "custom_fields": client.custom_fields or {},
        "created_at": iso_utc(client.created_at),
        "updated_at": iso_utc(client.updated_at),
    }


def client_event_data(client: Client, counts: tuple[int, int] = (0, 0)) -> dict[str, Any]:
    """The API object plus `created_by`, which replicas need for client scope (crm.md §7)."""
    return serialize_client(client, counts) | {"created_by": client.created_by}
