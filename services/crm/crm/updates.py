"""The update rule deals and leads share for text fields (crm.md §4.2, §5.2)."""

from __future__ import annotations

from collections.abc import Collection

from pydantic import BaseModel


def apply_text_updates(
    row: object, body: BaseModel, fields: set[str], *, text_fields: Collection[str], required: Collection[str]
) -> None:
    """A null leaves the field unchanged (spec); a blank clears an optional field and is
    ignored for a `required` one."""
    for field in fields.intersection(text_fields):
        value = getattr(body, field)
        if value is None or (not value and field in required):
            continue
        setattr(row, field, value or None)
