"""Owner-based visibility of deals and leads (CONVENTIONS §4, crm.md §4.2 and §5.2).

Every caller lists every deal and lead; reading or changing one is for its owner or an admin.
The `owner` list filter is odd on purpose (upstream): an admin gets that owner's rows, a
non-admin passing any owner gets their own rows."""

from __future__ import annotations

from crm.values import int_or_none
from shared.errors import ForbiddenError
from shared.identity import Identity


def owner_filter(identity: Identity, raw_owner: str | None) -> int | None:
    """The owner id a list is narrowed to, or None for no narrowing. An unparseable `owner` is
    ignored like every invalid query filter (CONVENTIONS §5.4)."""
    owner = int_or_none(raw_owner)
    if owner is None:
        return None
    return owner if identity.is_admin else identity.user_id


def can_access(identity: Identity, owner_id: int | None) -> bool:
    return identity.is_admin or (owner_id is not None and owner_id == identity.user_id)


def ensure_owner_or_admin(identity: Identity, owner_id: int | None) -> None:
    """403 "Access denied" for a non-admin who does not own the row."""
    if not can_access(identity, owner_id):
        raise ForbiddenError()
