"""SQLAlchemy 2 engine, one transaction per request, and Alembic helpers."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import psycopg
from fastapi import Depends, Request
from psycopg import sql
from sqlalchemy import (
    ColumnElement,
    DateTime,
    Engine,
    MetaData,
    Select,
    Table,
    bindparam,
    create_engine,
    event,
    func,
    or_,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, mapped_column, sessionmaker

log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_metadata() -> MetaData:
    """Each service's own metadata, with constraint names that Alembic can diff."""
    return MetaData(naming_convention=NAMING_CONVENTION)


class TZDateTime(DateTime):
    """`timestamptz`; every value in and out is an aware UTC datetime."""

    cache_ok = True

    def __init__(self) -> None:
        super().__init__(timezone=True)


def utcnow() -> datetime:
    return datetime.now(UTC)


LIKE_ESCAPE = "\\"


def contains_any(text: str, *columns: Any) -> ColumnElement[bool]:
    """Case-insensitive substring match of `text` on any of `columns`; `%`, `_` and the escape
    character in `text` are literal (clients search for "100%" and "snake_case")."""
    escaped = text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")
    return or_(*(column.ilike(f"%{escaped}%", escape=LIKE_ESCAPE) for column in columns))


def _same_as_created(context) -> datetime:
    """A new row's `updated_at` equals its `created_at` (clients compare them)."""
    return context.get_current_parameters().get("created_at") or utcnow()


def created_at_column() -> Any:
    """`created_at`: set once, on insert. Declare it before `updated_at_column()`."""
    return mapped_column(TZDateTime(), nullable=False, default=utcnow, server_default=func.now())


def updated_at_column() -> Any:
    """`updated_at`: equal to `created_at` on insert, now on every update."""
    return mapped_column(
        TZDateTime(), nullable=False, default=_same_as_created, onupdate=utcnow, server_default=func.now()
    )


def make_base(metadata: MetaData) -> type[DeclarativeBase]:
    class Base(DeclarativeBase):
        pass

    Base.metadata = metadata
    return Base


# A pooled connection used within this long is handed out as it is; one idle for longer is
# pinged first (PostgreSQL may have restarted since). SQLAlchemy's pre-ping, a round trip on
# every checkout, cost every request of every service one more round trip to the database.
PING_AFTER_IDLE_SECONDS = 1.0
_LAST_USED = "tt_last_used"


def create_db_engine(url: str, *, pool_size: int = 10) -> Engine:
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_recycle=1800,
        connect_args={"connect_timeout": 5, "options": "-c timezone=UTC"},
    )
    dialect = engine.dialect

    def ping_if_idle(dbapi_connection, record, proxy) -> None:
        # DisconnectionError: the pool discards the connection and hands out another
        if time.monotonic() - record.info.get(_LAST_USED, 0.0) < PING_AFTER_IDLE_SECONDS:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError(f"a pooled connection failed its ping: {exc}") from exc

    event.listen(engine, "connect", _note_used)
    event.listen(engine, "checkin", _note_used)
    event.listen(engine, "checkout", ping_if_idle)
    return engine


def _note_used(dbapi_connection, record, *_) -> None:
    record.info[_LAST_USED] = time.monotonic()


def new_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


AFTER_COMMIT_HOOKS = "after_commit_hooks"


def get_session(request: Request) -> Iterator[Session]:
    """The request's transaction: committed after the endpoint returns and before the
    response is sent; rolled back on any exception. Services never commit themselves."""
    session: Session = request.app.state.sessionmaker()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        hooks = session.info.pop(AFTER_COMMIT_HOOKS, None) if session.info else None
        session.close()
    for hook in hooks or ():
        hook()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def on_commit(session: Session, hook) -> None:
    """Run `hook()` once the request transaction has ended (e.g. wake the outbox relay)."""
    hooks = session.info.setdefault(AFTER_COMMIT_HOOKS, [])
    if hook not in hooks:
        hooks.append(hook)


def unnest_rows(table: Table, columns: Sequence[str]) -> Select:
    """`SELECT unnest(:a), unnest(:b), …`: a batch of rows for `insert(table).from_select(...)`
    with one array parameter per column (`arrays_of` makes them), whatever the row count. A
    multi-row VALUES binds a parameter per cell, which the driver parses out of the statement
    text on every call: most of a consumer's time on batches of hundreds of rows."""
    return select(*(func.unnest(bindparam(name, type_=ARRAY(table.c[name].type))).label(name) for name in columns))


def arrays_of(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> dict[str, list[Any]]:
    """The parameters of `unnest_rows`: each column's values, in row order."""
    return {name: [row[name] for row in rows] for name in columns}


def copy_rows(session: Session, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write `rows` (values in `columns`' order) into `table` with one COPY, on the session's
    connection and in its transaction. The bulk path: a multi-row INSERT of a few thousand rows
    binds tens of thousands of parameters, which the driver parses out of the statement text on
    every call (most of a CSV chunk's CPU before this)."""
    session.flush()  # pending ORM rows first, in the order an INSERT would have met them
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    driver = session.connection().connection.driver_connection
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
    except psycopg.Error as exc:  # raised as SQLAlchemy would (DataError, IntegrityError, …)
        raise DBAPIError.instance(statement.as_string(driver), None, exc, psycopg.Error) from exc


def ensure_database(url: str) -> None:
    """Create the service's database on its server if it does not exist yet."""
    target = make_url(url)
    admin_url = target.set(database="postgres")
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database})
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{target.database}"'))
                log.info("created database %s", target.database)
    finally:
        engine.dispose()


def drop_database(url: str) -> None:
    target = make_url(url)
    engine = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    finally:
        engine.dispose()


def migrate(service_dir: Path, url: str) -> None:
    """`alembic upgrade head` for the service whose `alembic.ini` is in `service_dir`."""
    from alembic import command
    from alembic.config import Config

    ensure_database(url)
    config = Config(str(service_dir / "alembic.ini"))
    config.set_main_option("script_location", str(service_dir / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, "head")
