"""Time-entry approval use cases (tracking.md §7): the approver's queue, reading one approval,
requesting approval of an entry (one pending level per approver, chained), approving,
rejecting, cancelling and bulk approval.

The eligible approver of an approval is its `approver_id`; admins may decide any approval."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from shared.consistency import catch_up
from shared.db import utcnow
from shared.errors import ApiError, ForbiddenError, NotFoundError, ValidationError
from shared.identity import Identity
from tracking import events
from tracking.approvals import repository
from tracking.approvals.policy import EntryFacts, resolve_approvers, unique_ids
from tracking.approvals.schemas import ApprovalRequestBody, BulkApproveBody, RejectBody
from tracking.approvals.serializers import approval_event_data, serialize_approval
from tracking.errors import AlreadyPendingError, InvalidStatusError, NoApproversError
from tracking.models import TimeEntry, TimeEntryApproval

APPROVED = "Time entry approved"
APPROVED_NEXT_LEVEL = "Time entry approved; the next approval level is awaited"


def _emit(session: Session, approval: TimeEntryApproval, action: str, actor: Identity) -> None:
    data = approval_event_data(approval)
    events.emit(session, "approval", action, entity_id=approval.id, data=data, actor=actor)


def _approval(session: Session, approval_id: int, *, lock: bool = False) -> TimeEntryApproval:
    approval = repository.find_approval(session, approval_id, lock=lock)
    if approval is None:
        raise NotFoundError(f"Approval with ID {approval_id} not found", error="Approval not found")
    return approval


def _is_eligible(approval: TimeEntryApproval, actor: Identity) -> bool:
    return actor.is_admin or (approval.approver_id is not None and approval.approver_id == actor.user_id)


def _require_pending(approval: TimeEntryApproval) -> None:
    if approval.status != "pending":
        raise InvalidStatusError(approval.status)


def list_pending(session: Session, actor: Identity) -> dict[str, Any]:
    rows = repository.pending_queue(session, None if actor.is_admin else actor.user_id)
    return {"approvals": [serialize_approval(a) for a in rows]}


def get_approval(session: Session, approval_id: int, actor: Identity) -> dict[str, Any]:
    approval = _approval(session, approval_id)
    involved = actor.user_id in (approval.requested_by, approval.approved_by)
    if not (involved or _is_eligible(approval, actor)):
        raise ForbiddenError()
    return {"approval": serialize_approval(approval)}


def _approvers(session: Session, entry: TimeEntry, chosen: list[int] | None) -> list[int]:
    if chosen:
        return unique_ids(chosen)
    facts = EntryFacts(
        project_id=entry.project_id,
        user_id=entry.user_id,
        billable=entry.billable,
        duration_seconds=entry.duration_seconds or 0,
    )
    policies = repository.policies_for(session, project_id=entry.project_id, user_id=entry.user_id)
    # The admins come from the user replica: an admin created a moment ago approves too.
    catch_up("auth")
    return resolve_approvers(policies, facts, repository.admin_ids(session))


def request_approval(session: Session, entry_id: int, body: ApprovalRequestBody, *, actor: Identity) -> dict[str, Any]:
    # the row lock makes a second simultaneous request of the same entry see the first one's levels
    entry = repository.find_entry(session, entry_id, lock=True)
    if entry is None:
        raise NotFoundError(f"Time entry with ID {entry_id} not found", error="Time entry not found")
    if not actor.is_admin and entry.user_id != actor.user_id:
        raise ForbiddenError()
    if repository.has_pending(session, entry.id):
        raise AlreadyPendingError()
    approvers = _approvers(session, entry, body.approver_ids)
    if not approvers:
        raise NoApproversError()
    now = utcnow()
    levels: list[TimeEntryApproval] = []
    for level, approver_id in enumerate(approvers, start=1):
        approval = TimeEntryApproval(
            time_entry_id=entry.id,
            status="pending",
            requested_by=actor.user_id,
            approver_id=approver_id,
            requested_at=now,
            request_comment=body.comment,
            parent_approval_id=levels[-1].id if levels else None,
            approval_level=level,
        )
        session.add(approval)
        session.flush()
        levels.append(approval)
    for approval in levels:
        _emit(session, approval, "requested", actor)
    return {"success": True, "message": "Approval requested", "approval": serialize_approval(levels[0])}


def approve(session: Session, approval_id: int, *, comment: str | None, actor: Identity) -> dict[str, Any]:
    approval = _approval(session, approval_id, lock=True)
    _require_pending(approval)
    if not _is_eligible(approval, actor):
        raise ForbiddenError("You are not an approver of this time entry")
    approval.status = "approved"
    approval.approved_by = actor.user_id
    approval.approved_at = utcnow()
    approval.approval_comment = comment
    session.flush()
    _emit(session, approval, "approved", actor)
    waiting = repository.pending_descendants(session, approval)
    message = APPROVED_NEXT_LEVEL if waiting else APPROVED
    return {"success": True, "message": message, "approval": serialize_approval(approval)}


def _cancel_below(session: Session, approval: TimeEntryApproval, actor: Identity) -> None:
    for child in repository.pending_descendants(session, approval):
        child.status = "cancelled"
        session.flush()
        _emit(session, child, "cancelled", actor)


def reject(session: Session, approval_id: int, body: RejectBody, *, actor: Identity) -> dict[str, Any]:
    reason = body.reason or body.rejection_reason
    if reason is None:
        raise ValidationError({"reason": ["Rejection reason required"]}, "Rejection reason required")
    approval = _approval(session, approval_id, lock=True)
    _require_pending(approval)
    if not _is_eligible(approval, actor):
        raise ForbiddenError("You are not an approver of this time entry")
    approval.status = "rejected"
    approval.approved_by = actor.user_id
    approval.rejected_at = utcnow()
    approval.rejection_reason = reason
    session.flush()
    # the requester learns of it from this event
    _emit(session, approval, "rejected", actor)
    _cancel_below(session, approval, actor)
    return {"success": True, "message": "Time entry rejected", "approval": serialize_approval(approval)}


def cancel(session: Session, approval_id: int, *, actor: Identity) -> dict[str, Any]:
    approval = _approval(session, approval_id, lock=True)
    if approval.requested_by != actor.user_id:
        raise ForbiddenError("Only the requester can cancel this approval")
    _require_pending(approval)
    approval.status = "cancelled"
    session.flush()
    _emit(session, approval, "cancelled", actor)
    _cancel_below(session, approval, actor)
    return {"success": True, "message": "Approval cancelled", "approval": serialize_approval(approval)}


def _approve_one(session: Session, approval_id: int, comment: str | None, actor: Identity) -> dict[str, Any]:
    try:
        # a savepoint per id: one failure leaves the others' changes (and events) in place
        with session.begin_nested():
            outcome = approve(session, approval_id, comment=comment, actor=actor)
    except ApiError as exc:
        return {
            "approval_id": approval_id,
            "success": False,
            "message": exc.message,
            "error": exc.error,
            "error_code": exc.error_code,
        }
    return {"approval_id": approval_id, **outcome}


def bulk_approve(session: Session, body: BulkApproveBody, *, actor: Identity) -> dict[str, Any]:
    if not body.approval_ids:
        raise ValidationError({"approval_ids": ["approval_ids is required"]}, "approval_ids is required")
    results = [_approve_one(session, i, body.comment, actor) for i in body.approval_ids]
    approved = sum(r["success"] for r in results)
    return {"success": True, "message": f"Approved {approved} of {len(results)} entries", "results": results}
