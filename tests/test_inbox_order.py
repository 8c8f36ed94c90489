"""A group's inbox: by due date, tasks without one last, then by id; its count. On SQLite and PostgreSQL."""
from __future__ import annotations

from sqlalchemy import update

from engine import TaskQuery
from engine.persistence import Task
from tests.conftest import fixture_bytes


def start(engine, due: str) -> str:
    instance = engine.runtime.start_process_by_key("approval", {"reviewDue": due, "unitName": "Phòng"})
    [task] = engine.tasks.list(TaskQuery(instance_id=instance.id))
    return task.id


def test_inbox_pages_by_due_date_without_deadline_last_then_id(engine):
    engine.repository.deploy([("approval.bpmn", fixture_bytes("approval.bpmn"))])
    late, early, same_a, same_b, undated = (start(engine, due) for due in (
        "2025-09-01", "2025-08-01", "2025-08-15", "2025-08-15", "2025-07-01"))
    with engine.context.db.begin() as conn:
        conn.execute(update(Task).where(Task.id == undated).values(due_at=None))
    by_due = [early, *sorted([same_a, same_b]), late, undated]

    assert [t.id for t in engine.tasks.list(TaskQuery(candidate_group="council", sort_by="due"))] == by_due
    assert [t.id for t in engine.tasks.list(TaskQuery(candidate_group="council", sort_by="due", first=1,
                                                      limit=2))] == by_due[1:3]
    descending = engine.tasks.list(TaskQuery(candidate_group="council", sort_by="due", descending=True))
    assert [t.id for t in descending] == [late, *sorted([same_a, same_b]), early, undated]
    assert engine.tasks.count(TaskQuery(candidate_group="council")) == 5
    assert engine.tasks.count(TaskQuery(candidate_group="nobody")) == 0

    engine.tasks.complete(early, {"approved": True, "score": 80, "comment": "Đồng ý"})
    engine.tasks.set_assignee(late, "lan")
    assert engine.tasks.count(TaskQuery(candidate_group="council")) == 4
    assert engine.tasks.count(TaskQuery(candidate_group="council", unassigned=True)) == 3
    assert engine.tasks.count(TaskQuery(candidate_group="council", assignee="lan")) == 1
