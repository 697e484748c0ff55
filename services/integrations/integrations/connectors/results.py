"""Connector answers (integrations.md §2.2, §2.4): results keep upstream's `ok` flag; an HTTP
error is also a standard error body (`success`, `error`, `message`, `error_code`) beside
`ok: false`. A 200 with `ok: false` is a result, not an error."""

from __future__ import annotations

from typing import Any

from shared.errors import ApiError

NOT_CONFIGURED = "Integration not configured"
_CODES = {400: "validation_error", 401: "unauthorized", 403: "forbidden", 404: "not_found", 422: "unprocessable"}


class ConnectorError(ApiError):
    """An HTTP error of a connector route: `{"ok": false, "error": …}` plus the standard body."""

    def __init__(self, status_code: int, error: str) -> None:
        super().__init__(
            error, error=error, error_code=_CODES.get(status_code, "bad_request"), status_code=status_code, ok=False
        )


def failure(error: str, **counts: Any) -> dict[str, Any]:
    """A 200 result that did not succeed."""
    return {"ok": False, "error": error, **counts}


def not_configured() -> dict[str, Any]:
    return failure(NOT_CONFIGURED)


def test_failed(message: str) -> dict[str, Any]:
    return {"success": False, "message": message}
