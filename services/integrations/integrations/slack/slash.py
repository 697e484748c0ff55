"""`/tt` subcommands run as the integration's owner (integrations.md §4.4), through tracking's
own routes so the timer rules and project scope are tracking's. Slack waits 3 s for the reply:
every platform call of one command shares `slack_command_deadline_seconds`, and a platform that
is slow, down or failing turns into a "try again" reply, never a 500 or a Slack timeout."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from integrations.connectors.context import Connectors
from integrations.connectors.platform import PlatformUnavailableError, PlatformUser, TrackingAnswer
from integrations.models import Integration
from integrations.slack import commands
from integrations.slack.messages import zone_for

log = logging.getLogger(__name__)
_MIN_CALL_SECONDS = 0.05


class Budget:
    """What is left of the command's deadline, handed to each call as its timeout."""

    def __init__(self, seconds: float) -> None:
        self.ends = time.monotonic() + seconds

    def left(self) -> float:
        remaining = self.ends - time.monotonic()
        if remaining < _MIN_CALL_SECONDS:
            raise PlatformUnavailableError("the command's deadline has passed")
        return remaining


class Owner:
    """The owner and the way to call tracking as them within the budget."""

    def __init__(self, connectors: Connectors, user: PlatformUser, budget: Budget) -> None:
        self.connectors = connectors
        self.user = user
        self.budget = budget

    def tracking(self, method: str, path: str, **kwargs) -> TrackingAnswer:
        return self.connectors.platform.tracking(method, path, self.user, timeout=self.budget.left(), **kwargs)


def zone_name(user: PlatformUser, connectors: Connectors) -> str:
    return zone_for(user.timezone, connectors.settings.timezone).key


def start(owner: Owner, argument: str) -> str:
    if not argument:
        return commands.USAGE_START
    found = owner.tracking("GET", "/internal/connectors/projects/resolve", params={"q": argument})
    project = found.body.get("project") if found.ok else None
    if not project:
        return commands.not_found(argument)
    answer = owner.tracking("POST", "/api/v1/timer/start", json={"project_id": project["id"]})
    return commands.started(project["name"]) if answer.ok else commands.start_failed(answer.message)


def stop(owner: Owner, argument: str) -> str:
    answer = owner.tracking("POST", "/api/v1/timer/stop")
    if not answer.ok:
        return commands.stop_failed(answer.message)
    return commands.stopped((answer.body.get("time_entry") or {}).get("duration_seconds"))


def status(owner: Owner, argument: str) -> str:
    answer = owner.tracking("GET", "/api/v1/timer/status")
    timer = answer.body.get("timer") if answer.ok else None
    if not timer:
        return commands.no_timer()
    return commands.running(timer.get("project"), timer.get("duration_formatted") or commands.hms(0))


def today(owner: Owner, argument: str) -> str:
    zone = zone_name(owner.user, owner.connectors)
    answer = owner.tracking("GET", "/internal/connectors/today", params={"tz": zone})
    if not answer.ok:
        raise PlatformUnavailableError(f"today answered HTTP {answer.status_code}")
    return commands.today(answer.body.get("hours") or 0, int(answer.body.get("projects") or 0))


SUBCOMMANDS: dict[str, Callable[[Owner, str], str]] = {"start": start, "stop": stop, "status": status, "today": today}


def run_command(connectors: Connectors, row: Integration, *, slack_user_id: str | None, text: str | None) -> dict:
    """The ephemeral reply to one `/tt` command."""
    linked = (row.config or {}).get("linked_slack_user_id")
    if linked and linked != slack_user_id:
        return commands.ephemeral(commands.NOT_LINKED)
    command = commands.parse(text)
    budget = Budget(connectors.settings.slack_command_deadline_seconds)
    try:
        user = connectors.platform.active_user(row.user_id, timeout=budget.left())
        if user is None:
            return commands.ephemeral(commands.NO_USER)
        if command.name == "help":
            return commands.ephemeral(commands.HELP)
        return commands.ephemeral(SUBCOMMANDS[command.name](Owner(connectors, user, budget), command.argument))
    except PlatformUnavailableError:
        return commands.ephemeral(commands.TRY_AGAIN)
    except Exception:  # noqa: BLE001 - Slack shows a failed command as an error page: reply instead
        log.exception("slack command %r of integration %s failed", command.name, row.id)
        return commands.ephemeral(commands.TRY_AGAIN)
