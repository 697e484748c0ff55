"""Every call to a provider (GitHub, Slack, Google): one pooled client per process, a timeout
per attempt (§2.2), and bounded retries with backoff through tenacity: a 429 or 5xx answer, or
a connection that could not be made, is tried again — after the provider's `Retry-After` when it
gives one — at most `max_attempts` times and never past `max_total_seconds` in all. The last
answer is returned as is; a transport failure after the last attempt raises `ProviderError`,
whose text names the failure, never a URL (Google's revoke carries a token in its query)."""

from __future__ import annotations

import email.utils
import logging
import time
from typing import Any

import httpx
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    retry_if_result,
    stop_after_attempt,
    stop_before_delay,
    wait_exponential_jitter,
)

log = logging.getLogger(__name__)
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})


class ProviderError(Exception):
    """The provider could not be reached (after every allowed attempt)."""


def _retryable(response: httpx.Response) -> bool:
    return response.status_code in RETRIED_STATUSES


def retry_after_seconds(response: httpx.Response | None) -> float | None:
    """`Retry-After` as seconds (delta or HTTP date); None when absent or unreadable."""
    raw = response.headers.get("retry-after") if response is not None else None
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class ProviderHttp:
    def __init__(self, *, timeout: float, max_attempts: int, max_total_seconds: float, backoff_seconds: float) -> None:
        self.client = httpx.Client(timeout=timeout, follow_redirects=False)
        self.max_attempts = max_attempts
        self.max_total_seconds = max_total_seconds
        self._backoff = wait_exponential_jitter(initial=backoff_seconds, max=max_total_seconds, jitter=backoff_seconds)

    def _wait(self, state: RetryCallState) -> float:
        outcome = state.outcome
        response = None if outcome is None or outcome.failed else outcome.result()
        given = retry_after_seconds(response)
        return given if given is not None else self._backoff(state)

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        retrying = Retrying(
            retry=retry_if_result(_retryable) | retry_if_exception_type((httpx.ConnectError, httpx.ConnectTimeout)),
            wait=self._wait,
            # stop_before_delay: no attempt starts whose wait would pass the total bound
            stop=stop_after_attempt(self.max_attempts) | stop_before_delay(self.max_total_seconds),
            retry_error_callback=_last_outcome,
            reraise=True,
        )
        try:
            return retrying(self.client.request, method, url, **kwargs)
        except httpx.TimeoutException:
            raise ProviderError("Request timed out") from None
        except httpx.HTTPError as exc:
            raise ProviderError(f"{type(exc).__name__}: could not reach the provider") from None

    def close(self) -> None:
        self.client.close()


def _last_outcome(state: RetryCallState) -> httpx.Response:
    """Out of attempts: the last answer stands (a 429 or 503 is the caller's to report)."""
    assert state.outcome is not None
    return state.outcome.result()
