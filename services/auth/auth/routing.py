"""Router construction: operationId `auth.<function>` (STYLE naming)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter
from fastapi.routing import APIRoute


def operation_ids(suffix: str = "") -> Callable[[APIRoute], str]:
    def generate(route: APIRoute) -> str:
        return f"auth.{route.name}{suffix}"

    return generate


def feature_router(prefix: str, *, tags: list[str], suffix: str = "", **kwargs) -> APIRouter:
    return APIRouter(prefix=prefix, tags=tags, generate_unique_id_function=operation_ids(suffix), **kwargs)
