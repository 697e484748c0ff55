"""Time-entry approvals, part 2: approve, reject, cancel and bulk approve (tracking.md §7.3)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tracking.models import TimeEntryApproval

SCOPES = ("read:time_approvals", "write:time_approvals")
BASE = "/api/v1/time-entry-approvals"
BULK = f"{BASE}/bulk-approve"
START = datetime(2026, 3, 2, 9, tzinfo=UTC)


def action(approval_id: int, verb: str) -> str:
    return f"{BASE}/{approval_id}/{verb}"


@pytest.fixture
def as_user(headers_for):
    def make(uid: int, role: str = "user", **fields) -> dict[str, str]:
        return headers_for(uid, *SCOPES, role=role, **fields)

    return make


@pytest.fixture
def approvers(make_known_user, next_user_id):
    return [make_known_user(next_user_id()).id for _ in range(3)]


@pytest.fixture
def requested(client, as_user, user_id, make_entry, make_project):
    """`requested(approver_ids)` → the level-1 approval (API object) of a new entry of the user."""
    project = make_project(created_by=user_id)
    starts = iter(range(100))

    def make(approver_ids) -> dict:
        start = START + timedelta(days=next(starts))
        entry = make_entry(user_id, project, start, start + timedelta(hours=1))
        path = f"/api/v1/time-entries/{entry.id}/request-approval"
        r = client.post(path, json={"approver_ids": approver_ids}, headers=as_user(user_id))
        assert r.status_code == 200, r.text
        return r.json()["approval"]

    return make


def chain(session, approval: dict) -> list[TimeEntryApproval]:
    stmt = select(TimeEntryApproval).where(TimeEntryApproval.time_entry_id == approval["time_entry_id"])
    found = list(session.scalars(stmt.order_by(TimeEntryApproval.approval_level)))
    for row in found:
        session.refresh(row)
    return found


def statuses(session, approval: dict) -> list[str]:
    return [row.status for row in chain(session, approval)]


def events_since(outbox_events, before: int) -> list[tuple[str, int]]:
    return [(e["type"].rsplit(".", 1)[1], e["data"]["id"]) for e in outbox_events()[before:]]


class TestApprove:
    def test_level_one_then_level_two(self, client, as_user, approvers, requested, session, outbox_events):
        first = requested(approvers[:2])
        before = len(outbox_events())
        r = client.post(action(first["id"], "approve"), json={"comment": " ok "}, headers=as_user(approvers[0]))
        assert r.status_code == 200, r.text
        assert r.json()["success"] is True
        assert r.json()["message"] == "Time entry approved; the next approval level is awaited"
        approved = r.json()["approval"]
        assert approved["status"] == "approved" and approved["approved_by"] == approvers[0]
        assert approved["approval_comment"] == "ok" and approved["approved_at"].endswith("Z")
        assert approved["rejected_at"] is None
        assert events_since(outbox_events, before) == [("approved", first["id"])]
        assert outbox_events("tt.tracking.approval.approved")[0]["data"]["status"] == "approved"
        level2 = chain(session, first)[1]
        r = client.post(action(level2.id, "approve"), headers=as_user(approvers[1]))
        assert r.status_code == 200 and r.json()["message"] == "Time entry approved"
        assert statuses(session, first) == ["approved", "approved"]

    def test_an_admin_may_approve_any_level(self, client, as_user, admin_id, approvers, requested, session):
        first = requested(approvers[:1])
        r = client.post(action(first["id"], "approve"), headers=as_user(admin_id, "admin"))
        assert r.status_code == 200 and r.json()["approval"]["approved_by"] == admin_id

    @pytest.mark.parametrize("who", ["requester", "other_level", "stranger"])
    def test_only_the_levels_approver_is_eligible(
        self, client, as_user, user_id, approvers, requested, session, outbox_events, who
    ):
        first = requested(approvers[:2])
        caller = {"requester": user_id, "other_level": approvers[1], "stranger": approvers[2]}[who]
        before = len(outbox_events())
        r = client.post(action(first["id"], "approve"), headers=as_user(caller))
        assert r.status_code == 403 and r.json()["error_code"] == "forbidden"
        assert statuses(session, first) == ["pending", "pending"]
        assert len(outbox_events()) == before

    def test_not_pending_is_invalid_status(self, client, as_user, approvers, requested, session, outbox_events):
        first = requested(approvers[:1])
        client.post(action(first["id"], "approve"), headers=as_user(approvers[0]))
        before = len(outbox_events())
        r = client.post(action(first["id"], "approve"), headers=as_user(approvers[0]))
        assert r.status_code == 400 and r.json()["error_code"] == "invalid_status"
        assert len(outbox_events()) == before

    def test_unknown_is_404(self, client, as_user, admin_id):
        r = client.post(action(999999, "approve"), headers=as_user(admin_id, "admin"))
        assert r.status_code == 404 and r.json()["error_code"] == "not_found"

    def test_write_scope_and_module(self, client, headers_for, approvers, requested, session):
        first = requested(approvers[:1])
        r = client.post(action(first["id"], "approve"), headers=headers_for(approvers[0], "read:time_approvals"))
        assert r.status_code == 403 and r.json()["required_scope"] == "write:time_approvals"
        off = headers_for(approvers[0], *SCOPES, modules_off=("time_approvals",))
        assert client.post(action(first["id"], "approve"), headers=off).json()["error_code"] == "module_disabled"
        assert statuses(session, first) == ["pending"]


class TestReject:
    @pytest.mark.parametrize("key", ["reason", "rejection_reason"])
    def test_rejects_and_cancels_the_later_levels(
        self, client, as_user, approvers, requested, session, outbox_events, key
    ):
        first = requested(approvers)
        before = len(outbox_events())
        r = client.post(action(first["id"], "reject"), json={key: " wrong project "}, headers=as_user(approvers[0]))
        assert r.status_code == 200, r.text
        assert r.json()["success"] is True and r.json()["message"] == "Time entry rejected"
        rejected = r.json()["approval"]
        assert rejected["status"] == "rejected" and rejected["rejection_reason"] == "wrong project"
        assert rejected["approved_by"] == approvers[0] and rejected["rejected_at"].endswith("Z")
        assert rejected["approved_at"] is None
        rows = chain(session, first)
        assert [row.status for row in rows] == ["rejected", "cancelled", "cancelled"]
        assert events_since(outbox_events, before) == [
            ("rejected", rows[0].id),
            ("cancelled", rows[1].id),
            ("cancelled", rows[2].id),
        ]

    def test_a_middle_level_leaves_earlier_levels_alone(self, client, as_user, approvers, requested, session):
        first = requested(approvers)
        client.post(action(first["id"], "approve"), headers=as_user(approvers[0]))
        level2 = chain(session, first)[1]
        assert (
            client.post(action(level2.id, "reject"), json={"reason": "no"}, headers=as_user(approvers[1])).status_code
            == 200
        )
        assert statuses(session, first) == ["approved", "rejected", "cancelled"]

    @pytest.mark.parametrize("body", [{}, {"reason": "  "}, {"rejection_reason": ""}, {"reason": None}])
    def test_reason_is_required(self, client, as_user, approvers, requested, session, outbox_events, body):
        first = requested(approvers[:2])
        before = len(outbox_events())
        r = client.post(action(first["id"], "reject"), json=body, headers=as_user(approvers[0]))
        assert r.status_code == 400 and r.json()["error_code"] == "validation_error"
        assert r.json()["errors"] == {"reason": ["Rejection reason required"]}
        assert statuses(session, first) == ["pending", "pending"]
        assert len(outbox_events()) == before

    def test_only_an_eligible_approver_or_admin(
        self, client, as_user, user_id, admin_id, approvers, requested, session
    ):
        first = requested(approvers[:1])
        r = client.post(action(first["id"], "reject"), json={"reason": "x"}, headers=as_user(user_id))
        assert r.status_code == 403 and statuses(session, first) == ["pending"]
        r = client.post(action(first["id"], "reject"), json={"reason": "x"}, headers=as_user(admin_id, "admin"))
        assert r.status_code == 200 and statuses(session, first) == ["rejected"]

    def test_not_pending_and_unknown(self, client, as_user, approvers, requested):
        first = requested(approvers[:1])
        client.post(action(first["id"], "approve"), headers=as_user(approvers[0]))
        r = client.post(action(first["id"], "reject"), json={"reason": "late"}, headers=as_user(approvers[0]))
        assert r.status_code == 400 and r.json()["error_code"] == "invalid_status"
        r = client.post(action(999999, "reject"), json={"reason": "x"}, headers=as_user(approvers[0]))
        assert r.status_code == 404

    def test_write_scope_required(self, client, headers_for, approvers, requested, session):
        first = requested(approvers[:1])
        r = client.post(
            action(first["id"], "reject"), json={"reason": "x"}, headers=headers_for(approvers[0], "read:*")
        )
        assert r.status_code == 403 and r.json()["required_scope"] == "write:time_approvals"
        assert statuses(session, first) == ["pending"]


class TestCancel:
    def test_requester_cancels_the_whole_pending_chain(
        self, client, as_user, user_id, approvers, requested, session, outbox_events
    ):
        first = requested(approvers)
        before = len(outbox_events())
        r = client.post(action(first["id"], "cancel"), headers=as_user(user_id))
        assert r.status_code == 200, r.text
        assert r.json() == {"success": True, "message": "Approval cancelled", "approval": r.json()["approval"]}
        assert r.json()["approval"]["status"] == "cancelled" and r.json()["approval"]["approved_by"] is None
        rows = chain(session, first)
        assert [row.status for row in rows] == ["cancelled"] * 3
        assert events_since(outbox_events, before) == [("cancelled", row.id) for row in rows]

    @pytest.mark.parametrize("who", ["approver", "admin"])
    def test_only_the_requester(self, client, as_user, admin_id, approvers, requested, session, outbox_events, who):
        first = requested(approvers[:1])
        caller = as_user(approvers[0]) if who == "approver" else as_user(admin_id, "admin")
        before = len(outbox_events())
        r = client.post(action(first["id"], "cancel"), headers=caller)
        assert r.status_code == 403 and r.json()["error_code"] == "forbidden"
        assert statuses(session, first) == ["pending"] and len(outbox_events()) == before

    def test_must_be_pending(self, client, as_user, user_id, approvers, requested, session):
        first = requested(approvers[:2])
        client.post(action(first["id"], "approve"), headers=as_user(approvers[0]))
        r = client.post(action(first["id"], "cancel"), headers=as_user(user_id))
        assert r.status_code == 400 and r.json()["error_code"] == "invalid_status"
        assert statuses(session, first) == ["approved", "pending"]

    def test_unknown_is_404(self, client, as_user, user_id):
        assert client.post(action(999999, "cancel"), headers=as_user(user_id)).status_code == 404

    def test_write_scope_required(self, client, headers_for, user_id, approvers, requested, session):
        first = requested(approvers[:1])
        r = client.post(action(first["id"], "cancel"), headers=headers_for(user_id, "read:time_approvals"))
        assert r.status_code == 403 and statuses(session, first) == ["pending"]


class TestBulkApprove:
    def test_each_id_runs_on_its_own(self, client, as_user, approvers, requested, session, outbox_events):
        mine_a = requested(approvers[:1])
        mine_b = requested(approvers[:2])
        theirs = requested(approvers[1:2])
        done = requested(approvers[:1])
        client.post(action(done["id"], "approve"), headers=as_user(approvers[0]))
        ids = [mine_a["id"], 999999, theirs["id"], str(mine_b["id"]), done["id"]]
        r = client.post(BULK, json={"approval_ids": ids, "comment": "fine"}, headers=as_user(approvers[0]))
        assert r.status_code == 200, r.text
        out = r.json()
        assert out["success"] is True and out["message"] == "Approved 2 of 5 entries"
        results = out["results"]
        assert [(x["approval_id"], x["success"]) for x in results] == [
            (mine_a["id"], True), (999999, False), (theirs["id"], False), (mine_b["id"], True), (done["id"], False),
        ]  # fmt: skip
        ok = results[0]
        assert ok["message"] == "Time entry approved" and "error" not in ok
        assert ok["approval"]["status"] == "approved" and ok["approval"]["approval_comment"] == "fine"
        assert results[3]["message"] == "Time entry approved; the next approval level is awaited"
        assert [x.get("error_code") for x in results[1:3] + results[4:]] == ["not_found", "forbidden", "invalid_status"]
        for failed in results[1:3] + results[4:]:
            assert "approval" not in failed and failed["error"] and failed["message"]
        assert statuses(session, theirs) == ["pending"]
        approved = {e["data"]["id"] for e in outbox_events("tt.tracking.approval.approved")}
        assert approved == {mine_a["id"], mine_b["id"], done["id"]}

    def test_a_repeated_id_is_approved_once(self, client, as_user, approvers, requested):
        first = requested(approvers[:1])
        r = client.post(BULK, json={"approval_ids": [first["id"], first["id"]]}, headers=as_user(approvers[0]))
        assert [x["success"] for x in r.json()["results"]] == [True, False]
        assert r.json()["message"] == "Approved 1 of 2 entries"

    @pytest.mark.parametrize("body", [{}, {"approval_ids": []}, {"approval_ids": None}])
    def test_approval_ids_are_required(self, client, as_user, approvers, body):
        r = client.post(BULK, json=body, headers=as_user(approvers[0]))
        assert r.status_code == 400 and r.json()["error_code"] == "validation_error"
        assert r.json()["errors"] == {"approval_ids": ["approval_ids is required"]}

    @pytest.mark.parametrize("ids", [["a"], 5, [{"id": 1}]])
    def test_approval_ids_must_be_a_list_of_integers(self, client, as_user, approvers, requested, session, ids):
        first = requested(approvers[:1])
        r = client.post(BULK, json={"approval_ids": ids}, headers=as_user(approvers[0]))
        assert r.status_code == 400 and r.json()["error_code"] == "validation_error"
        assert statuses(session, first) == ["pending"]

    def test_write_scope_and_module(self, client, headers_for, approvers, requested, session):
        first = requested(approvers[:1])
        body = {"approval_ids": [first["id"]]}
        r = client.post(BULK, json=body, headers=headers_for(approvers[0], "read:time_approvals"))
        assert r.status_code == 403 and r.json()["required_scope"] == "write:time_approvals"
        off = headers_for(approvers[0], *SCOPES, modules_off=("time_approvals",))
        assert client.post(BULK, json=body, headers=off).json()["error_code"] == "module_disabled"
        assert statuses(session, first) == ["pending"]
