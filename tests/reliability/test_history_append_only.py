"""The history is append-only: no code path updates or deletes an audit row, and deleting a
process instance (or a deployment, with cascade) keeps the history of what happened, as Camunda
keeps its history after a runtime delete. On SQLite and PostgreSQL."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import psycopg
from sqlalchemy import event

from engine import TaskQuery
from engine.runtime.service import InstanceQuery
from tests.conftest import fixture_bytes

ROOT = Path(__file__).resolve().parents[2]
HISTORY_WRITE = re.compile(r'^\s*(UPDATE|DELETE\s+FROM|TRUNCATE(\s+TABLE)?)\s+"?history_event\b', re.I | re.M)


# --- the code ---------------------------------------------------------------------------------

def history_writes_in(source: str) -> list[str]:
    """update()/delete() of the history table (by its class, its __table__ or a name bound to
    either), `.update()`/`.delete()` on it, and SQL text that changes it."""
    tree = ast.parse(source)
    history_names = {"HistoryEvent"}
    for node in ast.walk(tree):
        # HISTORY = HistoryEvent.__table__, and tuple assignments such as `HISTORY, X = ...`.
        if isinstance(node, ast.Assign):
            targets = [t for target in node.targets
                       for t in (target.elts if isinstance(target, ast.Tuple) else [target])]
            values = node.value.elts if isinstance(node.value, ast.Tuple) else [node.value]
            for target, value in zip(targets, values):
                if isinstance(target, ast.Name) and "HistoryEvent" in ast.unparse(value):
                    history_names.add(target.id)

    def is_history(expr: ast.AST) -> bool:
        text = ast.unparse(expr)
        return text.split(".")[0] in history_names or "history_event" in text

    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            function = ast.unparse(node.func)
            if function.split(".")[-1] in ("update", "delete") and node.args and is_history(node.args[0]):
                found.append(f"line {node.lineno}: {ast.unparse(node)[:80]}")
            elif isinstance(node.func, ast.Attribute) and node.func.attr in ("update", "delete") \
                    and is_history(node.func.value):
                found.append(f"line {node.lineno}: {ast.unparse(node)[:80]}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and HISTORY_WRITE.search(node.value):
            found.append(f"line {node.lineno}: SQL {node.value.strip()[:80]!r}")
    return sorted(found, key=lambda f: int(f.split(":")[0].split()[1]))


def test_no_code_updates_or_deletes_history():
    offenders = {}
    for folder in ("engine", "web", "workflows"):
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue  # a migration's downgrade drops the table with the schema, not rows
            found = history_writes_in(path.read_text(encoding="utf-8"))
            if found:
                offenders[str(path.relative_to(ROOT))] = found
    assert offenders == {}


def test_the_code_check_finds_what_it_looks_for():
    source = '''
HISTORY, TASK = HistoryEvent.__table__, Task.__table__
session.execute(delete(HistoryEvent).where(HistoryEvent.id == 1))
conn.execute(update(HISTORY).values(actor="x"))
HISTORY.delete()
conn.exec_driver_sql("DELETE FROM history_event WHERE id = 1")
conn.execute(delete(TASK))
'''
    assert [line.split(":")[0] for line in history_writes_in(source)] == ["line 3", "line 4", "line 5", "line 6"]


# --- the SQL a whole process sends ------------------------------------------------------------

class Recorder:
    """Every statement sent to the database, seen twice: by SQLAlchemy's cursor events, and at
    the driver for the engine's prepared statements, which use DB-API cursors directly."""

    def __init__(self, db) -> None:
        self.statements: list[str] = []
        self.db = db
        event.listen(db, "before_cursor_execute", self.before_cursor_execute)
        event.listen(db, "checkout", self.checkout)
        db.dispose()  # pooled connections were checked out before the driver hook existed

    def before_cursor_execute(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    def checkout(self, dbapi_connection, record, proxy):
        if isinstance(dbapi_connection, psycopg.Connection):
            dbapi_connection.cursor_factory = recording_cursor(self.statements)
        else:
            dbapi_connection.set_trace_callback(self.statements.append)

    def close(self) -> None:
        event.remove(self.db, "before_cursor_execute", self.before_cursor_execute)
        event.remove(self.db, "checkout", self.checkout)
        self.db.dispose()

    def history_writes(self) -> list[str]:
        return [s for s in self.statements if HISTORY_WRITE.search(s)]

    def count(self, pattern: str) -> int:
        return sum(1 for s in self.statements if re.search(pattern, s, re.I))


def recording_cursor(statements: list[str]):
    class RecordingCursor(psycopg.Cursor):
        def execute(self, query, *args, **kwargs):
            statements.append(str(query))
            return super().execute(query, *args, **kwargs)

        def executemany(self, query, *args, **kwargs):
            statements.append(str(query))
            return super().executemany(query, *args, **kwargs)
    return RecordingCursor


def children_of(engine, parent_id):
    return [i for i in engine.runtime.list_instances(InstanceQuery(limit=None)) if i.parent_instance_id == parent_id]


def run_to_the_end(engine, business_key: str) -> str:
    parent = engine.runtime.start_process_by_key("parent_call", {"units": ["tong_hop", "kinh_te"],
                                                                 "reviewDue": "2025-08-08"},
                                                 business_key=business_key, actor="chief")
    for child in children_of(engine, parent.id):
        [task] = engine.tasks.list(TaskQuery(instance_id=child.id))
        engine.tasks.claim(task.id, "officer")
        engine.tasks.unclaim(task.id, actor="officer")
        engine.tasks.set_assignee(task.id, "officer", actor="admin")
        engine.tasks.complete(task.id, {"approved": "true", "score": "85"}, actor="officer")
    [consolidate] = engine.tasks.list(TaskQuery(instance_id=parent.id))
    engine.tasks.complete(consolidate.id, {}, actor="officer")
    assert engine.runtime.get_instance(parent.id).status == "completed"
    return parent.id


def test_a_whole_process_and_its_deletion_only_add_history(engine):
    recorder = Recorder(engine.context.db)
    try:
        engine.repository.deploy([("approval.bpmn", fixture_bytes("approval.bpmn"))], actor="designer")
        deployed = engine.repository.deploy([("parent_call.bpmn", fixture_bytes("parent_call.bpmn"))],
                                            actor="designer")
        finished = run_to_the_end(engine, "KH-01")
        running = engine.runtime.start_process_by_key("parent_call", {"units": ["tong_hop"], "reviewDue": "2025-08-08"},
                                                      business_key="KH-02", actor="chief")
        [child] = children_of(engine, running.id)
        before = {i: [e.id for e in engine.history.events(instance_id=i)] for i in (finished, running.id, child.id)}
        engine.runtime.delete_instance(running.id, actor="admin", reason="kế hoạch bị hủy")
        engine.repository.delete_deployment(deployed.deployment.id, cascade=True, actor="admin")
    finally:
        recorder.close()

    # The recorder saw the run: history was written, runtime rows were deleted, both at the driver.
    assert recorder.count(r"INSERT INTO \"?history_event") > 10
    assert recorder.count(r"DELETE FROM \"?process_instance") >= 2
    assert recorder.count(r"DELETE FROM \"?task\b") >= 3
    assert recorder.history_writes() == []

    # Only the finished approvals remain at runtime: their own deployment was not deleted.
    assert [i.definition_key for i in engine.runtime.list_instances(InstanceQuery(limit=None))] == ["approval"] * 2
    for instance_id, ids in before.items():
        kept = engine.history.events(instance_id=instance_id)
        assert [e.id for e in kept][:len(ids)] == ids, f"history of {instance_id} lost rows"
    assert [e.event_type for e in engine.history.events(instance_id=running.id)][-1] == "delete"
    assert [e.event_type for e in engine.history.events(instance_id=finished)][-1] == "end"
    assert [e.event_type for e in engine.history.events(event_types=["undeploy"])] == ["undeploy"]
