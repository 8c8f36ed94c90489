"""Call activities start instances of their own (one per unit), and the caller waits for them."""
from __future__ import annotations

import threading

import pytest

from engine import TaskQuery
from engine.runtime.involvement import Involvement
from engine.runtime.service import InstanceQuery
from tests.conftest import fixture_bytes

UNITS = ["tong_hop", "kinh_te"]


def start_campaign(engine, units=UNITS):
    engine.repository.deploy([("approval.bpmn", fixture_bytes("approval.bpmn"))])
    engine.repository.deploy([("parent_call.bpmn", fixture_bytes("parent_call.bpmn"))])
    return engine.runtime.start_process_by_key("parent_call", {"units": units, "reviewDue": "2025-08-08"},
                                               business_key="KH-05", actor="chief")


def children_of(engine, parent_id):
    return [i for i in engine.runtime.list_instances(InstanceQuery(limit=None)) if i.parent_instance_id == parent_id]


def test_one_instance_per_unit_with_mapped_variables(engine):
    parent = start_campaign(engine)
    assert parent.status == "active"
    assert engine.tasks.count(TaskQuery(instance_id=parent.id)) == 0
    children = children_of(engine, parent.id)
    assert sorted(c.unit for c in children) == sorted(UNITS)
    assert {c.business_key for c in children} == {"KH-05"} and {c.definition_key for c in children} == {"approval"}
    lead = next(c for c in children if c.unit == "tong_hop")
    variables = engine.runtime.get_variables(lead.id)
    assert variables == {"unit": "tong_hop", "reviewDue": "2025-08-08", "isLead": True}
    # Only what camunda:in maps crosses over: the list of units stays with the caller.
    assert "units" not in engine.runtime.get_variables(children[1].id)
    # Each unit sees its own instance only.
    seen = engine.runtime.list_instances(InstanceQuery(involving=Involvement("x", frozenset(), "kinh_te")))
    assert [i.unit for i in seen] == ["kinh_te"]
    calls = engine.history.events(instance_id=parent.id, event_types=["call"])
    assert sorted(e.element_id for e in calls) == ["Call_units", "Call_units"]


def test_caller_moves_on_when_every_unit_has_finished(engine):
    parent = start_campaign(engine)
    children = children_of(engine, parent.id)
    for score, child in enumerate(children, start=60):
        [task] = engine.tasks.list(TaskQuery(instance_id=child.id))
        engine.tasks.complete(task.id, {"score": score}, actor=f"head_{child.unit}")
        assert engine.runtime.get_instance(child.id).status == "completed"
    [consolidate] = engine.tasks.list(TaskQuery(instance_id=parent.id))
    assert consolidate.element_id == "Task_consolidate"
    assert engine.runtime.get_variables(parent.id)["lastScore"] in (60, 61)
    assert [e.event_type for e in engine.history.events(instance_id=parent.id, event_types=["call_ended"])] \
        == ["call_ended", "call_ended"]
    engine.tasks.complete(consolidate.id, {})
    assert engine.runtime.get_instance(parent.id).status == "completed"


def test_a_called_process_that_ends_at_once(engine):
    script = fixture_bytes("script_escape.bpmn").decode().replace("SCRIPT", "done = True")
    engine.repository.deploy([("script_escape.bpmn", script.encode())])
    caller = fixture_bytes("parent_call.bpmn").decode().replace('calledElement="approval"',
                                                                'calledElement="script_escape"')
    engine.repository.deploy([("caller.bpmn", caller.encode())])
    parent = engine.runtime.start_process_by_key("parent_call", {"units": ["a", "b", "c"]})
    assert [c.status for c in children_of(engine, parent.id)] == ["completed"] * 3
    [consolidate] = engine.tasks.list(TaskQuery(instance_id=parent.id))
    assert consolidate.element_id == "Task_consolidate"


def test_two_units_finishing_at_the_same_moment(engine):
    parent = start_campaign(engine)
    tasks = [engine.tasks.list(TaskQuery(instance_id=c.id))[0] for c in children_of(engine, parent.id)]
    barrier = threading.Barrier(len(tasks))
    errors = []

    def finish(task):
        barrier.wait()
        try:
            engine.tasks.complete(task.id, {"score": 50})
        except Exception as err:  # shown by the assertion below
            errors.append(err)

    threads = [threading.Thread(target=finish, args=(t,)) for t in tasks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    [consolidate] = engine.tasks.list(TaskQuery(instance_id=parent.id))
    assert consolidate.element_id == "Task_consolidate"


def test_calling_an_undeployed_process_is_an_incident(engine):
    start_campaign(engine)
    deployment = engine.repository.latest_definition("approval").deployment_id
    engine.repository.delete_deployment(deployment, cascade=True)
    parent = engine.runtime.start_process_by_key("parent_call", {"units": ["a"], "reviewDue": "2025-08-08"})
    assert parent.status == "incident" and "approval" in parent.incident_message
    assert parent.incident_element_id == "Call_units"


@pytest.mark.parametrize("mapping, message", [
    ('<camunda:in source="unit" />', "needs a target"),
    ('<camunda:in variables="some" />', 'variables must be "all"'),
    ('<camunda:in sourceExpression="${unit ==}" target="x" />', "sourceExpression"),
])
def test_bad_mappings_are_deploy_errors(engine, mapping, message):
    from engine.errors import DeploymentError
    engine.repository.deploy([("approval.bpmn", fixture_bytes("approval.bpmn"))])
    caller = fixture_bytes("parent_call.bpmn").decode().replace(
        '<camunda:in source="unit" target="unit" />', mapping)
    with pytest.raises(DeploymentError, match=message):
        engine.repository.deploy([("caller.bpmn", caller.encode())])


def test_deleting_the_caller_deletes_what_it_called(engine):
    parent = start_campaign(engine)
    assert len(children_of(engine, parent.id)) == 2
    engine.runtime.delete_instance(parent.id, actor="admin", reason="kế hoạch bị hủy")
    assert engine.runtime.count_instances() == 0
    assert engine.tasks.count() == 0


def test_each_unit_result_is_collected(engine):
    engine.repository.deploy([("approval.bpmn", fixture_bytes("approval.bpmn"))])
    caller = fixture_bytes("parent_call.bpmn").decode().replace(
        '<camunda:out source="score" target="lastScore" />',
        '<camunda:out sourceExpression="${unit}" target="unitDone" />\n'
        '        <camunda:properties><camunda:property name="outputCollection" value="finished" />'
        '<camunda:property name="outputElement" value="unitDone" /></camunda:properties>')
    engine.repository.deploy([("caller.bpmn", caller.encode())])
    parent = engine.runtime.start_process_by_key("parent_call", {"units": UNITS, "reviewDue": "2025-08-08"})
    for child in reversed(children_of(engine, parent.id)):
        [task] = engine.tasks.list(TaskQuery(instance_id=child.id))
        engine.tasks.complete(task.id, {"score": 1})
    variables = engine.runtime.get_variables(parent.id)
    assert sorted(variables["finished"]) == sorted(UNITS)
    assert "unitDone" not in variables and "score" not in variables
