"""Request bodies of the connector routes: config saves take JSON or form fields (§2.4); the
provider receivers need the raw bytes their signature covers."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Depends, Request

from integrations.connectors.results import ConnectorError

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def is_form(request: Request) -> bool:
    return request.headers.get("content-type", "").split(";")[0].strip().lower() in _FORM_TYPES


async def config_fields(request: Request) -> dict[str, Any]:
    """A config body as a dict: a JSON object, or form fields (the last value of a repeated one)."""
    if is_form(request):
        form = await request.form()
        return {key: value for key, value in form.items() if isinstance(value, str)}
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        raise ConnectorError(400, "Malformed JSON body") from None
    if not isinstance(body, dict):
        raise ConnectorError(400, "The body must be a JSON object")
    return body


async def raw_body(request: Request) -> bytes:
    return await request.body()


ConfigFields = Annotated[dict[str, Any], Depends(config_fields)]
RawBody = Annotated[bytes, Depends(raw_body)]
