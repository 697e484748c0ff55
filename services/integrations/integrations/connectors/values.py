"""How config fields are read (integrations.md §3.1, §4.1, §5.4): lenient, as upstream — an
invalid value becomes the documented default, never an error."""

from __future__ import annotations

from typing import Any

_TRUE = {"1", "true", "yes", "on"}


def text(value: Any) -> str | None:
    """Trimmed text; blank → None."""
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in _TRUE if value is not None else False


def integer(value: Any) -> int | None:
    """An int, or None when the value is not one (bools are not ints here)."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return None
