"""The route table: every operation of every service, built from the services' OpenAPI.

Each operation carries `x-tt-auth` (`public` | `token`) and `x-tt-scopes` (alternatives; empty =
any valid token). Paths are matched without a trailing slash, in a trie of path segments:
static segments win over parameters, as in the services' own routers.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
_NOT_ROUTED = ("/internal", "/healthz", "/readyz", "/metrics", "/openapi.json")


def normalize(path: str) -> str:
    """Paths are matched without a trailing slash."""
    if len(path) > 1 and path.endswith("/"):
        return path.rstrip("/") or "/"
    return path


@dataclass(frozen=True, slots=True)
class Operation:
    service: str
    auth: str  # "public" | "token"
    scopes: tuple[str, ...]
    method: str
    template: str
    # Positions (in the path's segments) of parameters declared as integers: like the
    # services' (and upstream's `<int:id>`) routes, `/users/me` does not match `/users/{user_id}`.
    int_segments: tuple[int, ...] = ()

    def fits(self, segments: list[str]) -> bool:
        for i in self.int_segments:
            segment = segments[i]
            if not (segment.isascii() and segment.isdigit()):
                return False
        return True


def _int_segments(template: str, op: dict[str, Any], path_item: dict[str, Any]) -> tuple[int, ...]:
    params = [*(path_item.get("parameters") or []), *(op.get("parameters") or [])]
    integers = {
        p.get("name")
        for p in params
        if isinstance(p, dict) and p.get("in") == "path" and (p.get("schema") or {}).get("type") == "integer"
    }
    if not integers:
        return ()
    segments = normalize(template).split("/")[1:]
    return tuple(i for i, seg in enumerate(segments) if seg.startswith("{") and seg[1:-1].split(":")[0] in integers)


class PathEntry:
    __slots__ = ("template", "service", "methods", "allow", "slash")

    def __init__(self, template: str, service: str) -> None:
        self.template = template
        self.service = service
        self.methods: dict[str, Operation] = {}
        self.allow = b""
        self.slash = template.endswith("/") and template != "/"


class _Node:
    __slots__ = ("static", "patterns", "param", "rest", "entry")

    def __init__(self) -> None:
        self.static: dict[str, _Node] = {}
        self.patterns: list[tuple[re.Pattern[str], _Node]] = []
        self.param: _Node | None = None
        self.rest: PathEntry | None = None
        self.entry: PathEntry | None = None


_PARAM = re.compile(r"\{([^}:]+)(?::([^}]+))?\}")


def _segment_pattern(segment: str) -> re.Pattern[str]:
    out, last = [], 0
    for m in _PARAM.finditer(segment):
        out.append(re.escape(segment[last : m.start()]))
        out.append("[^/]+")
        last = m.end()
    out.append(re.escape(segment[last:]))
    return re.compile("".join(out))


class RouteTable:
    def __init__(self) -> None:
        self._static: dict[str, PathEntry] = {}
        self._root = _Node()
        self.entries: list[PathEntry] = []

    @classmethod
    def from_openapi(cls, docs: dict[str, dict[str, Any]]) -> RouteTable:
        """`docs`: service → OpenAPI document, in precedence order."""
        table = cls()
        seen: dict[tuple[str, str], str] = {}
        for service, doc in docs.items():
            for template, item in (doc.get("paths") or {}).items():
                if not isinstance(item, dict) or template.startswith(_NOT_ROUTED):
                    continue
                entry = None
                for method in HTTP_METHODS:
                    op = item.get(method)
                    if not isinstance(op, dict):
                        continue
                    auth = op.get("x-tt-auth", "token")
                    if auth not in ("public", "token"):
                        continue  # internal routes are never exposed
                    key = (normalize(template), method.upper())
                    if key in seen:
                        log.warning(
                            "%s %s is declared by %s and %s; %s wins", key[1], template, seen[key], service, seen[key]
                        )
                        continue
                    seen[key] = service
                    if entry is None:
                        entry = table._entry(template, service)
                    scopes = tuple(str(s) for s in op.get("x-tt-scopes") or ())
                    entry.methods[method.upper()] = Operation(
                        service, auth, scopes, method.upper(), template, _int_segments(template, op, item)
                    )
        for entry in table.entries:
            entry.allow = ", ".join(sorted(entry.methods)).encode()
        return table

    def _entry(self, template: str, service: str) -> PathEntry:
        path = normalize(template)
        node = self._root
        for segment in path.split("/")[1:]:
            m = _PARAM.fullmatch(segment)
            if m is not None and m.group(2) == "path":
                if node.rest is None:
                    node.rest = self._new_entry(template, service)
                return node.rest
            if m is not None:
                node.param = node.param or _Node()
                node = node.param
            elif "{" in segment:
                pattern = _segment_pattern(segment)
                found = next((n for p, n in node.patterns if p.pattern == pattern.pattern), None)
                if found is None:
                    found = _Node()
                    node.patterns.append((pattern, found))
                node = found
            else:
                node = node.static.setdefault(segment, _Node())
        if node.entry is None:
            node.entry = self._new_entry(template, service)
            if "{" not in path:
                self._static[path] = node.entry
        return node.entry

    def _new_entry(self, template: str, service: str) -> PathEntry:
        entry = PathEntry(template, service)
        self.entries.append(entry)
        return entry

    def _walk(self, node: _Node, segments: list[str], i: int, out: list[PathEntry]) -> None:
        if i == len(segments):
            if node.entry is not None:
                out.append(node.entry)
            return
        segment = segments[i]
        child = node.static.get(segment)
        if child is not None:
            self._walk(child, segments, i + 1, out)
        for pattern, child in node.patterns:
            if pattern.fullmatch(segment):
                self._walk(child, segments, i + 1, out)
        if node.param is not None and segment:
            self._walk(node.param, segments, i + 1, out)
        if node.rest is not None:
            out.append(node.rest)

    def resolve(self, method: str, path: str) -> tuple[Operation | None, PathEntry | None]:
        """(operation, its entry) on a match; (None, entry) when only the method is wrong (405);
        (None, None) when no template matches (404)."""
        entry = self._static.get(path)
        if entry is not None:
            op = entry.methods.get(method)
            if op is not None:
                return op, entry
        segments = path.split("/")[1:]
        candidates = []
        self._walk(self._root, segments, 0, candidates)
        fitting = None
        for candidate in candidates:
            op = candidate.methods.get(method)
            if op is not None and op.fits(segments):
                return op, candidate
            if fitting is None and any(o.fits(segments) for o in candidate.methods.values()):
                fitting = candidate
        return None, fitting

    def __len__(self) -> int:
        return len(self.entries)
