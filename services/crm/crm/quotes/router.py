"""`/api/v1/quotes`: the quote resource (crm.md §6)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, status

from crm.deps import SettingsDep
from crm.quotes import service
from crm.quotes.schemas import QuoteCreate, QuoteEnvelope, QuoteList, QuoteMessageEnvelope, QuoteUpdate
from crm.routing import feature_router
from crm.schemas import MessageResponse
from shared.db import SessionDep
from shared.identity import Identity, requires
from shared.pagination import PageDep

router = feature_router("/api/v1/quotes", tags=["quotes"])
ReadScope = Annotated[Identity, requires("read:quotes", module="quotes")]
WriteScope = Annotated[Identity, requires("write:quotes", module="quotes")]


@router.get("", response_model=QuoteList)
def list_quotes(
    session: SessionDep,
    settings: SettingsDep,
    page: PageDep,
    identity: ReadScope,
    status: Annotated[str | None, Query(description="Exact status; `all` for every status")] = None,
    client_id: Annotated[str | None, Query(description="Quotes of one client (ignored when not an id)")] = None,
) -> dict:
    """The caller's quotes (every quote for admins), newest first."""
    return service.list_quotes(session, identity, page, status=status, client_id=client_id, settings=settings)


@router.get("/{quote_id:id}", response_model=QuoteEnvelope)
def get_quote(quote_id: int, session: SessionDep, settings: SettingsDep, identity: ReadScope) -> dict:
    """One quote with its items; other users' quotes answer 404."""
    return service.get_quote(session, quote_id, identity, settings=settings)


@router.post("", response_model=QuoteMessageEnvelope, status_code=status.HTTP_201_CREATED)
def create_quote(body: QuoteCreate, session: SessionDep, settings: SettingsDep, identity: WriteScope) -> dict:
    """Create a draft quote with the next quote number; totals are computed from the items."""
    return service.create_quote(session, body, actor=identity, settings=settings)


@router.patch("/{quote_id:id}", response_model=QuoteMessageEnvelope)
def update_quote(
    quote_id: int, body: QuoteUpdate, session: SessionDep, settings: SettingsDep, identity: WriteScope
) -> dict:
    """Partial update by the creator or an admin; `items` replaces every line."""
    return service.update_quote(session, quote_id, body, actor=identity, settings=settings)


@router.put("/{quote_id:id}", response_model=QuoteMessageEnvelope)
def update_quote_put(
    quote_id: int, body: QuoteUpdate, session: SessionDep, settings: SettingsDep, identity: WriteScope
) -> dict:
    """Same partial semantics as PATCH (CONVENTIONS §1)."""
    return service.update_quote(session, quote_id, body, actor=identity, settings=settings)


@router.delete("/{quote_id:id}", response_model=MessageResponse)
def delete_quote(quote_id: int, session: SessionDep, settings: SettingsDep, identity: WriteScope) -> dict:
    """Delete a quote and its items (creator or admin)."""
    return service.delete_quote(session, quote_id, actor=identity, settings=settings)
