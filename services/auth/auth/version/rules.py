"""Version normalization and the update rule (auth.md §6.1)."""

from __future__ import annotations

from packaging.version import InvalidVersion, Version


def strip_version(raw: object) -> str | None:
    """Trimmed text with one leading `v`/`V` removed; None when blank or not a string."""
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if text[:1] in ("v", "V"):
        text = text[1:]
    return text or None


def parse_version(raw: object) -> Version | None:
    """Comparable version, or None for unparseable ones (e.g. development builds `dev-123`)."""
    text = strip_version(raw)
    # PEP 440 itself tolerates a leading "v"; only one is allowed in total.
    if text is None or text[:1] in ("v", "V"):
        return None
    try:
        return Version(text)
    except (InvalidVersion, ValueError):  # ValueError: a component too long to be an int
        return None


def same_version(a: object, b: object) -> bool:
    va, vb = parse_version(a), parse_version(b)
    if va is not None and vb is not None:
        return va == vb
    return strip_version(a) is not None and strip_version(a) == strip_version(b)


def update_available(current: str, latest: str | None, dismissed: str | None) -> bool:
    installed, newest = parse_version(current), parse_version(latest)
    if installed is None or newest is None or newest <= installed:
        return False
    return not (dismissed is not None and same_version(dismissed, latest))
