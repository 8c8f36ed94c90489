"""What the backup tests share: a campaign office with work done and files attached, a fresh
database to restore into, and a snapshot of every row of a database to compare before and after."""
from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from engine import EngineConfig, TaskQuery
from engine.runtime.service import InstanceQuery
from tests.conftest import migrated_postgres_database
from tests.portal.conftest import UNIT_A, UNIT_B
from web.composition import build_engine

PDF = b"%PDF-1.4\n% to trinh\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + os.urandom(64)


def do_some_work(portal) -> None:
    """Steps done, a unit's instance deleted mid-way (its history stays, the campaign that called it
    stops in an incident), dossier files stored."""
    portal.complete("Task_guidance", {"guidanceIssuedOn": "2025-06-25"},
                    actor="officer")
    portal.complete("Task_deploy_plan", {"deployedOn": "2025-06-10"}, unit=UNIT_A, actor="head_a")
    engine = portal.engine
    engine.attachments.add(portal.units[UNIT_A], "Tờ trình khen thưởng.pdf", PDF, actor="head_a")
    engine.attachments.add(portal.campaign_id, "ảnh lễ phát động.png", PNG, description="Lễ phát động",
                           actor="officer")
    engine.attachments.add(portal.units[UNIT_B], "bị xoá.pdf", PDF, actor="head_b")
    engine.runtime.delete_instance(portal.units[UNIT_B], actor="admin", reason="đơn vị sáp nhập")


def snapshot(database_url: str) -> dict[str, list[tuple]]:
    """Every row of every table, sorted: equal snapshots mean nothing was lost or changed."""
    db = create_engine(database_url)
    try:
        with db.connect() as connection:
            return {name: sorted((tuple(row) for row in connection.execute(text(f'SELECT * FROM "{name}"'))),
                                 key=repr)
                    for name in sorted(inspect(connection).get_table_names())}
    finally:
        db.dispose()


def files(directory: Path) -> dict[str, str]:
    return {str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def read_everything(config: EngineConfig) -> dict:
    """Every instance read back through the engine: row, variables, tasks, history, files."""
    engine = build_engine(config)
    try:
        seen = {}
        for instance in engine.runtime.list_instances(InstanceQuery(limit=None)):
            seen[instance.id] = {
                "row": (instance.definition_id, instance.business_key, instance.status, instance.unit,
                        instance.parent_instance_id, instance.started_at),
                "variables": engine.runtime.get_variables(instance.id),
                "tasks": [(t.id, t.element_id, t.assignee, t.due_at, sorted(t.candidate_groups))
                          for t in engine.tasks.list(TaskQuery(instance_id=instance.id, limit=None))],
                "files": [(a.name, a.sha256, engine.attachments.open(a.id).path.read_bytes())
                          for a in engine.attachments.list(instance.id)],
            }
        seen["history"] = [(e.id, e.event_type, e.actor, e.instance_id, e.task_id, e.data_json)
                           for e in engine.history.events(limit=None)]
        return seen
    finally:
        engine.close()


@pytest.fixture
def office(portal_any_db):
    """(portal, config): the populated office on SQLite and on PostgreSQL, with work done and files."""
    portal = portal_any_db
    do_some_work(portal)
    return portal, portal.engine.context.config


@pytest.fixture
def fresh_target(office, tmp_path):
    """An EngineConfig naming a database that does not exist yet (SQLite) or has no tables."""
    _, config = office
    attachments = tmp_path / "restored-attachments"
    if config.database_url.startswith("sqlite"):
        yield EngineConfig(database_url=f"sqlite:///{tmp_path / 'restored' / 'thidua.db'}",
                           attachments_dir=attachments)
        return
    for url in migrated_postgres_database("thidua_restore"):
        yield EngineConfig(database_url=url, attachments_dir=attachments)


def copy_config(config: EngineConfig, attachments: Path) -> EngineConfig:
    shutil.copytree(config.attachments_dir, attachments)
    return EngineConfig(database_url=config.database_url, attachments_dir=attachments)
