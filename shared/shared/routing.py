"""Feature routers whose operationIds are `<service>.<function>` (STYLE naming)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute


def operation_ids(service: str, suffix: str = "") -> Callable[[APIRoute], str]:
    def generate(route: APIRoute) -> str:
        return f"{service}.{route.name}{suffix}"

    return generate


def feature_router(service: str, prefix: str, *, tags: list[str], suffix: str = "", **kwargs: Any) -> APIRouter:
    """`suffix` keeps operationIds unique when one function serves two paths (aliases)."""
    return APIRouter(prefix=prefix, tags=tags, generate_unique_id_function=operation_ids(service, suffix), **kwargs)
