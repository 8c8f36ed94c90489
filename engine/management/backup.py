"""`thidua db backup` and `thidua db restore`: the database and the attachments in one file.

A backup is taken while the service runs: first the database (a consistent snapshot), then the
attachments folder. An attachment's file is in place before its row commits, so every row in
the snapshot finds its file; a file uploaded meanwhile is carried along unused.

A restore checks the whole file first, refuses a database that holds anything unless forced,
migrates an older schema forward away from the real database, and then replaces database and
attachments together: when the database step fails, the attachments are put back as they were.
Stop the service while restoring: it would otherwise keep writing to what is being replaced.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Sequence

from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from alembic.util import CommandError
from sqlalchemy import create_engine, inspect, select, table
from sqlalchemy.engine import make_url

from engine.management import backup_postgres, backup_sqlite
from engine.management.backup_archive import ATTACHMENTS, DUMP_NAMES, ArchiveWriter, BackupError, Manifest, read_archive
from engine.persistence import SchemaMigrations

BACKENDS = {backup_sqlite.NAME: backup_sqlite, backup_postgres.NAME: backup_postgres}
# Work folders live inside the attachments folder: the same file system, so files move by
# renaming, and names starting with "." are never storage keys.
WORK_PREFIX = ".restore-"


@dataclass(frozen=True)
class BackupReport:
    path: Path
    database: str
    schemas: dict[str, str | None]
    attachments: int
    size: int


@dataclass(frozen=True)
class RestoreReport:
    created_at: str
    schemas_before: dict[str, str | None]  # as the backup had them; now at this release's head
    attachments: int


def create_backup(database_url: str, attachments_dir: Path, path: Path, migrations: Sequence[SchemaMigrations],
                  now: datetime) -> BackupReport:
    backend = _backend(database_url)
    path, attachments_dir = Path(path), Path(attachments_dir)
    if path.exists():
        raise BackupError(f"{path} already exists: a backup is never overwritten, choose another name")
    if not path.parent.is_dir():
        raise BackupError(f"the folder {path.parent} does not exist")
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".thidua-backup-") as work:
        dump_file = Path(work) / DUMP_NAMES[backend.NAME]
        backend.dump(database_url, dump_file)
        # Read after the dump from the database itself (a SQLite dump would do, a pg_dump file
        # needs a server): schemas change only by `thidua db upgrade`, never under a running service.
        schemas = _revisions(database_url, migrations)
        if schemas.get(migrations[0].version_table) is None:
            raise BackupError("the database has no ThiDua Flow schema: there is nothing to back up "
                              "(is DATABASE_URL right?)")
        writer = ArchiveWriter(path, Manifest(backend.NAME, schemas, now.isoformat()))
        try:
            writer.add_file(writer.manifest.dump_name, dump_file)
            for file in _attachment_files(attachments_dir):
                writer.add_file(f"{ATTACHMENTS}/{file.relative_to(attachments_dir).as_posix()}", file)
            writer.finish()
        except BaseException:
            writer.abandon()
            raise
    return BackupReport(path, backend.NAME, schemas, len(writer.manifest.attachment_names), path.stat().st_size)


def restore_backup(database_url: str, attachments_dir: Path, path: Path, migrations: Sequence[SchemaMigrations],
                   force: bool = False) -> RestoreReport:
    backend = _backend(database_url)
    path, attachments_dir = Path(path), Path(attachments_dir)
    if not path.is_file():
        raise BackupError(f"there is no backup file at {path}")
    attachments_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=attachments_dir, prefix=WORK_PREFIX))
    try:
        manifest = read_archive(path, work / "unpacked")
        if manifest.database != backend.NAME:
            raise BackupError(f"{path} is a backup of a {manifest.database} database; DATABASE_URL names a "
                              f"{backend.NAME} database: restore it into {manifest.database}")
        needs_upgrade = _check_revisions(path, manifest, migrations)
        if not force:
            _refuse_unless_empty(database_url, attachments_dir, migrations)
        staged = backend.stage(work / "unpacked" / manifest.dump_name, work, database_url, migrations,
                               needs_upgrade)
        restored = work / "unpacked" / ATTACHMENTS
        restored.mkdir(exist_ok=True)
        before = work / "before"
        before.mkdir()
        _move_entries(attachments_dir, before)
        _move_entries(restored, attachments_dir)
        try:
            backend.apply(staged, database_url)
        except BaseException:
            _move_entries(attachments_dir, restored)
            _move_entries(before, attachments_dir)
            raise
        return RestoreReport(manifest.created_at, manifest.schemas, len(manifest.attachment_names))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _backend(database_url: str):
    name = make_url(database_url).get_backend_name()
    if name not in BACKENDS:
        raise BackupError(f"backups are made of SQLite and PostgreSQL databases, not {name}")
    return BACKENDS[name]


def _revisions(url: str, migrations: Sequence[SchemaMigrations]) -> dict[str, str | None]:
    db = create_engine(url)
    try:
        return {m.version_table: m.current_revision(db) for m in migrations}
    finally:
        db.dispose()


def _check_revisions(path: Path, manifest: Manifest, migrations: Sequence[SchemaMigrations]) -> bool:
    """Whether the backup's schema is older than this release's; refuses one that is newer."""
    older = False
    for migration in migrations:
        revision = manifest.schemas.get(migration.version_table)
        script = ScriptDirectory.from_config(migration.config("sqlite://"))
        try:
            known = revision is None or script.get_revision(revision) is not None
        except (CommandError, RevisionError):
            known = False
        if not known:
            raise BackupError(f"{path} was made by a newer release ({migration.what} at revision {revision}, "
                              f"unknown here): restore it with that release")
        older = older or revision != migration.head_revision()
    return older


def _refuse_unless_empty(database_url: str, attachments_dir: Path, migrations: Sequence[SchemaMigrations]) -> None:
    held = _tables_with_rows(database_url, {m.version_table for m in migrations})
    files = next(_attachment_files(attachments_dir), None)
    if held or files is not None:
        what = (f"rows in {', '.join(held[:4])}{' …' if len(held) > 4 else ''}" if held else "") + \
               (" and " if held and files else "") + (f"files in {attachments_dir}" if files else "")
        raise BackupError(f"the database is not empty ({what}): a restore would replace it; "
                          "add --force to do so")


def _tables_with_rows(database_url: str, ignored: set[str]) -> list[str]:
    if make_url(database_url).get_backend_name() == backup_sqlite.NAME \
            and not backup_sqlite.database_path(database_url).exists():
        return []  # not even a file yet; opening it would create one
    db = create_engine(database_url)
    try:
        with db.connect() as connection:
            names = [n for n in inspect(connection).get_table_names() if n not in ignored]
            return [n for n in sorted(names) if connection.execute(select(1).select_from(table(n)).limit(1)).first()]
    finally:
        db.dispose()


def _attachment_files(directory: Path):
    """The stored files, without work folders or uploads still in flight (".part")."""
    if not directory.is_dir():
        return
    for root, folders, files in os.walk(directory):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and not name.endswith(".part"):
                yield Path(root) / name


def _move_entries(source: Path, target: Path) -> None:
    for entry in sorted(source.iterdir()):
        if not entry.name.startswith("."):
            os.replace(entry, target / entry.name)
