"""Pure lead rules (crm.md §5): statuses, the list's default, names shown."""

from __future__ import annotations

LEAD_STATUSES = ("new", "contacted", "qualified", "converted", "lost")
# A list without `status` leaves out leads that are done with (upstream).
CLOSED_STATUSES = frozenset({"converted", "lost"})
DEFAULT_STATUS = "new"
DEFAULT_SCORE = 0
NAMES_REQUIRED = "first_name and last_name are required"


def status_filter(raw: str | None) -> tuple[str | None, frozenset[str]]:
    """(exact status, statuses left out): an exact status when one is given, else every lead
    that is neither converted nor lost."""
    if raw:
        return raw, frozenset()
    return None, CLOSED_STATUSES


def full_name(first_name: str, last_name: str) -> str:
    return f"{first_name} {last_name}".strip()


def display_name(first_name: str, last_name: str, company_name: str | None) -> str:
    name = full_name(first_name, last_name)
    return f"{name} ({company_name})" if company_name else name


def is_converted(client_id: int | None, deal_id: int | None) -> bool:
    return client_id is not None or deal_id is not None


def missing_names(first_name: str | None, last_name: str | None) -> dict[str, list[str]]:
    """The validation errors for blank names, keyed by each blank field."""
    blank = [field for field, value in (("first_name", first_name), ("last_name", last_name)) if not value]
    return {field: [NAMES_REQUIRED] for field in blank}
