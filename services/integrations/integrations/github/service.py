"""GitHub connector use cases (integrations.md §3.1–§3.4, §3.6): settings, status, the token
test, and the admin's manual sync of open issues into tasks. Tasks are tracking's: they are
created and updated through its connector routes, as the integration's owner."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.orm import Session

from integrations.connectors import records, values
from integrations.connectors.context import Connectors
from integrations.connectors.outbound import ProviderError
from integrations.connectors.platform import PlatformUnavailableError, PlatformUser
from integrations.connectors.results import NOT_CONFIGURED, ConnectorError, failure, not_configured, test_failed
from integrations.github import rules
from integrations.models import Integration
from integrations.secrets import new_webhook_secret
from shared.db import utcnow
from shared.identity import Identity
from shared.timefmt import iso_utc

WEBHOOK_PATH = "/api/integrations/github/webhook"
ISSUES_PAGE = 50
_TEXT_KEYS = ("repo_owner", "repo_name", "label_filter")


def save_config(session: Session, fields: dict[str, Any], *, actor: Identity, connectors: Connectors) -> dict[str, Any]:
    """§3.1. A webhook secret generated here is answered once, in this response."""
    box = connectors.box
    row = records.find_or_create(session, records.GITHUB, actor.user_id)
    config = records.config_of(row)
    answer: dict[str, Any] = {"ok": True}
    token = values.text(fields.get("github_token"))
    if token:
        records.put_secret(config, "github_token", token, box)
    secret = values.text(fields.get("webhook_secret"))
    if secret:
        records.put_secret(config, "webhook_secret", secret, box)
    elif not config.get("webhook_secret"):
        generated = new_webhook_secret()
        records.put_secret(config, "webhook_secret", generated, box)
        answer["webhook_secret"] = generated
    for key in _TEXT_KEYS:
        if key in fields:
            config[key] = values.text(fields[key])
    if "default_project_id" in fields:
        config["default_project_id"] = values.integer(fields["default_project_id"])
    if "auto_start_timer" in fields:
        config["auto_start_timer"] = values.flag(fields["auto_start_timer"])
    records.save_config(row, config, box)
    row.is_active = bool(config.get("github_token"))
    return answer | {"is_active": row.is_active}


def status(session: Session, *, actor: Identity, connectors: Connectors) -> dict[str, Any]:
    """§3.2: settings without secrets (`has_webhook_secret` only)."""
    row = records.find(session, records.GITHUB, actor.user_id)
    if row is None:
        return {"ok": True, "connected": False}
    config = row.config or {}
    return {
        "ok": True,
        "connected": row.is_active and records.has(row, "github_token"),
        "repo_owner": config.get("repo_owner"),
        "repo_name": config.get("repo_name"),
        "default_project_id": config.get("default_project_id"),
        "auto_start_timer": bool(config.get("auto_start_timer")),
        "label_filter": config.get("label_filter"),
        "has_webhook_secret": records.has(row, "webhook_secret"),
        "webhook_url": connectors.public(WEBHOOK_PATH),
        "last_sync_at": iso_utc(row.last_sync_at),
    }


def _configured(session: Session, actor: Identity) -> Integration:
    row = records.find(session, records.GITHUB, actor.user_id)
    if row is None:
        raise ConnectorError(404, NOT_CONFIGURED)
    return row


def _github(connectors: Connectors, token: str, path: str, **params: Any) -> httpx.Response:
    headers = {
        "Authorization": f"token {token}",
        "Accept": "application/vnd.github+json",
        "User-Agent": "TimeTracker-GitHubConnector",
    }
    return connectors.http.request("GET", connectors.settings.github_api_url + path, headers=headers, params=params)


def _json(response: httpx.Response) -> Any:
    """The answer's JSON; None when it is not JSON (a proxy's HTML page, say)."""
    try:
        return response.json()
    except ValueError:
        return None


def test_connection(session: Session, *, actor: Identity, connectors: Connectors) -> dict[str, Any]:
    """§3.3: `GET /user` with the stored token."""
    row = _configured(session, actor)
    token = records.secret(row, "github_token", connectors.box) if row.is_active else None
    if not token:
        return test_failed(NOT_CONFIGURED)
    try:
        response = _github(connectors, token, "/user")
    except ProviderError as exc:
        return test_failed(f"Connection error: {exc}")
    user = _json(response)
    if response.status_code != 200 or not isinstance(user, dict):
        return test_failed(f"GitHub returned HTTP {response.status_code}")
    return {"success": True, "message": f"Connected as {user.get('login')}"}


def sync_issues(session: Session, *, actor: Identity, connectors: Connectors) -> dict[str, Any]:
    """§3.4: the first page of open issues upserted as tasks of the default project."""
    if not actor.is_admin:
        raise ConnectorError(403, "Admin only")
    row = _configured(session, actor)
    config = row.config or {}
    token = records.secret(row, "github_token", connectors.box) if row.is_active else None
    if not token:
        return not_configured()
    owner, repo, project_id = config.get("repo_owner"), config.get("repo_name"), config.get("default_project_id")
    if not owner or not repo:
        return failure("repo_owner and repo_name are required")
    if project_id is None:
        return failure("default_project_id is required")
    try:
        response = _github(connectors, token, f"/repos/{owner}/{repo}/issues", state="open", per_page=ISSUES_PAGE)
    except ProviderError as exc:
        return failure(f"Connection error: {exc}")
    listed = _json(response)
    if response.status_code != 200 or not isinstance(listed, list):
        return failure(f"GitHub returned HTTP {response.status_code}")
    issues, skipped = rules.sync_candidates(listed, config.get("label_filter"))
    try:
        creator = task_creator(connectors, row)
    except PlatformUnavailableError as exc:
        return failure(str(exc))
    created, updated, errors = _upsert_all(connectors, creator, project_id, issues)
    row.last_sync_at = utcnow()
    row.last_sync_status = "partial" if errors else "success"
    return {"ok": True, "synced": created, "updated": updated, "skipped": skipped, "errors": errors}


def _upsert_all(
    connectors: Connectors, creator: PlatformUser, project_id: int, issues: list[dict[str, Any]]
) -> tuple[int, int, list[str]]:
    created = updated = 0
    errors: list[str] = []
    for issue in issues:
        number = rules.issue_number(issue)
        try:
            answer = upsert_task(connectors, creator, project_id, issue, update_existing=True)
        except PlatformUnavailableError as exc:
            errors.append(f"#{number}: {exc}")
            continue
        if not answer.ok:
            errors.append(f"#{number}: {answer.message}")
        elif answer.body.get("created"):
            created += 1
        else:
            updated += 1
    return created, updated, errors


def task_creator(connectors: Connectors, row: Integration) -> PlatformUser:
    """§3.6 `created_by`: the integration's owner, else (owner gone or deactivated) an admin."""
    owner = connectors.platform.active_user(row.user_id)
    if owner is not None:
        return owner
    admin = connectors.platform.find_user(admin="true")
    if admin is None:
        raise PlatformUnavailableError("no active user may create the task")
    return admin


def upsert_task(
    connectors: Connectors, creator: PlatformUser, project_id: int, issue: dict[str, Any], *, update_existing: bool
):
    number = rules.issue_number(issue)
    body = {
        "project_id": project_id,
        "external_ref": rules.external_ref(number),
        **rules.task_fields(issue),
        "update_existing": update_existing,
    }
    return connectors.platform.tracking("POST", "/internal/connectors/tasks/upsert", creator, json=body)
