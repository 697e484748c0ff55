"""Approval queries: lookups, the approver's queue, a request's chain of levels, policies and
the admins of the user replica."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import exists, false, or_, select
from sqlalchemy.orm import Session

from shared.inputs import row_id
from tracking.models import ApprovalPolicy, KnownUser, TimeEntry, TimeEntryApproval


def find_approval(session: Session, approval_id: int, *, lock: bool = False) -> TimeEntryApproval | None:
    return session.get(TimeEntryApproval, row_id(approval_id), with_for_update=lock)


def find_entry(session: Session, entry_id: int, *, lock: bool = False) -> TimeEntry | None:
    return session.get(TimeEntry, entry_id, with_for_update=lock) if entry_id > 0 else None


def pending_queue(session: Session, approver_id: int | None) -> Sequence[TimeEntryApproval]:
    """Pending approvals, newest request first; None = everyone's (admins)."""
    stmt = select(TimeEntryApproval).where(TimeEntryApproval.status == "pending")
    if approver_id is not None:
        stmt = stmt.where(TimeEntryApproval.approver_id == approver_id)
    order = (TimeEntryApproval.requested_at.desc(), TimeEntryApproval.approval_level, TimeEntryApproval.id.desc())
    return session.scalars(stmt.order_by(*order)).all()


def has_pending(session: Session, entry_id: int) -> bool:
    pending = (TimeEntryApproval.time_entry_id == entry_id) & (TimeEntryApproval.status == "pending")
    return bool(session.scalar(select(exists().where(pending))))


def pending_descendants(session: Session, approval: TimeEntryApproval) -> list[TimeEntryApproval]:
    """The later levels chained below `approval` that are still pending, locked, level order."""
    stmt = (
        select(TimeEntryApproval)
        .where(TimeEntryApproval.time_entry_id == approval.time_entry_id)
        .order_by(TimeEntryApproval.approval_level, TimeEntryApproval.id)
        .with_for_update()
    )
    below: list[TimeEntryApproval] = []
    parents = {approval.id}
    for row in session.scalars(stmt):
        if row.parent_approval_id in parents:
            parents.add(row.id)
            below.append(row)
    return [row for row in below if row.status == "pending"]


def policies_for(session: Session, *, project_id: int | None, user_id: int) -> Sequence[ApprovalPolicy]:
    """Enabled policies that may concern the entry (the rules pick among them)."""
    concerns = or_(
        ApprovalPolicy.project_id == project_id if project_id is not None else false(),
        ApprovalPolicy.user_id == user_id,
        ApprovalPolicy.project_id.is_(None) & ApprovalPolicy.user_id.is_(None),
    )
    stmt = select(ApprovalPolicy).where(ApprovalPolicy.enabled, concerns).order_by(ApprovalPolicy.id)
    return session.scalars(stmt).all()


def admin_ids(session: Session) -> list[int]:
    stmt = select(KnownUser.id).where(KnownUser.is_admin, KnownUser.is_active).order_by(KnownUser.id)
    return list(session.scalars(stmt))
