"""Database connections: SQLite (embedded default, WAL mode) or PostgreSQL via DATABASE_URL."""
from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session, sessionmaker


# What a call to the engine raises while its database cannot be reached (or, on SQLite, stays
# locked past the busy timeout): callers answer "try again later", never "bug".
UNAVAILABLE_ERRORS = (OperationalError, InterfaceError, PoolTimeoutError)


def make_engine(database_url: str) -> Engine:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        # Writers wait for each other instead of failing at once with "database is locked".
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.get_backend_name() == "postgresql" and url.get_driver_name() in ("", "psycopg2"):
        url = url.set(drivername="postgresql+psycopg")
    # A server that does not answer (cut network) fails a connection in seconds, not minutes,
    # so requests get their 503 (web/unavailable.py) while it is away.
    engine = create_engine(url, pool_size=10, max_overflow=20, pool_timeout=10, pool_recycle=RECYCLE_SECONDS,
                           connect_args={"connect_timeout": 5})
    event.listen(engine, "checkin", _checked_in)
    event.listen(engine, "checkout", _ping_if_idle)
    return engine


# Under load a connection goes back to work within milliseconds of its return, and a ping on every
# checkout (SQLAlchemy's pool_pre_ping) was 3 of the 20 statements of a start, a task list and a
# completion. A connection that sat idle may have been cut meanwhile (a server restart, a firewall's idle timeout): that one is pinged,
# and a dead one replaced before the request sees it. Connections older than RECYCLE_SECONDS are
# replaced anyway.
PING_AFTER_IDLE_SECONDS = 2.0
RECYCLE_SECONDS = 1800


def _checked_in(_dbapi_connection, record) -> None:
    record.info["returned_at"] = time.monotonic()


def _ping_if_idle(dbapi_connection, record, _proxy) -> None:
    returned_at = record.info.get("returned_at")
    if returned_at is None or time.monotonic() - returned_at < PING_AFTER_IDLE_SECONDS:
        return  # new, or back from work a moment ago
    try:
        alive = _ping(dbapi_connection)
    except Exception:  # noqa: BLE001 - any failure of the ping means the connection is gone
        alive = False
    if not alive:
        # The pool discards this connection and checks out (or opens) another, up to three times.
        raise DisconnectionError("the connection was closed while it sat in the pool")


def _ping(dbapi_connection) -> bool:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("SELECT 1")
    finally:
        cursor.close()
    # The ping must not leave a transaction open under the next user. Ended by a commit (it wrote
    # nothing): psycopg follows a rollback with DEALLOCATE ALL, a round trip that also drops the
    # statements it has prepared.
    dbapi_connection.commit()
    return True


# WAL lets the portal read while the scheduler writes; NORMAL sync is safe under WAL. A checkpoint
# syncs the WAL and the database file: one every 4,000 pages (16 MB of WAL) instead of SQLite's
# 1,000 costs a quarter of the syncs, and the WAL file is cut back to 16 MB after one.
SQLITE_PRAGMAS = ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "wal_autocheckpoint=4000",
                  "journal_size_limit=16777216")


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
