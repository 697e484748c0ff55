"""The approval object of tracking.md §7.1 and the approval event payload."""

from __future__ import annotations

from typing import Any

from shared.timefmt import iso_utc
from tracking.models import TimeEntryApproval


def serialize_approval(approval: TimeEntryApproval) -> dict[str, Any]:
    return {
        "id": approval.id,
        "time_entry_id": approval.time_entry_id,
        "status": approval.status,
        "requested_by": approval.requested_by,
        "approved_by": approval.approved_by,
        "requested_at": iso_utc(approval.requested_at),
        "approved_at": iso_utc(approval.approved_at),
        "rejected_at": iso_utc(approval.rejected_at),
        "request_comment": approval.request_comment,
        "approval_comment": approval.approval_comment,
        "rejection_reason": approval.rejection_reason,
        "parent_approval_id": approval.parent_approval_id,
        "approval_level": approval.approval_level,
    }


def approval_event_data(approval: TimeEntryApproval) -> dict[str, Any]:
    """The API object plus `approver_id`: whoever notifies approvers needs to know whom."""
    return serialize_approval(approval) | {"approver_id": approval.approver_id}
