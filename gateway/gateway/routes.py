"""The route table: every operation of every service, read from the services' OpenAPI.

Each operation carries `x-tt-auth` (`public` | `token`) and `x-tt-scopes` (alternatives; empty =
any valid token). Paths are matched without a trailing slash; static segments win over
parameters, as in the services' own routers. A static prefix map says which service owns
which part of the URL space, so a path of a service whose OpenAPI could not be loaded yet
answers 503 instead of 404.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from dataclasses import dataclass
from typing import Any

import orjson

from gateway.internal import InternalClient

log = logging.getLogger(__name__)

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
_NOT_ROUTED = ("/internal", "/healthz", "/readyz", "/openapi.json")

SERVICE_PREFIXES: dict[str, tuple[str, ...]] = {
    "auth": ("/api/v1/auth", "/api/v1/users", "/api/v1/admin/api-tokens", "/admin/api-tokens", "/api/version"),
    "tracking": (
        "/api/v1/projects",
        "/api/v1/tasks",
        "/api/v1/time-entries",
        "/api/v1/timer",
        "/api/v1/time-entry-approvals",
        "/api/v1/users/me/favorites",
    ),
    "crm": (
        "/api/v1/clients",
        "/api/v1/client-notes",
        "/api/v1/contacts",
        "/api/v1/deals",
        "/api/v1/leads",
        "/api/v1/quotes",
    ),
    "inventory": ("/api/v1/inventory",),
    "reporting": (
        "/api/v1/reports",
        "/api/v1/search",
        "/api/v1/exports",
        "/api/v1/ai",
        # Legacy session surfaces served with a token (CONVENTIONS §13).
        "/api/search",
        "/api/stats",
        "/api/reports",
        "/api/productivity",
        "/api/projects",
        "/api/ai",
    ),
    "integrations": ("/api/v1/webhooks", "/api/v1/integrations", "/integrations"),
}


def owner_of(path: str) -> str | None:
    """The service whose static prefix (longest match) covers `path`."""
    best, owner = -1, None
    for service, prefixes in SERVICE_PREFIXES.items():
        for prefix in prefixes:
            if len(prefix) > best and (path == prefix or path.startswith(prefix + "/")):
                best, owner = len(prefix), service
    return owner


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


@dataclass(slots=True)
class ServiceState:
    name: str
    url: str
    doc: dict[str, Any] | None = None
    loaded_at: float | None = None
    last_error: str | None = None

    @property
    def loaded(self) -> bool:
        return self.doc is not None


class RouteRegistry:
    """Loads each deployed service's OpenAPI at start-up, retries the missing ones in the
    background until they answer and refreshes all of them periodically."""

    def __init__(
        self,
        services: dict[str, str],
        internal: InternalClient,
        *,
        retry_seconds: float = 1.0,
        refresh_seconds: float = 60.0,
    ) -> None:
        self.services = {name: ServiceState(name, url) for name, url in services.items()}
        self.internal = internal
        self.retry_seconds = retry_seconds
        self.refresh_seconds = refresh_seconds
        self.table = RouteTable()
        self.version = 0  # bumped whenever the table changes (merged OpenAPI cache key)

    def unavailable(self, path: str) -> str | None:
        """The deployed-but-not-loaded service owning `path`, if any (→ 503)."""
        owner = owner_of(path)
        if owner is None:
            return None
        state = self.services.get(owner)
        return owner if state is not None and not state.loaded else None

    async def load(self, state: ServiceState) -> bool:
        try:
            response = await self.internal.get(f"{state.url}/openapi.json", signed=False)
            if response.status_code != 200:
                raise ValueError(f"status {response.status_code}")
            doc = orjson.loads(response.content)
            if not isinstance(doc, dict) or not isinstance(doc.get("paths"), dict):
                raise ValueError("not an OpenAPI document")
        except Exception as exc:  # noqa: BLE001 - a service that cannot be read is retried later
            if state.last_error is None:
                log.info("OpenAPI of %s not loaded (%s); retrying", state.name, exc)
            state.last_error = str(exc) or type(exc).__name__
            return False
        state.last_error = None
        state.loaded_at = time.time()
        if doc != state.doc:
            state.doc = doc
            self.rebuild()
            log.info("routes of %s loaded (%d paths)", state.name, len(doc["paths"]))
        return True

    def rebuild(self) -> None:
        docs = {name: s.doc for name, s in self.services.items() if s.doc is not None}
        self.table = RouteTable.from_openapi(docs)
        self.version += 1

    async def load_missing(self) -> None:
        missing = [s for s in self.services.values() if not s.loaded]
        if missing:
            await asyncio.gather(*(self.load(s) for s in missing))

    async def run(self) -> None:
        last_refresh = time.monotonic()
        while True:
            await asyncio.sleep(self.retry_seconds)
            if time.monotonic() - last_refresh >= self.refresh_seconds:
                last_refresh = time.monotonic()
                await asyncio.gather(*(self.load(s) for s in self.services.values()))
            else:
                await self.load_missing()
