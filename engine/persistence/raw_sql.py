"""Hot-path statements run straight on the DB-API cursor of a SQLAlchemy connection.

A workflow step costs about half a millisecond; SQLAlchemy's per-execution machinery (context,
result proxy, type processing set-up) costs a good part of that again for each of the dozen
statements a step needs. These statements are compiled once per dialect by SQLAlchemy, so the
SQL, parameter order and value conversions stay exactly those the ORM uses, then run on the
same DB-API connection, inside the caller's transaction.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator, Sequence

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ClauseElement


class PreparedStatement:
    """A Core statement with fixed parameter names, compiled on first use for each dialect."""

    def __init__(self, statement: ClauseElement, keys: Sequence[str] | None = None) -> None:
        self._statement = statement
        # For INSERTs: the columns given, so the SQL names exactly those (and no defaults).
        self._keys = list(keys) if keys is not None else None
        self._compiled: dict[str, _Compiled] = {}

    def _for(self, conn: Connection) -> "_Compiled":
        return self.compiled_for(conn.dialect)

    def compiled_for(self, dialect) -> "_Compiled":
        """The SQL text and parameter conversion for one dialect (the benchmark replays these)."""
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self._compiled[dialect.name] = _Compiled(self._statement, self._keys, dialect)
        return compiled

    def execute(self, conn: Connection | Session, params: dict[str, Any]) -> int:
        """Runs once; returns the row count."""
        with self._cursor(conn, params) as (cursor, compiled):
            cursor.execute(compiled.sql, compiled.parameters(params))
            return cursor.rowcount

    def execute_many(self, conn: Connection | Session, rows: Iterable[dict[str, Any]]) -> None:
        with self._cursor(conn, None) as (cursor, compiled):
            cursor.executemany(compiled.sql, [compiled.parameters(row) for row in rows])

    def rows(self, conn: Connection | Session, params: dict[str, Any]) -> list[tuple]:
        """Runs a SELECT; rows come back as tuples of the selected columns, converted by their types."""
        with self._cursor(conn, params) as (cursor, compiled):
            cursor.execute(compiled.sql, compiled.parameters(params))
            fetched = cursor.fetchall()
        return [compiled.converted(row) for row in fetched] if compiled.converters else fetched

    def execute_later(self, conn: Connection | Session, params: dict[str, Any]) -> Callable[[], int]:
        """Runs once; the returned function gives the row count, known once a pipeline the
        statement runs in (see `pipelined`) has ended, at once otherwise."""
        with self._cursor(conn, params, close=False) as (cursor, compiled):
            cursor.execute(compiled.sql, compiled.parameters(params))

        counted: list[int] = []

        def rowcount() -> int:
            if not counted:  # read once: closing the cursor forgets it
                counted.append(cursor.rowcount)
                cursor.close()
            return counted[0]
        return rowcount

    @contextmanager
    def _cursor(self, conn: Connection | Session, params: Any,
                close: bool = True) -> Iterator[tuple[Any, "_Compiled"]]:
        """A DB-API cursor of the caller's connection (and transaction), closed afterwards unless
        told otherwise, its errors raised as SQLAlchemy raises them (see `_translated`)."""
        conn = _connection(conn)
        compiled = self._for(conn)
        cursor = conn.connection.dbapi_connection.cursor()
        try:
            with _translated(conn, compiled.sql, params, cursor):
                yield cursor, compiled
        finally:
            if close:
                cursor.close()

    @property
    def column_names(self) -> list[str]:
        return [column.key for column in self._statement.selected_columns]


_REQUIRED = object()


class _Compiled:
    def __init__(self, statement: ClauseElement, keys: list[str] | None, dialect) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=keys)
        self.sql = compiled.string
        self._positional = compiled.positiontup is not None
        names = list(compiled.positiontup) if self._positional else list(compiled.binds)
        # Per parameter: its name in the SQL, the key its value is given under (an INSERT binds each
        # column by its key), the value of a literal written into the statement (a LIMIT, a constant)
        # when none is given, and the type's conversion for this dialect.
        self._plan = []
        for name in names:
            bind = compiled.binds[name]
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            self._plan.append((name, bind.key, _REQUIRED if bind.required else bind.effective_value, processor))
        self.converters: list = []
        selected = getattr(statement, "selected_columns", None)
        if selected is not None and not getattr(statement, "is_dml", False):
            processors = [column.type.dialect_impl(dialect).result_processor(dialect, None) for column in selected]
            if any(processors):
                self.converters = processors

    def parameters(self, values: dict[str, Any]):
        converted = []
        for _, key, literal, processor in self._plan:
            value = values[key] if literal is _REQUIRED else values.get(key, literal)
            converted.append(value if processor is None else processor(value))
        if self._positional:
            return converted
        return {plan[0]: value for plan, value in zip(self._plan, converted)}

    def converted(self, row: tuple) -> tuple:
        return tuple(convert(value) if convert else value for convert, value in zip(self.converters, row))


@contextmanager
def _translated(conn: Connection, sql: str, params: Any, cursor=None) -> Iterator[None]:
    """Raises a DB-API error as SQLAlchemy raises those of the statements it runs itself: as
    SQLAlchemy's class (OperationalError, IntegrityError ...), and a lost connection invalidated,
    so the pool drops it and the caller sees a disconnect (a 503 in web/unavailable.py), not a
    driver's raw error."""
    dbapi_error = conn.dialect.loaded_dbapi.Error
    try:
        yield
    except dbapi_error as err:
        disconnect = conn.dialect.is_disconnect(err, conn.connection.dbapi_connection, cursor)
        if disconnect:
            conn.invalidate(err)
        raise DBAPIError.instance(sql, params, err, dbapi_error, connection_invalidated=disconnect,
                                  dialect=conn.dialect) from err


@contextmanager
def pipelined(conn: Connection | Session) -> Iterator[bool]:
    """The statements run in the block reach the server together when it ends, in one round trip
    (psycopg's pipeline mode, on PostgreSQL); elsewhere each runs at once. Yields whether they
    are held back: inside, run only statements whose results can wait for the end of the block,
    writes, their row counts read through `PreparedStatement.execute_later`."""
    conn = _connection(conn)
    dbapi_connection = conn.connection.dbapi_connection
    if conn.dialect.name != "postgresql" or not _pipeline_supported(dbapi_connection):
        yield False
        return
    with _translated(conn, "(the step's writes, pipelined)", None):
        with dbapi_connection.pipeline():
            yield True


def _pipeline_supported(dbapi_connection) -> bool:
    pipeline = getattr(type(dbapi_connection), "pipeline", None)
    if pipeline is None:
        return False
    from psycopg import Pipeline  # only a psycopg connection has a pipeline() method
    return Pipeline.is_supported()


def _connection(conn: Connection | Session) -> Connection:
    return conn.connection() if isinstance(conn, Session) else conn
