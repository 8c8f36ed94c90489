"""Benchmark: 1,000 instances of start -> user task -> complete -> end.

Bare SpiffWorkflow in memory (state serialized and restored around the user task, as a
persisted engine must), then the schema's floor (the service's statements through the bare
DB-API module) and the service, on SQLite and on PostgreSQL. Prints ms per instance, the ratios
to bare and to the floor, and the round trips of a start, a task list and a completion
(bench/round_trips.py). Usage: python bench/engine.py [--count N] [--repeat R] [--postgres URL] [--json]
"""
from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
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
from engine.tasks.service import SELECT_CANDIDATES, SELECT_FOR_COMPLETION, TaskService  # noqa: E402
from engine.persistence.serializer import dump_specs, dump_state, load_specs, load_state  # noqa: E402

sys.path.insert(1, str(Path(__file__).resolve().parent))
from round_trips import RoundTripCounter, difference  # noqa: E402

MODEL = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "approval.bpmn"
START = {"reviewDue": "2025-08-08", "unitName": "Phòng Tổng hợp"}
ANSWER = {"approved": True, "score": 80, "comment": "Đồng ý"}
BYTE = {"sqlite": "x'00'", "postgresql": "'\\x00'::bytea"}


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
    through the bare DB-API module (sqlite3, or psycopg for PostgreSQL) with none of the service's
    logic, committed where the service commits."""

    def __init__(self, url: str) -> None:
        db = make_engine(url)
        upgrade(db)
        self.dialect = db.dialect
        db.dispose()
        if self.dialect.name == "sqlite":
            self.db = sqlite3.connect(make_url(url).database)
            for pragma in SQLITE_PRAGMAS:
                self.db.execute(f"PRAGMA {pragma}")
        else:
            import psycopg
            self.db = psycopg.connect(make_url(url).set(drivername="postgresql")
                                      .render_as_string(hide_password=False))
        cursor = self.db.cursor()
        cursor.execute("INSERT INTO deployment (id, name, deployed_at) VALUES ('d', 'd', '2025-01-01')")
        cursor.execute("INSERT INTO resource (id, deployment_id, name, content, content_hash) "
                       f"VALUES ('r', 'd', 'r', {BYTE[self.dialect.name]}, 'h')")
        cursor.execute("INSERT INTO process_definition (id, key, version, deployment_id, resource_id, "
                       "content_hash, created_at, spec_json) VALUES ('p', 'approval', 1, 'd', 'r', 'h', "
                       "'2025-01-01', '{}')")
        self.db.commit()
        self.list_tasks = TaskService._shape(("instance_id",), False, "due", False, False, True)

    def _run(self, prepared, rows: list[dict], many: bool = False):
        compiled = prepared.compiled_for(self.dialect)
        cursor = self.db.cursor()
        if many:
            return cursor.executemany(compiled.sql, [compiled.parameters(row) for row in rows])
        cursor.execute(compiled.sql, compiled.parameters(rows[0]))
        return cursor.fetchall() if cursor.description else None

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
        self._run(store.INSERT_INSTANCE, [instance])
        self._run(store.INSERT_TASK, [task])
        self._run(store.INSERT_CANDIDATE, [{"task_id": task_id, "kind": "group", "value": group}
                                           for group in ("tchcqt", "council")], True)
        self._run(store.INSERT_HISTORY, self._history(instance_id, task_id, now, ("start", "task_created")), True)
        self.db.commit()
        self._run(self.list_tasks, [{"instance_id": instance_id, "limit": 100}])
        self._run(SELECT_CANDIDATES, [{"task_id": task_id}])
        self.db.commit()  # ends the read (no transaction on sqlite3, which opens one only to write)
        return instance_id, task_id

    def update(self, ids: tuple[str, str], state: str) -> None:
        instance_id, task_id = ids
        now = datetime.now(timezone.utc)
        self._run(SELECT_FOR_COMPLETION, [{"id": task_id}])  # the task and its instance
        self._run(store.SAVE_INSTANCE, [{
            "b_id": instance_id, "b_revision": 1, "state": state, "revision": 2, "status": "completed",
            "incident_message": None, "incident_element_id": None, "ended_at": now, "next_timer_at": None,
            "waiting_json": None}])
        self._run(store.DELETE_TASK, [{"id": task_id}], True)
        self._run(store.INSERT_HISTORY, self._history(instance_id, task_id, now, ("complete", "end")), True)
        self.db.commit()

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
            one_instance(engine)
        elapsed = (time.perf_counter() - began) * 1000 / count
        assert engine.runtime.count_instances(InstanceQuery(status="completed")) == count
    return elapsed


def one_instance(engine, counted=None) -> None:
    """Start, list the instance's task, complete it; with `counted`, what each of the three sent."""
    snapshot = counted.snapshot if counted else dict
    before = snapshot()
    instance = engine.runtime.start_process_by_key("approval", START)
    started = snapshot()
    [task] = engine.tasks.list(TaskQuery(instance_id=instance.id))
    listed = snapshot()
    engine.tasks.complete(task.id, ANSWER)
    if counted:
        for name, (after, since) in {"start": (started, before), "list": (listed, started),
                                     "complete": (snapshot(), listed)}.items():
            counted.steps[name].update(difference(after, since, 1))


def round_trips(database_url: str, count: int = 20, warm_up: int = 50) -> dict:
    """What a start, a task list and a completion send to the database, averaged over `count`
    instances after `warm_up` unmeasured ones (caches filled, statements prepared by psycopg)."""
    db = make_engine(database_url)
    upgrade(db)
    db.dispose()
    with ProcessEngine(EngineConfig(database_url=database_url)) as engine:
        engine.repository.deploy([(MODEL.name, MODEL.read_bytes())])
        counter = RoundTripCounter(engine.context.db)
        for _ in range(warm_up):
            one_instance(engine)
        counter.steps = {name: Counter() for name in ("start", "list", "complete")}
        for _ in range(count):
            one_instance(engine, counter)
        counter.close()
    found = {name: {key: round(value / count, 2) for key, value in sorted(totals.items())}
             for name, totals in counter.steps.items()}
    found["start+complete"] = {key: round(found["start"].get(key, 0) + found["complete"].get(key, 0), 2)
                               for key in found["start"]}
    return found


def describe_round_trips(database: str, found: dict) -> str:
    """One line: statements + commits + rollbacks per step (the DB-API calls), and on PostgreSQL
    the protocol's round trips, which add the driver's BEGIN and DEALLOCATE."""
    def calls(step: dict) -> float:
        return step["statements"] + step["commits"] + step["rollbacks"]
    parts = []
    for name in ("start", "list", "complete", "start+complete"):
        step = found[name]
        wire = f", {step['round_trips']:g} on the wire" if "round_trips" in step else ""
        parts.append(f"{name} {calls(step):g} ({step['statements']:g} statements{wire})")
    return f"round trips per start+complete on {database}: " + "; ".join(parts)


def postgres_database(admin_url: str):
    name = f"thidua_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    return admin, name, admin_url.rsplit("/", 1)[0] + f"/{name}"


def drop_database(admin, name: str) -> None:
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the best is printed, "
                        "as other work on the machine only ever slows a run down")
    parser.add_argument("--postgres", default=os.environ.get(
        "THIDUA_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--json", action="store_true", help="print every figure as one JSON object, nothing else")
    args = parser.parse_args()
    figures: dict = {"count": args.count, "repeat": args.repeat}
    say = (lambda line: None) if args.json else (lambda line: print(line, flush=True))

    def best(measure) -> float:
        return min(measure() for _ in range(args.repeat))

    bare_ms = figures["bare_ms"] = round(best(lambda: bare(args.count)), 3)
    say(f"bare SpiffWorkflow, in memory + serialization: {bare_ms:.2f} ms/instance")
    with tempfile.TemporaryDirectory() as folder:
        floors = {
            "bare + two raw sqlite3 commits (a bare store)":
                ("sqlite_bare_store_ms", lambda n: RawSqliteStore(f"{folder}/floor{n}.db")),
            "bare + the service's statements, raw sqlite3 (this schema's floor)":
                ("sqlite_floor_ms", lambda n: ServiceStatementsStore(f"sqlite:///{folder}/schema{n}.db")),
        }
        for label, (key, make_store) in floors.items():
            runs = iter(range(args.repeat))
            floor_ms = figures[key] = round(best(lambda: bare(args.count, make_store(next(runs)))), 3)
            say(f"{label}: {floor_ms:.2f} ms/instance  ratio {floor_ms / bare_ms:.2f} x bare")
        runs = iter(range(args.repeat))
        sqlite_ms = figures["sqlite_service_ms"] = round(
            best(lambda: service(f"sqlite:///{folder}/bench{next(runs)}.db", args.count)), 3)
        figures["sqlite_round_trips"] = round_trips(f"sqlite:///{folder}/counted.db")
    say(f"service on SQLite:     {sqlite_ms:.2f} ms/instance  ratio {sqlite_ms / bare_ms:.2f} x bare, "
        f"{sqlite_ms / figures['sqlite_floor_ms']:.2f} x its floor")
    say(describe_round_trips("SQLite", figures["sqlite_round_trips"]))
    try:
        postgres(args, figures, say, best)
    finally:
        ratios = {key[:-3]: round(figures[key] / bare_ms, 2) for key in figures if key.endswith("_ms")}
        figures["ratios_to_bare"] = ratios
        if "postgresql_floor_ms" in figures and "postgresql_service_ms" in figures:
            figures["postgresql_service_to_floor"] = round(
                figures["postgresql_service_ms"] / figures["postgresql_floor_ms"], 2)
        figures["sqlite_service_to_floor"] = round(sqlite_ms / figures["sqlite_floor_ms"], 2)
        if args.json:
            print(json.dumps(figures, ensure_ascii=False))


def postgres(args, figures: dict, say, best) -> None:
    """The PostgreSQL rows: its floor (raw psycopg), the service, and what they send."""
    databases = []
    try:
        for _ in range(args.repeat + 2):
            databases.append(postgres_database(args.postgres))
    except Exception as err:  # the figures are simply missing when no server runs
        figures["postgresql_skipped"] = f"{err.__class__.__name__}: {err}"
        say(f"service on PostgreSQL: skipped ({err.__class__.__name__}: {err})")
        return
    try:
        urls = iter(url for _, _, url in databases)
        floor_ms = figures["postgresql_floor_ms"] = round(
            best(lambda: bare(args.count, ServiceStatementsStore(next(urls)))), 3)
        say(f"bare + the service's statements, raw psycopg (this schema's floor on PostgreSQL): {floor_ms:.2f} "
            f"ms/instance  ratio {floor_ms / figures['bare_ms']:.2f} x bare")
        pg_ms = figures["postgresql_service_ms"] = round(service(next(urls), args.count), 3)
        say(f"service on PostgreSQL: {pg_ms:.2f} ms/instance  ratio {pg_ms / figures['bare_ms']:.2f} x bare, "
            f"{pg_ms / floor_ms:.2f} x its floor")
        figures["postgresql_round_trips"] = round_trips(next(urls))
        say(describe_round_trips("PostgreSQL", figures["postgresql_round_trips"]))
    finally:
        for admin, name, _ in databases:
            drop_database(admin, name)
            admin.dispose()


if __name__ == "__main__":
    main()
