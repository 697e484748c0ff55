"""One error hierarchy and one set of handlers rendering the spec's error JSON (CONVENTIONS §7).

Every 4xx/5xx a service or the gateway produces goes through `error_body`, so the shape
(`success`, `error`, `message`, `error_code`, optional `errors` and extras) is defined once.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DataError, IntegrityError, OperationalError, SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse

log = logging.getLogger(__name__)

_JSON_CONTENT_TYPES = ("application/json", "+json")


def error_body(*, error: str, message: str | None = None, error_code: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "success": False,
        "error": error,
        "message": message or error,
        "error_code": error_code,
    }
    body.update(extra)
    return body


class ApiError(Exception):
    """An error with its HTTP status and the spec's code; raised anywhere below a router."""

    status_code = 500
    error_code = "internal_error"
    error = "An internal error occurred"

    def __init__(
        self,
        message: str | None = None,
        *,
        error: str | None = None,
        error_code: str | None = None,
        status_code: int | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        self.error = error or self.error
        self.message = message or self.error
        self.error_code = error_code or self.error_code
        self.status_code = status_code or self.status_code
        self.headers = headers
        self.extra = extra
        super().__init__(self.message)

    def body(self) -> dict[str, Any]:
        return error_body(error=self.error, message=self.message, error_code=self.error_code, **self.extra)


class BadRequestError(ApiError):
    status_code = 400
    error_code = "bad_request"
    error = "Bad request"


class ValidationError(ApiError):
    """400 with per-field messages: `errors={"name": ["Name is required"]}`."""

    status_code = 400
    error_code = "validation_error"
    error = "Validation failed"

    def __init__(self, errors: dict[str, list[str]], message: str | None = None, **extra: Any) -> None:
        super().__init__(message, errors=errors, **extra)


class UnauthorizedError(ApiError):
    status_code = 401
    error_code = "unauthorized"
    error = "Invalid token"


class ForbiddenError(ApiError):
    status_code = 403
    error_code = "forbidden"
    error = "Access denied"


class ModuleDisabledError(ApiError):
    """CONVENTIONS §9: the `error` is the literal code."""

    status_code = 403
    error_code = "module_disabled"
    error = "module_disabled"

    def __init__(self, module_id: str) -> None:
        super().__init__(f"{module_id} module is disabled by the administrator.")


class NotFoundError(ApiError):
    status_code = 404
    error_code = "not_found"
    error = "Resource not found"


class ConflictError(ApiError):
    status_code = 409
    error_code = "conflict"
    error = "Conflict"


class RateLimitedError(ApiError):
    status_code = 429
    error_code = "rate_limited"
    error = "Rate limit exceeded"


class DatabaseError(ApiError):
    status_code = 500
    error_code = "database_error"
    error = "A database error occurred"


class ServiceUnavailableError(ApiError):
    status_code = 503
    error_code = "service_unavailable"
    error = "Service unavailable"


_STATUS_CODES = {
    400: ("bad_request", "Bad request"),
    401: ("unauthorized", "Authentication required"),
    403: ("forbidden", "Access denied"),
    404: ("not_found", "Resource not found"),
    405: ("method_not_allowed", "Method not allowed"),
    409: ("conflict", "Conflict"),
    413: ("payload_too_large", "Payload too large"),
    415: ("unsupported_media_type", "Unsupported media type"),
    429: ("rate_limited", "Rate limit exceeded"),
    502: ("bad_gateway", "Bad gateway"),
    503: ("service_unavailable", "Service unavailable"),
    504: ("gateway_timeout", "Gateway timeout"),
}


def status_error_body(status: int, message: str | None = None) -> dict[str, Any]:
    """The standard body for a bare HTTP status (routing 404/405, gateway 5xx …)."""
    code, text = _STATUS_CODES.get(status, ("internal_error", "An internal error occurred"))
    return error_body(error=text, message=message or text, error_code=code)


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc[1:]] if loc and loc[0] in ("body", "query", "path") else list(map(str, loc))
    return ".".join(parts)


def _field_message(field: str, err: dict[str, Any]) -> str:
    if err.get("type") == "missing":
        return f"{field} is required"
    msg = str(err.get("msg", "Invalid value"))
    return msg.removeprefix("Value error, ")


def validation_error_response(request: Request, exc: RequestValidationError) -> JSONResponse:
    """Request validation → 400; body-level failures are `bad_request` or `415` (CONVENTIONS §1)."""
    field_errors: dict[str, list[str]] = {}
    for err in exc.errors():
        loc = tuple(err.get("loc", ()))
        if err.get("type") == "json_invalid":
            return _json(
                400,
                error_body(error="Malformed JSON", message="Request body is not valid JSON", error_code="bad_request"),
            )
        if loc == ("body",):
            content_type = request.headers.get("content-type", "")
            if content_type and not any(t in content_type for t in _JSON_CONTENT_TYPES):
                return _json(415, status_error_body(415, "Request body must be JSON (application/json)"))
            return _json(
                400,
                error_body(error="Bad request", message="Request body must be a JSON object", error_code="bad_request"),
            )
        field = _field_name(loc) or "body"
        field_errors.setdefault(field, []).append(_field_message(field, err))
    return _json(400, ValidationError(field_errors).body())


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Render every error a FastAPI app can produce in the spec's shape."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return _json(exc.status_code, exc.body(), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return validation_error_response(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) and exc.status_code not in (404, 405) else None
        return _json(exc.status_code, status_error_body(exc.status_code, detail), getattr(exc, "headers", None))

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        log.info("integrity error on %s %s: %s", request.method, request.url.path, exc.orig)
        return _json(
            409,
            error_body(
                error="Duplicate entry", message="The change conflicts with existing data", error_code="conflict"
            ),
        )

    @app.exception_handler(DataError)
    async def _bad_value(request: Request, exc: DataError) -> JSONResponse:
        # the database refused a value the client sent (an integer out of range, a NUL character)
        log.info("data error on %s %s: %s", request.method, request.url.path, exc.orig)
        return _json(
            400,
            error_body(
                error="Invalid value",
                message="A value in the request is out of range or contains characters that cannot be stored",
                error_code="bad_request",
            ),
        )

    @app.exception_handler(OperationalError)
    async def _db_down(request: Request, exc: OperationalError) -> JSONResponse:
        log.error("database unavailable on %s %s: %s", request.method, request.url.path, exc.orig)
        return _json(503, status_error_body(503, "The database is unavailable; retry shortly"), {"Retry-After": "1"})

    @app.exception_handler(SQLAlchemyError)
    async def _db_error(request: Request, exc: SQLAlchemyError) -> JSONResponse:
        log.exception("database error on %s %s", request.method, request.url.path)
        return _json(500, DatabaseError().body())

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _json(500, ApiError().body())
