"""Camunda 7's decision results in a process and over REST: an output column's typeRef converts its
value (and names its type), and camunda:resultVariable with camunda:mapDecisionResult shapes what a
business rule task stores."""
from __future__ import annotations

import pytest

from engine.errors import DeploymentError
from tests.rest.test_decision_history import process
from tests.test_dmn_policies import table

R = "/engine-rest"
OUTPUTS = (("asInteger", "integer", '"5"'), ("asLong", "long", "7"), ("asDouble", "double", "1"),
           ("asString", "string", "true"), ("asBoolean", "boolean", '"true"'),
           ("asDate", "date", '"2025-01-02T03:04:05"'))


def typed_table(outputs=OUTPUTS) -> bytes:
    columns = "".join(f'<output id="o_{name}" name="{name}" typeRef="{type_ref}" />' for name, type_ref, _ in outputs)
    cells = "".join(f'<outputEntry id="e_{name}"><text>{text}</text></outputEntry>' for name, _, text in outputs)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d_typed" name="typed" namespace="t">
  <decision id="typed" name="Typed">
    <decisionTable id="t_typed">
      <input id="in_x" label="X"><inputExpression id="ie_x" typeRef="integer"><text>x</text></inputExpression></input>
      {columns}
      <rule id="r1"><inputEntry id="i1"><text>-</text></inputEntry>{cells}</rule>
    </decisionTable>
  </decision>
</definitions>""".encode()


def evaluate(office, key: str, variables: dict):
    return office.client.post(R + f"/decision-definition/key/{key}/evaluate", headers=office.auth("officer"),
                              json={"variables": variables})


def test_outputs_take_their_columns_type(office):
    office.engine.repository.deploy([("typed.dmn", typed_table())])
    response = evaluate(office, "typed", {"x": {"value": 1, "type": "Integer"}})
    assert response.status_code == 200, response.get_json()
    [result] = response.get_json()
    assert {name: (v["type"], v["value"]) for name, v in result.items() if name != "asDate"} == {
        "asInteger": ("Integer", 5), "asLong": ("Long", 7), "asDouble": ("Double", 1.0),
        "asString": ("String", "true"), "asBoolean": ("Boolean", True)}
    assert result["asDate"]["type"] == "Date" and result["asDate"]["value"].startswith("2025-01-02T")


@pytest.mark.parametrize("type_ref, text", [("integer", '"abc"'), ("boolean", '"yes"'), ("date", '"soon"'),
                                            ("integer", "2.5"), ("double", "true")])
def test_a_value_that_cannot_convert_is_a_400(office, type_ref, text):
    office.engine.repository.deploy([("typed.dmn", typed_table((("bad", type_ref, text),)))])
    response = evaluate(office, "typed", {"x": {"value": 1, "type": "Integer"}})
    assert response.status_code == 400
    body = response.get_json()
    assert body["type"] == "InvalidRequestException"
    assert "output 'bad'" in body["message"] and f"with type '{type_ref}'" in body["message"]


def test_a_value_that_cannot_convert_is_an_incident_in_a_process(office):
    office.engine.repository.deploy([("typed.dmn", typed_table((("bad", "integer", '"abc"'),))),
                                     ("typed.bpmn", process("typed_process", "typed"))])
    instance = office.engine.runtime.start_process_by_key("typed_process", {"x": 1})
    row = office.engine.runtime.get_instance(instance.id)
    assert row.status == "incident" and "Invalid value 'abc' for clause with type 'integer'" in row.incident_message


MAPPINGS = {
    # policy, camunda attributes, variable name -> value (score 7)
    "no result variable": ('hitPolicy="FIRST"', "", {"level": "silver"}),
    "resultList by default": ('hitPolicy="RULE ORDER"', 'camunda:resultVariable="levels"', {"levels": [
        {"level": "silver"}, {"level": "gold"}, {"level": "bronze"}, {"level": "gold"}]}),
    "collectEntries": ('hitPolicy="COLLECT"', 'camunda:resultVariable="levels" camunda:mapDecisionResult='
                       '"collectEntries"', {"levels": ["silver", "gold", "bronze", "gold"]}),
    "singleEntry": ('hitPolicy="FIRST"', 'camunda:resultVariable="level2" camunda:mapDecisionResult="singleEntry"',
                    {"level2": "silver"}),
    "singleResult": ('hitPolicy="FIRST"', 'camunda:resultVariable="best" camunda:mapDecisionResult="singleResult"',
                     {"best": {"level": "silver"}}),
}


@pytest.mark.parametrize("policy, attributes, expected", MAPPINGS.values(), ids=MAPPINGS.keys())
def test_map_decision_result(office, policy, attributes, expected):
    office.engine.repository.deploy([("levels.dmn", table("levels", policy)),
                                     ("levels.bpmn", process("levels_process", "levels", attributes))])
    instance = office.engine.runtime.start_process_by_key("levels_process", {"score": 7})
    variables = office.engine.runtime.get_variables(instance.id)
    assert {name: variables.get(name) for name in expected} == expected
    if attributes:  # with a result variable, the outputs are not variables of their own (Camunda 7)
        assert "level" not in variables


def test_single_entry_of_many_results_is_an_incident(office):
    office.engine.repository.deploy([("levels.dmn", table("levels", 'hitPolicy="RULE ORDER"')),
                                     ("levels.bpmn", process("levels_process", "levels", 'camunda:resultVariable="l" '
                                                             'camunda:mapDecisionResult="singleEntry"'))])
    instance = office.engine.runtime.start_process_by_key("levels_process", {"score": 7})
    row = office.engine.runtime.get_instance(instance.id)
    assert row.status == "incident" and "more than one result (4)" in row.incident_message


def test_an_unknown_mapping_is_refused_at_deployment(office):
    with pytest.raises(DeploymentError, match="mapDecisionResult 'everything'"):
        office.engine.repository.deploy([("levels.dmn", table("levels", 'hitPolicy="FIRST"')),
                                         ("levels.bpmn", process("levels_process", "levels",
                                                                 'camunda:resultVariable="l" '
                                                                 'camunda:mapDecisionResult="everything"'))])


def test_the_result_variable_is_replaced_not_merged(office):
    office.engine.repository.deploy([("levels.dmn", table("levels", 'hitPolicy="FIRST"')),
                                     ("levels.bpmn", process("levels_process", "levels", 'camunda:resultVariable="best" '
                                                             'camunda:mapDecisionResult="singleResult"'))])
    instance = office.engine.runtime.start_process_by_key("levels_process", {"score": 7, "best": {"level": "x",
                                                                                                    "old": 1}})
    assert office.engine.runtime.get_variables(instance.id)["best"] == {"level": "silver"}
