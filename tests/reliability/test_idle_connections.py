"""Pooled PostgreSQL connections: one that sat idle is pinged at checkout and replaced when its
server process is gone, so the request never sees it; one back from work a moment ago is used
without a ping (a round trip saved per request under load), and if it was cut in that moment the
request fails as a disconnect, which the service answers with a 503 (web/unavailable.py)."""
from __future__ import annotations

import pytest
from sqlalchemy import bindparam, create_engine, text
from sqlalchemy.exc import OperationalError

import engine.persistence.db as db_module
from engine.persistence.db import make_engine
from tests.conftest import PG_ADMIN_URL


def terminate(pid: int) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    admin.dispose()


def backend_pid(db) -> int:
    with db.connect() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_an_idle_connection_whose_server_process_died_is_replaced_unseen(database_url, monkeypatch):
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE_SECONDS", 0.0)  # every checkout counts as after idle
    db = make_engine(database_url)
    try:
        first = backend_pid(db)
        terminate(first)
        second = backend_pid(db)  # no error: the ping found it dead and the pool opened another
        assert second != first
        assert db.pool.checkedout() == 0
    finally:
        db.dispose()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_connection_back_a_moment_ago_is_not_pinged(database_url, monkeypatch):
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE_SECONDS", 3600.0)
    db = make_engine(database_url)
    try:
        terminate(backend_pid(db))
        with pytest.raises(OperationalError) as raised:
            backend_pid(db)
        assert raised.value.connection_invalidated  # a disconnect: web/unavailable.py answers 503
        assert backend_pid(db) > 0  # the pool let the dead connection go; the next one works
    finally:
        db.dispose()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_the_hot_path_s_raw_statements_fail_as_sqlalchemy_disconnects(database_url):
    """Statements run on the DB-API cursor (engine/persistence/raw_sql.py) raise what SQLAlchemy
    would: a cut connection is an invalidated OperationalError, never psycopg's own error."""
    from engine.persistence import PreparedStatement
    from engine.persistence.models import ProcessInstance
    from sqlalchemy import select
    statement = PreparedStatement(select(ProcessInstance.id).where(ProcessInstance.id == bindparam("id")))
    db = make_engine(database_url)
    try:
        with db.connect() as conn:
            terminate(conn.execute(text("SELECT pg_backend_pid()")).scalar())
            with pytest.raises(OperationalError) as raised:
                statement.rows(conn, {"id": "x"})
            assert raised.value.connection_invalidated and conn.invalidated
        with db.connect() as conn:
            assert statement.rows(conn, {"id": "x"}) == []  # the pool opened a new connection
    finally:
        db.dispose()
