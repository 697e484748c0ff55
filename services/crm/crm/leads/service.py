"""Lead use cases: list, get, create, update, delete (crm.md §5.2)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crm import events, money
from crm.leads import repository, rules
from crm.leads.schemas import LeadCreate, LeadUpdate
from crm.leads.serializers import serialize_lead
from crm.models import Lead
from crm.ownership import ensure_owner_or_admin, owner_filter
from crm.updates import apply_text_updates
from shared.errors import NotFoundError, ValidationError
from shared.identity import Identity
from shared.pagination import PageParams, paginate

# Stored on create as sent (None when absent).
CREATE_AS_SENT = ("company_name", "email", "phone", "title", "source", "estimated_value", "notes", "tags")
# On update a null leaves these unchanged; a blank clears the nullable ones.
TEXT_FIELDS = (
    "first_name",
    "last_name",
    "company_name",
    "email",
    "phone",
    "title",
    "source",
    "status",
    "notes",
    "tags",
)
NOT_NULLABLE = frozenset({"first_name", "last_name", "status"})
# Applied on update when present, null included.
NULLABLE_FIELDS = ("estimated_value", "owner_id")


def list_leads(
    session: Session,
    identity: Identity,
    page: PageParams,
    *,
    status: str | None,
    source: str | None,
    owner: str | None,
    search: str | None,
) -> dict[str, Any]:
    exact_status, excluded = rules.status_filter(status)
    stmt = repository.list_statement(
        status=exact_status,
        excluded_statuses=excluded,
        source=source or None,
        owner_id=owner_filter(identity, owner),
        search=(search or "").strip() or None,
    )
    leads, pagination = paginate(session, stmt, page)
    return {"leads": [serialize_lead(lead) for lead in leads], "pagination": pagination}


def _owned_lead(session: Session, lead_id: int, identity: Identity, *, lock: bool = False) -> Lead:
    """The lead, or 404 when unknown and 403 unless the caller owns it or is an admin."""
    lead = session.get(Lead, lead_id, with_for_update=lock)
    if lead is None:
        raise NotFoundError(f"Lead with ID {lead_id} not found", error="Lead not found")
    ensure_owner_or_admin(identity, lead.owner_id)
    return lead


def get_lead(session: Session, lead_id: int, identity: Identity) -> dict[str, Any]:
    return {"lead": serialize_lead(_owned_lead(session, lead_id, identity))}


def create_lead(session: Session, body: LeadCreate, *, actor: Identity) -> dict[str, Any]:
    errors = rules.missing_names(body.first_name, body.last_name)
    if errors:
        raise ValidationError(errors, rules.NAMES_REQUIRED)
    lead = Lead(
        first_name=body.first_name,
        last_name=body.last_name,
        # absent or null: the spec's defaults
        status=body.status or rules.DEFAULT_STATUS,
        score=rules.DEFAULT_SCORE if body.score is None else body.score,
        currency_code=body.currency_code or money.DEFAULT_CURRENCY,
        owner_id=actor.user_id if body.owner_id is None else body.owner_id,
        created_by=actor.user_id,
        **{field: getattr(body, field) for field in CREATE_AS_SENT},
    )
    session.add(lead)
    session.flush()
    data = serialize_lead(lead)
    events.emit(session, "lead", "created", entity_id=lead.id, data=data, actor=actor)
    return {"message": "Lead created successfully", "lead": data}


def _apply_update(lead: Lead, body: LeadUpdate, fields: set[str]) -> None:
    apply_text_updates(lead, body, fields, text_fields=TEXT_FIELDS, required=NOT_NULLABLE)
    if "score" in fields and body.score is not None:
        lead.score = body.score
    for field in fields.intersection(NULLABLE_FIELDS):
        setattr(lead, field, getattr(body, field))


def update_lead(session: Session, lead_id: int, body: LeadUpdate, *, actor: Identity) -> dict[str, Any]:
    lead = _owned_lead(session, lead_id, actor, lock=True)
    fields = body.model_fields_set
    # A name sent blank is refused; a name sent null is left unchanged.
    blank = [field for field in ("first_name", "last_name") if field in fields and getattr(body, field) == ""]
    if blank:
        raise ValidationError({field: [rules.NAMES_REQUIRED] for field in blank}, rules.NAMES_REQUIRED)
    _apply_update(lead, body, fields)
    session.flush()
    data = serialize_lead(lead)
    events.emit(session, "lead", "updated", entity_id=lead.id, data=data, actor=actor)
    return {"message": "Lead updated successfully", "lead": data}


def delete_lead(session: Session, lead_id: int, *, actor: Identity) -> dict[str, Any]:
    lead = _owned_lead(session, lead_id, actor, lock=True)
    data = serialize_lead(lead)
    session.delete(lead)
    session.flush()
    events.emit(session, "lead", "deleted", entity_id=lead_id, data=data, actor=actor)
    return {"message": "Lead deleted successfully"}
