"""Alembic environment: runs against the URL the engine hands over in the config."""
from alembic import context

from engine.db import make_engine
from engine.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        engine = make_engine(config.get_main_option("sqlalchemy.url"))
        with engine.connect() as connection:
            _run(connection)
        engine.dispose()
    else:
        _run(connection)


def _own_tables_only(name, type_, parent_names) -> bool:
    # Other parts of the service keep their own tables (and migrations) in the same database.
    return type_ != "table" or name in target_metadata.tables


def _run(connection) -> None:
    # Batch mode lets later migrations alter columns on SQLite, which has no ALTER COLUMN.
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                      include_name=_own_tables_only)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
