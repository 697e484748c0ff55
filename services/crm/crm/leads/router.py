"""`/api/v1/leads`: the lead resource (crm.md §5)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, status

from crm.leads import service
from crm.leads.schemas import LeadCreate, LeadEnvelope, LeadList, LeadMessageEnvelope, LeadUpdate
from crm.routing import feature_router
from crm.schemas import MessageResponse
from shared.db import SessionDep
from shared.identity import Identity, requires
from shared.pagination import PageDep

router = feature_router("/api/v1/leads", tags=["leads"])
ReadScope = Annotated[Identity, requires("read:leads", module="leads")]
WriteScope = Annotated[Identity, requires("write:leads", module="leads")]


@router.get("", response_model=LeadList)
def list_leads(
    session: SessionDep,
    page: PageDep,
    identity: ReadScope,
    status: Annotated[str | None, Query(description="Exact status; absent leaves out converted and lost")] = None,
    source: Annotated[str | None, Query(description="Exact source")] = None,
    owner: Annotated[
        str | None, Query(description="Owner user id; a non-admin passing any owner gets their own leads")
    ] = None,
    search: Annotated[
        str | None, Query(description="Case-insensitive substring of first name, last name, company or e-mail")
    ] = None,
) -> dict:
    """Every caller's leads, best score first, then newest."""
    return service.list_leads(session, identity, page, status=status, source=source, owner=owner, search=search)


@router.get("/{lead_id:id}", response_model=LeadEnvelope)
def get_lead(lead_id: int, session: SessionDep, identity: ReadScope) -> dict:
    """One lead; 403 unless the caller owns it or is an admin."""
    return service.get_lead(session, lead_id, identity)


@router.post("", response_model=LeadMessageEnvelope, status_code=status.HTTP_201_CREATED)
def create_lead(body: LeadCreate, session: SessionDep, identity: WriteScope) -> dict:
    """Create a lead; first and last name are required, the caller owns it unless `owner_id` says otherwise."""
    return service.create_lead(session, body, actor=identity)


@router.patch("/{lead_id:id}", response_model=LeadMessageEnvelope)
def update_lead(lead_id: int, body: LeadUpdate, session: SessionDep, identity: WriteScope) -> dict:
    """Partial update by the owner or an admin: only the keys present change."""
    return service.update_lead(session, lead_id, body, actor=identity)


@router.put("/{lead_id:id}", response_model=LeadMessageEnvelope)
def update_lead_put(lead_id: int, body: LeadUpdate, session: SessionDep, identity: WriteScope) -> dict:
    """Same partial semantics as PATCH (CONVENTIONS §1)."""
    return service.update_lead(session, lead_id, body, actor=identity)


@router.delete("/{lead_id:id}", response_model=MessageResponse)
def delete_lead(lead_id: int, session: SessionDep, identity: WriteScope) -> dict:
    """Delete a lead for good (owner or admin); deals linked to it keep no lead."""
    return service.delete_lead(session, lead_id, actor=identity)
