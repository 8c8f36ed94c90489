"""Benchmark: 1,000 instances of start -> user task -> complete -> end.

Bare SpiffWorkflow in memory (state serialized and restored around the user task, as a
persisted engine must), then the service on SQLite, then on PostgreSQL. Prints ms per instance
and the ratio service / bare. Usage: python bench/engine.py [--count N] [--repeat R] [--postgres URL]
"""
from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import create_engine, text
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine import EngineConfig, ProcessEngine, TaskQuery  # noqa: E402
from engine.persistence.db import SQLITE_PRAGMAS, make_engine  # noqa: E402
from engine.runtime.service import InstanceQuery  # noqa: E402
from engine.expressions import expression_helpers  # noqa: E402
from engine.repository.parsing import ModelFile, parse_deployment  # noqa: E402
from engine.scripts.sandbox import create_script_engine  # noqa: E402
from engine.persistence.schema import upgrade  # noqa: E402
from engine.persistence import instance_store as store  # noqa: E402
from engine.runtime.context import SELECT_INSTANCE  # noqa: E402
from engine.tasks.service import SELECT_CANDIDATES, SELECT_FOR_COMPLETION, TaskService  # noqa: E402
from engine.persistence.serializer import dump_specs, dump_state, load_specs, load_state  # noqa: E402

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


class ServiceStatementsStore:
    """The floor for this schema: the statements the service runs per instance (instance, task and
    candidate rows, history, the task queries, the optimistic UPDATE), in the service's own SQL,
    through bare sqlite3 with none of the service's logic, committed where the service commits."""

    def __init__(self, path: str) -> None:
        db = make_engine(f"sqlite:///{path}")
        upgrade(db)
        self.dialect = db.dialect
        db.dispose()
        self.db = sqlite3.connect(path)
        for pragma in SQLITE_PRAGMAS:
            self.db.execute(f"PRAGMA {pragma}")
        with self.db:
            self.db.execute("INSERT INTO deployment (id, name, deployed_at) VALUES ('d', 'd', '2025-01-01')")
            self.db.execute("INSERT INTO resource (id, deployment_id, name, content, content_hash) "
                            "VALUES ('r', 'd', 'r', x'00', 'h')")
            self.db.execute("INSERT INTO process_definition (id, key, version, deployment_id, resource_id, "
                            "content_hash, created_at, spec_json) VALUES ('p', 'approval', 1, 'd', 'r', 'h', "
                            "'2025-01-01', '{}')")
        self.list_tasks = TaskService._shape(("instance_id",), False, "due", False, False, True)

    def _run(self, prepared, rows: list[dict], many: bool = False):
        compiled = prepared.compiled_for(self.dialect)
        if many:
            return self.db.executemany(compiled.sql, [compiled.parameters(row) for row in rows])
        return self.db.execute(compiled.sql, compiled.parameters(rows[0])).fetchall()

    def insert(self, state: str) -> tuple[str, str]:
        now = datetime.now(timezone.utc)
        instance_id, task_id = str(uuid.uuid4()), str(uuid.uuid4())
        instance = dict.fromkeys(store.INSTANCE_KEYS)
        instance.update(id=instance_id, definition_id="p", definition_key="approval", status="active",
                        state=state, revision=1, started_at=now)
        task = dict.fromkeys(store.TASK_KEYS)
        task.update(id=task_id, instance_id=instance_id, definition_id="p", definition_key="approval",
                    element_id="Task_review", name="Review", priority=70, created_at=now, due_at=now,
                    form_json='[{"id": "approved", "type": "boolean"}]', properties_json="{}")
        with self.db:
            self._run(store.INSERT_INSTANCE, [instance])
            self._run(store.INSERT_TASK, [task])
            self._run(store.INSERT_CANDIDATE, [{"task_id": task_id, "kind": "group", "value": group}
                                               for group in ("tchcqt", "council")], True)
            self._run(store.INSERT_HISTORY, self._history(instance_id, task_id, now, ("start", "task_created")), True)
        self._run(self.list_tasks, [{"instance_id": instance_id, "limit": 100}])
        self._run(SELECT_CANDIDATES, [{"task_id": task_id}])
        return instance_id, task_id

    def update(self, ids: tuple[str, str], state: str) -> None:
        instance_id, task_id = ids
        now = datetime.now(timezone.utc)
        with self.db:
            self._run(SELECT_FOR_COMPLETION, [{"id": task_id}])
            self._run(SELECT_INSTANCE, [{"id": instance_id}])
            self._run(store.SAVE_INSTANCE, [{
                "b_id": instance_id, "b_revision": 1, "state": state, "revision": 2, "status": "completed",
                "incident_message": None, "incident_element_id": None, "ended_at": now, "next_timer_at": None}])
            self._run(store.DELETE_TASK, [{"id": task_id}], True)
            self._run(store.INSERT_HISTORY, self._history(instance_id, task_id, now, ("complete", "end")), True)

    @staticmethod
    def _history(instance_id: str, task_id: str, now: datetime, events: tuple[str, ...]) -> list[dict]:
        """The rows the service writes for these events (instance-level ones carry no task)."""
        return [{"time": now, "event_type": event, "actor": "lan", "definition_id": "p", "instance_id": instance_id,
                 "task_id": None if event in ("start", "end") else task_id, "element_id": "Task_review",
                 "element_name": "Review", "data_json": '{"approved": true, "score": 80}'} for event in events]


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
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the best is printed, "
                        "as other work on the machine only ever slows a run down")
    parser.add_argument("--postgres", default=os.environ.get(
        "THIDUA_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    args = parser.parse_args()

    def best(measure) -> float:
        return min(measure() for _ in range(args.repeat))

    bare_ms = best(lambda: bare(args.count))
    print(f"bare SpiffWorkflow, in memory + serialization: {bare_ms:.2f} ms/instance")
    with tempfile.TemporaryDirectory() as folder:
        floors = {
            "bare + two raw sqlite3 commits (a bare store)": lambda n: RawSqliteStore(f"{folder}/floor{n}.db"),
            "bare + the service's statements, raw sqlite3 (this schema's floor)":
                lambda n: ServiceStatementsStore(f"{folder}/schema{n}.db"),
        }
        for label, make_store in floors.items():
            runs = iter(range(args.repeat))
            floor_ms = best(lambda: bare(args.count, make_store(next(runs))))
            print(f"{label}: {floor_ms:.2f} ms/instance  ratio {floor_ms / bare_ms:.2f} x bare")
        runs = iter(range(args.repeat))
        sqlite_ms = best(lambda: service(f"sqlite:///{folder}/bench{next(runs)}.db", args.count))
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
