"""Latest TimeTracker release from GitHub, with a hot and a stale in-process cache (auth.md §6.1)."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from threading import Lock
from typing import Any

import httpx

from auth.settings import AuthSettings
from auth.version.rules import parse_version, strip_version

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Release:
    version: str  # normalized: trimmed, leading v stripped
    notes: str
    published_at: str | None
    url: str | None


class FetchFailed(Exception):
    pass


def release_from_json(item: Any) -> Release:
    if not isinstance(item, dict) or parse_version(item.get("tag_name")) is None:
        raise FetchFailed("release without a parseable tag")
    published = item.get("published_at")
    url = item.get("html_url")
    return Release(
        version=strip_version(item["tag_name"]) or "",
        notes=item.get("body") or "",
        published_at=published if isinstance(published, str) else None,
        url=url if isinstance(url, str) else None,
    )


def pick_release(payload: Any, *, pre_release: bool) -> Release:
    """`/releases/latest` returns one release; the list endpoint (pre-releases on) the first
    non-draft release with a parseable tag."""
    if not pre_release:
        return release_from_json(payload)
    if not isinstance(payload, list):
        raise FetchFailed("release list is not a list")
    for item in payload:
        if isinstance(item, dict) and not item.get("draft") and parse_version(item.get("tag_name")) is not None:
            return release_from_json(item)
    raise FetchFailed("no usable release in the list")


class ReleaseChecker:
    """One per process. `latest()` answers from the hot cache, else fetches; on failure it
    falls back to the stale copy; None when nothing is known."""

    def __init__(self, settings: AuthSettings, *, clock=time.monotonic) -> None:
        self.settings = settings
        self._clock = clock
        self._lock = Lock()
        self._hot: tuple[float, Release] | None = None
        self._stale: tuple[float, Release] | None = None

    def latest(self) -> Release | None:
        now = self._clock()
        with self._lock:
            if self._hot is not None and self._hot[0] > now:
                return self._hot[1]
        try:
            release = self.fetch()
        except FetchFailed as exc:
            log.warning("version check: GitHub release fetch failed: %s", exc)
            with self._lock:
                return self._stale[1] if self._stale is not None and self._stale[0] > now else None
        with self._lock:
            self._hot = (now + self.settings.version_check_github_cache_ttl, release)
            self._stale = (now + self.settings.version_check_github_stale_ttl, release)
        return release

    def fetch(self) -> Release:
        s = self.settings
        base = f"{s.version_check_github_api_url.rstrip('/')}/repos/{s.version_check_github_repo}"
        pre = s.enable_pre_release_notifications
        url = f"{base}/releases?per_page=20" if pre else f"{base}/releases/latest"
        headers = {"Accept": "application/vnd.github+json", "User-Agent": "TimeTracker-VersionCheck"}
        if s.github_releases_token is not None and s.github_releases_token.get_secret_value():
            headers["Authorization"] = f"token {s.github_releases_token.get_secret_value()}"
        try:
            response = httpx.get(url, headers=headers, timeout=s.version_check_http_timeout)
        except httpx.HTTPError as exc:
            raise FetchFailed(f"{type(exc).__name__}") from exc
        if response.status_code != 200:
            raise FetchFailed(f"HTTP {response.status_code}")
        try:
            payload = response.json()
        except ValueError as exc:
            raise FetchFailed("invalid JSON") from exc
        return pick_release(payload, pre_release=pre)
