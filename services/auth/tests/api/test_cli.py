"""`tt-admin` operator commands, on a scratch database of their own (they commit)."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.engine import make_url

from auth.cli import main
from auth.models import ApiToken, User, outbox
from auth.passwords import verify_password
from auth.tokens.rules import hash_token
from shared.db import drop_database, migrate

SERVICE_DIR = Path(__file__).resolve().parents[2]
REPO = SERVICE_DIR.parents[1]


@pytest.fixture(scope="module")
def cli_db(infra_urls):
    url = make_url(infra_urls["database"]).set(database=f"tt_auth_cli_{uuid.uuid4().hex[:10]}")
    url = url.render_as_string(hide_password=False)
    migrate(SERVICE_DIR, url)
    engine = create_engine(url)
    yield url, engine
    engine.dispose()
    drop_database(url)


@pytest.fixture
def cli(cli_db, monkeypatch, capsys):
    url, _ = cli_db
    monkeypatch.setenv("TT_AUTH_DATABASE_URL", url)
    monkeypatch.setenv("TT_ADMIN_USERNAME", "Root")
    monkeypatch.setenv("TT_ADMIN_PASSWORD", "root-password-1")
    monkeypatch.delenv("TT_IDENTITY_SECRET", raising=False)

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def rows(engine, stmt):
    with engine.connect() as conn:
        return conn.execute(stmt).all()


def test_bootstrap_is_idempotent_and_prints_only_a_token(cli, cli_db):
    _, engine = cli_db
    code, out, err = cli("bootstrap")
    assert code == 0 and out == "" and "created" in err
    code, out, err = cli("bootstrap", "--print-token")
    assert code == 0 and "already exists" in err
    token = out.strip()
    assert out.count("\n") == 1 and token.startswith("tt_") and len(token) == 35
    [admin] = rows(engine, select(User.id, User.role, User.password_hash).where(User.username == "root"))
    assert admin.role == "admin" and verify_password(admin.password_hash, "root-password-1")
    [minted] = rows(engine, select(ApiToken.scopes, ApiToken.user_id).where(ApiToken.token_hash == hash_token(token)))
    assert minted.scopes == "admin:all" and minted.user_id == admin.id
    created = rows(engine, select(outbox.c.payload).where(outbox.c.subject == "tt.auth.user.created"))
    assert [p.payload["data"]["username"] for p in created].count("root") == 1


def test_bootstrap_needs_the_admin_settings(cli, monkeypatch):
    monkeypatch.delenv("TT_ADMIN_PASSWORD")
    code, out, err = cli("bootstrap")
    assert code == 2 and "TT_ADMIN_PASSWORD" in err and out == ""


def test_create_user_and_token(cli, cli_db):
    _, engine = cli_db
    code, out, _ = cli("create-user", "Dana", "--password", "dana-password", "--email", "dana@example.com")
    assert code == 0
    user_id = int(out.strip())
    code, out, _ = cli("create-token", "--user", "DANA", "--scopes", "read:*,write:*", "--expires-days", "7")
    assert code == 0
    token = out.strip()
    assert token.startswith("tt_") and len(out.splitlines()) == 1
    [row] = rows(engine, select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    assert row.user_id == user_id and row.scopes == "read:*,write:*" and row.expires_at is not None
    assert row.name == "CLI token - dana"
    code, out, _ = cli("list-tokens")
    assert code == 0 and row.token_prefix in out and "dana" in out and token not in out
    code, out, err = cli("revoke-token", str(row.id))
    assert code == 0 and "revoked" in err
    assert rows(engine, select(ApiToken.id).where(ApiToken.id == row.id)) == []
    revoked = rows(engine, select(outbox.c.payload).where(outbox.c.subject == "tt.auth.api_token.revoked"))
    assert any(p.payload["data"]["token_id"] == row.id for p in revoked)


def test_admin_flag(cli, cli_db):
    _, engine = cli_db
    code, out, _ = cli("create-user", "boss", "--password", "boss-password", "--admin")
    assert code == 0
    assert rows(engine, select(User.role).where(User.id == int(out)))[0].role == "admin"


def test_errors_exit_non_zero_without_output(cli):
    assert cli("create-user", "x", "--password", "short")[0] == 1
    code, out, err = cli("create-token", "--user", "nobody", "--scopes", "read:*")
    assert code == 2 and out == "" and "nobody" in err
    cli("create-user", "eve", "--password", "eve-password")
    code, out, err = cli("create-token", "--user", "eve", "--scopes", "fly:away")
    assert code == 1 and out == "" and "fly:away" in err
    assert cli("create-user", "EVE", "--password", "eve-password")[0] == 1
    assert cli("revoke-token", "987654")[0] == 1


def test_module_entry_point_as_the_launcher_runs_it(cli_db):
    url, _ = cli_db
    env = {**os.environ, "TT_AUTH_DATABASE_URL": url, "TT_ADMIN_USERNAME": "admin", "TT_ADMIN_PASSWORD": "pw-12345678"}
    out = subprocess.run([sys.executable, "-m", "auth.cli", "bootstrap", "--print-token"], env=env, cwd=REPO,
                         capture_output=True, text=True, timeout=60)  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1].startswith("tt_")
