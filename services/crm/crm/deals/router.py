"""`/api/v1/deals`: the deal resource (crm.md §4)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, status

from crm.deals import service
from crm.deals.schemas import DealCreate, DealEnvelope, DealList, DealMessageEnvelope, DealUpdate
from crm.routing import feature_router
from crm.schemas import MessageResponse
from shared.db import SessionDep
from shared.identity import Identity, requires
from shared.pagination import PageDep

router = feature_router("/api/v1/deals", tags=["deals"])
ReadScope = Annotated[Identity, requires("read:deals", module="deals")]
WriteScope = Annotated[Identity, requires("write:deals", module="deals")]


@router.get("", response_model=DealList)
def list_deals(
    session: SessionDep,
    page: PageDep,
    identity: ReadScope,
    status: Annotated[
        str | None, Query(description="open (default), won or lost; any other value lists every status")
    ] = None,
    stage: Annotated[str | None, Query(description="Exact stage")] = None,
    owner: Annotated[
        str | None, Query(description="Owner user id; a non-admin passing any owner gets their own deals")
    ] = None,
) -> dict:
    """Every caller's deals, soonest expected close first (undated last), then newest."""
    return service.list_deals(session, identity, page, status=status, stage=stage, owner=owner)


@router.get("/{deal_id:id}", response_model=DealEnvelope)
def get_deal(deal_id: int, session: SessionDep, identity: ReadScope) -> dict:
    """One deal; 403 unless the caller owns it or is an admin."""
    return service.get_deal(session, deal_id, identity)


@router.post("", response_model=DealMessageEnvelope, status_code=status.HTTP_201_CREATED)
def create_deal(body: DealCreate, session: SessionDep, identity: WriteScope) -> dict:
    """Create a deal; `name` is required, linked rows must exist, the money may come as `amount`."""
    return service.create_deal(session, body, actor=identity)


@router.patch("/{deal_id:id}", response_model=DealMessageEnvelope)
def update_deal(deal_id: int, body: DealUpdate, session: SessionDep, identity: WriteScope) -> dict:
    """Partial update by the owner or an admin: only the keys present change."""
    return service.update_deal(session, deal_id, body, actor=identity)


@router.put("/{deal_id:id}", response_model=DealMessageEnvelope)
def update_deal_put(deal_id: int, body: DealUpdate, session: SessionDep, identity: WriteScope) -> dict:
    """Same partial semantics as PATCH (CONVENTIONS §1)."""
    return service.update_deal(session, deal_id, body, actor=identity)


@router.delete("/{deal_id:id}", response_model=MessageResponse)
def delete_deal(deal_id: int, session: SessionDep, identity: WriteScope) -> dict:
    """Delete a deal for good (owner or admin)."""
    return service.delete_deal(session, deal_id, actor=identity)
