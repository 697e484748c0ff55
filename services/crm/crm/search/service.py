"""Client hits for the global search (reporting.md §2): case-insensitive substring on name,
e-mail, company, description and contact person, within the caller's client scope."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from crm.access import client_scope
from crm.models import Client
from shared.identity import Identity

MAX_LIMIT = 50


def like_pattern(query: str) -> str:
    """`%` and `_` in the query are literal (reporting.md §2)."""
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


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
    pattern = like_pattern(query)
    columns = (Client.name, Client.email, Client.company, Client.description, Client.contact_person)
    stmt = select(Client).where(or_(*(c.ilike(pattern, escape="\\") for c in columns)))
    scope = client_scope(identity)
    if scope is not None:
        stmt = stmt.where(scope)
    clients = session.scalars(stmt.order_by(Client.name, Client.id).limit(limit))
    return {"results": [search_hit(c) for c in clients]}
