"""GitHub connector rules without I/O (integrations.md §3): the delivery signature, which issues
a sync takes, and the task an issue becomes."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

NAME_LIMIT = 200
DESCRIPTION_LIMIT = 2000
NOTES_TITLE_LIMIT = 160
_PRIORITY_BY_LABEL = {"bug": "high", "critical": "high", "enhancement": "medium"}


def signature_matches(secret: str | None, body: bytes, header: str | None) -> bool:
    """§3.5: `sha256=` + hex HMAC-SHA256(secret, raw body), compared in constant time. An
    integration without a secret never matches."""
    if not secret or not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256=").strip().lower())


def sign(secret: str, body: bytes) -> str:
    """The header GitHub sends for `body` (what tests and the fake sign with)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def external_ref(number: int) -> str:
    return f"github_issue_{number}"


def label_names(issue: dict[str, Any]) -> list[str]:
    """Label names in label order; GitHub sends objects, older payloads plain strings."""
    names = []
    labels = issue.get("labels")
    for label in labels if isinstance(labels, list) else ():
        name = label.get("name") if isinstance(label, dict) else label
        if isinstance(name, str):
            names.append(name)
    return names


def priority_for(issue: dict[str, Any]) -> str:
    """The first label (in label order) that maps to a priority decides; none → low."""
    for name in label_names(issue):
        priority = _PRIORITY_BY_LABEL.get(name.lower())
        if priority is not None:
            return priority
    return "low"


def has_label(issue: dict[str, Any], wanted: str) -> bool:
    return any(name.lower() == wanted.lower() for name in label_names(issue))


def issue_number(issue: Any) -> int | None:
    number = issue.get("number") if isinstance(issue, dict) else None
    return number if isinstance(number, int) and not isinstance(number, bool) else None


def task_fields(issue: dict[str, Any]) -> dict[str, Any]:
    """§3.6: name, description and priority of the task an issue becomes."""
    title = str(issue.get("title") or "").strip()[:NAME_LIMIT]
    body = str(issue.get("body") or "").strip()[:DESCRIPTION_LIMIT]
    return {"name": title or "Issue", "description": body or None, "priority": priority_for(issue)}


def timer_notes(number: int, issue: dict[str, Any]) -> str:
    title = str(issue.get("title") or "").strip()[:NOTES_TITLE_LIMIT]
    return f"GitHub issue #{number}: {title}"


def assignee_login(payload: dict[str, Any], issue: dict[str, Any]) -> str | None:
    """`payload.assignee`, else `issue.assignee`."""
    for assignee in (payload.get("assignee"), issue.get("assignee")):
        if isinstance(assignee, dict) and isinstance(assignee.get("login"), str) and assignee["login"].strip():
            return assignee["login"].strip()
    return None


def sync_candidates(issues: list[Any], label_filter: str | None) -> tuple[list[dict[str, Any]], int]:
    """§3.4 step 3: the issues a sync upserts, and how many it skips (pull requests, issues
    without a number, issues lacking the label filter)."""
    taken = []
    for issue in issues:
        if not isinstance(issue, dict) or "pull_request" in issue or issue_number(issue) is None:
            continue
        if label_filter and not has_label(issue, label_filter):
            continue
        taken.append(issue)
    return taken, len(issues) - len(taken)
