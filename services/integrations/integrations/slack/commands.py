"""What `/tt` replies are made of (integrations.md §4.4): the subcommand and its argument, and
the wording of every reply. Pure functions; the platform calls live in `service_commands`."""

from __future__ import annotations

from dataclasses import dataclass

SUBCOMMANDS = ("start", "stop", "status", "today")
HELP = (
    "TimeTracker commands:\n"
    "• `/tt start <project>`: start a timer on a project (name or id)\n"
    "• `/tt stop`: stop your running timer\n"
    "• `/tt status`: show your running timer\n"
    "• `/tt today`: your hours today"
)
USAGE_START = "Usage: `/tt start <project>` (a project name or id)"
NOT_LINKED = "This Slack user is not linked to the TimeTracker account of this integration."
NO_USER = "No TimeTracker user is linked to this Slack integration."
TRY_AGAIN = "TimeTracker is not answering right now; please try again in a moment."


@dataclass(frozen=True)
class Command:
    name: str  # one of SUBCOMMANDS, or "help"
    argument: str


def parse(text: str | None) -> Command:
    """First word (lower-cased) selects the subcommand, the rest is its argument."""
    word, _, rest = (text or "").strip().partition(" ")
    name = word.lower()
    return Command(name if name in SUBCOMMANDS else "help", rest.strip())


def hms(seconds: int | float | None) -> str:
    total = max(0, int(seconds or 0))
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


def ephemeral(text: str) -> dict[str, str]:
    return {"response_type": "ephemeral", "text": text}


def started(project: str) -> str:
    return f":arrow_forward: Timer started for *{project}*"


def not_found(argument: str) -> str:
    return f"Project not found: `{argument}`"


def start_failed(reason: str) -> str:
    return f"Could not start timer: {reason}"


def stopped(duration_seconds: int | None) -> str:
    return f":stop_button: Timer stopped. Duration: *{hms(duration_seconds)}*"


def stop_failed(reason: str) -> str:
    return f"Could not stop timer: {reason}"


def no_timer() -> str:
    return "No active timer."


def running(project: str | None, elapsed: str) -> str:
    return f":stopwatch: Active timer on *{project or 'no project'}* running {elapsed}"


def today(hours: float, projects: int) -> str:
    return f"Today: *{round(float(hours), 2)}h* across *{projects}* project(s)"
