"""Time-entry approvals, part 1: request (with §7.2 approver resolution), list and get
(tracking.md §7). Actions on approvals are in `test_approvals_actions_api.py`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tracking.models import ApprovalPolicy, TimeEntryApproval

SCOPES = ("read:time_approvals", "write:time_approvals")
LIST = "/api/v1/time-entry-approvals"
START = datetime(2026, 3, 2, 9, tzinfo=UTC)


def request_path(entry_id: int) -> str:
    return f"/api/v1/time-entries/{entry_id}/request-approval"


@pytest.fixture
def as_user(headers_for):
    def make(uid: int, role: str = "user", **fields) -> dict[str, str]:
        return headers_for(uid, *SCOPES, role=role, **fields)

    return make


@pytest.fixture
def project(make_project, user_id):
    return make_project(created_by=user_id)


@pytest.fixture
def entry(make_entry, project, user_id):
    """A completed, billable two-hour entry of the standard user."""
    return make_entry(user_id, project, START, START + timedelta(hours=2), billable=True)


@pytest.fixture
def approvers(make_known_user, next_user_id):
    """Three approver ids (in the user replica, not admins)."""
    return [make_known_user(next_user_id()).id for _ in range(3)]


@pytest.fixture
def make_policy(session):
    def make(approver_ids, **fields) -> ApprovalPolicy:
        policy = ApprovalPolicy(approver_ids=list(approver_ids), **fields)
        session.add(policy)
        session.flush()
        return policy

    return make


def rows(session, entry_id: int) -> list[TimeEntryApproval]:
    stmt = select(TimeEntryApproval).where(TimeEntryApproval.time_entry_id == entry_id)
    return list(session.scalars(stmt.order_by(TimeEntryApproval.approval_level)))


def approval_count(session) -> int:
    return session.scalar(select(func.count()).select_from(TimeEntryApproval))


class TestRequestApproval:
    def test_one_chained_pending_level_per_approver(
        self, client, as_user, user_id, entry, approvers, session, outbox_events
    ):
        body = {"comment": " please ", "approver_ids": [str(approvers[1]), approvers[0], approvers[1]]}
        r = client.post(request_path(entry.id), json=body, headers=as_user(user_id))
        assert r.status_code == 200, r.text
        out = r.json()
        assert out["success"] is True and out["message"] == "Approval requested"
        first = out["approval"]
        assert first == {
            "id": first["id"], "time_entry_id": entry.id, "status": "pending", "requested_by": user_id,
            "approved_by": None, "requested_at": first["requested_at"], "approved_at": None, "rejected_at": None,
            "request_comment": "please", "approval_comment": None, "rejection_reason": None,
            "parent_approval_id": None, "approval_level": 1,
        }  # fmt: skip
        assert first["requested_at"].endswith("Z")
        level1, level2 = rows(session, entry.id)
        assert (level1.id, level1.approver_id) == (first["id"], approvers[1])
        assert (level2.approver_id, level2.parent_approval_id, level2.approval_level) == (approvers[0], level1.id, 2)
        events = outbox_events("tt.tracking.approval.requested")
        assert [(e["data"]["id"], e["data"]["approver_id"]) for e in events] == [
            (level1.id, approvers[1]),
            (level2.id, approvers[0]),
        ]
        assert events[0]["data"]["request_comment"] == "please"

    def test_without_a_policy_every_active_admin_approves(
        self, client, as_user, user_id, entry, make_known_user, next_user_id, session
    ):
        a, b = sorted(next_user_id() for _ in range(2))
        make_known_user(b, is_admin=True)
        make_known_user(a, is_admin=True)
        make_known_user(next_user_id(), is_admin=True, is_active=False)
        make_known_user(next_user_id())
        r = client.post(request_path(entry.id), json={}, headers=as_user(user_id))
        assert r.status_code == 200, r.text
        assert [row.approver_id for row in rows(session, entry.id)] == [a, b]

    def test_policy_tiers_project_then_user_then_global(
        self, client, as_user, user_id, entry, approvers, make_policy, session
    ):
        make_policy([approvers[2]])
        make_policy([approvers[1]], user_id=user_id)
        make_policy([approvers[0]], project_id=entry.project_id)
        assert client.post(request_path(entry.id), json={}, headers=as_user(user_id)).status_code == 200
        assert [row.approver_id for row in rows(session, entry.id)] == [approvers[0]]

    @pytest.mark.parametrize(
        "project_policy",
        [
            {"enabled": False},
            {"requires_approval": False},
            {"min_hours": Decimal("2.01")},
            {"billable_only": True, "_entry_billable": False},
        ],
    )
    def test_a_policy_whose_conditions_fail_gives_way_to_the_next(
        self, client, as_user, user_id, entry, approvers, make_policy, session, project_policy
    ):
        entry.billable = project_policy.pop("_entry_billable", True)
        session.flush()
        make_policy([approvers[0]], project_id=entry.project_id, **project_policy)
        make_policy([approvers[1]], user_id=user_id)
        assert client.post(request_path(entry.id), json={}, headers=as_user(user_id)).status_code == 200
        assert [row.approver_id for row in rows(session, entry.id)] == [approvers[1]]

    def test_conditions_that_hold_keep_the_policy(
        self, client, as_user, user_id, entry, approvers, make_policy, session
    ):
        make_policy([approvers[0]], project_id=entry.project_id, billable_only=True, min_hours=Decimal("2.00"))
        make_policy([approvers[1]])
        client.post(request_path(entry.id), json={}, headers=as_user(user_id))
        assert [row.approver_id for row in rows(session, entry.id)] == [approvers[0]]

    def test_other_projects_and_users_policies_do_not_apply(
        self, client, as_user, user_id, entry, approvers, make_policy, make_project, session
    ):
        make_policy([approvers[0]], project_id=make_project().id)
        make_policy([approvers[1]], user_id=user_id + 1)
        make_policy([approvers[2]])
        client.post(request_path(entry.id), json={}, headers=as_user(user_id))
        assert [row.approver_id for row in rows(session, entry.id)] == [approvers[2]]

    def test_empty_approver_ids_fall_back_to_the_policy(
        self, client, as_user, user_id, entry, approvers, make_policy, session
    ):
        make_policy([approvers[2], approvers[0]])
        client.post(request_path(entry.id), json={"approver_ids": []}, headers=as_user(user_id))
        assert [row.approver_id for row in rows(session, entry.id)] == [approvers[2], approvers[0]]

    def test_admin_may_request_for_another_users_entry(self, client, as_user, admin_id, entry, approvers, session):
        r = client.post(
            request_path(entry.id), json={"approver_ids": approvers[:1]}, headers=as_user(admin_id, "admin")
        )
        assert r.status_code == 200
        assert r.json()["approval"]["requested_by"] == admin_id

    def test_unknown_entry_is_404(self, client, as_user, user_id, approvers, outbox_events):
        for entry_id in (999999, 99999999999):
            r = client.post(request_path(entry_id), json={"approver_ids": approvers}, headers=as_user(user_id))
            assert r.status_code == 404 and r.json()["error_code"] == "not_found"
        assert outbox_events() == []

    def test_someone_elses_entry_is_403_for_a_non_admin(
        self, client, as_user, user_id, entry, approvers, session, outbox_events
    ):
        r = client.post(request_path(entry.id), json={"approver_ids": approvers}, headers=as_user(user_id + 1))
        assert r.status_code == 403 and r.json()["error"] == "Access denied"
        assert approval_count(session) == 0 and outbox_events() == []

    def test_already_pending(self, client, as_user, user_id, entry, approvers, session, outbox_events):
        client.post(request_path(entry.id), json={"approver_ids": approvers[:2]}, headers=as_user(user_id))
        r = client.post(request_path(entry.id), json={"approver_ids": approvers}, headers=as_user(user_id))
        assert r.status_code == 400 and r.json()["error_code"] == "already_pending"
        assert approval_count(session) == 2
        assert len(outbox_events("tt.tracking.approval.requested")) == 2

    def test_a_rejected_entry_can_be_requested_again(self, client, as_user, user_id, entry, approvers, session):
        first = client.post(request_path(entry.id), json={"approver_ids": approvers[:1]}, headers=as_user(user_id))
        reject = f"{LIST}/{first.json()['approval']['id']}/reject"
        assert client.post(reject, json={"reason": "no"}, headers=as_user(approvers[0])).status_code == 200
        again = client.post(request_path(entry.id), json={"approver_ids": approvers[:1]}, headers=as_user(user_id))
        assert again.status_code == 200 and again.json()["approval"]["parent_approval_id"] is None

    def test_no_approvers(self, client, as_user, user_id, entry, make_policy, session, outbox_events):
        r = client.post(request_path(entry.id), json={}, headers=as_user(user_id))
        assert r.status_code == 400 and r.json()["error_code"] == "no_approvers"
        make_policy([], project_id=entry.project_id)
        r = client.post(request_path(entry.id), json={}, headers=as_user(user_id))
        assert r.status_code == 400 and r.json()["error_code"] == "no_approvers"
        assert approval_count(session) == 0 and outbox_events() == []

    @pytest.mark.parametrize("approver_ids", [["x"], [None], "3", [1.5], [0], ["2147483648"]])
    def test_invalid_approver_ids(self, client, as_user, user_id, entry, approver_ids, session):
        r = client.post(request_path(entry.id), json={"approver_ids": approver_ids}, headers=as_user(user_id))
        assert r.status_code == 400 and r.json()["error_code"] == "validation_error"
        assert all(key.startswith("approver_ids") for key in r.json()["errors"])
        assert approval_count(session) == 0

    def test_write_scope_required(self, client, headers_for, user_id, entry, session):
        r = client.post(request_path(entry.id), json={}, headers=headers_for(user_id, "read:time_approvals"))
        assert r.status_code == 403 and r.json()["required_scope"] == "write:time_approvals"
        assert approval_count(session) == 0

    def test_module_switch(self, client, as_user, user_id, entry, approvers, session):
        headers = as_user(user_id, modules_off=("time_approvals",))
        r = client.post(request_path(entry.id), json={"approver_ids": approvers}, headers=headers)
        assert r.status_code == 403 and r.json()["error_code"] == "module_disabled"
        assert approval_count(session) == 0


@pytest.fixture
def requested(client, as_user, user_id, make_entry, project, approvers):
    """`requested(approver_ids, owner=user_id)` → the level-1 approval of a new entry."""
    starts = iter(range(100))

    def make(approver_ids, owner: int = user_id) -> dict:
        start = START + timedelta(days=next(starts))
        entry = make_entry(owner, project, start, start + timedelta(hours=1))
        r = client.post(request_path(entry.id), json={"approver_ids": approver_ids}, headers=as_user(owner))
        assert r.status_code == 200, r.text
        return r.json()["approval"]

    return make


class TestListApprovals:
    def test_an_approver_sees_their_pending_levels_newest_first(self, client, as_user, approvers, requested, session):
        older = requested([approvers[0], approvers[1]])
        newer = requested([approvers[1], approvers[0]])
        session.execute(
            TimeEntryApproval.__table__.update()
            .where(TimeEntryApproval.time_entry_id == older["time_entry_id"])
            .values(requested_at=datetime(2020, 1, 1, tzinfo=UTC))
        )
        decided = requested([approvers[0]])
        client.post(f"{LIST}/{decided['id']}/approve", json={}, headers=as_user(approvers[0]))
        r = client.get(LIST, headers=as_user(approvers[0]))
        assert r.status_code == 200
        listed = r.json()["approvals"]
        assert [(a["time_entry_id"], a["approval_level"]) for a in listed] == [
            (newer["time_entry_id"], 2),
            (older["time_entry_id"], 1),
        ]
        assert all(a["status"] == "pending" for a in listed)
        assert "pagination" not in r.json()

    def test_admin_sees_every_pending_approval(self, client, as_user, admin_id, approvers, requested):
        requested([approvers[0], approvers[1]])
        requested([approvers[2]])
        assert len(client.get(LIST, headers=as_user(admin_id, "admin")).json()["approvals"]) == 3

    def test_requester_and_strangers_see_nothing(self, client, as_user, user_id, approvers, requested):
        requested([approvers[0]])
        assert client.get(LIST, headers=as_user(user_id)).json() == {"approvals": []}
        assert client.get(LIST, headers=as_user(approvers[1])).json() == {"approvals": []}

    def test_read_scope_and_module(self, client, headers_for, user_id):
        r = client.get(LIST, headers=headers_for(user_id, "write:time_approvals"))
        assert r.status_code == 403 and r.json()["required_scope"] == "read:time_approvals"
        r = client.get(LIST, headers=headers_for(user_id, *SCOPES, modules_off=("time_approvals",)))
        assert r.status_code == 403 and r.json()["error_code"] == "module_disabled"


class TestGetApproval:
    def test_visible_to_requester_approver_decider_and_admin(
        self, client, as_user, user_id, admin_id, approvers, requested, session
    ):
        approval = requested([approvers[0]])
        row = session.get(TimeEntryApproval, approval["id"])
        row.approver_id, row.approved_by = approvers[1], approvers[0]
        session.flush()
        for caller in (as_user(user_id), as_user(approvers[0]), as_user(approvers[1]), as_user(admin_id, "admin")):
            r = client.get(f"{LIST}/{approval['id']}", headers=caller)
            assert r.status_code == 200, r.text
            assert r.json()["approval"]["id"] == approval["id"]
            assert r.json()["approval"]["approved_by"] == approvers[0]

    def test_anyone_else_is_denied(self, client, as_user, approvers, requested):
        approval = requested([approvers[0]])
        r = client.get(f"{LIST}/{approval['id']}", headers=as_user(approvers[2]))
        assert r.status_code == 403 and r.json()["error"] == "Access denied"

    @pytest.mark.parametrize("approval_id", ["999999", "2147483648"])
    def test_unknown_is_404(self, client, as_user, admin_id, approval_id):
        r = client.get(f"{LIST}/{approval_id}", headers=as_user(admin_id, "admin"))
        assert r.status_code == 404 and r.json()["error_code"] == "not_found"

    def test_read_scope_and_module(self, client, headers_for, user_id, approvers, requested):
        approval = requested([approvers[0]])
        r = client.get(f"{LIST}/{approval['id']}", headers=headers_for(user_id, "write:time_approvals"))
        assert r.status_code == 403 and r.json()["required_scope"] == "read:time_approvals"
        r = client.get(
            f"{LIST}/{approval['id']}", headers=headers_for(user_id, *SCOPES, modules_off=("timer", "time_approvals"))
        )
        assert r.status_code == 403 and r.json()["error_code"] == "module_disabled"
