"""Time-entry approvals (tracking.md §7): `/api/v1/time-entry-approvals` and the request route
under `/api/v1/time-entries`, all behind the `time_approvals` module."""

from __future__ import annotations

from typing import Annotated

from shared.db import SessionDep
from shared.identity import Identity, requires
from tracking.approvals import service
from tracking.approvals.schemas import (
    ApprovalEnvelope,
    ApprovalList,
    ApprovalOutcome,
    ApprovalRequestBody,
    ApproveBody,
    BulkApprovalOutcome,
    BulkApproveBody,
    RejectBody,
)
from tracking.routing import feature_router

# Full paths: the request route sits beside the time-entries router without sharing its prefix.
router = feature_router("/api/v1", tags=["time-entry-approvals"])
ReadScope = Annotated[Identity, requires("read:time_approvals", module="time_approvals")]
WriteScope = Annotated[Identity, requires("write:time_approvals", module="time_approvals")]


@router.get("/time-entry-approvals", response_model=ApprovalList)
def list_approvals(session: SessionDep, identity: ReadScope) -> dict:
    """Pending approvals the caller may decide (admins: all), newest request first."""
    return service.list_pending(session, identity)


@router.get("/time-entry-approvals/{approval_id:id}", response_model=ApprovalEnvelope)
def get_approval(approval_id: int, session: SessionDep, identity: ReadScope) -> dict:
    """One approval: for its requester, its approver, the one who decided it, and admins."""
    return service.get_approval(session, approval_id, identity)


@router.post("/time-entries/{entry_id:id}/request-approval", response_model=ApprovalOutcome)
def request_approval(entry_id: int, body: ApprovalRequestBody, session: SessionDep, identity: WriteScope) -> dict:
    """Ask for approval of an entry: one pending level per approver; answers the first level."""
    return service.request_approval(session, entry_id, body, actor=identity)


@router.post(
    "/time-entry-approvals/bulk-approve", response_model=BulkApprovalOutcome, response_model_exclude_unset=True
)
def bulk_approve_approvals(body: BulkApproveBody, session: SessionDep, identity: WriteScope) -> dict:
    """Approve several approvals, each on its own; the results say which succeeded."""
    return service.bulk_approve(session, body, actor=identity)


@router.post("/time-entry-approvals/{approval_id:id}/approve", response_model=ApprovalOutcome)
def approve_approval(approval_id: int, body: ApproveBody, session: SessionDep, identity: WriteScope) -> dict:
    """Approve a pending approval as its approver (or an admin)."""
    return service.approve(session, approval_id, comment=body.comment, actor=identity)


@router.post("/time-entry-approvals/{approval_id:id}/reject", response_model=ApprovalOutcome)
def reject_approval(approval_id: int, body: RejectBody, session: SessionDep, identity: WriteScope) -> dict:
    """Reject a pending approval with a reason; later pending levels are cancelled."""
    return service.reject(session, approval_id, body, actor=identity)


@router.post("/time-entry-approvals/{approval_id:id}/cancel", response_model=ApprovalOutcome)
def cancel_approval(approval_id: int, session: SessionDep, identity: WriteScope) -> dict:
    """Withdraw a pending request (requester only); later pending levels are cancelled."""
    return service.cancel(session, approval_id, actor=identity)
