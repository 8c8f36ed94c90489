"""Backups of a PostgreSQL database with pg_dump and pg_restore (the client tools must be on
PATH). A restore runs as one transaction: it clears the schema and loads the dump, or, on any
error, changes nothing. A backup of an older schema is first loaded into a scratch database
and migrated there, so the real database only ever receives a dump of this release's schema."""
from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Sequence

from sqlalchemy import text
from sqlalchemy.engine import make_url

from engine.management.backup_archive import BackupError
from engine.persistence import make_engine, SchemaMigrations

NAME = "postgresql"
# Everything the service keeps in the public schema, dropped inside the restore's transaction.
CLEAR_SCHEMA = """
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S') LOOP
    EXECUTE format('DROP %s IF EXISTS public.%I CASCADE',
                   CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                                  WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, r.relname);
  END LOOP;
END $$;
"""


def _libpq(database_url: str) -> tuple[str, dict]:
    """The connection string the client tools take, with the password in their environment."""
    url = make_url(database_url)
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(tool: str, args: list[str], database_url: str | None = None, **kwargs) -> subprocess.CompletedProcess:
    program = shutil.which(tool)
    if program is None:
        raise BackupError(f"{tool} is not installed (PostgreSQL's client tools: apt install postgresql-client)")
    env = {**os.environ}
    if database_url is not None:
        conninfo, env = _libpq(database_url)
        args = [*args, "--dbname", conninfo]
    done = subprocess.run([program, *args], capture_output=True, env=env, **kwargs)
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise BackupError(f"{tool} failed: {' / '.join(message[-3:]) or f'exit code {done.returncode}'}")
    return done


def dump(database_url: str, out: Path) -> None:
    _run("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", "--file", str(out)], database_url)


def stage(dump_file: Path, work: Path, database_url: str, migrations: Sequence[SchemaMigrations],
          needs_upgrade: bool) -> Path:
    _run("pg_restore", ["--list", str(dump_file)])  # refuses a file that is not a dump
    if not needs_upgrade:
        return dump_file
    scratch = _scratch_url(database_url)
    admin = make_engine(database_url).execution_options(isolation_level="AUTOCOMMIT")
    name = make_url(scratch).database
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as err:
        admin.dispose()
        raise BackupError(f"an older backup is migrated in a scratch database, which could not be "
                          f"created (the database user needs CREATEDB): {err}") from None
    try:
        _run("pg_restore", ["--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges",
                            str(dump_file)], scratch)
        db = make_engine(scratch)
        try:
            for migration in migrations:
                migration.upgrade(db)
        except Exception as err:
            raise BackupError(f"the database in the backup could not be migrated to this release: {err}") from None
        finally:
            db.dispose()
        staged = work / "migrated.pgdump"
        dump(scratch, staged)
        return staged
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _scratch_url(database_url: str) -> str:
    url = make_url(database_url)
    return url.set(database=f"{url.database}_restore_{uuid.uuid4().hex[:8]}").render_as_string(hide_password=False)


def apply(staged: Path, database_url: str) -> None:
    script = _run("pg_restore", ["--no-owner", "--no-privileges", "--file", "-", str(staged)]).stdout
    _run("psql", ["--no-psqlrc", "--quiet", "--single-transaction", "--set", "ON_ERROR_STOP=1"],
         database_url, input=CLEAR_SCHEMA.encode() + script)
