"""Reporting's domain errors with the spec's codes and bodies (reporting.md); generic ones
(`ForbiddenError`, `ValidationError`, …) come from `shared.errors`. All are rendered by the
shared error handlers."""

from __future__ import annotations

from typing import Any

from shared.errors import ApiError


class SearchQueryTooShortError(ApiError):
    """reporting.md §2: the v1 400, which also carries the empty search payload."""

    status_code = 400
    error_code = "validation_error"

    def __init__(self, min_length: int) -> None:
        text = f"Search query needs at least {min_length} characters"
        super().__init__(text, error=text, results=[], partial=False, errors={})


class ProductivityStatsFailedError(ApiError):
    """reporting.md §4.3: `500 {"ok": false, "error": …}`, in the standard error shape too."""

    status_code = 500
    error = "Could not compute the productivity statistics"

    def __init__(self) -> None:
        super().__init__(ok=False)


class OwnBodyError(ApiError):
    """An error the spec answers with `{"ok": false, "error": …}` alone, in place of the
    standard error JSON (reporting.md §4.4). It stands for the endpoint's answer, so it also
    carries the answer's freshness headers (`readmodel.freshness.fresh_reads` adds them)."""

    def body(self) -> dict[str, Any]:
        return {"ok": False, "error": self.error}


class ForecastAccessDeniedError(OwnBodyError):
    """The project exists but lies outside the caller's project scope (CONVENTIONS §4)."""

    status_code = 403
    error_code = "forbidden"
    error = "Access denied"


class ForecastFailedError(OwnBodyError):
    """Any unexpected failure while computing a forecast (reporting.md §4.4)."""

    status_code = 500
    error = "The forecast could not be computed"
