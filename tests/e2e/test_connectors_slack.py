"""The Slack connector through the gateway (integrations.md §4): a user saves their Slack app's
settings, Slack verifies the events URL and sends `/tt` commands signed with the app's signing
secret, and the user's timer and daily summary appear in their channel, with every real service
behind it and a fake Slack Web API in place of slack.com."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import httpx
import pytest
from fakes.server import Answer, FakeProvider, Request
from fakes.slack import POST_MESSAGE

from shared.identity import IDENTITY_HEADER, Identity, IdentityCodec

SCOPES = "read:clients,write:clients,read:projects,write:projects,read:tasks,write:tasks," \
    "read:time_entries,write:time_entries"  # fmt: skip
EVENTS = "/api/integrations/slack/events"
CONFIG = "/api/integrations/slack/config"
STATUS = "/api/integrations/slack/status"
TEST = "/api/integrations/slack/test"


def unique(name: str) -> str:
    return f"{name} {uuid.uuid4().hex[:8]}"


def eventually(probe, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.05)


def signed(secret: str, body: bytes, *, ts: int | None = None) -> dict[str, str]:
    """The headers Slack sends with `body`."""
    ts = int(time.time()) if ts is None else ts
    digest = hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": f"v0={digest}"}


@dataclass
class Seen:
    """Every response of this module's clients, so none can be shown to hold a secret."""

    texts: list[str] = field(default_factory=list)

    def hook(self, response: httpx.Response) -> None:
        response.read()
        self.texts.append(str(response.headers) + response.text)


SEEN = Seen()
SECRETS: list[str] = []


def client(base: str, token: str | None = None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=base, headers=headers, timeout=10, event_hooks={"response": [SEEN.hook]})


@dataclass
class Owner:
    """A platform user with their own Slack app: bot token, signing secret, channel."""

    api: httpx.Client
    slack: httpx.Client
    user: dict
    bot_token: str
    signing_secret: str
    channel: str
    slack_user: str

    def configure(self, **fields) -> dict:
        body = {"bot_token": self.bot_token, "signing_secret": self.signing_secret, "channel_id": self.channel}
        r = self.api.post(CONFIG, json={**body, **fields})
        assert r.status_code == 200, r.text
        return r.json()

    def command(self, text: str, *, slack_user: str | None = None, secret: str | None = None) -> httpx.Response:
        """`/tt <text>` as Slack posts it: form fields, signed."""
        form = {"token": "legacy", "team_id": "T1", "user_id": slack_user or self.slack_user, "command": "/tt"}
        body = urlencode({**form, "text": text, "response_url": "https://hooks.slack.invalid/x"}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", **signed(secret or self.signing_secret, body)}
        return self.slack.post(EVENTS, content=body, headers=headers)

    def reply(self, text: str, **kwargs) -> str:
        r = self.command(text, **kwargs)
        assert r.status_code == 200, r.text
        assert r.json()["response_type"] == "ephemeral"
        return r.json()["text"]

    def project(self, name: str | None = None) -> dict:
        crm_client = self.api.post("/api/v1/clients", json={"name": unique("Client")}).json()["client"]
        r = self.api.post("/api/v1/projects", json={"name": name or unique("Project"), "client_id": crm_client["id"]})
        assert r.status_code == 201, r.text
        return r.json()["project"]

    def timer(self) -> dict:
        r = self.api.get("/api/v1/timer/status")
        assert r.status_code == 200, r.text
        return r.json()


@pytest.fixture
def new_owner(stack, make_user, make_token, fake_slack):
    made: list[Owner] = []

    def make(secret: str | None = None, **user_fields) -> Owner:
        user = make_user(full_name=unique("Slack Person"), **user_fields)
        token, _, user = make_token(SCOPES, user=user)
        owner = Owner(
            api=client(stack.gateway_url, token),
            slack=client(stack.gateway_url),
            user=user,
            bot_token=f"xoxb-{uuid.uuid4().hex}",
            signing_secret=secret or uuid.uuid4().hex,
            channel=f"C{uuid.uuid4().hex[:10].upper()}",
            slack_user=f"U{uuid.uuid4().hex[:10].upper()}",
        )
        fake_slack.add_bot_token(owner.bot_token)
        SECRETS.extend([owner.bot_token, owner.signing_secret])
        made.append(owner)
        return owner

    yield make
    for owner in made:
        owner.api.close()
        owner.slack.close()


@pytest.fixture
def owner(new_owner) -> Owner:
    return new_owner()


class TestConfigAndStatus:
    def test_save_then_status_shows_settings_never_secrets(self, stack, owner):
        saved = owner.configure(notify_on_start=True, daily_summary=True, daily_summary_time="7:30",
                                linked_slack_user_id=owner.slack_user)  # fmt: skip
        assert saved == {"ok": True, "is_active": True}
        r = owner.api.get(STATUS)
        assert r.status_code == 200
        assert r.json() == {
            "ok": True,
            "connected": True,
            "channel_id": owner.channel,
            "notify_on_start": True,
            "notify_on_stop": False,
            "daily_summary": True,
            "daily_summary_time": "07:30",
            "linked_slack_user_id": owner.slack_user,
            "has_signing_secret": True,
            "events_url": stack.gateway_url + EVENTS,
        }

    def test_form_body_invalid_time_and_blank_fields(self, owner):
        r = owner.api.post(CONFIG, data={"bot_token": owner.bot_token, "channel_id": owner.channel,
                                         "notify_on_stop": "on", "daily_summary_time": "24:61"})  # fmt: skip
        assert r.json() == {"ok": True, "is_active": True}
        assert owner.api.post(CONFIG, data={"channel_id": " ", "linked_slack_user_id": ""}).json()["is_active"]
        status = owner.api.get(STATUS).json()
        assert status["daily_summary_time"] == "18:00"
        assert status["notify_on_stop"] is True
        assert status["channel_id"] is None and status["linked_slack_user_id"] is None
        assert status["has_signing_secret"] is False

    def test_without_a_row_and_without_a_bot_token(self, owner):
        assert owner.api.get(STATUS).json() == {"ok": True, "connected": False}
        assert owner.api.post(CONFIG, json={"channel_id": owner.channel}).json() == {"ok": True, "is_active": False}
        assert owner.api.get(STATUS).json()["connected"] is False

    def test_needs_a_token(self, stack):
        with client(stack.gateway_url) as anonymous:
            assert anonymous.get(STATUS).status_code == 401
            assert anonymous.post(CONFIG, json={"bot_token": "xoxb-x"}).status_code == 401


class TestTestMessage:
    def test_without_a_row_is_404(self, owner):
        r = owner.api.post(TEST)
        assert r.status_code == 404
        assert r.json()["ok"] is False and r.json()["error"] == "Integration not configured"
        assert r.json()["error_code"] == "not_found"

    def test_inactive_is_not_configured(self, owner):
        owner.api.post(CONFIG, json={"channel_id": owner.channel})
        r = owner.api.post(TEST)
        assert r.status_code == 200
        assert r.json() == {"ok": False, "error": "Integration not configured"}

    def test_posts_to_the_channel_with_the_bot_token(self, owner, fake_slack):
        owner.configure()
        assert owner.api.post(TEST).json() == {"ok": True}
        (message,) = fake_slack.messages(owner.channel)
        assert message["token"] == owner.bot_token and message["text"]
        (sent,) = [r for r in fake_slack.received(POST_MESSAGE) if r.json()["channel"] == owner.channel]
        assert sent.headers["authorization"] == f"Bearer {owner.bot_token}"
        assert sent.headers["content-type"] == "application/json; charset=utf-8"

    def test_a_blank_token_keeps_the_stored_one(self, owner, fake_slack):
        owner.configure()
        assert owner.api.post(CONFIG, json={"bot_token": "", "signing_secret": " "}).json()["is_active"] is True
        assert owner.api.post(TEST).json() == {"ok": True}
        assert owner.api.get(STATUS).json()["has_signing_secret"] is True

    def test_refusals_and_outages_are_results(self, owner, fake_slack):
        owner.configure(bot_token=f"xoxb-unknown-{uuid.uuid4().hex}")
        assert owner.api.post(TEST).json() == {"ok": False, "error": "invalid_auth"}
        fake_slack.add_bot_token(owner.bot_token, channels={"C-OTHER"})
        owner.configure()
        assert owner.api.post(TEST).json() == {"ok": False, "error": "channel_not_found"}

    def test_rate_limited_then_posted(self, owner, fake_slack):
        owner.configure()
        fake_slack.fail_next(POST_MESSAGE, Answer(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "0"}))
        assert owner.api.post(TEST).json() == {"ok": True}
        assert len(fake_slack.messages(owner.channel)) == 1

    def test_slack_down_is_a_result(self, owner, fake_slack):
        owner.configure()
        fake_slack.fail_next(POST_MESSAGE, *[Answer(500, {"ok": False})] * 3)
        r = owner.api.post(TEST)
        assert r.status_code == 200 and r.json()["ok"] is False
        assert fake_slack.messages(owner.channel) == []


class TestSignature:
    def test_url_verification_and_other_events(self, owner):
        owner.configure()
        body = b'{"type": "url_verification", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}'
        r = owner.slack.post(EVENTS, content=body, headers={"Content-Type": "application/json",
                                                             **signed(owner.signing_secret, body)})  # fmt: skip
        assert r.status_code == 200
        assert r.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}
        body = b'{"type": "event_callback", "event": {"type": "app_mention"}}'
        r = owner.slack.post(EVENTS, content=body, headers={"Content-Type": "application/json",
                                                             **signed(owner.signing_secret, body)})  # fmt: skip
        assert r.json() == {"ok": True}

    @pytest.mark.parametrize("forgery", ["wrong secret", "old", "future", "no signature", "no timestamp", "tampered"])
    def test_unverified_requests_change_nothing(self, owner, forgery):
        owner.configure()
        project = owner.project()
        body = urlencode({"user_id": owner.slack_user, "text": f"start {project['id']}"}).encode()
        now = int(time.time())
        headers = {
            "wrong secret": signed("not-the-secret", body),
            "old": signed(owner.signing_secret, body, ts=now - 301),
            "future": signed(owner.signing_secret, body, ts=now + 301),
            "no signature": {"X-Slack-Request-Timestamp": str(now)},
            "no timestamp": {"X-Slack-Signature": signed(owner.signing_secret, body)["X-Slack-Signature"]},
            "tampered": signed(owner.signing_secret, body.replace(b"start", b"stop_")),
        }[forgery]
        r = owner.slack.post(EVENTS, content=body,
                             headers={"Content-Type": "application/x-www-form-urlencoded", **headers})  # fmt: skip
        assert r.status_code == 401
        assert r.json()["ok"] is False and r.json()["error"] == "Invalid signature"
        assert r.json()["error_code"] == "unauthorized"
        assert owner.timer()["active"] is False

    def test_an_inactive_integration_never_verifies(self, owner):
        owner.api.post(CONFIG, json={"signing_secret": owner.signing_secret})  # no bot token: inactive
        assert owner.command("status").status_code == 401


class TestSlashCommands:
    def test_help_and_usage(self, owner):
        owner.configure()
        for text in ("", "help", "dance"):
            reply = owner.reply(text)
            assert all(word in reply for word in ("start <project>", "stop", "status", "today"))
        assert "Usage" in owner.reply("start")
        assert owner.reply("start no-such-project-xyz") == "Project not found: `no-such-project-xyz`"

    def test_a_working_session(self, owner):
        owner.configure()
        tag = uuid.uuid4().hex[:10]
        owner.project(f"Redesign {tag} beta")
        project = owner.project(f"Redesign {tag} alpha")  # made later, first by name
        assert owner.reply("status") == "No active timer."
        assert project["name"] in owner.reply(f"start {tag.upper()}")
        timer = owner.timer()
        assert timer["active"] is True and timer["timer"]["project_id"] == project["id"]
        assert "Could not start timer" in owner.reply(f"start {project['id']}")
        status = owner.reply("status")
        assert project["name"] in status and re.search(r"running \d\d:\d\d:\d\d", status)
        stopped = owner.reply("stop")
        assert "Timer stopped" in stopped
        assert owner.timer()["active"] is False
        entries = owner.api.get("/api/v1/time-entries", params={"project_id": project["id"]}).json()["time_entries"]
        assert re.search(r"\d\d:\d\d:\d\d", stopped)[0] == entries[0]["duration_formatted"]
        assert owner.reply("stop").lower().startswith("could not stop timer: no active timer")

    def test_start_by_id_only_among_allowed_active_projects(self, owner, new_owner):
        owner.configure()
        archived, theirs = owner.project(), new_owner().project()
        assert owner.api.delete(f"/api/v1/projects/{archived['id']}").status_code == 200
        for project in (archived, theirs):
            assert owner.reply(f"start {project['id']}") == f"Project not found: `{project['id']}`"
            assert owner.reply(f"start {project['name']}") == f"Project not found: `{project['name']}`"
        assert owner.timer()["active"] is False
        mine = owner.project()
        assert mine["name"] in owner.reply(f"start {mine['id']}")

    def test_today_in_the_owners_time_zone(self, new_owner):
        owner = new_owner(timezone="Asia/Tokyo")
        owner.configure()
        project = owner.project()
        assert owner.reply("today") == "Today: *0.0h* across *0* project(s)"
        end = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
        if (end - timedelta(minutes=9)).astimezone(ZoneInfo("Asia/Tokyo")).date() != end.astimezone(
            ZoneInfo("Asia/Tokyo")
        ).date():
            pytest.skip("the entry would straddle midnight in Tokyo")
        r = owner.api.post("/api/v1/time-entries", json={"project_id": project["id"],
                                                          "start_time": (end - timedelta(minutes=9)).isoformat(),
                                                          "end_time": end.isoformat()})  # fmt: skip
        assert r.status_code == 201, r.text
        assert owner.reply("today") == "Today: *0.15h* across *1* project(s)"

    def test_a_linked_integration_refuses_other_slack_users(self, owner):
        owner.configure(linked_slack_user_id=owner.slack_user)
        project = owner.project()
        reply = owner.reply(f"start {project['id']}", slack_user="U-SOMEONE-ELSE")
        assert "not linked" in reply
        assert owner.timer()["active"] is False
        assert project["name"] in owner.reply(f"start {project['id']}")

    def test_a_deactivated_owner(self, stack, owner, admin):
        owner.configure()
        assert admin.delete(f"/api/v1/users/{owner.user['id']}").status_code == 200
        assert "No TimeTracker user is linked" in owner.reply("status")

    def test_one_slack_app_shared_by_several_users(self, new_owner):
        shared_secret = uuid.uuid4().hex
        alice, bob, carol = (new_owner(secret=shared_secret) for _ in range(3))
        alice.configure(linked_slack_user_id=alice.slack_user)
        bob.configure(linked_slack_user_id=bob.slack_user)
        carol.configure()  # unlinked: anyone else of the workspace acts as Carol
        project_of = {o.user["id"]: o.project() for o in (alice, bob, carol)}
        assert project_of[bob.user["id"]]["name"] in bob.reply(f"start {project_of[bob.user['id']]['id']}")
        assert bob.timer()["active"] and not alice.timer()["active"]
        stranger = carol.reply(f"start {project_of[carol.user['id']]['id']}", slack_user="U-STRANGER")
        assert project_of[carol.user["id"]]["name"] in stranger
        assert carol.timer()["active"] and not alice.timer()["active"]
        assert "Timer stopped" in alice.reply("stop", slack_user=bob.slack_user)  # Bob's, not Alice's
        assert not bob.timer()["active"]


def signed_call(stack, base: str, method: str, path: str, **kwargs) -> httpx.Response:
    """A request straight to an extra integrations process, as the gateway forwards it."""
    codec = IdentityCodec(stack.env["TT_IDENTITY_SECRET"])
    identity = kwargs.pop("identity", Identity(user_id=None))
    headers = {IDENTITY_HEADER: codec.sign(identity), **kwargs.pop("headers", {})}
    with client(base) as direct:
        return direct.request(method, path, headers=headers, **kwargs)


class SlowTracking(FakeProvider):
    """A tracking service that takes far longer than Slack waits."""

    def handle(self, request: Request) -> Answer:
        time.sleep(5)
        return Answer(503, {"message": "too late"})


class TestDeadlines:
    def test_a_slow_tracking_answers_try_again_within_slacks_budget(self, stack, owner, service_process):
        owner.configure()
        slow = SlowTracking().start()
        try:
            process = service_process("integrations.main:create_app",
                                      {**stack.integrations_env, "TT_TRACKING_URL": slow.url})  # fmt: skip
            body = urlencode({"user_id": owner.slack_user, "text": "status"}).encode()
            started = time.monotonic()
            r = signed_call(stack, process.url, "POST", EVENTS, content=body,
                            headers={"Content-Type": "application/x-www-form-urlencoded",
                                     **signed(owner.signing_secret, body)})  # fmt: skip
            elapsed = time.monotonic() - started
            process.stop()
        finally:
            slow.stop()
        assert r.status_code == 200
        assert "try again" in r.json()["text"]
        assert elapsed < 3.0

    def test_without_an_encryption_key_nothing_is_stored(self, stack, owner, service_process):
        process = service_process("integrations.main:create_app", {**stack.integrations_env, "TT_ENCRYPTION_KEYS": ""})
        user = Identity(user_id=owner.user["id"], username=owner.user["username"])
        r = signed_call(stack, process.url, "POST", CONFIG, json={"bot_token": owner.bot_token}, identity=user)
        process.stop()
        assert r.status_code == 503
        assert owner.api.get(STATUS).json() == {"ok": True, "connected": False}


class TestNotifications:
    def test_timer_start_and_stop_reach_the_channel(self, new_owner, fake_slack):
        owner = new_owner(timezone="America/New_York")
        owner.configure(notify_on_start=True, notify_on_stop=True)
        project = owner.project()
        task = owner.api.post("/api/v1/tasks", json={"name": unique("Homepage"), "project_id": project["id"]})
        assert task.status_code == 201, task.text
        r = owner.api.post(
            "/api/v1/timer/start", json={"project_id": project["id"], "task_id": task.json()["task"]["id"]}
        )
        assert r.status_code == 201, r.text
        (start,) = eventually(lambda: fake_slack.messages(owner.channel))
        local = datetime.fromisoformat(r.json()["timer"]["start_time"]).astimezone(ZoneInfo("America/New_York"))
        assert owner.user["full_name"] in start["text"]
        assert f"{project['name']} — {task.json()['task']['name']}" in start["text"]
        assert local.strftime("%H:%M") in start["text"]
        stopped = owner.api.post("/api/v1/timer/stop").json()["time_entry"]
        messages = eventually(
            lambda: len(fake_slack.messages(owner.channel)) == 2 and fake_slack.messages(owner.channel)
        )
        assert stopped["duration_formatted"] in messages[1]["text"]
        assert "billable: No" in messages[1]["text"] or "billable: Yes" in messages[1]["text"]

    def test_only_what_the_user_asked_for(self, owner, fake_slack):
        owner.configure(notify_on_start=False, notify_on_stop=True)
        project = owner.project()
        assert owner.api.post("/api/v1/timer/start", json={"project_id": project["id"]}).status_code == 201
        assert owner.api.post("/api/v1/timer/stop").status_code == 200
        (only,) = eventually(lambda: fake_slack.messages(owner.channel))
        assert "stopped" in only["text"]

    def test_a_slow_slack_never_slows_the_timer_nor_other_users(self, new_owner, fake_slack):
        slow, other = new_owner(), new_owner()
        for o in (slow, other):
            o.configure(notify_on_start=True, notify_on_stop=True)
        fake_slack.slow_down(slow.bot_token, 8)
        project = slow.project()
        started = time.monotonic()
        assert slow.api.post("/api/v1/timer/start", json={"project_id": project["id"]}).status_code == 201
        assert slow.api.post("/api/v1/timer/stop").status_code == 200
        assert time.monotonic() - started < 2
        assert other.api.post("/api/v1/timer/start", json={"project_id": other.project()["id"]}).status_code == 201
        assert eventually(lambda: fake_slack.messages(other.channel), timeout=5)
        assert fake_slack.messages(slow.channel) == []  # still hanging in Slack

    def test_a_failing_slack_never_fails_the_timer(self, owner, fake_slack):
        owner.configure(bot_token=f"xoxb-revoked-{uuid.uuid4().hex}", notify_on_start=True, notify_on_stop=True)
        project = owner.project()
        started = time.monotonic()
        assert owner.api.post("/api/v1/timer/start", json={"project_id": project["id"]}).status_code == 201
        assert owner.reply("status").startswith(":stopwatch:")
        assert time.monotonic() - started < 3
        assert eventually(lambda: self.attempts(fake_slack, owner.channel) == 1)  # refused: invalid_auth
        owner.configure(notify_on_start=True, notify_on_stop=True)
        fake_slack.fail_next(POST_MESSAGE, *[Answer(500, {"ok": False, "error": "fatal_error"})] * 3)
        started = time.monotonic()
        assert owner.api.post("/api/v1/timer/stop").status_code == 200
        assert time.monotonic() - started < 1
        assert eventually(lambda: self.attempts(fake_slack, owner.channel) == 4)  # three 500s, retried and dropped
        assert fake_slack.messages(owner.channel) == []

    @staticmethod
    def attempts(fake_slack, channel: str) -> int:
        return len([r for r in fake_slack.received(POST_MESSAGE) if r.json().get("channel") == channel])


def local_zone_away_from_midnight() -> str:
    for name in ("Europe/Rome", "Asia/Tokyo", "America/Los_Angeles", "Pacific/Auckland"):
        now = datetime.now(ZoneInfo(name))
        if now.hour * 60 + now.minute >= 10:
            return name
    raise AssertionError("unreachable: these zones are never all just past midnight")


class TestDailySummary:
    def test_posted_once_per_day_and_one_failure_stops_no_one(self, stack, new_owner, fake_slack, service_process):
        zone = local_zone_away_from_midnight()
        at = (datetime.now(ZoneInfo(zone)) - timedelta(minutes=3)).strftime("%H:%M")
        broken, due = new_owner(timezone=zone), new_owner(timezone=zone)
        broken.configure(bot_token=f"xoxb-revoked-{uuid.uuid4().hex}", daily_summary=True, daily_summary_time=at)
        due.configure(daily_summary=True, daily_summary_time=at)
        late = new_owner(timezone=zone)
        late.configure(daily_summary=True, daily_summary_time=(datetime.now(ZoneInfo(zone)) - timedelta(minutes=40))
                       .strftime("%H:%M"))  # fmt: skip
        end = datetime.now(UTC).replace(microsecond=0)
        due.api.post("/api/v1/time-entries", json={"project_id": due.project()["id"],
                                                    "start_time": (end - timedelta(minutes=3)).isoformat(),
                                                    "end_time": end.isoformat()})  # fmt: skip
        env = {**stack.integrations_env, "TT_CONNECTOR_JOBS_ENABLED": "true", "TT_CONNECTOR_JOB_TICK_SECONDS": "1",
               "TT_LOG_LEVEL": "DEBUG"}  # fmt: skip
        jobs = service_process("integrations.main:create_app", env)
        try:
            (summary,) = eventually(lambda: fake_slack.messages(due.channel), timeout=15)
            assert due.user["full_name"] in summary["text"]
            assert "*0.05h* across *1* project(s)" in summary["text"]
            # markers: each is configured after the previous summary, so its own summary comes in
            # a later tick, which looked at every earlier integration again
            for _ in range(2):
                marker = new_owner(timezone=zone)
                marker.configure(daily_summary=True, daily_summary_time=at)
                assert eventually(lambda m=marker: fake_slack.messages(m.channel), timeout=15)
        finally:
            jobs.stop()
        assert len(fake_slack.messages(due.channel)) == 1
        assert fake_slack.messages(late.channel) == []
        assert fake_slack.messages(broken.channel) == []


def test_no_secret_in_any_response_or_log(tmp_path_factory):
    """Runs last: every bot token and signing secret this module used, against every response
    its clients got and every integrations process's log."""
    assert SECRETS and SEEN.texts
    logs = [
        p.read_text(errors="replace") for p in Path(tmp_path_factory.getbasetemp()).glob("logs*/integrations-*.log")
    ]
    assert logs
    for secret in SECRETS:
        assert not [t for t in SEEN.texts if secret in t]
        assert not [log for log in logs if secret in log]
