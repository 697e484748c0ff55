"""The global search (reporting.md §2): one query fanned out concurrently to the services that
own the domains (tracking: projects, tasks, entries; CRM: clients). Each domain answers its
hits already in the result shape, scoped to the user carried in the signed identity; a domain
that fails or is too slow is left out and reported in `errors` (`partial: true`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reporting.errors import SearchQueryTooShortError
from reporting.search.schemas import SearchResultRead
from reporting.settings import ReportingSettings
from shared.identity import Identity
from shared.inputs import int_or_none
from shared.upstream import Upstream, UpstreamUnavailable

log = logging.getLogger(__name__)

MIN_QUERY_LENGTH = 2
DEFAULT_LIMIT = 10
MAX_LIMIT = 50


@dataclass(frozen=True)
class Domain:
    type: str  # the name in `types` and the hits' `type`
    key: str  # the key in `errors`
    service: str  # `tracking` | `crm`

    def url(self, settings: ReportingSettings) -> str | None:
        base = settings.tracking_url if self.service == "tracking" else settings.crm_url
        return None if base is None else f"{base}/internal/search/{self.key}"


# The order in which domains are searched and their hits concatenated.
DOMAINS = (
    Domain("project", "projects", "tracking"),
    Domain("task", "tasks", "tracking"),
    Domain("client", "clients", "crm"),
    Domain("entry", "entries", "tracking"),
)


@dataclass(frozen=True)
class Failed:
    """A domain whose hits are missing from the answer, and why (`errors[<key>]`)."""

    reason: str


Outcome = list[dict[str, Any]] | Failed


def query_text(raw: str | None) -> str:
    return (raw or "").strip()


def parse_limit(raw: str | None) -> int:
    """Hits per domain: 1–50; unparseable or absent → 10."""
    value = int_or_none(raw)
    return DEFAULT_LIMIT if value is None else min(max(value, 1), MAX_LIMIT)


def parse_types(raw: str | None) -> tuple[Domain, ...]:
    """The domains to search, in search order. Absent or blank → all; unknown names are
    ignored, so a list without any known name searches nothing."""
    if raw is None or not raw.strip():
        return DOMAINS
    wanted = {name.strip().lower() for name in raw.split(",")}
    return tuple(d for d in DOMAINS if d.type in wanted)


def hits_of(domain: Domain, payload: Any, limit: int) -> list[dict[str, Any]]:
    """The hits of a domain's `{"results": [...]}` answer, exactly the result fields;
    ValueError if the answer is not of that shape (a hit of the wrong type or field types
    included: `SearchResultRead` checks each strictly)."""
    found = payload.get("results") if isinstance(payload, dict) else None
    if not isinstance(found, list):
        raise ValueError("no results list")
    hits = [SearchResultRead.model_validate(hit) for hit in found[:limit]]
    if any(hit.type != domain.type for hit in hits):
        raise ValueError("not a search hit of this domain")
    return [hit.model_dump() for hit in hits]


def search_payload(query: str, outcomes: Sequence[tuple[Domain, Outcome]]) -> dict[str, Any]:
    """Hits concatenated in search order; failed domains only in `errors`."""
    results: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    for domain, outcome in sorted(outcomes, key=lambda pair: DOMAINS.index(pair[0])):
        if isinstance(outcome, Failed):
            errors[domain.key] = outcome.reason
        else:
            results.extend(outcome)
    return {"results": results, "query": query, "count": len(results), "partial": bool(errors), "errors": errors}


@dataclass(frozen=True, slots=True)
class RawSearch:
    """The query parameters as sent (a dependency of both search routes)."""

    q: str | None = None
    limit: str | None = None
    types: str | None = None


async def search_domains(
    upstream: Upstream, identity: Identity, settings: ReportingSettings, raw: RawSearch, *, legacy: bool = False
) -> dict[str, Any]:
    """`legacy`: a query shorter than 2 characters finds nothing instead of answering 400."""
    text = query_text(raw.q)
    if len(text) < MIN_QUERY_LENGTH:
        if legacy:
            return search_payload(text, [])
        raise SearchQueryTooShortError(MIN_QUERY_LENGTH)
    domains = parse_types(raw.types)
    per_domain = parse_limit(raw.limit)
    if "\x00" in text:
        # Stored text cannot contain NUL (PostgreSQL refuses it), so nothing can match.
        return search_payload(text, [(d, []) for d in domains])
    outcomes = await asyncio.gather(
        *(_search_domain(upstream, identity, settings, d, text, per_domain) for d in domains)
    )
    return search_payload(text, list(zip(domains, outcomes, strict=True)))


async def _search_domain(
    upstream: Upstream, identity: Identity, settings: ReportingSettings, domain: Domain, text: str, limit: int
) -> Outcome:
    url = domain.url(settings)
    if url is None:
        return Failed("unavailable")
    timeout = settings.search_timeout_seconds
    try:
        response = await upstream.get(url, caller=identity, params={"q": text, "limit": limit}, timeout=timeout)
    except TimeoutError:
        log.warning("search domain %s timed out after %ss", domain.key, timeout)
        return Failed("timed out")
    except UpstreamUnavailable as exc:
        log.warning("search domain %s unavailable: %s", domain.key, exc)
        return Failed("unavailable")
    except Exception:  # noqa: BLE001 - one failing domain must not fail the whole search
        log.exception("search domain %s failed", domain.key)
        return Failed("error")
    if response.status_code != 200:
        log.warning("search domain %s answered %s", domain.key, response.status_code)
        return Failed(f"error {response.status_code}")
    try:
        return hits_of(domain, response.json(), limit)
    except ValueError as exc:
        log.warning("search domain %s answered an invalid payload: %s", domain.key, exc)
        return Failed("invalid response")
