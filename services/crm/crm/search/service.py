"""Client hits for the global search (reporting.md §2): case-insensitive substring on name,
e-mail, company, description and contact person, within the caller's client scope."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.access import client_scope
from crm.models import Client
from shared.db import contains_any
from shared.identity import Identity

MAX_LIMIT = 50


def search_hit(client: Client) -> dict[str, Any]:
    return {
        "type": "client",
        "category": "client",
        "id": client.id,
        "title": client.name,
        "description": client.description or client.contact_person or client.email or "",
        "url": f"/clients/{client.id}",
        "badge": "Client",
    }


def search_clients(session: Session, identity: Identity, *, query: str, limit: int) -> dict[str, Any]:
    query = query.strip()
    limit = min(max(limit, 1), MAX_LIMIT)
    if not query:
        return {"results": []}
    columns = (Client.name, Client.email, Client.company, Client.description, Client.contact_person)
    stmt = select(Client).where(contains_any(query, *columns))
    scope = client_scope(identity)
    if scope is not None:
        stmt = stmt.where(scope)
    clients = session.scalars(stmt.order_by(Client.name, Client.id).limit(limit))
    return {"results": [search_hit(c) for c in clients]}
