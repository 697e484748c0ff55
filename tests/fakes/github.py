"""A fake GitHub REST API: `GET /user` and `GET /repos/{owner}/{repo}/issues`, authorized by
`Authorization: token <pat>` as GitHub does; tests register tokens and issues."""

from __future__ import annotations

import re
from typing import Any

from fakes.server import Answer, FakeProvider, Request

_ISSUES = re.compile(r"^/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)/issues$")


class FakeGitHub(FakeProvider):
    def __init__(self) -> None:
        super().__init__()
        self.logins: dict[str, str] = {}  # token → login
        self.issues: dict[tuple[str, str], list[dict[str, Any]]] = {}

    def add_token(self, token: str, login: str) -> None:
        self.logins[token] = login

    def handle(self, request: Request) -> Answer:
        auth = request.headers.get("authorization", "")
        login = self.logins.get(auth.removeprefix("token ")) if auth.startswith("token ") else None
        if login is None:
            return Answer(401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})
        if request.path == "/user":
            return Answer(200, {"login": login, "id": 1})
        match = _ISSUES.match(request.path)
        if match and request.method == "GET":
            issues = self.issues.get((match["owner"], match["repo"]))
            if issues is None:
                return Answer(404, {"message": "Not Found"})
            state = request.query.get("state", "open")
            per_page = int(request.query.get("per_page", "30"))
            listed = [i for i in issues if state == "all" or i.get("state", "open") == state]
            return Answer(200, listed[:per_page])
        return Answer(404, {"message": "Not Found"})
