"""Benchmark: 1,000 instances of start -> user task -> complete -> end.

Bare SpiffWorkflow in memory (state serialized and restored around the user task, as a
persisted engine must), then the service on SQLite, then on PostgreSQL. Prints ms per instance
and the ratio service / bare. Usage: python bench/engine.py [--count N] [--postgres URL]
"""
from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine import EngineConfig, ProcessEngine, TaskQuery  # noqa: E402
from engine.db import make_engine  # noqa: E402
from engine.runtime import InstanceQuery  # noqa: E402
from engine.expressions import expression_helpers  # noqa: E402
from engine.parsing import ModelFile, parse_deployment  # noqa: E402
from engine.sandbox import create_script_engine  # noqa: E402
from engine.schema import upgrade  # noqa: E402
from engine.serializer import dump_specs, dump_state, load_specs, load_state  # noqa: E402

MODEL = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "approval.bpmn"
START = {"reviewDue": "2025-08-08", "unitName": "Phòng Tổng hợp"}
ANSWER = {"approved": True, "score": 80, "comment": "Đồng ý"}


def bare(count: int, store=None) -> float:
    parsed = parse_deployment([ModelFile(MODEL.name, MODEL.read_bytes())], lambda kind, key: None, 10**7)
    spec, subprocess_specs = load_specs(dump_specs(parsed.processes[0].spec, parsed.processes[0].subprocess_specs))
    script_engine = create_script_engine(expression_helpers())
    began = time.perf_counter()
    for _ in range(count):
        workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=script_engine)
        workflow.get_next_task(state=TaskState.READY).set_data(**START)
        workflow.do_engine_steps()
        state = dump_state(workflow)
        if store:
            key = store.insert(state)
        workflow = load_state(state, spec, subprocess_specs, script_engine)
        task = workflow.get_next_task(state=TaskState.READY, manual=True)
        task.set_data(**ANSWER)
        task.run()
        workflow.do_engine_steps()
        state = dump_state(workflow)
        if store:
            store.update(key, state)
        assert workflow.is_completed()
    return (time.perf_counter() - began) * 1000 / count


class RawSqliteStore:
    """The floor for a durable engine: one INSERT and one UPDATE of the state, each committed,
    through the bare sqlite3 module in the same WAL mode the service uses."""

    def __init__(self, path: str) -> None:
        self.db = sqlite3.connect(path)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("CREATE TABLE state (id INTEGER PRIMARY KEY, body TEXT)")

    def insert(self, state: str) -> int:
        with self.db:
            return self.db.execute("INSERT INTO state (body) VALUES (?)", (state,)).lastrowid

    def update(self, key: int, state: str) -> None:
        with self.db:
            self.db.execute("UPDATE state SET body = ? WHERE id = ?", (state, key))


def service(database_url: str, count: int) -> float:
    db = make_engine(database_url)
    upgrade(db)
    db.dispose()
    with ProcessEngine(EngineConfig(database_url=database_url)) as engine:
        engine.repository.deploy([(MODEL.name, MODEL.read_bytes())])
        engine.runtime.start_process_by_key("approval", START)  # warm the spec cache
        began = time.perf_counter()
        for _ in range(count):
            instance = engine.runtime.start_process_by_key("approval", START)
            [task] = engine.tasks.list(TaskQuery(instance_id=instance.id))
            engine.tasks.complete(task.id, ANSWER)
        elapsed = (time.perf_counter() - began) * 1000 / count
        assert engine.runtime.count_instances(InstanceQuery(status="completed")) == count
    return elapsed


def postgres_database(admin_url: str):
    name = f"thidua_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    return admin, name, admin_url.rsplit("/", 1)[0] + f"/{name}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--postgres", default=os.environ.get(
        "THIDUA_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    args = parser.parse_args()

    bare_ms = bare(args.count)
    print(f"bare SpiffWorkflow, in memory + serialization: {bare_ms:.2f} ms/instance")
    with tempfile.TemporaryDirectory() as folder:
        floor_ms = bare(args.count, RawSqliteStore(f"{folder}/floor.db"))
        print(f"bare + two raw sqlite3 commits (the floor): {floor_ms:.2f} ms/instance  "
              f"ratio {floor_ms / bare_ms:.2f} x bare")
        sqlite_ms = service(f"sqlite:///{folder}/bench.db", args.count)
    print(f"service on SQLite:     {sqlite_ms:.2f} ms/instance  ratio {sqlite_ms / bare_ms:.2f} x bare")
    try:
        admin, name, url = postgres_database(args.postgres)
    except Exception as err:  # the figure is simply missing when no server runs
        print(f"service on PostgreSQL: skipped ({err.__class__.__name__}: {err})")
        return
    try:
        pg_ms = service(url, args.count)
        print(f"service on PostgreSQL: {pg_ms:.2f} ms/instance  ratio {pg_ms / bare_ms:.2f} x bare")
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
