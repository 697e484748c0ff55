"""The connectors' own retention, run as a scheduled job: OAuth states past their expiry (never
usable again) and provider delivery ids older than any redelivery GitHub makes (they only guard
against replays)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from integrations.connectors.context import Connectors
from integrations.models import InboundDelivery, OAuthState
from shared.db import utcnow

DELIVERY_RETENTION = timedelta(days=30)


def purge_expired(sessions: sessionmaker[Session], connectors: Connectors) -> None:
    now = utcnow()
    with sessions() as session, session.begin():
        session.execute(delete(OAuthState).where(OAuthState.expires_at < now))
        session.execute(delete(InboundDelivery).where(InboundDelivery.received_at < now - DELIVERY_RETENTION))
