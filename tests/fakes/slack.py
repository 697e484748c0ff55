"""A fake Slack Web API (placeholder until the Slack connector's tests land)."""

from __future__ import annotations

from fakes.server import Answer, FakeProvider, Request


class FakeSlack(FakeProvider):
    def handle(self, request: Request) -> Answer:
        return Answer(404, {"ok": False, "error": "unknown_method"})
