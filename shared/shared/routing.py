"""Feature routers whose operationIds are `<service>.<function>` (STYLE naming), and the route
class every service's routes use."""

from __future__ import annotations

import asyncio
import functools
import inspect
import weakref
from collections.abc import Callable
from typing import Any

import anyio
from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.convertors import Convertor, register_url_convertor

from shared.inputs import row_id

# Threads for sync endpoints, per process. They are not the default pool: FastAPI validates a
# sync endpoint's response in the default pool, before its dependencies exit, so with endpoints
# in that pool too, requests waiting on a row lock (or for a pooled connection) could take every
# default thread while the lock holder waits for one to finish and commit.
ENDPOINT_THREADS = 40
_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = weakref.WeakKeyDictionary()


def _endpoint_limiter() -> anyio.CapacityLimiter:
    loop = asyncio.get_running_loop()
    limiter = _limiters.get(loop)
    if limiter is None:
        limiter = _limiters[loop] = anyio.CapacityLimiter(ENDPOINT_THREADS)
    return limiter


def in_endpoint_threads(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """A sync endpoint as a coroutine that runs it in the endpoint threads; FastAPI reads the
    parameters through `__wrapped__`, and validates the response on the event loop."""

    @functools.wraps(endpoint)
    async def run(*args: Any, **kwargs: Any) -> Any:
        return await anyio.to_thread.run_sync(functools.partial(endpoint, *args, **kwargs), limiter=_endpoint_limiter())

    return run


class EndpointRoute(APIRoute):
    """The route class of every service route: sync endpoints run in the endpoint threads."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if inspect.isfunction(endpoint) and not inspect.iscoroutinefunction(endpoint):
            endpoint = in_endpoint_threads(endpoint)
        super().__init__(path, endpoint, **kwargs)


def operation_ids(service: str, suffix: str = "") -> Callable[[APIRoute], str]:
    def generate(route: APIRoute) -> str:
        return f"{service}.{route.name}{suffix}"

    return generate


def feature_router(service: str, prefix: str, *, tags: list[str], suffix: str = "", **kwargs: Any) -> APIRouter:
    """`suffix` keeps operationIds unique when one function serves two paths (aliases)."""
    kwargs.setdefault("route_class", EndpointRoute)
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
