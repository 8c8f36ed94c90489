"""Counts what a SQLAlchemy engine sends to its database, at the DB-API level (bench/engine.py).

Every connection the engine opens is a subclass of the driver's connection that counts the
statements run on its cursors (SQLAlchemy's own and the engine's raw cursor path in
engine/persistence/raw_sql.py alike), and the commits and rollbacks that reach the server (the
drivers skip both outside a transaction). On PostgreSQL, libpq's protocol trace also counts the
round trips themselves, one ReadyForQuery per synchronisation: that includes what the driver
sends on its own, the BEGIN before a transaction's first statement and a DEALLOCATE ALL after a
rollback, and counts a pipeline of statements as one.
"""
from __future__ import annotations

import ctypes
import os
import sqlite3
import tempfile
from collections import Counter

from sqlalchemy import Engine, event

KINDS = ("statements", "commits", "rollbacks")


class RoundTripCounter:
    def __init__(self, db: Engine) -> None:
        self.counts: Counter = Counter()
        self._traces: list[str] = []
        self._folder = tempfile.TemporaryDirectory(prefix="round_trips_")
        self._postgres = db.dialect.name == "postgresql"
        event.listen(db, "do_connect", self._connect)
        db.dispose()  # connections opened so far are not counted: open them again

    def _connect(self, dialect, _record, cargs, cparams):
        counts = self.counts
        if self._postgres:
            connection = _psycopg_connection(counts).connect(*cargs, **cparams)
            path = os.path.join(self._folder.name, f"{len(self._traces)}.trace")
            self._traces.append(path)
            from psycopg import pq
            connection.pgconn.trace(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND))
            connection.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
            return connection
        return sqlite3.connect(*cargs, **cparams, factory=_sqlite_connection(counts))

    def snapshot(self) -> dict:
        found = {kind: self.counts[kind] for kind in KINDS}
        if self._postgres:
            found.update(self._protocol())
        return found

    def _protocol(self) -> dict:
        ctypes.CDLL(None).fflush(None)  # libpq writes its trace through a buffered FILE
        syncs, commands = 0, Counter()
        for path in self._traces:
            with open(path, encoding="utf-8", errors="replace") as trace:
                for line in trace:
                    fields = line.rstrip("\n").split("\t")
                    if len(fields) > 2 and fields[0] == "B" and fields[2] == "ReadyForQuery":
                        syncs += 1
                    elif len(fields) > 3 and fields[0] == "F" and fields[2] == "Query":
                        commands[fields[3].strip().strip('"').split(" ")[0]] += 1
        return {"round_trips": syncs, **{f"sent_{name.lower()}": n for name, n in sorted(commands.items())}}

    def close(self) -> None:
        self._folder.cleanup()


def difference(after: dict, before: dict, per: int) -> dict:
    """Per operation: what was counted between two snapshots, divided by the operations run."""
    return {key: round((after.get(key, 0) - before.get(key, 0)) / per, 2) for key in after}


def _counting_cursor(base: type, counts: Counter) -> type:
    class CountingCursor(base):
        def execute(self, *args, **kwargs):
            counts["statements"] += 1
            return super().execute(*args, **kwargs)

        def executemany(self, *args, **kwargs):
            counts["statements"] += 1
            return super().executemany(*args, **kwargs)

    return CountingCursor


def _sqlite_connection(counts: Counter):
    CountingCursor = _counting_cursor(sqlite3.Cursor, counts)

    class CountingConnection(sqlite3.Connection):
        def cursor(self, factory=CountingCursor):
            return super().cursor(factory)

        def commit(self):
            counts["commits"] += self.in_transaction
            return super().commit()

        def rollback(self):
            counts["rollbacks"] += self.in_transaction
            return super().rollback()

    return CountingConnection


def _psycopg_connection(counts: Counter):
    import psycopg
    from psycopg.pq import TransactionStatus

    CountingCursor = _counting_cursor(psycopg.Cursor, counts)

    class CountingConnection(psycopg.Connection):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.cursor_factory = CountingCursor

        def commit(self):
            counts["commits"] += self.pgconn.transaction_status != TransactionStatus.IDLE
            return super().commit()

        def rollback(self):
            counts["rollbacks"] += self.pgconn.transaction_status != TransactionStatus.IDLE
            return super().rollback()

    return CountingConnection
