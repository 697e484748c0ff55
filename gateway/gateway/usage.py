"""Token usage (CONVENTIONS §2.4): counted in process, flushed to the auth service in batches.

`record` is a dict update on the request path; every `flush_seconds` the counts go to
`POST {auth}/internal/token-usage`. A failed flush keeps the counts for the next one.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime

from gateway.internal import InternalClient

log = logging.getLogger(__name__)

_MAX_PENDING_TOKENS = 100_000


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat().replace("+00:00", "Z")


class UsageRecorder:
    def __init__(self, internal: InternalClient, auth_url: str | None, *, flush_seconds: float = 2.0) -> None:
        self.internal = internal
        self.auth_url = auth_url
        self.flush_seconds = flush_seconds
        self._counts: dict[int, int] = {}
        self._last_used: dict[int, float] = {}

    def record(self, token_id: int) -> None:
        if self.auth_url is None:
            return
        self._counts[token_id] = self._counts.get(token_id, 0) + 1
        self._last_used[token_id] = time.time()

    @property
    def pending(self) -> int:
        return sum(self._counts.values())

    async def flush(self) -> bool:
        if not self._counts or self.auth_url is None:
            return True
        counts, last_used = self._counts, self._last_used
        self._counts, self._last_used = {}, {}
        usage = [{"token_id": t, "count": n, "last_used_at": _iso(last_used[t])} for t, n in counts.items()]
        try:
            response = await self.internal.post_json(f"{self.auth_url}/internal/token-usage", {"usage": usage})
            if response.status_code >= 300:
                raise RuntimeError(f"status {response.status_code}")
        except Exception as exc:  # noqa: BLE001 - kept for the next flush
            log.warning("usage counts not sent to auth (%s); kept for the next flush", type(exc).__name__)
            self._merge_back(counts, last_used)
            return False
        return True

    def _merge_back(self, counts: dict[int, int], last_used: dict[int, float]) -> None:
        for token_id, n in counts.items():
            if token_id not in self._counts and len(self._counts) >= _MAX_PENDING_TOKENS:
                continue
            self._counts[token_id] = self._counts.get(token_id, 0) + n
            self._last_used[token_id] = max(self._last_used.get(token_id, 0.0), last_used[token_id])

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.flush_seconds)
            await self.flush()
