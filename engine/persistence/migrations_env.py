"""The body of an Alembic env.py, shared by every set of tables that keeps its own migrations.

Each set compares only its own tables (others live in the same database) and keeps its version
in its own table. Batch mode lets later migrations alter columns on SQLite (no ALTER COLUMN).
"""
from __future__ import annotations

from alembic import context
from sqlalchemy import MetaData

from engine.persistence.db import make_engine


def run_migrations(target_metadata: MetaData, version_table: str = "alembic_version") -> None:
    def own_tables_only(name, type_, parent_names) -> bool:
        return type_ != "table" or name in target_metadata.tables

    options = dict(target_metadata=target_metadata, render_as_batch=True, version_table=version_table,
                   include_name=own_tables_only)
    config = context.config
    if context.is_offline_mode():
        context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True, **options)
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection, options)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        _run(connection, options)
    engine.dispose()


def _run(connection, options: dict) -> None:
    context.configure(connection=connection, **options)
    with context.begin_transaction():
        context.run_migrations()
