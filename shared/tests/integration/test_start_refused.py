"""A process started with a bad `TT_` value exits non-zero at once with one line naming the
variable, no traceback; an unknown variable is warned about with its close match."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
APPS = {
    "gateway": "gateway.main:create_app",
    "auth": "auth.main:create_app",
    "tracking": "tracking.main:create_app",
    "crm": "crm.main:create_app",
    "inventory": "inventory.main:create_app",
    "reporting": "reporting.main:create_app",
    "integrations": "integrations.main:create_app",
}


def environment(**tt: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("TT_")}
    return {**env, "TT_IDENTITY_SECRET": "s" * 40, **tt}


def start(app: str, **tt: str) -> subprocess.CompletedProcess:
    # port 9 (discard): the process must stop before it ever binds
    argv = [sys.executable, "-m", "uvicorn", "--factory", app, "--host", "127.0.0.1", "--port", "9"]
    return subprocess.run(argv, env=environment(**tt), capture_output=True, text=True, cwd=REPO, timeout=60)


@pytest.mark.parametrize("name", list(APPS))
def test_a_zone_the_tz_database_lacks_stops_every_process(name):
    out = start(APPS[name], TT_TIMEZONE="Mars/Olympus")
    assert out.returncode != 0
    assert out.stderr.strip().splitlines() == [
        "TT_TIMEZONE='Mars/Olympus' is not valid: a time zone of the tz database, e.g. Europe/Rome or UTC"
    ]


def test_a_bad_log_level_is_one_line():
    out = start(APPS["tracking"], TT_LOG_LEVEL="verbose")
    assert out.returncode != 0
    assert out.stderr.strip().splitlines() == [
        "TT_LOG_LEVEL='verbose' is not valid: one of DEBUG, INFO, WARNING, ERROR, CRITICAL (any case)"
    ]


def test_a_rate_limit_below_one_stops_the_gateway():
    out = start(APPS["gateway"], TT_RATE_LIMIT_PER_MINUTE="0")
    assert out.returncode != 0
    assert out.stderr.strip().splitlines() == [
        "TT_RATE_LIMIT_PER_MINUTE='0' is not valid: a whole number of requests, 1 or more"
    ]


def test_a_short_secret_is_named_but_never_shown():
    out = start(APPS["auth"], TT_IDENTITY_SECRET="hunter2-hunter2")
    assert out.returncode != 0
    assert out.stderr.strip().splitlines() == [
        "TT_IDENTITY_SECRET=<hidden> is not valid: a real secret of at least 32 characters"
    ]
    assert "hunter2" not in out.stderr + out.stdout


def test_an_unknown_variable_is_warned_about_once_with_its_close_match():
    code = "from shared.config_errors import load_settings; from crm.settings import CrmSettings as S; load_settings(S)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=environment(TT_TIME_ZONE="UTC", TT_LOG_LEVEL="info"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stderr.strip().splitlines() == [
        "ignoring unknown TT_ variables, read by no process of the platform: TT_TIME_ZONE (did you mean TT_TIMEZONE?)"
    ]
