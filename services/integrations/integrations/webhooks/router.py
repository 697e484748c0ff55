"""`/api/v1/webhooks`: outbound webhook subscriptions, their delivery log, the test action and
manual redelivery (integrations.md §1.6)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, status

from integrations.deps import SecretBoxDep, SendDep, SettingsDep
from integrations.routing import feature_router
from integrations.webhooks import service
from integrations.webhooks.schemas import (
    DeliveryAttemptResult,
    DeliveryList,
    EventCatalogue,
    MessageResponse,
    WebhookEnvelope,
    WebhookList,
    WebhookMessageEnvelope,
    WebhookWrite,
)
from shared.db import SessionDep
from shared.identity import Identity, requires
from shared.pagination import PageDep

router = feature_router("/api/v1/webhooks", tags=["webhooks"])
ReadScope = Annotated[Identity, requires("read:webhooks")]
WriteScope = Annotated[Identity, requires("write:webhooks")]


@router.get("", response_model=WebhookList, response_model_exclude_unset=True)
def list_webhooks(
    session: SessionDep,
    page: PageDep,
    identity: ReadScope,
    is_active: Annotated[str | None, Query(description="true or false")] = None,
) -> dict:
    """The caller's subscriptions (an admin's: everyone's), newest first."""
    return service.list_webhooks(session, identity, page, is_active=is_active)


@router.get("/events", response_model=EventCatalogue)
def list_webhook_events(identity: ReadScope) -> dict:
    """The event catalogue a subscription may name (plus `*` for all)."""
    return service.list_events()


@router.post(
    "", response_model=WebhookMessageEnvelope, status_code=status.HTTP_201_CREATED, response_model_exclude_unset=True
)
def create_webhook(
    body: WebhookWrite, session: SessionDep, identity: WriteScope, settings: SettingsDep, box: SecretBoxDep
) -> dict:
    """Subscribe a URL; the signing secret is in this response only (unless `generate_secret` is false)."""
    return service.create_webhook(
        session, body.raw(), actor=identity, box=box, allow_private=settings.webhook_allow_private_targets
    )


@router.get("/{webhook_id:id}", response_model=WebhookEnvelope, response_model_exclude_unset=True)
def get_webhook(webhook_id: int, session: SessionDep, identity: ReadScope) -> dict:
    """One subscription; 403 unless the caller owns it or is an admin."""
    return service.get_webhook(session, webhook_id, identity)


@router.patch("/{webhook_id:id}", response_model=WebhookMessageEnvelope, response_model_exclude_unset=True)
def update_webhook(
    webhook_id: int,
    body: WebhookWrite,
    session: SessionDep,
    identity: WriteScope,
    settings: SettingsDep,
    box: SecretBoxDep,
) -> dict:
    """Partial update: only the keys present change; `generate_secret: true` replaces the secret
    (the new one is in this response)."""
    return service.update_webhook(
        session, webhook_id, body.raw(), actor=identity, box=box, allow_private=settings.webhook_allow_private_targets
    )


@router.put("/{webhook_id:id}", response_model=WebhookMessageEnvelope, response_model_exclude_unset=True)
def update_webhook_put(
    webhook_id: int,
    body: WebhookWrite,
    session: SessionDep,
    identity: WriteScope,
    settings: SettingsDep,
    box: SecretBoxDep,
) -> dict:
    """Same partial semantics as PATCH (CONVENTIONS §1)."""
    return service.update_webhook(
        session, webhook_id, body.raw(), actor=identity, box=box, allow_private=settings.webhook_allow_private_targets
    )


@router.delete("/{webhook_id:id}", response_model=MessageResponse)
def delete_webhook(webhook_id: int, session: SessionDep, identity: WriteScope) -> dict:
    """Delete the subscription and its delivery records."""
    return service.delete_webhook(session, webhook_id, actor=identity)


@router.get("/{webhook_id:id}/deliveries", response_model=DeliveryList)
def list_webhook_deliveries(
    webhook_id: int,
    session: SessionDep,
    page: PageDep,
    identity: ReadScope,
    status: Annotated[str | None, Query(description="pending, success, failed or retrying")] = None,
) -> dict:
    """The delivery log, newest attempt first."""
    return service.list_deliveries(session, webhook_id, identity, page, status=status)


@router.post("/{webhook_id:id}/test", response_model=DeliveryAttemptResult)
def test_webhook(webhook_id: int, session: SessionDep, identity: WriteScope, box: SecretBoxDep, send: SendDep) -> dict:
    """Send `webhook.test` now and answer with the delivery (400 when the subscription is inactive)."""
    return service.send_test_webhook(session, webhook_id, actor=identity, box=box, send=send)


@router.post("/{webhook_id:id}/deliveries/{delivery_id:id}/redeliver", response_model=DeliveryAttemptResult)
def redeliver_webhook_delivery(
    webhook_id: int, delivery_id: int, session: SessionDep, identity: WriteScope, box: SecretBoxDep, send: SendDep
) -> dict:
    """Platform extension: send the delivery's stored bytes again now, as a new attempt."""
    return service.redeliver(session, webhook_id, delivery_id, actor=identity, box=box, send=send)
