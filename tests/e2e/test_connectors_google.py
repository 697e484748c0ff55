"""The Google Calendar connector through the gateway (integrations.md §5): the OAuth dance with
PKCE against the fake Google, token refresh and revocation, import and export, retries, the
scheduled job, and no secret in any answer or log."""

from __future__ import annotations

import hashlib
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from conftest import GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET
from fakes.google import s256
from fakes.server import Answer
from sqlalchemy import text

from shared.db import create_db_engine
from shared.embedded import free_port
from shared.testing.fixtures import identity_headers

SCOPE = "https://www.googleapis.com/auth/calendar.readonly https://www.googleapis.com/auth/calendar.events openid email"
JSON = {"Accept": "application/json"}


@dataclass
class GoogleUser:
    client: httpx.Client
    user: dict
    email: str


@pytest.fixture
def owner(stack, make_token, fake_google):
    token, _, user = make_token()
    with stack.client(token) as c:
        yield GoogleUser(c, user, f"{user['username']}@example.com")


def query_of(url: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}


def consent(fake_google, authorization_url: str, email: str) -> str:
    """The browser at Google's consent page, `email` agreeing: where Google sends it back."""
    r = httpx.get(f"{authorization_url}&{urlencode({'login_hint': email})}", follow_redirects=False)
    assert r.status_code == 302, r.text
    return r.headers["location"]


def connect(stack, fake_google, owner: GoogleUser) -> str:
    """The whole dance; the UI page the browser lands on."""
    url = owner.client.get("/integrations/google/connect", headers=JSON).json()["authorization_url"]
    landed = httpx.get(consent(fake_google, url, owner.email), follow_redirects=False)
    assert landed.status_code == 302
    return landed.headers["location"]


def integrations_db(stack):
    return create_db_engine(stack.integrations_env["TT_INTEGRATIONS_DATABASE_URL"], pool_size=1)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def make_project(client: httpx.Client) -> dict:
    crm_client = client.post("/api/v1/clients", json={"name": f"Client {uuid.uuid4().hex[:8]}"}).json()["client"]
    r = client.post("/api/v1/projects", json={"name": f"Cal {uuid.uuid4().hex[:8]}", "client_id": crm_client["id"]})
    assert r.status_code == 201, r.text
    return r.json()["project"]


class TestOAuth:
    def test_the_dance_connects_with_pkce_and_the_callback_uri(self, stack, fake_google, owner):
        assert owner.client.get("/api/integrations/google/status").json() == {"ok": True, "connected": False}
        r = owner.client.get("/integrations/google/connect", headers=JSON)
        assert r.status_code == 200 and r.json()["ok"] is True
        url = r.json()["authorization_url"]
        sent = query_of(url)
        callback_uri = f"{stack.gateway_url}/integrations/google/callback"
        assert url.startswith(f"{fake_google.url}/o/oauth2/v2/auth?")
        assert sent["client_id"] == GOOGLE_CLIENT_ID and sent["redirect_uri"] == callback_uri
        assert sent["response_type"] == "code" and sent["scope"] == SCOPE
        assert (sent["access_type"], sent["include_granted_scopes"], sent["prompt"]) == ("offline", "true", "consent")
        assert sent["code_challenge_method"] == "S256" and len(sent["state"]) == 32

        back = consent(fake_google, url, owner.email)
        assert back.startswith(callback_uri + "?") and query_of(back)["state"] == sent["state"]
        landed = httpx.get(back, follow_redirects=False)
        assert landed.status_code == 302
        assert landed.headers["location"] == f"{stack.gateway_url}/integrations?google=connected"

        code = query_of(back)["code"]
        exchange = [r.form() for r in fake_google.received("/token") if r.form().get("code") == code]
        assert len(exchange) == 1 and exchange[0]["grant_type"] == "authorization_code"
        assert exchange[0]["redirect_uri"] == callback_uri and exchange[0]["client_secret"] == GOOGLE_CLIENT_SECRET
        assert s256(exchange[0]["code_verifier"]) == sent["code_challenge"]
        status = owner.client.get("/api/integrations/google/status").json()
        assert status == {
            "ok": True,
            "connected": True,
            "email": owner.email,
            "calendar_id": "primary",
            "sync_direction": "import",
            "default_project_id": None,
            "sync_days_back": 7,
            "last_sync_at": None,
            "is_active": True,
        }

    def test_connect_without_json_is_a_redirect_to_google(self, stack, fake_google, owner):
        r = owner.client.get("/integrations/google/connect", follow_redirects=False)
        assert r.status_code == 302 and r.headers["location"].startswith(f"{fake_google.url}/o/oauth2/v2/auth?")
        landed = httpx.get(consent(fake_google, r.headers["location"], owner.email), follow_redirects=False)
        assert landed.headers["location"].endswith("?google=connected")

    def test_connect_needs_a_token(self, stack):
        with stack.client() as anonymous:
            assert anonymous.get("/integrations/google/connect", headers=JSON).status_code == 401

    def test_a_replayed_unknown_or_expired_state_fails_and_changes_nothing(self, stack, fake_google, owner):
        url = owner.client.get("/integrations/google/connect", headers=JSON).json()["authorization_url"]
        back = consent(fake_google, url, owner.email)
        error = f"{stack.gateway_url}/integrations?google=error&reason="
        for bad in (
            f"{stack.gateway_url}/integrations/google/callback?state=unknown-{uuid.uuid4().hex}&code=x",
            f"{stack.gateway_url}/integrations/google/callback?code=x",
            back.replace("code=", "error=access_denied&code="),
        ):
            assert httpx.get(bad, follow_redirects=False).headers["location"].startswith(error)
        # the denied callback used the state up: the genuine one after it is a replay
        assert httpx.get(back, follow_redirects=False).headers["location"] == error + "invalid_state"
        assert owner.client.get("/api/integrations/google/status").json()["connected"] is False

        url = owner.client.get("/integrations/google/connect", headers=JSON).json()["authorization_url"]
        state = query_of(url)["state"]
        with integrations_db(stack).begin() as db:
            db.execute(
                text("UPDATE oauth_states SET expires_at = now() - interval '1 second' WHERE state_hash = :h"),
                {"h": hashlib.sha256(state.encode()).hexdigest()},
            )
        back = consent(fake_google, url, owner.email)
        assert httpx.get(back, follow_redirects=False).headers["location"] == error + "expired_state"
        assert owner.client.get("/api/integrations/google/status").json()["connected"] is False
        assert not [r for r in fake_google.received("/token") if r.form().get("code") == query_of(back)["code"]]

    def test_a_state_of_another_provider_is_refused_and_kept(self, stack, owner):
        state = f"slack-{uuid.uuid4().hex}"
        digest = hashlib.sha256(state.encode()).hexdigest()
        with integrations_db(stack).begin() as db:
            db.execute(
                text(
                    "INSERT INTO oauth_states (state_hash, provider, user_id, code_verifier, expires_at, created_at)"
                    " VALUES (:h, 'slack_connector', :u, 'v', now() + interval '5 minutes', now())"
                ),
                {"h": digest, "u": owner.user["id"]},
            )
        callback = f"{stack.gateway_url}/integrations/google/callback?state={state}&code=c"
        assert httpx.get(callback, follow_redirects=False).headers["location"].endswith("reason=invalid_state")
        with integrations_db(stack).begin() as db:
            kept = db.execute(text("SELECT provider FROM oauth_states WHERE state_hash = :h"), {"h": digest}).all()
        assert kept == [("slack_connector",)]

    def test_disconnect_revokes_at_google_and_forgets_the_tokens(self, stack, fake_google, owner):
        assert owner.client.post("/integrations/google/disconnect").json() == {"ok": True}  # nothing to do
        connect(stack, fake_google, owner)
        (grant,) = fake_google.grants_of(owner.email)
        assert owner.client.post("/integrations/google/disconnect").json() == {"ok": True}
        revokes = [r for r in fake_google.received("/revoke") if r.query.get("token") == grant.refresh_token]
        assert len(revokes) == 1 and grant.revoked
        status = owner.client.get("/api/integrations/google/status").json()
        assert status["connected"] is False and status["is_active"] is False and status["email"] is None
        test = owner.client.post("/api/integrations/google/test").json()
        assert test == {"success": False, "message": "Integration not configured"}
        assert owner.client.post("/api/integrations/google/sync").json() == {
            "ok": False,
            "error": "Integration not configured",
        }


class TestTokens:
    def test_an_expiring_token_is_refreshed_before_the_call(self, stack, fake_google, owner):
        fake_google.account(owner.email).expires_in = 300  # stored expiry 4 minutes away: refresh
        connect(stack, fake_google, owner)
        (grant,) = fake_google.grants_of(owner.email)
        first = set(grant.access_tokens)
        r = owner.client.post("/api/integrations/google/test")
        assert r.json() == {"success": True, "message": "Connected (1 calendars)"}
        refreshes = [r.form() for r in fake_google.received("/token") if r.form().get("refresh_token")]
        assert [f["grant_type"] for f in refreshes if f["refresh_token"] == grant.refresh_token] == ["refresh_token"]
        (new,) = grant.access_tokens - first
        listed = fake_google.received("/calendar/v3/users/me/calendarList")
        assert listed[-1].headers["authorization"] == f"Bearer {new}"

    def test_a_token_revoked_upstream_is_a_result_not_an_error(self, stack, fake_google, owner):
        connect(stack, fake_google, owner)
        project = make_project(owner.client)
        owner.client.post("/api/integrations/google/config", json={"default_project_id": project["id"]})
        fake_google.expire_access_tokens(owner.email)
        r = owner.client.post("/api/integrations/google/sync")
        assert r.status_code == 200 and r.json()["ok"] is False and "401" in r.json()["error"]
        # the rejected token is not sent again: the next call refreshes and works
        assert owner.client.post("/api/integrations/google/test").json()["success"] is True
        (grant,) = fake_google.grants_of(owner.email)
        grant.revoked = True  # the user removed the app's access at Google
        fake_google.expire_access_tokens(owner.email)
        r = owner.client.post("/api/integrations/google/test")
        assert r.status_code == 200 and r.json()["success"] is False
        assert owner.client.post("/api/integrations/google/test").json() == {
            "success": False,
            "message": "Google refused the token request: invalid_grant",
        }
        status = owner.client.get("/api/integrations/google/status").json()
        assert status["is_active"] is True and status["connected"] is True and status["last_sync_at"]

    def test_a_rate_limit_is_retried_transparently(self, stack, fake_google, owner):
        connect(stack, fake_google, owner)
        path = "/calendar/v3/users/me/calendarList"
        before = len(fake_google.received(path))
        fake_google.fail_next(path, Answer(429, {"error": "rate"}, {"retry-after": "0"}))
        assert owner.client.post("/api/integrations/google/test").json()["success"] is True
        assert len(fake_google.received(path)) == before + 2


class TestSettings:
    def test_config_is_lenient_json_or_form(self, owner):
        r = owner.client.post(
            "/api/integrations/google/config",
            json={"calendar_id": " ", "sync_direction": "sideways", "default_project_id": "x", "sync_days_back": 99},
        )
        assert r.json() == {"ok": True, "is_active": False}
        status = owner.client.get("/api/integrations/google/status").json()
        assert (status["calendar_id"], status["sync_direction"], status["sync_days_back"]) == ("primary", "import", 30)
        assert status["default_project_id"] is None and status["connected"] is False
        form = {"calendar_id": "team@example.com", "sync_direction": "both", "default_project_id": "12"}
        assert owner.client.post("/api/integrations/google/config", data=form).json()["ok"] is True
        status = owner.client.get("/api/integrations/google/status").json()
        assert (status["calendar_id"], status["sync_direction"], status["default_project_id"]) == (
            "team@example.com",
            "both",
            12,
        )
        assert status["sync_days_back"] == 30  # not sent: kept

    def test_test_and_sync_without_a_row_are_404(self, owner):
        for path in ("/api/integrations/google/test", "/api/integrations/google/sync"):
            r = owner.client.post(path)
            assert r.status_code == 404 and r.json()["ok"] is False
            assert r.json()["error"] == "Integration not configured" and r.json()["error_code"] == "not_found"


def past(minutes: int) -> datetime:
    return (datetime.now(UTC) - timedelta(minutes=minutes)).replace(microsecond=0)


def day(days_ago: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days_ago)).date().isoformat()


def timed(event_id: str | None, summary: str | None, start: datetime, end: datetime) -> dict:
    event = {"start": {"dateTime": iso(start)}, "end": {"dateTime": iso(end)}}
    if event_id:
        event["id"] = event_id
    if summary:
        event["summary"] = summary
    return event


class TestSync:
    def test_import_maps_events_to_entries_once(self, stack, fake_google, owner):
        connect(stack, fake_google, owner)
        project = make_project(owner.client)
        owner.client.post("/api/integrations/google/config", json={"default_project_id": project["id"]})
        tag = uuid.uuid4().hex[:8]
        start = past(180)
        # the standup with a +01:00 offset: the entry is stored in UTC
        standup = timed(f"standup{tag}", "Standup", start, start + timedelta(minutes=30))
        standup["start"]["dateTime"] = (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S+01:00")
        for event in (
            standup,
            timed(f"untitled{tag}", None, past(120), past(100)),
            timed(f"mine{tag}", "[TT] Exported earlier", past(90), past(80)),
            {
                "id": f"allday{tag}",
                "summary": "Holiday",
                "start": {"date": day(1)},
                "end": {"date": day(0)},
            },
            timed(None, "No id", past(70), past(60)),
            timed(f"backwards{tag}", "Backwards", past(50), past(55)),
            timed(f"old{tag}", "Too old", past(60 * 24 * 10), past(60 * 24 * 10 - 30)),
        ):
            fake_google.add_event(owner.email, event)
        r = owner.client.post("/api/integrations/google/sync")
        assert r.json() == {"ok": True, "imported": 2, "skipped": 4, "exported": 0, "errors": []}, r.text
        listed = [r for r in fake_google.received() if r.path == "/calendar/v3/calendars/primary/events"][-1]
        assert listed.query["singleEvents"] == "true" and listed.query["orderBy"] == "startTime"
        assert listed.query["maxResults"] == "100" and listed.query["timeMin"] < listed.query["timeMax"]

        entries = owner.client.get("/api/v1/time-entries", params={"per_page": 100}).json()["time_entries"]
        mine = sorted((e for e in entries if tag in (e["notes"] or "")), key=lambda e: e["start_time"])
        assert [e["notes"] for e in mine] == [f"Standup [gcal:standup{tag}]", f"Calendar event [gcal:untitled{tag}]"]
        assert mine[0]["start_time"].startswith(start.strftime("%Y-%m-%dT%H:%M:%S"))
        assert all(e["source"] == "auto" and e["billable"] is False for e in mine)
        assert [e["duration_seconds"] for e in mine] == [1800, 1200]
        assert all(e["project_id"] == project["id"] for e in mine)

        again = owner.client.post("/api/integrations/google/sync").json()
        assert again == {"ok": True, "imported": 0, "skipped": 6, "exported": 0, "errors": []}
        assert owner.client.get("/api/integrations/google/status").json()["last_sync_at"]

    def test_import_without_a_default_project_is_an_error_of_the_result(self, stack, fake_google, owner):
        connect(stack, fake_google, owner)
        r = owner.client.post("/api/integrations/google/sync").json()
        assert r["ok"] is True and r["errors"] == ["default_project_id not configured"] and r["imported"] == 0

    def test_export_maps_new_entries_to_events(self, stack, fake_google, owner):
        connect(stack, fake_google, owner)
        project = make_project(owner.client)
        config = {"sync_direction": "both", "default_project_id": project["id"]}
        owner.client.post("/api/integrations/google/config", json=config)
        tag = uuid.uuid4().hex[:8]
        fake_google.add_event(owner.email, timed(f"imp{tag}", "Imported", past(300), past(290)))
        notes = f"Writing the quarterly report {tag} " + "x" * 60
        body = {
            "project_id": project["id"],
            "start_time": iso(past(240)),
            "end_time": iso(past(240) + timedelta(seconds=5025)),
        }
        r = owner.client.post("/api/v1/time-entries", json={**body, "notes": notes})
        assert r.status_code == 201, r.text
        result = owner.client.post("/api/integrations/google/sync").json()
        assert result == {"ok": True, "imported": 1, "skipped": 0, "exported": 1, "errors": []}
        (event,) = fake_google.created_events(owner.email)
        assert event["summary"] == f"[TT] {project['name']} \u2014 {notes[:50]}"
        assert event["start"] == {"dateTime": body["start_time"], "timeZone": "UTC"}
        assert event["end"] == {"dateTime": body["end_time"], "timeZone": "UTC"}
        assert "01:23:45" in event["description"]
        # the next sync exports only what is new since this one
        assert owner.client.post("/api/integrations/google/sync").json()["exported"] == 0

    def test_a_rejected_export_is_an_error_per_entry(self, stack, fake_google, owner):
        connect(stack, fake_google, owner)
        project = make_project(owner.client)
        owner.client.post("/api/integrations/google/config", json={"sync_direction": "export"})
        body = {"project_id": project["id"], "start_time": iso(past(60)), "end_time": iso(past(30))}
        entry = owner.client.post("/api/v1/time-entries", json=body).json()["time_entry"]
        fake_google.fail_next("/calendar/v3/calendars/primary/events", Answer(403, {"error": {"code": 403}}))
        result = owner.client.post("/api/integrations/google/sync").json()
        assert result == {
            "ok": True,
            "imported": 0,
            "skipped": 0,
            "exported": 0,
            "errors": [f"entry {entry['id']}: HTTP 403"],
        }

    def test_an_inactive_owner_is_a_failed_result(self, stack, fake_google, owner, admin, identity_codec):
        connect(stack, fake_google, owner)
        assert admin.patch(f"/api/v1/users/{owner.user['id']}", json={"is_active": False}).status_code == 200
        # an identity signed before the deactivation (the gateway refuses the token from now on)
        headers = identity_headers(identity_codec, user_id=owner.user["id"], username=owner.user["username"])
        r = httpx.post(f"{stack.integrations_url}/api/integrations/google/sync", headers=headers)
        assert r.status_code == 200 and r.json()["ok"] is False and "inactive" in r.json()["error"]


def replica_env(stack, **overrides: str) -> dict[str, str]:
    """An extra integrations process on the stack's database, for HTTP and the jobs only: no
    delivery worker, and no NATS, so it never joins the stack's durable consumers (a member
    stopped mid-batch would leave events to be redelivered into other tests)."""
    env = {
        **stack.integrations_env,
        "TT_WEBHOOK_WORKER_ENABLED": "false",
        "TT_NATS_URL": f"nats://127.0.0.1:{free_port()}",
    }
    return {**env, **overrides}


def wait_for(probe, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.1)


class TestConfigurationAndJob:
    def test_without_client_id_or_encryption_key_nothing_is_stored(self, stack, service_process, identity_codec):
        env = replica_env(stack, TT_CONNECTOR_JOBS_ENABLED="false")
        no_id = service_process("integrations.main:create_app", {**env, "TT_GOOGLE_CLIENT_ID": ""})
        user_id = 900000 + int(uuid.uuid4().int % 90000)
        headers = {**identity_headers(identity_codec, user_id=user_id, username="someone"), **JSON}
        r = httpx.get(f"{no_id.url}/integrations/google/connect", headers=headers)
        assert r.status_code == 400 and r.json()["error"] == "GOOGLE_CLIENT_ID is not configured"
        no_id.stop()
        no_key = service_process("integrations.main:create_app", {**env, "TT_ENCRYPTION_KEYS": ""})
        r = httpx.get(f"{no_key.url}/integrations/google/connect", headers=headers)
        assert r.status_code == 503
        status = httpx.get(f"{no_key.url}/api/integrations/google/status", headers=headers).json()
        assert status == {"ok": True, "connected": False}
        no_key.stop()

    def test_the_scheduled_job_syncs_due_integrations(self, stack, fake_google, owner, service_process):
        connect(stack, fake_google, owner)
        project = make_project(owner.client)
        owner.client.post("/api/integrations/google/config", json={"default_project_id": project["id"]})
        tag = uuid.uuid4().hex[:8]
        fake_google.add_event(owner.email, timed(f"job{tag}", "Planning", past(45), past(15)))
        env = replica_env(stack, TT_CONNECTOR_JOBS_ENABLED="true", TT_CONNECTOR_JOB_TICK_SECONDS="1")
        jobs = service_process("integrations.main:create_app", env)
        try:

            def imported():
                entries = owner.client.get("/api/v1/time-entries", params={"per_page": 100}).json()["time_entries"]
                return [e for e in entries if f"gcal:job{tag}" in (e["notes"] or "")]

            assert len(wait_for(imported)) == 1
            assert wait_for(lambda: owner.client.get("/api/integrations/google/status").json()["last_sync_at"])
        finally:
            jobs.stop()
        assert len(imported()) == 1  # synced once: the next run is not due for 30 minutes


class TestSecrets:
    def test_no_secret_in_any_answer_or_log(
        self, stack, fake_google, owner, service_process, identity_codec, tmp_path_factory
    ):
        fake_google.account(owner.email).expires_in = 300  # every call refreshes: more tokens in play
        answers: list[httpx.Response] = []
        url = owner.client.get("/integrations/google/connect", headers=JSON).json()["authorization_url"]
        back = consent(fake_google, url, owner.email)
        answers.append(httpx.get(back, follow_redirects=False))
        answers.append(httpx.get(back, follow_redirects=False))  # replay
        for method, path in (
            ("GET", "/api/integrations/google/status"),
            ("POST", "/api/integrations/google/test"),
            ("POST", "/api/integrations/google/sync"),
        ):
            answers.append(owner.client.request(method, path))
        # a replica logging at DEBUG, its job syncing (a refresh), then the disconnect (a revoke) on it
        env = replica_env(stack, TT_LOG_LEVEL="DEBUG", TT_CONNECTOR_JOBS_ENABLED="true")
        env["TT_CONNECTOR_JOB_INTERVAL_SECONDS"] = "0.5"  # the sync just made is old enough
        debug = service_process("integrations.main:create_app", {**env, "TT_CONNECTOR_JOB_TICK_SECONDS": "1"})
        (grant,) = fake_google.grants_of(owner.email)
        before = len(grant.access_tokens)
        try:
            assert wait_for(lambda: len(grant.access_tokens) > before)
            headers = identity_headers(identity_codec, user_id=owner.user["id"], username=owner.user["username"])
            answers.append(httpx.post(f"{debug.url}/integrations/google/disconnect", headers=headers))
            answers.append(owner.client.get("/api/integrations/google/status"))
        finally:
            debug.stop()
        assert grant.revoked and answers[-1].json()["connected"] is False
        secrets = {*grant.access_tokens, grant.refresh_token, GOOGLE_CLIENT_SECRET, query_of(back)["code"]}
        secrets.add(query_of(url)["state"])  # in the authorization URL by design, nowhere after it
        shown = "\n".join(f"{a.headers}\n{a.text}" for a in answers)
        logs = [p.read_text(errors="replace") for p in tmp_path_factory.getbasetemp().rglob("integrations-*.log")]
        assert any("DEBUG" in log for log in logs)
        for secret in secrets:
            assert secret not in shown
            assert not [log for log in logs if secret in log]
