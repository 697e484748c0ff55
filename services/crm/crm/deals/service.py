"""Deal use cases: list, get, create, update, delete (crm.md §4.2)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crm import events, money
from crm.deals import repository, rules
from crm.deals.schemas import DealCreate, DealUpdate
from crm.deals.serializers import serialize_deal
from crm.models import Client, Contact, Deal, KnownProject, Lead, Quote
from crm.ownership import ensure_owner_or_admin, owner_filter
from crm.updates import apply_text_updates
from shared.errors import NotFoundError, ValidationError
from shared.events.replica import confirmed_row
from shared.identity import Identity
from shared.inputs import row_id
from shared.pagination import PageParams, paginate

NAME_REQUIRED = ["name is required"]
# Linked rows that must exist, with the service that owns them: the project is checked against
# the tracking-project replica, which catches up with tracking before it says "not found".
REFERENCES = (
    ("client_id", Client, "Client not found", None),
    ("contact_id", Contact, "Contact not found", None),
    ("lead_id", Lead, "Lead not found", None),
    ("related_quote_id", Quote, "Quote not found", None),
    ("related_project_id", KnownProject, "Project not found", "tracking"),
)
# Stored on create as sent (None when absent).
CREATE_AS_SENT = (
    "client_id",
    "contact_id",
    "lead_id",
    "related_quote_id",
    "related_project_id",
    "value",
    "expected_close_date",
)
# Applied on update when present, null included.
NULLABLE_FIELDS = (
    "client_id",
    "contact_id",
    "lead_id",
    "related_quote_id",
    "related_project_id",
    "owner_id",
    "probability",
    "value",
    "expected_close_date",
    "actual_close_date",
)
# On update a null leaves these unchanged; a blank clears the nullable ones.
TEXT_FIELDS = ("name", "description", "stage", "status", "loss_reason", "notes", "currency_code")
NOT_NULLABLE = frozenset({"name", "stage", "status", "currency_code"})


def list_deals(
    session: Session, identity: Identity, page: PageParams, *, status: str | None, stage: str | None, owner: str | None
) -> dict[str, Any]:
    stmt = repository.list_statement(
        status=rules.status_filter(status), stage=stage or None, owner_id=owner_filter(identity, owner)
    )
    deals, pagination = paginate(session, stmt, page)
    return {"deals": [serialize_deal(d) for d in deals], "pagination": pagination}


def _owned_deal(session: Session, deal_id: int, identity: Identity, *, lock: bool = False) -> Deal:
    """The deal, or 404 when unknown and 403 unless the caller owns it or is an admin."""
    deal = session.get(Deal, deal_id, with_for_update=lock)
    if deal is None:
        raise NotFoundError(f"Deal with ID {deal_id} not found", error="Deal not found")
    ensure_owner_or_admin(identity, deal.owner_id)
    return deal


def get_deal(session: Session, deal_id: int, identity: Identity) -> dict[str, Any]:
    return {"deal": serialize_deal(_owned_deal(session, deal_id, identity))}


def _reference_errors(session: Session, body: DealCreate | DealUpdate) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for field, model, message, owner in REFERENCES:
        value = getattr(body, field)
        if value is None:
            continue
        if owner is None:
            found = repository.row_exists(session, model, value)
        else:
            found = confirmed_row(session, model, row_id(value), owner=owner) is not None
        if not found:
            errors[field] = [message]
    return errors


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        message = next(iter(errors.values()))[0] if len(errors) == 1 else "Validation failed"
        raise ValidationError(errors, message)


def create_deal(session: Session, body: DealCreate, *, actor: Identity) -> dict[str, Any]:
    errors = {} if body.name else {"name": NAME_REQUIRED}
    _raise_if(errors | _reference_errors(session, body))
    deal = Deal(
        name=body.name,
        description=body.description,
        stage=body.stage or rules.DEFAULT_STAGE,
        status=body.status or rules.DEFAULT_STATUS,
        currency_code=body.currency_code or money.DEFAULT_CURRENCY,
        # absent or null: the spec's defaults
        probability=rules.DEFAULT_PROBABILITY if body.probability is None else body.probability,
        owner_id=actor.user_id if body.owner_id is None else body.owner_id,
        loss_reason=body.loss_reason,
        notes=body.notes,
        created_by=actor.user_id,
        **{field: getattr(body, field) for field in CREATE_AS_SENT},
    )
    session.add(deal)
    session.flush()
    data = serialize_deal(deal)
    events.emit(session, "deal", "created", entity_id=deal.id, data=data, actor=actor)
    return {"message": "Deal created successfully", "deal": data}


def _apply_update(deal: Deal, body: DealUpdate, fields: set[str]) -> None:
    apply_text_updates(deal, body, fields, text_fields=TEXT_FIELDS, required=NOT_NULLABLE)
    for field in fields.intersection(NULLABLE_FIELDS):
        setattr(deal, field, getattr(body, field))


def update_deal(session: Session, deal_id: int, body: DealUpdate, *, actor: Identity) -> dict[str, Any]:
    """No side effects on a status change: closed_at, actual_close_date and stage stay as they
    are (upstream's API)."""
    deal = _owned_deal(session, deal_id, actor, lock=True)
    fields = body.model_fields_set
    errors = {"name": NAME_REQUIRED} if "name" in fields and body.name == "" else {}
    _raise_if(errors | _reference_errors(session, body))
    _apply_update(deal, body, fields)
    session.flush()
    data = serialize_deal(deal)
    events.emit(session, "deal", "updated", entity_id=deal.id, data=data, actor=actor)
    return {"message": "Deal updated successfully", "deal": data}


def delete_deal(session: Session, deal_id: int, *, actor: Identity) -> dict[str, Any]:
    deal = _owned_deal(session, deal_id, actor, lock=True)
    data = serialize_deal(deal)
    session.delete(deal)
    session.flush()
    events.emit(session, "deal", "deleted", entity_id=deal_id, data=data, actor=actor)
    return {"message": "Deal deleted successfully"}
