"""Feature routers whose operationIds are `<service>.<function>` (STYLE naming)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.convertors import Convertor, register_url_convertor

from shared.inputs import row_id


def operation_ids(service: str, suffix: str = "") -> Callable[[APIRoute], str]:
    def generate(route: APIRoute) -> str:
        return f"{service}.{route.name}{suffix}"

    return generate


def feature_router(service: str, prefix: str, *, tags: list[str], suffix: str = "", **kwargs: Any) -> APIRouter:
    """`suffix` keeps operationIds unique when one function serves two paths (aliases)."""
    return APIRouter(prefix=prefix, tags=tags, generate_unique_id_function=operation_ids(service, suffix), **kwargs)


class IdConvertor(Convertor[int]):
    """`{name:id}`: a row id. A number past PostgreSQL's `integer` cannot be any row; it becomes
    0, which no row has either, so the handler answers its own 404 ("Quote not found") instead
    of the database refusing the value."""

    regex = "[0-9]+"

    def convert(self, value: str) -> int:
        return row_id(int(value))

    def to_string(self, value: int) -> str:
        return str(value)


register_url_convertor("id", IdConvertor())
