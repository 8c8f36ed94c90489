"""Twenty people completing one task at once: exactly one wins, the others get a conflict."""
from __future__ import annotations

import threading
from uuid import UUID

from engine import TaskQuery
from engine.errors import ConflictError
from tests.conftest import fixture_bytes


def test_twenty_threads_complete_one_task(engine):
    engine.repository.deploy([("approval_v2.bpmn", fixture_bytes("approval_v2.bpmn"))])
    instance = engine.runtime.start_process_by_key("approval", {"reviewDue": "2025-08-08"})
    [task] = engine.tasks.list(TaskQuery(instance_id=instance.id))
    barrier = threading.Barrier(20)
    outcomes: list[str] = []
    lock = threading.Lock()

    def complete(worker: int) -> None:
        barrier.wait()
        try:
            engine.tasks.complete(task.id, {"score": worker}, actor=f"user{worker}")
            result = "ok"
        except ConflictError:
            result = "conflict"
        except Exception as err:  # anything else is a defect the assertion below shows
            result = f"{type(err).__name__}: {err}"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=complete, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["conflict"] * 19 + ["ok"], outcomes
    completions = engine.history.events(instance_id=instance.id, event_types=["complete"])
    assert len(completions) == 1
    [next_task] = engine.tasks.list(TaskQuery(instance_id=instance.id))
    assert next_task.element_id == "Task_sign"
    final = engine.runtime.get_instance(instance.id)
    assert final.revision == 2
    assert engine.runtime.get_variables(instance.id)["score"] == int(completions[0].actor.removeprefix("user"))


def test_a_step_saved_from_a_stale_read_is_a_conflict_and_writes_nothing(engine):
    """The step's writes go out together (a pipeline on PostgreSQL) and its guarded UPDATE is
    checked after them: a step working on a state someone else has saved since is a conflict, even
    when its task rows collide with theirs first, and leaves nothing behind."""
    engine.repository.deploy([("approval_v2.bpmn", fixture_bytes("approval_v2.bpmn"))])
    instance = engine.runtime.start_process_by_key("approval", {"reviewDue": "2025-08-08"})
    [task] = engine.tasks.list(TaskQuery(instance_id=instance.id))
    with engine.context.db.connect() as conn:
        stale = engine.context.load(conn, instance.id)
    engine.tasks.complete(task.id, {"score": 1}, actor="first")
    [winner_next] = engine.tasks.list(TaskQuery(instance_id=instance.id))

    spiff_task = stale.workflow.get_task_from_id(UUID(task.id))
    spiff_task.set_data(score=2)
    spiff_task.run()
    try:
        with engine.context.db.begin() as conn:
            engine.context.advance_and_save(conn, stale, actor="second", task_id=task.id,
                                            events=[{"event_type": "complete", "data": {"score": 2}}])
    except ConflictError as err:
        assert instance.id in str(err)
    else:
        raise AssertionError("a step saved from a stale read was not refused")

    assert [e.actor for e in engine.history.events(instance_id=instance.id, event_types=["complete"])] == ["first"]
    assert [t.id for t in engine.tasks.list(TaskQuery(instance_id=instance.id))] == [winner_next.id]
    assert engine.runtime.get_instance(instance.id).revision == 2
    assert engine.runtime.get_variables(instance.id)["score"] == 1
