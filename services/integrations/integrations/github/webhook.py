"""The GitHub webhook receiver (integrations.md §3.5). The signature is verified against every
active GitHub integration's secret before anything in the payload is acted on; the first match
handles the delivery. A delivery GitHub sends again (same `X-GitHub-Delivery`) gets the first
answer and changes nothing: its id is recorded in the transaction that handles it, so a replay
arriving meanwhile waits for that transaction and then finds it."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from integrations.connectors import records
from integrations.connectors.context import Connectors
from integrations.connectors.platform import PlatformUnavailableError
from integrations.connectors.results import ConnectorError, failure
from integrations.github import rules
from integrations.github.service import task_creator, upsert_task
from integrations.models import InboundDelivery, Integration
from shared.errors import ServiceUnavailableError

Answer = tuple[int, dict[str, Any]]


def receive_delivery(session: Session, body: bytes, headers: dict[str, str], *, connectors: Connectors) -> Answer:
    """(HTTP status, body) of one delivery."""
    try:
        payload = json.loads(body)
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        raise ConnectorError(400, "Malformed payload")
    row = _matching_integration(session, body, headers.get("x-hub-signature-256"), connectors)
    delivery_id = (headers.get("x-github-delivery") or "").strip()[:100]
    if delivery_id:
        earlier = _record_delivery(session, row, delivery_id)
        if earlier is not None:
            return earlier
    answer = _handle(row, headers.get("x-github-event") or "", payload, connectors)
    if delivery_id:
        session.execute(
            update(InboundDelivery)
            .where(InboundDelivery.provider == records.GITHUB, InboundDelivery.delivery_id == delivery_id)
            .values(response={"status": answer[0], "body": answer[1]})
        )
    return answer


def _matching_integration(session: Session, body: bytes, signature: str | None, connectors: Connectors) -> Integration:
    for row in records.active(session, records.GITHUB):
        if rules.signature_matches(records.secret(row, "webhook_secret", connectors.box), body, signature):
            return row
    raise ConnectorError(401, "No matching GitHub integration")


def _record_delivery(session: Session, row: Integration, delivery_id: str) -> Answer | None:
    """None for a first delivery (now recorded); the first answer for a replay."""
    inserted = session.execute(
        insert(InboundDelivery)
        .values(provider=records.GITHUB, delivery_id=delivery_id, integration_id=row.id, response={})
        .on_conflict_do_nothing()
        .returning(InboundDelivery.delivery_id)
    ).first()
    if inserted is not None:
        return None
    stored = session.scalar(
        select(InboundDelivery.response).where(
            InboundDelivery.provider == records.GITHUB, InboundDelivery.delivery_id == delivery_id
        )
    )
    return int(stored["status"]), stored["body"]


def _handle(row: Integration, event: str, payload: dict[str, Any], connectors: Connectors) -> Answer:
    if event == "ping":
        return 200, {"ok": True, "message": "Webhook received"}
    if event != "issues":
        raise ConnectorError(422, f"Unhandled event: {event}")
    action, issue = payload.get("action"), payload.get("issue")
    number = rules.issue_number(issue)
    if not action or not isinstance(action, str) or number is None:
        raise ConnectorError(400, "Malformed issue payload")
    handlers = {"opened": _issue_opened, "assigned": _issue_assigned, "closed": _issue_closed}
    if action not in handlers:
        raise ConnectorError(422, f"Unhandled action: {action}")
    try:
        return 200, handlers[action](row, payload, issue, number, connectors)
    except PlatformUnavailableError as exc:
        # not recorded (the transaction rolls back): GitHub's redelivery is handled afresh
        raise ServiceUnavailableError(str(exc), ok=False) from None


def _issue_opened(row: Integration, payload: dict, issue: dict, number: int, connectors: Connectors) -> dict:
    project_id = (row.config or {}).get("default_project_id")
    if project_id is None:
        return failure("default_project_id not set")
    answer = upsert_task(connectors, task_creator(connectors, row), project_id, issue, update_existing=False)
    if not answer.ok:
        return failure(answer.message)
    if not answer.body.get("created"):
        return {"ok": True, "skipped": True, "task_id": answer.body["task_id"]}
    return {"ok": True, "task_id": answer.body["task_id"]}


def _issue_assigned(row: Integration, payload: dict, issue: dict, number: int, connectors: Connectors) -> dict:
    config = row.config or {}
    if not config.get("auto_start_timer"):
        return {"ok": True, "skipped": "auto_start_timer disabled"}
    login = rules.assignee_login(payload, issue)
    if login is None:
        return {"ok": True, "skipped": "no assignee login"}
    user = connectors.platform.find_user(github_username=login)
    if user is None:
        return {"ok": True, "skipped": f"no TimeTracker user mapped to '{login}'"}
    if config.get("default_project_id") is None:
        return failure("default_project_id not set")
    body = {"project_id": config["default_project_id"], "notes": rules.timer_notes(number, issue)}
    answer = connectors.platform.tracking("POST", "/api/v1/timer/start", user, json=body)
    return {"ok": answer.ok, "result": answer.body.get("message") if answer.ok else answer.message}


def _issue_closed(row: Integration, payload: dict, issue: dict, number: int, connectors: Connectors) -> dict:
    body = {"external_ref": rules.external_ref(number)}
    answer = connectors.platform.tracking(
        "POST", "/internal/connectors/tasks/complete", task_creator(connectors, row), json=body
    )
    if not answer.ok:
        return failure(answer.message)
    task_id = answer.body.get("task_id")
    return {"ok": True, "task_id": task_id} if task_id is not None else {"ok": True, "skipped": "task not found"}
