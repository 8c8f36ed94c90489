"""The variables API of a running instance and of its tasks, against Camunda 7's REST reference.

pycamunda drives the process-instance calls it has (VariablesModify, VariablesUpdate,
VariablesDelete, VariablesGet) over a live socket; the task calls, which pycamunda 0.6.1 lacks
(it has only the task-local ones), go over the Flask test client. Every test runs on SQLite and
PostgreSQL (the `engine` fixture).
"""
from __future__ import annotations

import pycamunda
import pycamunda.processinst
import pytest
import requests

from engine import TaskQuery
from engine.history import event_data
from tests.conftest import fixture_bytes
from tests.rest.test_real_clients import as_user, basic
from tests.rest.test_refusals import row_counts
from tests.test_task_checks import checked_model

R = "/engine-rest"
CHANGE_EVENTS = ["variable_update", "variable_delete"]
# Camunda's 404 for GET /process-instance/{id}/variables/{name} of a name the instance lacks.
ABSENT = "process instance variable with name {name} does not exist"


def started(office, amount: int = 50):
    """An instance of the tong_hop unit waiting at its first task, and that task."""
    office.engine.repository.deploy([("variable_gateway.bpmn", fixture_bytes("variable_gateway.bpmn"))])
    instance = office.engine.runtime.start_process_by_key(
        "variable_gateway", {"amount": amount, "unit": "tong_hop", "note": "hồ sơ thiếu"}, actor="officer")
    [task] = office.engine.tasks.list(TaskQuery(instance_id=instance.id))
    return instance, task


def call(office, method: str, path: str, user: str = "officer", **kwargs):
    return getattr(office.client, method)(R + path, headers=office.auth(user), **kwargs)


def changes(office, instance_id: str) -> list[tuple]:
    events = office.engine.history.events(instance_id=instance_id, event_types=CHANGE_EVENTS)
    return [(e.event_type, e.actor, e.task_id, event_data(e)) for e in events]


def open_elements(office, instance_id: str) -> list[str]:
    return [t.element_id for t in office.engine.tasks.list(TaskQuery(instance_id=instance_id))]


def test_pycamunda_modifies_and_the_gateway_routes_by_the_new_value(office, live_server):
    instance, task = started(office, amount=50)
    modify = pycamunda.processinst.VariablesModify(url=live_server, process_instance_id=instance.id,
                                                   deletions=["note"])
    modify.add_variable("amount", 500, type_="Integer")
    assert as_user(modify, "officer")() is None  # 204, no body

    got = as_user(pycamunda.processinst.VariablesGet(url=live_server, process_instance_id=instance.id,
                                                     var_name="amount"), "officer")()
    assert (got.value, got.type_, got.value_info) == (500, "Integer", {})
    listed = as_user(pycamunda.processinst.VariablesGetList(url=live_server, process_instance_id=instance.id),
                     "officer")()
    assert "note" not in listed and listed["amount"].value == 500

    # The next gateway reads the stored state: 500 > 100 takes the council's branch.
    assert call(office, "post", f"/task/{task.id}/complete", "head_a", json={}).status_code == 204
    assert open_elements(office, instance.id) == ["Task_big"]
    assert changes(office, instance.id) == [
        ("variable_update", "officer", None, {"name": "amount", "old": 50, "new": 500, "created": False}),
        ("variable_delete", "officer", None, {"name": "note", "old": "hồ sơ thiếu"}),
    ]


def test_without_the_change_the_gateway_takes_the_other_branch(office):
    instance, task = started(office, amount=50)
    assert call(office, "post", f"/task/{task.id}/complete", "head_a", json={}).status_code == 204
    assert open_elements(office, instance.id) == ["Task_small"]


def test_put_get_delete_one_variable(office, live_server):
    instance, _ = started(office)
    update = pycamunda.processinst.VariablesUpdate(url=live_server, process_instance_id=instance.id,
                                                   var_name="reviewer", value="Phạm Thu Hà", type_="String")
    assert as_user(update, "officer")() is None
    response = call(office, "get", f"/process-instance/{instance.id}/variables/reviewer")
    assert response.status_code == 200
    assert response.get_json() == {"value": "Phạm Thu Hà", "type": "String", "valueInfo": {}}

    delete = pycamunda.processinst.VariablesDelete(url=live_server, process_instance_id=instance.id,
                                                   var_name="reviewer")
    assert as_user(delete, "officer")() is None
    response = call(office, "get", f"/process-instance/{instance.id}/variables/reviewer")
    assert response.status_code == 404
    assert response.get_json() == {"type": "InvalidRequestException", "message": ABSENT.format(name="reviewer")}
    # Deleting a name the instance does not have is 204 in Camunda too; nothing is written.
    revision = office.engine.runtime.get_instance(instance.id).revision
    assert call(office, "delete", f"/process-instance/{instance.id}/variables/reviewer").status_code == 204
    assert office.engine.runtime.get_instance(instance.id).revision == revision
    assert changes(office, instance.id) == [
        ("variable_update", "officer", None,
         {"name": "reviewer", "old": None, "new": "Phạm Thu Hà", "created": True}),
        ("variable_delete", "officer", None, {"name": "reviewer", "old": "Phạm Thu Hà"}),
    ]


def test_task_variables_are_the_instances(office):
    instance, task = started(office)
    instance_view = call(office, "get", f"/process-instance/{instance.id}/variables").get_json()
    response = call(office, "get", f"/task/{task.id}/variables")
    assert response.status_code == 200
    assert response.get_json() == instance_view
    assert response.get_json()["amount"] == {"value": 50, "type": "Integer", "valueInfo": {}}

    response = call(office, "post", f"/task/{task.id}/variables",
                    json={"modifications": {"amount": {"value": 101, "type": "Long"}}, "deletions": ["note"]})
    assert response.status_code == 204 and response.data == b""
    assert call(office, "get", f"/task/{task.id}/variables").get_json()["amount"]["value"] == 101
    assert [(kind, task_id, data["name"]) for kind, _, task_id, data in changes(office, instance.id)] == [
        ("variable_update", task.id, "amount"), ("variable_delete", task.id, "note")]
    assert call(office, "post", f"/task/{task.id}/complete", "head_a", json={}).status_code == 204
    assert open_elements(office, instance.id) == ["Task_big"]


@pytest.mark.parametrize("method, path, body, prefix", [
    ("post", "/process-instance/{i}/variables", {"modifications": {"amount": {"value": "nhiều", "type": "Integer"}}},
     "Cannot modify variables for process instance {i}: "),
    ("post", "/process-instance/{i}/variables", {"modifications": {"amount": {"value": 2**40, "type": "Integer"}}},
     "Cannot modify variables for process instance {i}: "),
    ("post", "/process-instance/{i}/variables", {"modifications": {"x": {"value": "a", "type": "Bytes"}}},
     "Cannot modify variables for process instance {i}: "),
    ("post", "/process-instance/{i}/variables", {"modifications": {"1x": {"value": 1, "type": "Integer"}}},
     "Cannot modify variables for process instance {i}: "),
    ("post", "/process-instance/{i}/variables", {"modifications": [1]},
     "Cannot modify variables for process instance {i}: "),
    ("post", "/process-instance/{i}/variables", {"deletions": "note"},
     "Cannot modify variables for process instance {i}: "),
    ("put", "/process-instance/{i}/variables/amount", {"value": "2025-13-45", "type": "Date"},
     "Cannot put process instance variable amount: "),
    ("put", "/process-instance/{i}/variables/amount", [1, 2], "Cannot put process instance variable amount: "),
    ("put", "/process-instance/{i}/variables/class", {"value": 1, "type": "Integer"},
     "Cannot put process instance variable class: "),
    ("post", "/task/{t}/variables", {"modifications": {"amount": {"value": "x", "type": "Double"}}},
     "Cannot modify variables for task {t}: "),
])
def test_a_bad_value_is_400_and_writes_nothing(office, method, path, body, prefix):
    instance, task = started(office)
    before = (row_counts(office.engine), office.engine.runtime.get_instance(instance.id).revision,
              office.engine.runtime.get_variables(instance.id))
    response = call(office, method, path.format(i=instance.id, t=task.id), json=body)
    assert response.status_code == 400
    assert response.get_json()["type"] == "InvalidRequestException"
    assert response.get_json()["message"].startswith(prefix.format(i=instance.id, t=task.id))
    assert (row_counts(office.engine), office.engine.runtime.get_instance(instance.id).revision,
            office.engine.runtime.get_variables(instance.id)) == before


@pytest.mark.parametrize("method, path, body", [
    ("get", "/process-instance/khong-co/variables/amount", None),
    ("post", "/process-instance/khong-co/variables", {"modifications": {}}),
    ("put", "/process-instance/khong-co/variables/amount", {"value": 1, "type": "Integer"}),
    ("delete", "/process-instance/khong-co/variables/amount", None),
    ("get", "/task/khong-co/variables", None),
    ("post", "/task/khong-co/variables", {"modifications": {}}),
])
def test_unknown_instance_or_task_is_404(office, method, path, body):
    response = call(office, method, path, **({"json": body} if body is not None else {}))
    assert response.status_code == 404
    assert response.get_json()["type"] == "InvalidRequestException" and "khong-co" in response.get_json()["message"]


def test_an_ended_instance_cannot_be_changed(office):
    instance, task = started(office, amount=500)
    call(office, "post", f"/task/{task.id}/complete", "head_a", json={})
    [big] = office.engine.tasks.list(TaskQuery(instance_id=instance.id))
    assert call(office, "post", f"/task/{big.id}/complete", "officer", json={}).status_code == 204
    before = row_counts(office.engine)
    for method, path, body in (("post", "variables", {"modifications": {"amount": {"value": 1}}}),
                               ("put", "variables/amount", {"value": 1, "type": "Integer"}),
                               ("delete", "variables/amount", None)):
        response = call(office, method, f"/process-instance/{instance.id}/{path}",
                        **({"json": body} if body is not None else {}))
        assert response.status_code == 404, response.get_json()
        assert response.get_json() == {"type": "InvalidRequestException", "message":
                                       f"process instance '{instance.id}' has ended; its variables cannot be changed"}
    assert row_counts(office.engine) == before and changes(office, instance.id) == []


def test_only_the_office_wide_roles_change_variables(office):
    instance, task = started(office)
    body = {"modifications": {"amount": {"value": 500, "type": "Integer"}}}
    # The unit's head sees the instance and works on its task, but may not rewrite its data.
    for path in (f"/process-instance/{instance.id}/variables", f"/task/{task.id}/variables"):
        response = call(office, "post", path, "head_a", json=body)
        assert response.status_code == 403 and response.get_json()["type"] == "AuthorizationException"
    response = call(office, "put", f"/process-instance/{instance.id}/variables/amount", "head_a",
                    json={"value": 1, "type": "Integer"})
    assert response.status_code == 403
    # Another unit's staff does not learn that the instance exists.
    for path in (f"/process-instance/{instance.id}/variables", f"/task/{task.id}/variables"):
        assert call(office, "post", path, "staff_b", json=body).status_code == 404
    assert call(office, "get", f"/task/{task.id}/variables", "staff_b").status_code == 404
    assert office.engine.runtime.get_variables(instance.id)["amount"] == 50 and changes(office, instance.id) == []


def test_a_multi_instance_element_variable_keeps_its_own_value(office):
    """A variable that a task holds with its own value (here each unit's `unit`) is left as Camunda
    leaves a local variable; the instance's value changes."""
    office.engine.repository.deploy([("units_multi.bpmn", fixture_bytes("units_multi.bpmn"))])
    instance = office.engine.runtime.start_process_by_key(
        "units_multi", {"units": ["unit:tong_hop", "unit:kinh_te"], "unit": "tchcqt"})
    response = call(office, "put", f"/process-instance/{instance.id}/variables/unit",
                    json={"value": "tong_hop", "type": "String"})
    assert response.status_code == 204
    tasks = office.engine.tasks.list(TaskQuery(instance_id=instance.id))
    assert sorted(office.engine.tasks.form_variables(t.id)["unit"] for t in tasks) == ["unit:kinh_te", "unit:tong_hop"]
    assert office.engine.runtime.get_variables(instance.id)["unit"] == "tong_hop"


def test_a_change_between_a_completions_read_and_its_write_wins_and_the_completion_is_409(office, handlers,
                                                                                          live_server):
    """The revision guard: an operator's change that lands while a completion is under way is kept,
    and the completion, which read the instance before it, is refused as Camunda's optimistic
    locking refuses the later of two writes - it never saves state without the change."""
    def operator_changes_the_limit(ctx):
        # Runs inside the completion's transaction, after it read the instance: a real second
        # request over HTTP writes the instance in between.
        answer = requests.put(f"{live_server}/process-instance/{ctx.instance_id}/variables/limit",
                              json={"value": 7, "type": "Integer"}, auth=basic("officer"), timeout=10)
        assert answer.status_code == 204, answer.text

    handlers.register_check("operator_changes_the_limit", operator_changes_the_limit)
    office.engine.repository.deploy([("checked.bpmn", checked_model("operator_changes_the_limit", "", "tchcqt"))])
    instance = office.engine.runtime.start_process_by_key("checked", {"limit": 10})
    [task] = office.engine.tasks.list(TaskQuery(instance_id=instance.id))

    response = call(office, "post", f"/task/{task.id}/complete", json={})
    assert response.status_code == 409, response.get_json()
    assert response.get_json()["type"] == "OptimisticLockingException"
    assert office.engine.runtime.get_variables(instance.id)["limit"] == 7
    assert [t.id for t in office.engine.tasks.list(TaskQuery(instance_id=instance.id))] == [task.id]
    assert office.engine.history.events(instance_id=instance.id, event_types=["complete"]) == []
    assert [data["new"] for *_, data in changes(office, instance.id)] == [7]
