"""Google Calendar sync (integrations.md §5.5)."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from integrations.connectors.context import Connectors


def sync_due_integrations(sessions: sessionmaker[Session], connectors: Connectors) -> None:
    return None
