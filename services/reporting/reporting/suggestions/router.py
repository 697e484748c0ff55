"""Placeholder until this feature lands."""

from __future__ import annotations

ROUTERS = ()
