"""A fake Slack Web API: `POST /api/chat.postMessage` authorized by `Authorization: Bearer
<bot token>`, answering as Slack does — HTTP 200 with `ok: false` and an error code for a bad
token or channel. Tests register bot tokens (and optionally their channels), read what was
posted per channel, script 429/500 answers with `fail_next`, or slow a token's answers down."""

from __future__ import annotations

import itertools
import threading
import time
from typing import Any

from fakes.server import Answer, FakeProvider, Request

POST_MESSAGE = "/api/chat.postMessage"


class FakeSlack(FakeProvider):
    def __init__(self) -> None:
        super().__init__()
        self.tokens: dict[str, set[str] | None] = {}  # bot token → its channels (None: any)
        self.posted: list[dict[str, Any]] = []
        self.delays: dict[str, float] = {}
        self._ts = itertools.count(1)
        self._posted_lock = threading.Lock()

    def add_bot_token(self, token: str, channels: set[str] | None = None) -> None:
        self.tokens[token] = channels

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """What was posted to `channel`, in order: {"channel", "text", "token", "ts"}."""
        with self._posted_lock:
            return [m for m in self.posted if m["channel"] == channel]

    def slow_down(self, token: str, seconds: float) -> None:
        """Posts with this token are answered only after `seconds` (a Slack that hangs)."""
        self.delays[token] = seconds

    def handle(self, request: Request) -> Answer:
        if request.path != POST_MESSAGE or request.method != "POST":
            return Answer(404, {"ok": False, "error": "unknown_method"})
        auth = request.headers.get("authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None
        if token not in self.tokens:
            return Answer(200, {"ok": False, "error": "invalid_auth"})
        time.sleep(self.delays.get(token, 0.0))
        try:
            body = request.json()
        except ValueError:
            return Answer(200, {"ok": False, "error": "invalid_json"})
        channel, text = (body or {}).get("channel"), (body or {}).get("text")
        allowed = self.tokens[token]
        if not channel or (allowed is not None and channel not in allowed):
            return Answer(200, {"ok": False, "error": "channel_not_found"})
        if not text:
            return Answer(200, {"ok": False, "error": "no_text"})
        ts = f"{int(time.time())}.{next(self._ts):06d}"
        with self._posted_lock:
            self.posted.append({"channel": channel, "text": text, "token": token, "ts": ts})
        return Answer(200, {"ok": True, "channel": channel, "ts": ts})
