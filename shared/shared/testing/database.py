"""Test databases for service suites: a migrated scratch database per session, one outer
transaction per test that requests join through savepoints, rolled back at the end."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from fastapi import FastAPI
from sqlalchemy import Table
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.orm import Session

from shared.db import get_session
from shared.events.outbox import session_info


def scratch_database(server_url: str, prefix: str) -> str:
    """URL of a new, uniquely named database on the test server (created by `migrate`)."""
    url = make_url(server_url).set(database=f"{prefix}_{uuid.uuid4().hex[:10]}")
    return url.render_as_string(hide_password=False)


def savepoint_session(connection: Connection, outbox: Table) -> Session:
    """A session inside the test's transaction: its commits release savepoints only."""
    return Session(
        bind=connection, join_transaction_mode="create_savepoint", info=session_info(outbox), expire_on_commit=False
    )


def bind_requests(app: FastAPI, connection: Connection, outbox: Table) -> None:
    """Make every request of `app` run in the test's transaction (commit → savepoint)."""

    def request_session() -> Iterator[Session]:
        s = savepoint_session(connection, outbox)
        try:
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()

    app.dependency_overrides[get_session] = request_session
