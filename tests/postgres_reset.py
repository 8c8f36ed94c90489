"""Emptying and refilling a test's PostgreSQL database quickly: a PostgreSQL test pays this before
every test, ~700 times a run.

TRUNCATE gives every table and index a new file even when the table is empty, so emptying all
the tables costs a quarter to half a second; most tests fill a handful. `truncate_postgres`
truncates only the tables that hold rows and restarts every table's sequences, which is what
`TRUNCATE <all> RESTART IDENTITY` leaves. `Contents` is what a populated database holds (rows
by COPY, sequence positions), so a fixture populates once and loads that instead of redoing it.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text

from engine.persistence.db import make_engine

# The sequences the tables own (serial: 'a', identity: 'i').
OWNED_SEQUENCES = """
FROM pg_class s JOIN pg_sequence q ON q.seqrelid = s.oid
JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
JOIN pg_class t ON t.oid = d.refobjid
WHERE s.relkind = 'S' AND t.relname = ANY(:tables)
"""


def table_names(*metadatas) -> list[str]:
    """Parents before children, as the foreign keys want them loaded."""
    return [t.name for metadata in metadatas for t in metadata.sorted_tables]


def _tables_with_rows(connection, names: list[str]) -> list[str]:
    probe = " UNION ALL ".join(f"SELECT '{name}' WHERE EXISTS (SELECT FROM \"{name}\")" for name in names)
    return [row[0] for row in connection.execute(text(probe))]


def _empty(connection, names: list[str]) -> None:
    used = _tables_with_rows(connection, names)
    if used:
        connection.execute(text(f"TRUNCATE {', '.join(chr(34) + n + chr(34) for n in used)} CASCADE"))
    connection.execute(text(f"SELECT setval(s.oid, q.seqstart, false) {OWNED_SEQUENCES}"), {"tables": names})


def truncate_postgres(url: str, *metadatas) -> None:
    """Every table of these metadatas empty and its sequences restarted."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            _empty(connection, table_names(*metadatas))
    finally:
        engine.dispose()


@dataclass(frozen=True)
class Contents:
    """The rows of each table that has any (COPY text format) and each sequence's position."""
    tables: tuple[tuple[str, bytes], ...]
    sequences: tuple[tuple[str, int, bool], ...]


def read_contents(url: str, *metadatas) -> Contents:
    names = table_names(*metadatas)
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            sequences = []
            for (sequence,) in connection.execute(text(f"SELECT s.oid::regclass::text {OWNED_SEQUENCES}"),
                                                  {"tables": names}).all():
                last, called = connection.execute(text(f"SELECT last_value, is_called FROM {sequence}")).one()
                sequences.append((sequence, last, called))
            cursor = connection.connection.driver_connection.cursor()
            tables = []
            for name in _tables_with_rows(connection, names):
                with cursor.copy(f'COPY "{name}" TO STDOUT') as copy:
                    tables.append((name, b"".join(bytes(block) for block in copy)))
        return Contents(tuple(tables), tuple(sequences))
    finally:
        engine.dispose()


def load_contents(url: str, contents: Contents, *metadatas) -> None:
    """The database holds exactly `contents` afterwards, in one transaction."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            _empty(connection, table_names(*metadatas))
            cursor = connection.connection.driver_connection.cursor()
            for name, data in contents.tables:
                with cursor.copy(f'COPY "{name}" FROM STDIN') as copy:
                    copy.write(data)
            for sequence, last, called in contents.sequences:
                connection.execute(text("SELECT setval(CAST(:sequence AS regclass), :last, :called)"),
                                   {"sequence": sequence, "last": last, "called": called})
    finally:
        engine.dispose()
