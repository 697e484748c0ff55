"""Router construction for the inventory service: operationId `inventory.<function>`."""

from __future__ import annotations

from functools import partial

from shared.routing import feature_router as _feature_router

feature_router = partial(_feature_router, "inventory")
