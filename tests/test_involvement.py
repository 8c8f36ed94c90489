"""What a user takes part in: the queries behind "a unit sees only its own instances and tasks"."""
from __future__ import annotations

from engine import TaskQuery
from engine.runtime.involvement import Involvement
from engine.runtime.service import InstanceQuery
from tests.conftest import fixture_bytes


def start_units(engine):
    engine.repository.deploy([("units_multi.bpmn", fixture_bytes("units_multi.bpmn"))])
    a = engine.runtime.start_process_by_key("units_multi", {"units": ["unit:tong_hop"], "unit": "tong_hop"},
                                            actor="head_a")
    b = engine.runtime.start_process_by_key("units_multi", {"units": ["unit:kinh_te"], "unit": "kinh_te"},
                                            actor="head_b")
    return a, b


def test_tasks_offered_to_a_unit_are_only_that_units(engine):
    a, b = start_units(engine)
    staff_a = Involvement("lan", frozenset({"unit:tong_hop", "staff"}), "tong_hop")
    [task_a] = engine.tasks.list(TaskQuery(involving=staff_a))
    assert task_a.instance_id == a.id
    assert engine.tasks.count(TaskQuery(involving=Involvement("nobody"))) == 0
    engine.tasks.claim(task_a.id, "lan")
    # Assigned to lan: still visible to her, and to a colleague of the unit (offered to the group).
    assert engine.tasks.count(TaskQuery(involving=Involvement("lan"))) == 1
    assert engine.tasks.count(TaskQuery(involving=Involvement("minh", frozenset({"unit:tong_hop"})))) == 1
    assert engine.tasks.count(TaskQuery(involving=Involvement("hoa", frozenset({"unit:kinh_te"})))) == 1


def test_instances_of_a_unit(engine):
    a, b = start_units(engine)
    assert a.unit == "tong_hop" and b.unit == "kinh_te"
    by_unit = engine.runtime.list_instances(InstanceQuery(involving=Involvement("x", frozenset(), "tong_hop")))
    assert [i.id for i in by_unit] == [a.id]
    by_starter = engine.runtime.list_instances(InstanceQuery(involving=Involvement("head_b")))
    assert [i.id for i in by_starter] == [b.id]
    by_group = engine.runtime.list_instances(InstanceQuery(involving=Involvement("y", frozenset({"unit:kinh_te"}))))
    assert [i.id for i in by_group] == [b.id]
    assert engine.runtime.takes_part(a.id, Involvement("x", frozenset(), "tong_hop"))
    assert not engine.runtime.takes_part(a.id, Involvement("x", frozenset(), "kinh_te"))

    # Once someone worked on an instance they keep seeing it, even after its tasks are done.
    [task] = engine.tasks.list(TaskQuery(instance_id=b.id))
    engine.tasks.complete(task.id, {}, actor="worker_b")
    assert engine.runtime.takes_part(b.id, Involvement("worker_b"))
    assert engine.runtime.count_instances(InstanceQuery(running=True)) == 1
