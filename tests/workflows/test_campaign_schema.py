"""The campaign tables' own Alembic environment: matches the models, lives beside the engine's."""
from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from engine.persistence.db import make_engine
from engine.errors import DatabaseNotMigratedError
from engine.persistence.schema import current_revision as engine_revision
from engine.persistence.schema import head_revision as engine_head
from engine.persistence.schema import upgrade as upgrade_engine
from workflows import schema
from workflows.models import CampaignBase

MIGRATIONS = Path(schema.__file__).parent / "migrations"


def differences(connection) -> list:
    context = MigrationContext.configure(connection, opts={"version_table": schema.VERSION_TABLE,
                                                           "include_name": schema.include_name})
    return compare_metadata(context, CampaignBase.metadata)


def test_migrations_match_the_models(db):
    with db.connect() as connection:
        assert differences(connection) == []


def test_comparison_would_see_a_difference(db):
    """The comparison above is not vacuous: a column the migrations lack is reported."""
    from sqlalchemy import Column, MetaData, String

    metadata = MetaData(naming_convention=CampaignBase.metadata.naming_convention)
    for table in CampaignBase.metadata.sorted_tables:
        table.to_metadata(metadata)
    metadata.tables["staff_member"].append_column(Column("phone", String(32)))
    with db.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": schema.VERSION_TABLE,
                                                               "include_name": schema.include_name})
        found = compare_metadata(context, metadata)
    assert [(d[0], d[3].name) for d in found] == [("add_column", "phone")]


def test_both_version_tables_live_in_one_database(db):
    tables = set(inspect(db).get_table_names())
    assert {"alembic_version", schema.VERSION_TABLE} <= tables
    assert set(CampaignBase.metadata.tables) <= tables and "process_instance" in tables
    head = schema.head_revision()
    assert schema.current_revision(db) == head
    assert engine_revision(db) == engine_head()  # the engine keeps its own history beside it
    schema.ensure_migrated(db)
    schema.upgrade(db)  # already at head: nothing to do
    assert schema.current_revision(db) == head


def test_engine_only_database_is_refused_until_upgraded(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'engine_only.db'}")
    upgrade_engine(engine)
    with pytest.raises(DatabaseNotMigratedError, match="thidua db upgrade") as refused:
        schema.ensure_migrated(engine)
    assert "campaign tables" in str(refused.value) and "schema empty" in str(refused.value)
    assert schema.head_revision() in str(refused.value)
    schema.upgrade(engine)
    schema.ensure_migrated(engine)
    engine.dispose()


def test_downgrade_removes_only_the_campaign_tables(tmp_path):
    from alembic import command

    engine = make_engine(f"sqlite:///{tmp_path / 'both.db'}")
    upgrade_engine(engine)
    schema.upgrade(engine)
    config = schema.alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    tables = set(inspect(engine).get_table_names())
    assert not tables & set(CampaignBase.metadata.tables)
    assert "process_instance" in tables and engine_revision(engine) is not None
    engine.dispose()


def test_migration_files_are_clean():
    versions = sorted((MIGRATIONS / "versions").glob("*.py"))
    assert [v.name[:5] for v in versions] == [f"{n:04d}_" for n in range(1, len(versions) + 1)]
    assert all("###" not in v.read_text(encoding="utf-8") for v in versions)
    assert (MIGRATIONS / "env.py").is_file() and (MIGRATIONS / "script.py.mako").is_file()
