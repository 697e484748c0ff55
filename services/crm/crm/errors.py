"""CRM domain errors with the spec's codes (crm.md); generic ones come from `shared.errors`."""

from __future__ import annotations

from shared.errors import ApiError, ForbiddenError


class DuplicateClientError(ApiError):
    status_code = 400
    error_code = "duplicate_client"
    error = "A client with this name already exists"


class InvalidClientError(ApiError):
    status_code = 400
    error_code = "invalid_client"
    error = "Invalid client"


class NoClientAccessError(ForbiddenError):
    """A client outside the caller's client scope (CONVENTIONS §4)."""

    def __init__(self) -> None:
        super().__init__("You do not have access to this client")
