"""Pure contact rules (crm.md §3): which names a create gets, and how a contact is displayed."""

from __future__ import annotations

from shared.errors import ValidationError

NAMES_REQUIRED = "first_name and last_name are required"
MAX_NAME_LENGTH = 100


def split_name(name: str) -> tuple[str, str]:
    """The mobile app's single `name`: first name up to the first whitespace, the rest (maybe
    empty) as last name, both trimmed."""
    parts = name.strip().split(None, 1)
    if not parts:
        return "", ""
    return parts[0], parts[1].strip() if len(parts) > 1 else ""


def creation_names(first_name: str | None, last_name: str | None, name: str | None) -> tuple[str, str]:
    """(first, last) for a new contact from trimmed, blank-as-None inputs.

    Both parts are required; only when both are absent does `name` stand in, and then an empty
    last name is allowed (a one-word name). Errors name each missing part."""
    if first_name is None and last_name is None and name:
        first, last = split_name(name)
        if len(first) > MAX_NAME_LENGTH or len(last) > MAX_NAME_LENGTH:
            message = f"Each part of the name must be at most {MAX_NAME_LENGTH} characters"
            raise ValidationError({"name": [message]}, message)
        return first, last
    missing = [field for field, value in (("first_name", first_name), ("last_name", last_name)) if not value]
    if missing:
        raise ValidationError({field: [NAMES_REQUIRED] for field in missing}, NAMES_REQUIRED)
    return first_name, last_name  # type: ignore[return-value]  # both checked above


def full_name(first_name: str, last_name: str) -> str:
    return f"{first_name} {last_name}".strip()


def display_name(first_name: str, last_name: str, title: str | None) -> str:
    name = full_name(first_name, last_name)
    return f"{name} - {title}" if title else name
