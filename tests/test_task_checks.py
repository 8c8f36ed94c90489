"""Completion checks: a user task names them in its camunda:property `check`; the engine runs the
registered ones before anything is written, on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

from engine import TaskQuery
from engine.errors import InvalidStateError
from engine.forms.submission import FieldError, FormValidationError

def checked_model(checks: str, form_fields: str, candidate_groups: str = "") -> bytes:
    """A process with one user task that names `checks` and has these camunda:formField elements."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                  id="Definitions_checked" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="checked" isExecutable="true">
    <bpmn:startEvent id="Start_1"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="Start_1" targetRef="Task_enter" />
    <bpmn:userTask id="Task_enter" name="Enter" camunda:candidateGroups="{candidate_groups}">
      <bpmn:extensionElements>
        <camunda:properties>
          <camunda:property name="check" value="{checks}" />
          <camunda:property name="limitFrom" value="limit" />
        </camunda:properties>
        <camunda:formData>{form_fields}</camunda:formData>
      </bpmn:extensionElements>
      <bpmn:incoming>Flow_1</bpmn:incoming>
      <bpmn:outgoing>Flow_2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_enter" targetRef="End_1" />
    <bpmn:endEvent id="End_1"><bpmn:incoming>Flow_2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
""".encode()


AMOUNT = '<camunda:formField id="amount" label="Amount" type="long" />'


@pytest.fixture
def seen() -> list:
    return []


@pytest.fixture
def checked_engine(engine, handlers, seen):
    def not_above_limit(ctx):
        seen.append((ctx.element_id, dict(ctx.values), ctx.variables.get("limit"), ctx.properties.get("limitFrom")))
        if ctx.values["amount"] > ctx.variables[ctx.properties["limitFrom"]]:
            raise FormValidationError([FieldError("amount", "above_limit", "Above the limit.", {})])

    handlers.register_check("not_above_limit", not_above_limit)
    handlers.register_check("noted", lambda ctx: seen.append("noted"))
    return engine


def start(engine, checks: str):
    engine.repository.deploy([("checked.bpmn", checked_model(checks, AMOUNT))])
    instance = engine.runtime.start_process_by_key("checked", {"limit": 10})
    [task] = engine.tasks.list(TaskQuery(instance_id=instance.id))
    return instance, task


def state(engine, instance_id):
    return (engine.runtime.get_variables(instance_id), [t.id for t in engine.tasks.list(TaskQuery(instance_id=instance_id))],
            [e.event_type for e in engine.history.events(instance_id=instance_id)])


def test_a_failing_check_refuses_the_submission_and_writes_nothing(checked_engine, seen):
    instance, task = start(checked_engine, "not_above_limit, noted")
    before = state(checked_engine, instance.id)
    with pytest.raises(FormValidationError) as refused:
        checked_engine.tasks.complete(task.id, {"amount": "11"}, actor="lan")
    assert [(e.field, e.code) for e in refused.value.errors] == [("amount", "above_limit")]
    assert state(checked_engine, instance.id) == before
    # The check saw the value as the form coerced it, the process's data and the task's properties;
    # the checks after the failing one did not run.
    assert seen == [("Task_enter", {"amount": 11}, 10, "limit")]

    checked_engine.tasks.complete(task.id, {"amount": "10"}, actor="lan")
    assert checked_engine.runtime.get_instance(instance.id).status == "completed"
    assert seen[1:] == [("Task_enter", {"amount": 10}, 10, "limit"), "noted"]


def test_a_check_that_is_not_registered_refuses_rather_than_passes(checked_engine):
    instance, task = start(checked_engine, "no_such_check")
    before = state(checked_engine, instance.id)
    with pytest.raises(InvalidStateError, match="no_such_check"):
        checked_engine.tasks.complete(task.id, {"amount": "1"}, actor="lan")
    assert state(checked_engine, instance.id) == before


def test_a_check_name_is_registered_once(handlers):
    handlers.register_check("once", lambda ctx: None)
    with pytest.raises(ValueError, match="already registered"):
        handlers.register_check("once", lambda ctx: None)
