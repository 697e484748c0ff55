"""The reporting service's routers: operationIds `reporting.<function>` (STYLE naming), the scope
stated once per router, and the one way a legacy `/api/...` alias is served (CONVENTIONS §13).

A legacy alias is the `/api/v1` route's own function registered on a `legacy_router` too (the
two decorators stacked), so both paths are one use case with one schema; only a legacy path the
spec gives a rule of its own (search's short query) has a function of its own there."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.datastructures import MutableHeaders
from starlette.types import Message, Receive, Scope, Send

from shared.identity import requires
from shared.routing import EndpointRoute
from shared.routing import feature_router as shared_feature_router

SERVICE = "reporting"


def feature_router(prefix: str, *, tags: list[str], scope: str) -> APIRouter:
    """Routes that all need `scope`: checked before any other dependency of the route (so a
    refused caller never waits for fresh data) and published in OpenAPI for the gateway. The
    handlers read the caller from `shared.identity.IdentityDep`."""
    return shared_feature_router(SERVICE, prefix, tags=tags, dependencies=[requires(scope)])


def legacy_router(prefix: str, *, tags: list[str], successor: str | None = None) -> APIRouter:
    """Aliases at legacy paths: any valid token, no scope (CONVENTIONS §13); operationIds
    `reporting.<function>_legacy`. With the `successor` the spec announces, every response,
    errors included, carries `X-API-Deprecated: true` and `Link: <successor>`."""
    return shared_feature_router(
        SERVICE,
        prefix,
        tags=tags,
        suffix="_legacy",
        dependencies=[requires()],
        route_class=deprecated_route(successor) if successor else EndpointRoute,
    )


def deprecation_headers(successor: str) -> dict[str, str]:
    return {"X-API-Deprecated": "true", "Link": f'<{successor}>; rel="successor-version"'}


def deprecated_route(successor: str) -> type[APIRoute]:
    """A route class adding the deprecation headers to every response of its routes, the error
    responses rendered for them included (401, 400 …)."""
    headers = deprecation_headers(successor)

    class DeprecatedRoute(EndpointRoute):
        async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
            async def send_with_headers(message: Message) -> None:
                if message["type"] == "http.response.start":
                    MutableHeaders(scope=message).update(headers)
                await send(message)

            await super().handle(scope, receive, send_with_headers)

    return DeprecatedRoute
