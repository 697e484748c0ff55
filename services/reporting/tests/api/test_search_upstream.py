"""The global search's fan-out (reporting.md §2) against a stand-in for tracking and CRM: a local
HTTP server answering `/internal/search/<domain>` as those services do. End-to-end tests against
the real services live in the platform's e2e suite."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

URL = "/api/v1/search"


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # JSON-encoded unless bytes
    delay: float = 0.0


@dataclass
class Call:
    domain: str
    params: dict[str, list[str]]
    identity: str | None


class StandIn:
    """`/internal/search/<domain>` answering each domain's `Reply`; records every call."""

    def __init__(self, replies: dict[str, Reply]) -> None:
        self.replies = replies
        self.calls: list[Call] = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            # HTTP/1.0: one connection per call. TestClient runs each request on a new event loop,
            # where a pooled keep-alive connection of the previous loop could not be reused.
            protocol_version = "HTTP/1.0"

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                url = urlsplit(self.path)
                domain = url.path.removeprefix("/internal/search/")
                stand_in.calls.append(Call(domain, parse_qs(url.query), self.headers.get("x-tt-identity")))
                reply = stand_in.replies.get(domain, Reply(404, {"error": "not found"}))
                time.sleep(reply.delay)
                body = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the service stopped waiting (timeout)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def domains_called(self) -> list[str]:
        return sorted(c.domain for c in self.calls)


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    server = StandIn({})
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def search_via(make_app_client, stand_in):
    """A reporting service whose tracking and CRM are the stand-in, with these replies."""

    def make(replies: dict[str, Reply], *, timeout: float = 2.0):
        stand_in.replies = replies
        return make_app_client(tracking_url=stand_in.url, crm_url=stand_in.url, search_timeout_seconds=timeout)

    return make


def hit(kind: str, id_: int, title: str, **fields: Any) -> dict[str, Any]:
    url = f"/timer/edit/{id_}" if kind == "entry" else f"/{kind}s/{id_}"
    base = {"type": kind, "category": kind, "id": id_, "title": title, "description": "", "url": url, "badge": ""}
    return base | fields


WEBSITE = hit("project", 1, "Website Redesign", badge="Project")
WEB_TASK = hit("task", 7, "Website copy", description="Website Redesign", badge="In Progress")
ACME = hit("client", 3, "Acme Web", description="ACME contact", badge="Client")
ENTRY = hit("entry", 42, "Website Redesign • Website copy", description="web work [web]", badge="01:30:00")


def answers(**hits: list[dict[str, Any]]) -> dict[str, Reply]:
    return {domain: Reply(body={"results": found}) for domain, found in hits.items()}


class TestFanOut:
    def test_every_domain_is_asked_and_hits_come_in_domain_order(self, search_via, stand_in, headers_for, user_id):
        # the stand-in answers entries first and projects last: the order must not follow timing
        replies = answers(projects=[WEBSITE], tasks=[WEB_TASK], clients=[ACME], entries=[ENTRY])
        replies["projects"].delay = 0.3
        replies["tasks"].delay = 0.2
        search = search_via(replies)
        response = search.get(URL, params={"q": "  web  "}, headers=headers_for(user_id, "read:projects"))
        assert response.status_code == 200, response.text
        assert response.json() == {
            "results": [WEBSITE, WEB_TASK, ACME, ENTRY],
            "query": "web",
            "count": 4,
            "partial": False,
            "errors": {},
        }
        assert stand_in.domains_called() == ["clients", "entries", "projects", "tasks"]

    def test_the_trimmed_query_limit_and_searching_user_are_forwarded(
        self, search_via, stand_in, headers_for, user_id, identity_codec
    ):
        search = search_via(answers(clients=[]))
        headers = headers_for(user_id, "read:projects", role="manager")
        search.get(URL, params={"q": " acme ", "limit": "500", "types": "client"}, headers=headers)
        [call] = stand_in.calls
        assert call.domain == "clients"
        assert call.params == {"q": ["acme"], "limit": ["50"]}
        caller = identity_codec.verify(call.identity)
        assert (caller.user_id, caller.role, caller.service) == (user_id, "manager", "reporting")

    def test_types_limit_the_domains_asked(self, search_via, stand_in, headers_for, user_id):
        search = search_via(answers(projects=[WEBSITE], tasks=[WEB_TASK], clients=[ACME], entries=[ENTRY]))
        body = search.get(URL, params={"q": "web", "types": "entry,PROJECT"}, headers=headers_for(user_id, "read:*"))
        assert body.json()["results"] == [WEBSITE, ENTRY]
        assert stand_in.domains_called() == ["entries", "projects"]

    def test_a_domain_answering_too_many_hits_is_cut_to_limit(self, search_via, headers_for, user_id):
        clients = [hit("client", i, f"Client {i}") for i in (1, 2, 3)]
        search = search_via(answers(clients=clients))
        response = search.get(URL, params={"q": "client", "limit": "2", "types": "client"},
                              headers=headers_for(user_id, "read:projects"))  # fmt: skip
        assert [r["id"] for r in response.json()["results"]] == [1, 2]

    def test_domains_are_asked_concurrently(self, search_via, headers_for, user_id):
        replies = answers(projects=[WEBSITE], tasks=[WEB_TASK], clients=[ACME], entries=[ENTRY])
        for reply in replies.values():
            reply.delay = 0.6
        search = search_via(replies, timeout=5.0)
        started = time.monotonic()
        body = search.get(URL, params={"q": "web"}, headers=headers_for(user_id, "read:projects")).json()
        # one after another would take 2.4 s
        assert time.monotonic() - started < 1.8
        assert body["count"] == 4


class TestPartialFailure:
    def test_failed_domains_are_reported_and_the_others_answered(self, search_via, headers_for, user_id):
        search = search_via(
            {
                "projects": Reply(body={"results": [WEBSITE]}),
                "tasks": Reply(500, {"error": "boom"}),
                "clients": Reply(body={"results": [ACME]}, delay=8.0),
                "entries": Reply(body=b"{not json"),
            },
            # room for the prompt answers on a loaded host (0.5 s once timed out a prompt one in CI)
            timeout=2.0,
        )
        started = time.monotonic()
        response = search.get(URL, params={"q": "web"}, headers=headers_for(user_id, "read:projects"))
        elapsed = time.monotonic() - started
        assert response.status_code == 200, response.text
        assert response.json() == {
            "results": [WEBSITE],
            "query": "web",
            "count": 1,
            "partial": True,
            "errors": {"tasks": "error 500", "clients": "timed out", "entries": "invalid response"},
        }
        # bounded by the per-domain timeout, not by the slow domain
        assert elapsed < 5.0

    def test_a_slow_drip_answer_is_cut_at_the_timeout(self, search_via, headers_for, user_id):
        search = search_via({"tasks": Reply(body={"results": [WEB_TASK]}, delay=6.0)}, timeout=1.0)
        started = time.monotonic()
        body = search.get(URL, params={"q": "web", "types": "task"}, headers=headers_for(user_id, "read:*")).json()
        assert time.monotonic() - started < 4.0
        assert body["errors"] == {"tasks": "timed out"}

    def test_an_answer_of_another_shape_fails_its_domain(self, search_via, headers_for, user_id):
        search = search_via(
            {
                "projects": Reply(body=[WEBSITE]),
                "tasks": Reply(body={"results": [{"id": 7}]}),
                "clients": Reply(body={"results": [ACME]}),
                "entries": Reply(404, {"error": "not found"}),
            }
        )
        body = search.get(URL, params={"q": "web"}, headers=headers_for(user_id, "read:projects")).json()
        assert body["results"] == [ACME]
        assert body["errors"] == {"projects": "invalid response", "tasks": "invalid response", "entries": "error 404"}

    def test_a_service_that_is_down_is_unavailable(self, make_app_client, stand_in, headers_for, user_id):
        # CRM configured on a port where nothing listens
        stand_in.server.shutdown()
        stand_in.server.server_close()
        search = make_app_client(tracking_url=None, crm_url=stand_in.url)
        body = search.get(URL, params={"q": "web", "types": "client"}, headers=headers_for(user_id, "read:*")).json()
        assert body == {"results": [], "query": "web", "count": 0, "partial": True,
                        "errors": {"clients": "unavailable"}}  # fmt: skip

    def test_the_legacy_path_reports_failures_the_same_way(self, search_via, headers_for, user_id):
        search = search_via(answers(projects=[WEBSITE], tasks=[], entries=[]) | {"clients": Reply(503, {})})
        response = search.get("/api/search", params={"q": "web"}, headers=headers_for(user_id))
        assert response.json() == {
            "results": [WEBSITE],
            "query": "web",
            "count": 1,
            "partial": True,
            "errors": {"clients": "error 503"},
        }
        assert response.headers["X-API-Deprecated"] == "true"
