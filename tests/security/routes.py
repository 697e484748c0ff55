"""The routes of the merged OpenAPI as request targets: each operation's method, a concrete path
(ids that exist nowhere) and the scopes its `x-tt-scopes` extension declares."""

from __future__ import annotations

import re
from dataclasses import dataclass

METHODS = ("get", "post", "put", "patch", "delete")
MISSING_ID = "987654321"
MISSING_NAME = "zz-nothing"
_PARAM = re.compile(r"\{([^}:]+)(:[^}]*)?\}")


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    path: str
    public: bool
    scopes: tuple[str, ...]  # alternatives; empty: any valid token

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.template}"


def _concrete(template: str, params: list[dict]) -> str:
    integers = {p["name"] for p in params if p.get("in") == "path" and (p.get("schema") or {}).get("type") == "integer"}
    return _PARAM.sub(lambda m: MISSING_ID if m.group(1) in integers else MISSING_NAME, template)


def routes(doc: dict) -> list[Route]:
    found = []
    for template, item in doc["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            params = [*(item.get("parameters") or []), *(op.get("parameters") or [])]
            found.append(
                Route(
                    method=method,
                    template=template,
                    path=_concrete(template, params),
                    public=op["x-tt-auth"] == "public",
                    scopes=tuple(op["x-tt-scopes"]),
                )
            )
    return found


def grants(token_scope: str, required: tuple[str, ...]) -> bool:
    """CONVENTIONS §3.2, written out again here as the oracle: `admin:all` or `*`, the scope
    itself, or `<verb>:*` for the required scope's verb; any alternative will do."""
    if not required:
        return True
    if token_scope in ("admin:all", "*"):
        return True
    return any(token_scope == r or token_scope == r.split(":")[0] + ":*" for r in required)
