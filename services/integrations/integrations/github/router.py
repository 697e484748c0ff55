"""Connector routes of the github connector (integrations.md)."""

from __future__ import annotations

from integrations.routing import feature_router

router = feature_router("", tags=["github"])
