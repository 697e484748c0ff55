"""Who approves an entry (tracking.md §7.2): policy tiers, conditions, the admin fallback."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from tracking.approvals.policy import EntryFacts, conditions_hold, matching_policy, resolve_approvers, tier

ENTRY = EntryFacts(project_id=7, user_id=42, billable=True, duration_seconds=2 * 3600)
ADMINS = [1, 2]


@dataclass
class P:
    id: int
    project_id: int | None = None
    user_id: int | None = None
    enabled: bool = True
    requires_approval: bool = True
    billable_only: bool = False
    min_hours: Decimal | None = None
    approver_ids: list[int] = field(default_factory=list)


class TestTier:
    @pytest.mark.parametrize(
        ("policy", "expected"),
        [
            (P(1, project_id=7), 0),
            (P(1, project_id=7, user_id=42), 0),
            (P(1, project_id=7, user_id=43), None),
            (P(1, project_id=8), None),
            (P(1, user_id=42), 1),
            (P(1, user_id=43), None),
            (P(1), 2),
        ],
    )
    def test_which_policies_concern_the_entry(self, policy, expected):
        assert tier(policy, ENTRY) == expected

    def test_a_client_only_entry_has_no_project_policy(self):
        assert tier(P(1, project_id=7), EntryFacts(None, 42, True, 0)) is None


class TestConditions:
    @pytest.mark.parametrize(
        ("policy", "facts", "holds"),
        [
            (P(1), ENTRY, True),
            (P(1, enabled=False), ENTRY, False),
            (P(1, requires_approval=False), ENTRY, False),
            (P(1, billable_only=True), ENTRY, True),
            (P(1, billable_only=True), EntryFacts(7, 42, False, 7200), False),
            (P(1, min_hours=Decimal("2")), ENTRY, True),
            (P(1, min_hours=Decimal("2.00")), EntryFacts(7, 42, True, 7199), False),
            (P(1, min_hours=Decimal("0.5")), EntryFacts(7, 42, True, 1800), True),
            (P(1, min_hours=Decimal("0")), EntryFacts(7, 42, True, 0), True),
        ],
    )
    def test_conditions(self, policy, facts, holds):
        assert conditions_hold(policy, facts) is holds


class TestMatchingPolicy:
    def test_project_beats_user_beats_global_whatever_the_order(self):
        glob, user, project = P(1), P(2, user_id=42), P(3, project_id=7)
        assert matching_policy([glob, user, project], ENTRY) is project
        assert matching_policy([glob, user], ENTRY) is user
        assert matching_policy([glob], ENTRY) is glob

    def test_a_failing_policy_gives_way_to_the_next_tier(self):
        project = P(3, project_id=7, min_hours=Decimal("3"))
        user = P(2, user_id=42)
        assert matching_policy([project, user], ENTRY) is user

    def test_within_a_tier_the_oldest_policy_wins(self):
        assert matching_policy([P(9, user_id=42), P(4, user_id=42)], ENTRY).id == 4

    def test_none_when_nothing_matches(self):
        assert matching_policy([P(1, project_id=8), P(2, enabled=False)], ENTRY) is None


class TestResolveApprovers:
    def test_the_matching_policys_approvers_in_order_without_repeats(self):
        assert resolve_approvers([P(1, approver_ids=[5, 3, 5, 4])], ENTRY, ADMINS) == [5, 3, 4]

    def test_admins_without_a_matching_policy(self):
        assert resolve_approvers([P(1, project_id=8, approver_ids=[5])], ENTRY, ADMINS) == ADMINS

    def test_a_matching_policy_without_approvers_leaves_none(self):
        assert resolve_approvers([P(1, approver_ids=[])], ENTRY, ADMINS) == []
