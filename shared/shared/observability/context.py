"""The request a log line belongs to: set once per request by the service middleware (or the
gateway), read by the log formatter. Sync endpoints run on worker threads with a copy of the
context, so their lines carry the ids too."""

from __future__ import annotations

import contextvars
from typing import NamedTuple


class RequestIds(NamedTuple):
    request_id: str | None
    trace_id: str | None


NO_REQUEST = RequestIds(None, None)

current_request: contextvars.ContextVar[RequestIds] = contextvars.ContextVar("tt_request_ids", default=NO_REQUEST)
