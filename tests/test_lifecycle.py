"""Deploy, start, complete, finish; versions per key; restart mid-way. On SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from engine import EngineConfig, ProcessEngine, TaskQuery
from engine.errors import ConflictError, NotFoundError
from engine.forms.submission import FormValidationError
from engine.history.service import event_data
from tests.conftest import fixture_bytes

START_VARS = {"reviewDue": "2025-08-08", "unitName": "Phòng Tổng hợp"}


def deploy(engine, *names):
    return engine.repository.deploy([(n, fixture_bytes(n)) for n in names], actor="designer")


def test_deploy_start_complete_end(engine):
    result = deploy(engine, "approval.bpmn")
    assert [(d.key, d.version) for d in result.processes] == [("approval", 1)]

    instance = engine.runtime.start_process_by_key("approval", START_VARS, business_key="KH-05", actor="chief")
    assert instance.status == "active"
    [task] = engine.tasks.list(TaskQuery(instance_id=instance.id))
    assert task.name == "Xem xét đề nghị"
    assert task.element_id == "Task_review"
    assert set(task.candidate_groups) == {"tchcqt", "council"}
    assert task.priority == 70
    # "by 08/8" means the whole day in Viet Nam: 23:59:59 +07:00.
    assert task.due_at == datetime(2025, 8, 8, 16, 59, 59, tzinfo=timezone.utc)
    assert [f.id for f in task.form.fields] == ["approved", "comment", "score"]
    assert task.properties == {"reminders": "P7D,P3D,P1D"}
    assert engine.tasks.list(TaskQuery(candidate_group="council"))[0].id == task.id
    assert engine.tasks.list(TaskQuery(candidate_group="chief")) == []

    engine.tasks.complete(task.id, {"approved": "true", "score": "85", "comment": "Đồng ý"}, actor="officer")

    done = engine.runtime.get_instance(instance.id)
    assert done.status == "completed" and done.ended_at is not None
    assert engine.tasks.list(TaskQuery(instance_id=instance.id)) == []
    variables = engine.runtime.get_variables(instance.id)
    assert variables["approved"] is True and variables["score"] == 85
    assert variables["unitName"] == "Phòng Tổng hợp"
    types = [e.event_type for e in engine.history.events(instance_id=instance.id)]
    assert types == ["start", "task_created", "complete", "end"]
    complete_event = engine.history.events(instance_id=instance.id, event_types=["complete"])[0]
    assert complete_event.actor == "officer" and event_data(complete_event)["score"] == 85


def test_form_errors_change_nothing(engine):
    deploy(engine, "approval.bpmn")
    instance = engine.runtime.start_process_by_key("approval", START_VARS)
    [task] = engine.tasks.list(TaskQuery(instance_id=instance.id))
    before = engine.runtime.get_instance(instance.id)
    with pytest.raises(FormValidationError) as caught:
        engine.tasks.complete(task.id, {"score": "101", "comment": "x" * 201, "hacked": "1"})
    assert {e.field: e.code for e in caught.value.errors} == {"score": "max", "comment": "maxlength",
                                                              "hacked": "unknown"}
    after = engine.runtime.get_instance(instance.id)
    assert (after.revision, after.state) == (before.revision, before.state)
    assert engine.tasks.get(task.id).id == task.id
    assert [e.event_type for e in engine.history.events(instance_id=instance.id)] == ["start", "task_created"]


def test_same_file_twice_is_one_version_and_changed_file_is_version_two(engine):
    first = deploy(engine, "approval.bpmn")
    again = deploy(engine, "approval.bpmn")
    assert again.deployment is None and again.unchanged == ["approval"]
    assert [d.version for d in engine.repository.list_definitions(key="approval")] == [1]

    old = engine.runtime.start_process_by_key("approval", START_VARS)
    v2 = engine.repository.deploy([("approval.bpmn", fixture_bytes("approval_v2.bpmn"))])
    assert [(d.key, d.version) for d in v2.processes] == [("approval", 2)]
    new = engine.runtime.start_process_by_key("approval", START_VARS)
    assert new.definition_id == v2.processes[0].id
    assert old.definition_id == first.processes[0].id

    # The old instance finishes on version 1: no "Ký quyết định" step appears for it.
    [old_task] = engine.tasks.list(TaskQuery(instance_id=old.id))
    engine.tasks.complete(old_task.id, {"score": 50})
    assert engine.runtime.get_instance(old.id).status == "completed"

    [new_task] = engine.tasks.list(TaskQuery(instance_id=new.id))
    engine.tasks.complete(new_task.id, {"score": 50})
    [sign] = engine.tasks.list(TaskQuery(instance_id=new.id))
    assert sign.element_id == "Task_sign"
    assert [d.version for d in engine.repository.list_definitions(key="approval", latest_only=True)] == [2]


def test_restart_continues_mid_way(engine, database_url, handlers):
    deploy(engine, "approval_v2.bpmn")
    instance = engine.runtime.start_process_by_key("approval", START_VARS)
    [task] = engine.tasks.list(TaskQuery(instance_id=instance.id))
    engine.tasks.complete(task.id, {"score": 90})
    engine.close()

    with ProcessEngine(EngineConfig(database_url=database_url), handlers=handlers) as restarted:
        [sign] = restarted.tasks.list(TaskQuery(instance_id=instance.id))
        assert sign.element_id == "Task_sign"
        restarted.tasks.complete(sign.id, {})
        assert restarted.runtime.get_instance(instance.id).status == "completed"
        assert restarted.runtime.get_variables(instance.id)["score"] == 90


def test_claim_unclaim_assign(engine):
    deploy(engine, "approval.bpmn")
    instance = engine.runtime.start_process_by_key("approval", START_VARS)
    [task] = engine.tasks.list(TaskQuery(instance_id=instance.id))
    engine.tasks.claim(task.id, "lan")
    assert engine.tasks.get(task.id).assignee == "lan"
    with pytest.raises(ConflictError):
        engine.tasks.claim(task.id, "minh")
    assert engine.tasks.list(TaskQuery(assignee="lan"))[0].id == task.id
    assert engine.tasks.list(TaskQuery(unassigned=True)) == []
    engine.tasks.unclaim(task.id, actor="lan")
    assert engine.tasks.get(task.id).assignee is None
    engine.tasks.set_assignee(task.id, "minh", actor="chief")
    assert engine.tasks.get(task.id).assignee == "minh"
    types = [e.event_type for e in engine.history.events(task_id=task.id)]
    assert types == ["task_created", "claim", "unclaim", "assign"]
    with pytest.raises(NotFoundError):
        engine.tasks.claim("no-such-task", "lan")


def test_completed_task_cannot_be_completed_again(engine):
    deploy(engine, "approval.bpmn")
    instance = engine.runtime.start_process_by_key("approval", START_VARS)
    [task] = engine.tasks.list(TaskQuery(instance_id=instance.id))
    engine.tasks.complete(task.id, {"score": 1}, actor="lan")
    with pytest.raises(ConflictError, match="already completed by lan"):
        engine.tasks.complete(task.id, {"score": 2})
    with pytest.raises(NotFoundError):
        engine.tasks.complete("00000000-0000-0000-0000-000000000000", {})


def test_unknown_key_and_bad_variables(engine):
    with pytest.raises(NotFoundError):
        engine.runtime.start_process_by_key("nope")
    deploy(engine, "approval.bpmn")
    with pytest.raises(ValueError, match="not a valid variable name"):
        engine.runtime.start_process_by_key("approval", {"bad name": 1})
    with pytest.raises(ValueError, match="cannot be stored"):
        engine.runtime.start_process_by_key("approval", {"x": object()})
    assert engine.runtime.count_instances() == 0


def test_delete_instance(engine):
    deploy(engine, "approval.bpmn")
    instance = engine.runtime.start_process_by_key("approval", START_VARS)
    engine.runtime.delete_instance(instance.id, actor="admin", reason="test")
    with pytest.raises(NotFoundError):
        engine.runtime.get_instance(instance.id)
    assert engine.tasks.count() == 0


def test_start_form_is_checked_and_converted(engine):
    xml = fixture_bytes("approval.bpmn").decode().replace(
        '<bpmn:startEvent id="StartEvent_1" name="Bắt đầu">',
        '<bpmn:startEvent id="StartEvent_1" name="Bắt đầu"><bpmn:extensionElements><camunda:formData>'
        '<camunda:formField id="reviewDue" label="Hạn xem xét" type="date">'
        '<camunda:validation><camunda:constraint name="required" /></camunda:validation></camunda:formField>'
        '</camunda:formData></bpmn:extensionElements>')
    engine.repository.deploy([("approval.bpmn", xml.encode())])
    with pytest.raises(FormValidationError) as caught:
        engine.runtime.start_process_by_key("approval", {"unitName": "Phòng Tổng hợp"})
    assert [e.field for e in caught.value.errors] == ["reviewDue"]
    with pytest.raises(FormValidationError):
        engine.runtime.start_process_by_key("approval", {"reviewDue": "31/02/2025"})
    assert engine.runtime.count_instances() == 0
    instance = engine.runtime.start_process_by_key("approval", {"reviewDue": "08/08/2025", "extra": 1})
    [task] = engine.tasks.list(TaskQuery(instance_id=instance.id))
    assert task.due_at == datetime(2025, 8, 8, 16, 59, 59, tzinfo=timezone.utc)
    assert engine.runtime.get_variables(instance.id)["extra"] == 1
