"""`JsonBodyMiddleware`: request bodies normalised before validation (CONVENTIONS §1)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class JsonBodyMiddleware:
    """CONVENTIONS §1: an empty body counts as `{}`; a body without Content-Type and any
    `+json` type are read as JSON. Other types pass through (415 comes from validation)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        chunks = []
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        headers = [(k, v) for k, v in scope["headers"] if k != b"content-type"]
        content_type = dict(scope["headers"]).get(b"content-type", b"").decode("latin-1")
        media = content_type.split(";")[0].strip().lower()
        json_like = not media or media == "application/json" or media.endswith("+json")
        if json_like:
            if not body.strip():
                body = b"{}"
            content_type = "application/json"
        headers.append((b"content-type", content_type.encode("latin-1")))
        scope = dict(scope, headers=headers)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)
