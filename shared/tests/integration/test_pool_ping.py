"""Pooled connections: reused at once without a ping; one idle past the threshold whose server
side is gone (a restarted PostgreSQL) is replaced before the caller sees it."""

from sqlalchemy import create_engine, text

from shared import db


def backend_pid(engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(text("SELECT pg_backend_pid()"))


def test_an_idle_connection_whose_server_side_died_is_replaced_unseen(scratch_db_url, monkeypatch):
    engine = db.create_db_engine(scratch_db_url, pool_size=1)
    try:
        first = backend_pid(engine)
        killer = create_engine(scratch_db_url)
        with killer.connect() as conn:  # the pool's only connection is idle in it meanwhile
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        killer.dispose()
        monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)
        assert backend_pid(engine) not in (first, None)
    finally:
        engine.dispose()


def test_a_connection_used_just_now_is_handed_out_without_a_round_trip(scratch_db_url, monkeypatch):
    engine = db.create_db_engine(scratch_db_url, pool_size=1)
    statements: list[str] = []
    try:
        backend_pid(engine)
        # the dialect's ping runs on the raw connection, so count at the cursor
        monkeypatch.setattr(engine.dialect, "do_ping", lambda conn: statements.append("ping") or True)
        for _ in range(3):
            backend_pid(engine)
        assert statements == []
        monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)
        backend_pid(engine)
        assert statements == ["ping"]
    finally:
        engine.dispose()
