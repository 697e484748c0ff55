"""Request-scoped dependencies of the integrations service, defined once as `Annotated` aliases."""

from __future__ import annotations

from typing import Annotated

import anyio.from_thread
from fastapi import Depends, Request

from integrations.connectors.context import Connectors
from integrations.delivery.sender import AttemptRequest, Outcome, Sender
from integrations.secrets import SecretBox
from integrations.settings import IntegrationsSettings


async def get_settings(request: Request) -> IntegrationsSettings:
    return request.app.state.settings


async def get_secret_box(request: Request) -> SecretBox:
    return request.app.state.secret_box


async def get_connectors(request: Request) -> Connectors:
    return request.app.state.connectors


async def get_send(request: Request):
    """A blocking `send(attempt) -> Outcome` for the sync endpoints (they run on a worker
    thread): the attempt runs on the event loop, on the process's shared HTTP client."""
    sender: Sender = request.app.state.webhook_sender

    def send(attempt: AttemptRequest) -> Outcome:
        return anyio.from_thread.run(sender.send, attempt)

    return send


SettingsDep = Annotated[IntegrationsSettings, Depends(get_settings)]
SecretBoxDep = Annotated[SecretBox, Depends(get_secret_box)]
SendDep = Annotated[object, Depends(get_send)]
ConnectorsDep = Annotated[Connectors, Depends(get_connectors)]
