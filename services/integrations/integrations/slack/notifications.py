"""Slack timer notifications (integrations.md §4.5), fed by tracking's timer events."""

from __future__ import annotations

from integrations.connectors.context import Connectors
from shared.app import ConsumerSpec


def slack_consumers(connectors: Connectors) -> tuple[ConsumerSpec, ...]:
    return ()
