"""Wire shapes of `POST /api/v1/time-entries/bulk` (tracking.md §4.7).

The body is accepted as sent and checked by `bulk_request`, which answers the spec's messages in
the spec's order (ids, then action, then a tag value) instead of pydantic's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field

from shared.errors import ValidationError
from shared.inputs import row_id, to_int
from tracking.tags import tag_list

DELETE = "delete"
SET_BILLABLE = "set_billable"
SET_PAID = "set_paid"
ADD_TAG = "add_tag"
REMOVE_TAG = "remove_tag"
ACTIONS = (DELETE, SET_BILLABLE, SET_PAID, ADD_TAG, REMOVE_TAG)
TAG_ACTIONS = frozenset({ADD_TAG, REMOVE_TAG})

IDS_REQUIRED = "Must be a non-empty list of integer ids"
IDS_NOT_INTEGERS = "All entry ids must be integers"
UNSUPPORTED_ACTION = "Unsupported action"
TAG_REQUIRED = "Tag value is required"


class BulkBody(BaseModel):
    entry_ids: Any = Field(None, description='Ids of the entries to change; `"3"` counts as 3')
    action: Any = Field(None, description="One of: " + ", ".join(ACTIONS))
    value: Any = Field(
        None, description="set_billable/set_paid: taken by truthiness; add_tag/remove_tag: the tag (non-blank)"
    )


class BulkResult(BaseModel):
    success: bool
    affected: int


@dataclass(frozen=True)
class BulkRequest:
    """A checked body. `entry_ids` holds only ids a row can have; `tags` is set for tag actions,
    `flag` for the two flag actions."""

    entry_ids: frozenset[int]
    action: str
    flag: bool = False
    tags: tuple[str, ...] = ()


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]}, message)


def _entry_ids(raw: Any) -> frozenset[int]:
    if not isinstance(raw, list) or not raw:
        raise _invalid("entry_ids", IDS_REQUIRED)
    try:
        ids = [to_int(item) for item in raw]
    except ValueError:
        raise _invalid("entry_ids", IDS_NOT_INTEGERS) from None
    if any(i is None for i in ids):
        raise _invalid("entry_ids", IDS_NOT_INTEGERS)
    # Past PostgreSQL `integer` (or not positive) no row can have the id: simply not found.
    return frozenset(i for i in map(row_id, ids) if i > 0)


def _tags(raw: Any) -> tuple[str, ...]:
    """The tag(s) named by `value`; commas separate tags as in the stored string."""
    tags = tuple(tag_list(raw)) if isinstance(raw, str) else ()
    if not tags:
        raise _invalid("value", TAG_REQUIRED)
    return tags


def bulk_request(body: BulkBody) -> BulkRequest:
    """The body checked in the spec's order; the first failure is the 400 answered."""
    entry_ids = _entry_ids(body.entry_ids)
    if not isinstance(body.action, str) or body.action not in ACTIONS:
        raise _invalid("action", UNSUPPORTED_ACTION)
    if body.action in TAG_ACTIONS:
        return BulkRequest(entry_ids, body.action, tags=_tags(body.value))
    return BulkRequest(entry_ids, body.action, flag=bool(body.value))
