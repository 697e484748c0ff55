"""Tags as entries and tasks store them: one comma-separated string (tracking.md §1.2–§1.3)."""

from __future__ import annotations


def tag_list(tags: str | None) -> list[str]:
    """The stored string's tags, trimmed, blanks left out."""
    return [t.strip() for t in tags.split(",") if t.strip()] if tags else []
