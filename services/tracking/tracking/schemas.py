"""Response shapes every tracking feature shares."""

from __future__ import annotations

from pydantic import BaseModel


class MessageResponse(BaseModel):
    message: str
