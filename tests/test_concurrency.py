"""Twenty people completing one task at once: exactly one wins, the others get a conflict."""
from __future__ import annotations

import threading

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
