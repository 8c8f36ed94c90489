"""GET /history/decision-instance (with count and by id), compared with Camunda 7's REST reference:
each evaluated decision (a business rule task's, or one evaluated over REST) with its inputs, matched
rules and outputs when asked for, required decisions pointing at their root, and what a unit may see."""
from __future__ import annotations

import pytest

from tests.conftest import fixture_bytes
from tests.test_dmn_policies import table

R = "/engine-rest"
PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d_{key}" targetNamespace="t">
  <bpmn:process id="{key}" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="rule" />
    <bpmn:businessRuleTask id="rule" name="Decide" camunda:decisionRef="{decision}" {attributes}>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:businessRuleTask>
    <bpmn:sequenceFlow id="f2" sourceRef="rule" targetRef="review" />
    <bpmn:userTask id="review" name="Review" camunda:assignee="officer">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="end" />
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>"""


def process(key: str, decision: str, attributes: str = "") -> bytes:
    return PROCESS.format(key=key, decision=decision, attributes=attributes).encode()


def typed(value, type_: str) -> dict:
    return {"value": value, "type": type_, "valueInfo": {}}


def get(office, url: str, user: str = "officer"):
    response = office.client.get(R + url, headers=office.auth(user))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.fixture
def dinner(office):
    office.engine.repository.deploy([("dish_drg.dmn", fixture_bytes("dish_drg.dmn")),
                                     ("dinner.bpmn", process("dinner", "beverages"))])
    return office


def test_a_business_rule_task_and_its_required_decision(dinner):
    instance = dinner.engine.runtime.start_process_by_key("dinner", {
        "season": "Spring", "guestCount": 6, "guestsWithChildren": True, "unit": "kinh_te"}, actor="staff_b")
    rows = get(dinner, f"/history/decision-instance?processInstanceId={instance.id}&includeInputs=true"
                       "&includeOutputs=true")
    assert [r["decisionDefinitionKey"] for r in rows] == ["dish", "beverages"]
    dish, beverages = rows
    assert beverages["rootDecisionInstanceId"] is None and dish["rootDecisionInstanceId"] == beverages["id"]
    [dish_definition] = dinner.engine.repository.list_decision_definitions(key="dish")
    assert dish["decisionDefinitionId"] == dish_definition.id and dish["decisionDefinitionName"] == "Dish"
    assert beverages["processInstanceId"] == instance.id and beverages["activityId"] == "rule"
    assert beverages["processDefinitionKey"] == "dinner" and beverages["userId"] == "staff_b"
    assert beverages["activityInstanceId"].startswith("rule:")
    inputs = {i["clauseName"]: (i["type"], i["value"]) for i in dish["inputs"]}
    assert inputs == {"Season": ("String", "Spring"), "How many guests": ("Integer", 6)}
    assert [(o["variableName"], o["value"], o["type"]) for o in dish["outputs"]] == [
        ("desiredDish", "Steak", "String")]
    assert [o["value"] for o in beverages["outputs"]] == ["Pinot Noir", "Apple Juice", "Water"]
    assert all(o["ruleId"] and o["ruleOrder"] >= 1 for o in beverages["outputs"])
    # Without includeInputs / includeOutputs they are null, as in Camunda.
    [plain] = get(dinner, f"/history/decision-instance?decisionInstanceId={beverages['id']}")
    assert plain["inputs"] is None and plain["outputs"] is None and plain["collectResultValue"] is None
    single = get(dinner, f"/history/decision-instance/{dish['id']}?includeOutputs=true")
    assert single["outputs"] == dish["outputs"] and single["inputs"] is None
    assert get(dinner, f"/history/decision-instance/count?rootDecisionInstanceId={beverages['id']}") == {"count": 2}
    assert get(dinner, "/history/decision-instance?activityIdIn=rule,other&decisionDefinitionKey=dish") == [plain | {
        "id": dish["id"], "decisionDefinitionId": dish["decisionDefinitionId"], "decisionDefinitionKey": "dish",
        "decisionDefinitionName": "Dish", "rootDecisionInstanceId": beverages["id"]}]


def test_rest_evaluations_are_recorded_and_visible_to_their_user(dinner):
    dinner.client.post(R + "/decision-definition/key/dish/evaluate", headers=dinner.auth("staff_b"), json={
        "variables": {"season": typed("Winter", "String"), "guestCount": typed(20, "Integer")}})
    [row] = get(dinner, "/history/decision-instance?includeOutputs=true", user="staff_b")
    assert row["processInstanceId"] is None and row["userId"] == "staff_b"
    assert [o["value"] for o in row["outputs"]] == ["Stew"]
    # Another unit's member does not see it; an office-wide role does.
    assert get(dinner, "/history/decision-instance", user="head_a") == []
    assert get(dinner, "/history/decision-instance/count", user="officer") == {"count": 1}
    response = dinner.client.get(R + f"/history/decision-instance/{row['id']}", headers=dinner.auth("head_a"))
    assert response.status_code == 404 and response.get_json()["type"] == "InvalidRequestException"


def test_visibility_follows_the_instance(dinner):
    instance = dinner.engine.runtime.start_process_by_key("dinner", {
        "season": "Fall", "guestCount": 2, "guestsWithChildren": False, "unit": "kinh_te"}, actor="designer")
    assert get(dinner, "/history/decision-instance/count", user="staff_b") == {"count": 2}
    assert get(dinner, f"/history/decision-instance?processInstanceId={instance.id}", user="head_a") == []


def test_collect_result_value_of_an_aggregation(office):
    office.engine.repository.deploy([("points.dmn", table("points", 'hitPolicy="COLLECT" aggregation="SUM"',
                                                          numbers=True))])
    office.client.post(R + "/decision-definition/key/points/evaluate", headers=office.auth("officer"),
                       json={"variables": {"score": typed(7, "Integer")}})
    [row] = get(office, "/history/decision-instance?includeOutputs=true")
    assert row["collectResultValue"] == 15
    assert sorted(o["ruleId"] for o in row["outputs"]) == ["r1", "r2", "r3", "r5"]


def test_sorting_paging_and_bad_queries(dinner):
    for guests in (2, 6):
        dinner.client.post(R + "/decision-definition/key/dish/evaluate", headers=dinner.auth("officer"), json={
            "variables": {"season": typed("Summer", "String"), "guestCount": typed(guests, "Integer")}})
    rows = get(dinner, "/history/decision-instance?sortBy=evaluationTime&sortOrder=desc")
    assert len(rows) == 2
    assert get(dinner, "/history/decision-instance?firstResult=1&maxResults=5") == [
        get(dinner, "/history/decision-instance")[1]]
    for query in ("sortBy=evaluationTime", "sortBy=nonsense&sortOrder=asc", "evaluatedBefore=yesterday",
                  "maxResults=-1", "includeInputs=maybe"):
        response = dinner.client.get(R + f"/history/decision-instance?{query}", headers=dinner.auth("officer"))
        assert response.status_code == 400, query
        assert response.get_json()["type"] == "InvalidRequestException"
    assert get(dinner, "/history/decision-instance?evaluatedBefore=2000-01-01T00:00:00.000%2B0000") == []
    assert len(get(dinner, "/history/decision-instance?evaluatedAfter=2000-01-01T00:00:00.000%2B0000")) == 2
