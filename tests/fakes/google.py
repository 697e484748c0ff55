"""A fake Google OAuth2 + Calendar API (placeholder until the Google connector's tests land)."""

from __future__ import annotations

from fakes.server import Answer, FakeProvider, Request


class FakeGoogle(FakeProvider):
    def __init__(self, *, client_id: str, client_secret: str) -> None:
        super().__init__()
        self.client_id = client_id
        self.client_secret = client_secret

    def handle(self, request: Request) -> Answer:
        return Answer(404, {"error": "not_found"})
