"""Wire shapes of time-entry approvals (tracking.md §7)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator

from shared.inputs import INT4_MAX, Text, to_int


def _user_id(value: int) -> int:
    if not 0 < value <= INT4_MAX:
        raise ValueError("Not a valid user id.")
    return value


# An id in a list: "3" is 3; anything that is not an integer is refused.
ListId = Annotated[int, BeforeValidator(to_int)]
UserId = Annotated[ListId, AfterValidator(_user_id)]


class ApprovalRequestBody(BaseModel):
    """`approver_ids`, when given and not empty, replace the policy's approvers (§7.3)."""

    comment: Text = None
    approver_ids: list[UserId] | None = None


class ApproveBody(BaseModel):
    comment: Text = None


class RejectBody(BaseModel):
    """`reason` or its alias `rejection_reason`; the service requires one of them."""

    reason: Text = None
    rejection_reason: Text = None


class BulkApproveBody(BaseModel):
    approval_ids: list[ListId] | None = None
    comment: Text = None


class ApprovalRead(BaseModel):
    id: int
    time_entry_id: int
    status: str
    requested_by: int
    approved_by: int | None
    requested_at: str
    approved_at: str | None
    rejected_at: str | None
    request_comment: str | None
    approval_comment: str | None
    rejection_reason: str | None
    parent_approval_id: int | None
    approval_level: int


class ApprovalList(BaseModel):
    approvals: list[ApprovalRead]


class ApprovalEnvelope(BaseModel):
    approval: ApprovalRead


class ApprovalOutcome(BaseModel):
    success: bool
    message: str
    approval: ApprovalRead


class BulkApprovalResult(BaseModel):
    """`error`, `error_code` and `approval` appear only where they apply."""

    approval_id: int
    success: bool
    message: str
    error: str | None = None
    error_code: str | None = None
    approval: ApprovalRead | None = None


class BulkApprovalOutcome(BaseModel):
    success: bool
    message: str
    results: list[BulkApprovalResult]
