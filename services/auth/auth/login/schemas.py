"""`POST /api/v1/auth/login` shapes (CONVENTIONS §10.4)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class LoginRequest(BaseModel):
    # Any JSON value: a wrong type is one more "invalid username or password", not a 400.
    username: Any = None
    password: Any = None


class LoginResponse(BaseModel):
    token: str
