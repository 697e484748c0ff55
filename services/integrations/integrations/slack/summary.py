"""The Slack daily summary job (integrations.md §4.5)."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from integrations.connectors.context import Connectors


def post_due_summaries(sessions: sessionmaker[Session], connectors: Connectors) -> None:
    return None
