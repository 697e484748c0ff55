"""The payload of every event CRM publishes (`tt.crm.<entity>.<created|updated|deleted>`): the
entity's API object — for a client also `created_by`, which replicas need for client scope.
The producer's side of the event contracts (`shared.events.contracts`; schemas in
`tests/contract/events/`, rewritten by `make contracts`)."""

from __future__ import annotations

from pydantic import BaseModel

from crm.clients.schemas import ClientRead
from crm.contacts.schemas import ContactRead
from crm.deals.schemas import DealRead
from crm.events import subject
from crm.leads.schemas import LeadRead
from crm.notes.schemas import NoteRead
from crm.quotes.schemas import QuoteRead


class ClientEventData(ClientRead):
    created_by: int | None


_MODELS: dict[str, type[BaseModel]] = {
    "client": ClientEventData,
    "client_note": NoteRead,
    "contact": ContactRead,
    "deal": DealRead,
    "lead": LeadRead,
    "quote": QuoteRead,
}
PAYLOADS = {
    subject(entity, action): model for entity, model in _MODELS.items() for action in ("created", "updated", "deleted")
}
