"""Routes of a legacy `/api/...` path (CONVENTIONS §13) that announce their `/api/v1` successor."""

from __future__ import annotations

from fastapi.routing import APIRoute
from starlette.datastructures import MutableHeaders
from starlette.types import Message, Receive, Scope, Send


def deprecation_headers(successor: str) -> dict[str, str]:
    return {"X-API-Deprecated": "true", "Link": f'<{successor}>; rel="successor-version"'}


def deprecated_route(successor: str) -> type[APIRoute]:
    """A route class adding the deprecation headers to every response of its routes, the
    error responses rendered for them included (401, 400 …)."""
    headers = deprecation_headers(successor)

    class DeprecatedRoute(APIRoute):
        async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
            async def send_with_headers(message: Message) -> None:
                if message["type"] == "http.response.start":
                    MutableHeaders(scope=message).update(headers)
                await send(message)

            await super().handle(scope, receive, send_with_headers)

    return DeprecatedRoute
