"""Who approves an entry (tracking.md §7.2): the first matching enabled policy for the entry's
project, then for its user, then a global one; without a match the caller falls back to all
admins. Pure rules over policy rows, no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol


class Policy(Protocol):
    id: int
    project_id: int | None
    user_id: int | None
    enabled: bool
    requires_approval: bool
    billable_only: bool
    min_hours: Decimal | None
    approver_ids: Sequence[int]


@dataclass(frozen=True)
class EntryFacts:
    """What the policies look at: the entry's project, owner, billability and worked seconds."""

    project_id: int | None
    user_id: int
    billable: bool
    duration_seconds: int


def tier(policy: Policy, facts: EntryFacts) -> int | None:
    """0 for a project policy, 1 for a user policy, 2 for a global one, None when it does not
    concern the entry. A project policy naming a user concerns only that user's entries."""
    if policy.project_id is not None:
        same_project = facts.project_id is not None and policy.project_id == facts.project_id
        return 0 if same_project and policy.user_id in (None, facts.user_id) else None
    if policy.user_id is not None:
        return 1 if policy.user_id == facts.user_id else None
    return 2


def conditions_hold(policy: Policy, facts: EntryFacts) -> bool:
    if not (policy.enabled and policy.requires_approval):
        return False
    if policy.billable_only and not facts.billable:
        return False
    # hours compared exactly: seconds against min_hours × 3600
    return policy.min_hours is None or Decimal(facts.duration_seconds) >= policy.min_hours * 3600


def matching_policy(policies: Iterable[Policy], facts: EntryFacts) -> Policy | None:
    """The first match by tier, then by policy id (oldest first)."""
    candidates = [(t, p.id, p) for p in policies if (t := tier(p, facts)) is not None and conditions_hold(p, facts)]
    return min(candidates, key=lambda c: (c[0], c[1]))[2] if candidates else None


def unique_ids(ids: Iterable[int]) -> list[int]:
    """Ids in first-seen order without repeats (one approval level per approver)."""
    return list(dict.fromkeys(ids))


def resolve_approvers(policies: Iterable[Policy], facts: EntryFacts, admin_ids: Iterable[int]) -> list[int]:
    """The matching policy's approvers, else every admin."""
    policy = matching_policy(policies, facts)
    return unique_ids(policy.approver_ids if policy is not None else admin_ids)
