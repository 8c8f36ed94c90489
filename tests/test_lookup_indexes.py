"""Migration 0008: lookup indexes of mostly-empty columns keep only the rows that set them."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import text

from engine.persistence.db import make_engine
from engine.persistence.schema import ENGINE_MIGRATIONS
from tests.conftest import migrated_postgres_database

PARTIAL = {
    "ix_process_instance_business_key": "business_key",
    "ix_process_instance_unit": "unit",
    "ix_process_instance_parent_instance_id": "parent_instance_id",
    "ix_process_instance_next_timer_at": "next_timer_at",
    "ix_task_assignee": "assignee",
    "ix_history_event_task_id": "task_id",
}


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'indexes.db'}"
    else:
        yield from migrated_postgres_database("thidua_indexes")


def index_definitions(engine) -> dict[str, str]:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            found = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"))
        else:
            found = conn.execute(text("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"))
        return {name: definition for name, definition in found if name in PARTIAL}


def add_instance(engine, instance_id: str, unit: str | None) -> None:
    now = datetime(2025, 6, 1, tzinfo=timezone.utc).isoformat()
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO deployment (id, name, deployed_at) VALUES ('d', 'd', :now) "
                          "ON CONFLICT DO NOTHING"), {"now": now})
        conn.execute(text("INSERT INTO resource (id, deployment_id, name, content, content_hash) "
                          "VALUES ('r', 'd', 'r', :content, 'h') ON CONFLICT DO NOTHING"), {"content": b"x"})
        conn.execute(text("INSERT INTO process_definition (id, key, version, deployment_id, resource_id, "
                          "content_hash, created_at, spec_json) VALUES ('p', 'k', 1, 'd', 'r', 'h', :now, '{}') "
                          "ON CONFLICT DO NOTHING"), {"now": now})
        conn.execute(text("INSERT INTO process_instance (id, definition_id, definition_key, unit, status, state, "
                          "revision, started_at) VALUES (:id, 'p', 'k', :unit, 'active', '{}', 1, :now)"),
                     {"id": instance_id, "unit": unit, "now": now})


def test_upgrade_makes_the_indexes_partial_and_keeps_the_rows(empty_database):
    engine = make_engine(empty_database)
    ENGINE_MIGRATIONS.upgrade(engine, "0007")
    before = index_definitions(engine)
    assert set(before) == set(PARTIAL) and not any("NOT NULL" in sql for sql in before.values())
    add_instance(engine, "with-unit", "tonghop")
    add_instance(engine, "without-unit", None)

    ENGINE_MIGRATIONS.upgrade(engine, "0008")
    after = index_definitions(engine)
    assert set(after) == set(PARTIAL)
    for name, column in PARTIAL.items():
        assert f"{column} IS NOT NULL" in after[name], after[name]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT id FROM process_instance WHERE unit = 'tonghop'")).all() == [("with-unit",)]
        assert conn.execute(text("SELECT count(*) FROM process_instance")).scalar() == 2
        if engine.dialect.name == "sqlite":
            plan = " ".join(str(row[-1]) for row in conn.execute(
                text("EXPLAIN QUERY PLAN SELECT id FROM process_instance WHERE unit = 'tonghop'")))
            assert "ix_process_instance_unit" in plan

    ENGINE_MIGRATIONS.downgrade(engine, "0007")
    assert not any("NOT NULL" in sql for sql in index_definitions(engine).values())
    ENGINE_MIGRATIONS.upgrade(engine)
    engine.dispose()
