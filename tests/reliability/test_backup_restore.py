"""`thidua db backup` and `thidua db restore`: a backup restored into a fresh database gives back
every row, every instance and every file; an older schema is migrated forward. SQLite and PostgreSQL."""
from __future__ import annotations

import json
import tarfile

from sqlalchemy import create_engine, text

from engine import EngineConfig, TaskQuery
from engine.persistence.db import make_engine
from engine.persistence.schema import ENGINE_MIGRATIONS
from tests.reliability.backup_helpers import files, fresh_target, office, read_everything, snapshot  # noqa: F401
from web.composition import SCHEMAS, backup_database, build_engine, restore_database


def test_a_backup_restored_into_a_fresh_database_gives_everything_back(office, fresh_target, tmp_path):
    portal, config = office
    before, stored = snapshot(config.database_url), files(config.attachments_dir)
    everything = read_everything(config)
    assert len(stored) == 3 and len([k for k in everything if k != "history"]) == 2

    report = backup_database(config, tmp_path / "thidua-2025.tar.gz")
    assert report.attachments == 3 and report.schemas == {m.version_table: m.head_revision() for m in SCHEMAS}
    with tarfile.open(report.path) as archive:
        names = archive.getnames()
        manifest = json.load(archive.extractfile("manifest.json"))
    assert manifest["product"] == "ThiDua Flow" and manifest["database"] == report.database
    assert sorted(n for n in names if n.startswith("attachments/")) == sorted(f"attachments/{n}" for n in stored)

    restored = restore_database(fresh_target, report.path)
    assert restored.attachments == 3
    assert snapshot(fresh_target.database_url) == before
    assert files(fresh_target.attachments_dir) == stored
    assert read_everything(fresh_target) == everything
    # The restored office works on: the Information Centre opens the campaign's news pages.
    engine = build_engine(EngineConfig(database_url=fresh_target.database_url,
                                       attachments_dir=fresh_target.attachments_dir))
    try:
        # The deleted unit's instance left the campaign in an incident, restored with it: retried,
        # the campaign calls that unit again and runs on.
        [incident] = engine.runtime.list_incidents()
        assert incident.instance_id == portal.campaign_id and incident.activity_id is not None
        engine.runtime.set_job_retries(incident.configuration, 1, actor="admin")
        [task] = [t for t in engine.tasks.list(TaskQuery(instance_id=portal.campaign_id))
                  if t.element_id == "Task_open_pages"]
        engine.tasks.complete(task.id, {}, actor="info")
        assert engine.history.events(task_id=task.id, event_types=["complete"])[0].actor == "info"
    finally:
        engine.close()
    # The original is untouched by having been backed up.
    assert snapshot(config.database_url) == before and files(config.attachments_dir) == stored


def test_a_backup_of_an_older_schema_is_migrated_forward(office, fresh_target, tmp_path):
    portal, config = office
    everything = read_everything(config)
    portal.engine.close()
    db = make_engine(config.database_url)
    try:
        ENGINE_MIGRATIONS.downgrade(db, "0007")  # as a database of the previous release keeps it
        report = backup_database(config, tmp_path / "old.tar.gz")
    finally:
        ENGINE_MIGRATIONS.upgrade(db)  # the PostgreSQL database is shared by the run's other tests
        db.dispose()
    assert report.schemas["alembic_version"] == "0007"

    restored = restore_database(fresh_target, report.path)
    assert restored.schemas_before["alembic_version"] == "0007"
    db = create_engine(fresh_target.database_url)
    try:
        assert ENGINE_MIGRATIONS.current_revision(db) == ENGINE_MIGRATIONS.head_revision()
        with db.connect() as connection:  # the head's partial indexes exist again
            names = [r[0] for r in connection.execute(text(
                "SELECT name FROM sqlite_master WHERE type = 'index'" if db.dialect.name == "sqlite"
                else "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'"))]
        assert "ix_history_event_task_id" in names
    finally:
        db.dispose()
    assert read_everything(fresh_target) == everything
