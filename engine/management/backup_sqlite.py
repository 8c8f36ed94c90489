"""Backups of a SQLite database with SQLite's online backup API: a consistent copy taken while
the service keeps writing, and a restore that replaces the database in one step or not at all."""
from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Sequence

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from engine.management.backup_archive import BackupError
from engine.persistence import SchemaMigrations

NAME = "sqlite"


def database_path(database_url: str) -> Path:
    database = make_url(database_url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(database)


def dump(database_url: str, out: Path) -> None:
    path = database_path(database_url)
    if not path.is_file():
        raise BackupError(f"there is no SQLite database at {path}")
    # Read-only: a mistyped path must not create an empty database to back up.
    source = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=30)
    target = sqlite3.connect(out)
    try:
        source.backup(target)
        # The copy stands alone: no -wal file beside it to forget.
        target.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as err:
        raise BackupError(f"the SQLite database at {path} could not be read: {err}") from None
    finally:
        target.close()
        source.close()


def stage(dump_file: Path, work: Path, database_url: str, migrations: Sequence[SchemaMigrations],
          needs_upgrade: bool) -> Path:
    """Checks the unpacked copy and migrates it forward, away from the real database."""
    db = create_engine(f"sqlite:///{dump_file}")
    try:
        with db.connect() as connection:
            integrity = connection.exec_driver_sql("PRAGMA integrity_check").scalar()
            if integrity != "ok":
                raise BackupError(f"the database in the backup is damaged: {integrity}")
        if needs_upgrade:
            for migration in migrations:
                migration.upgrade(db)
        with db.connect() as connection:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise BackupError(f"the database in the backup breaks its own references "
                              f"({len(broken)} rows, first in table {broken[0][0]})")
    except sqlite3.DatabaseError as err:
        raise BackupError(f"the database in the backup is not a usable SQLite database: {err}") from None
    except Exception as err:
        if isinstance(err, BackupError):
            raise
        raise BackupError(f"the database in the backup could not be migrated to this release: {err}") from None
    finally:
        db.dispose()
    return dump_file


def apply(staged: Path, database_url: str) -> None:
    """Copies the staged database over the real one; SQLite writes it in one transaction."""
    path = database_path(database_url)
    path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(staged)
    target = sqlite3.connect(path, timeout=30)
    try:
        source.backup(target)
    except sqlite3.Error as err:
        raise BackupError(f"the SQLite database at {path} could not be written: {err}") from None
    finally:
        target.close()
        source.close()
