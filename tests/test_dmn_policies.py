"""Every Camunda 7 hit policy and COLLECT aggregation, and a decision requirements graph whose
required decision is evaluated first, through the engine's own DMN evaluation."""
from __future__ import annotations

import pytest

from engine.errors import InvalidArgumentError, NotFoundError
from tests.conftest import fixture_bytes

DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d_{key}" name="{key}"
             namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="{key}" name="{key}">
    <decisionTable id="table_{key}" {policy}>
      <input id="in_score" label="Score">
        <inputExpression id="ie_score" typeRef="integer"><text>score</text></inputExpression>
      </input>
      <output id="out_level" label="Level" name="level" typeRef="{type}">{values}</output>
{rules}
    </decisionTable>
  </decision>
</definitions>"""
# Five rules over `score`; outputs chosen so each policy gives a different answer for score=7.
RULES = (("&gt;= 5", '"silver"', 5), ("&gt;= 7", '"gold"', 7), ("&lt; 10", '"bronze"', 1),
         ("&gt;= 9", '"platinum"', 9), ("[6..8]", '"gold"', 2))
PRIORITY_VALUES = '<outputValues id="ov"><text>"platinum","gold","silver","bronze"</text></outputValues>'


def table(key: str, policy: str, *, numbers: bool = False, values: str = "") -> bytes:
    rules = "\n".join(
        f'      <rule id="r{n}"><inputEntry id="ie{n}"><text>{test}</text></inputEntry>'
        f'<outputEntry id="oe{n}"><text>{number if numbers else text}</text></outputEntry></rule>'
        for n, (test, text, number) in enumerate(RULES, start=1))
    return DMN.format(key=key, policy=policy, rules=rules, values=values,
                      type="integer" if numbers else "string").encode()


def evaluate(engine, key: str, **variables):
    return engine.repository.evaluate_decision(variables, key=key)


POLICIES = {
    # policy attribute, values, score -> expected results, matched rules
    "FIRST": ('hitPolicy="FIRST"', "", [{"level": "silver"}], ["r1"]),
    "RULE ORDER": ('hitPolicy="RULE ORDER"', "", [{"level": "silver"}, {"level": "gold"}, {"level": "bronze"},
                                                   {"level": "gold"}], ["r1", "r2", "r3", "r5"]),
    "COLLECT": ('hitPolicy="COLLECT"', "", [{"level": "silver"}, {"level": "gold"}, {"level": "bronze"},
                                             {"level": "gold"}], ["r1", "r2", "r3", "r5"]),
    "PRIORITY": ('hitPolicy="PRIORITY"', PRIORITY_VALUES, [{"level": "gold"}], ["r2"]),
    "OUTPUT ORDER": ('hitPolicy="OUTPUT ORDER"', PRIORITY_VALUES,
                     [{"level": "gold"}, {"level": "gold"}, {"level": "silver"}, {"level": "bronze"}],
                     ["r2", "r5", "r1", "r3"]),
}


@pytest.mark.parametrize("policy, values, results, matched", POLICIES.values(), ids=POLICIES.keys())
def test_hit_policy(engine, policy, values, results, matched):
    engine.repository.deploy([("levels.dmn", table("levels", policy, values=values))])
    outcome = evaluate(engine, "levels", score=7)
    assert outcome.results == results
    assert outcome.matched == {"levels": matched}
    assert outcome.types == {"level": "string"}


def test_unique_gives_the_one_match_and_refuses_two(engine):
    engine.repository.deploy([("levels.dmn", table("levels", 'hitPolicy="UNIQUE"'))])
    assert evaluate(engine, "levels", score=3).results == [{"level": "bronze"}]
    with pytest.raises(InvalidArgumentError, match="UNIQUE.*1 \\(r1\\), 2 \\(r2\\)"):
        evaluate(engine, "levels", score=7)


def test_no_match_is_an_empty_result(engine):
    engine.repository.deploy([("levels.dmn", table("levels", 'hitPolicy="FIRST"'))])
    assert evaluate(engine, "levels", score=None).results == []


def test_any_accepts_equal_outputs_and_refuses_different_ones(engine):
    engine.repository.deploy([("levels.dmn", table("levels", 'hitPolicy="ANY"'))])
    assert evaluate(engine, "levels", score=3).results == [{"level": "bronze"}]
    with pytest.raises(InvalidArgumentError, match="ANY"):
        evaluate(engine, "levels", score=7)


@pytest.mark.parametrize("aggregation, expected", [("SUM", 15), ("MIN", 1), ("MAX", 7), ("COUNT", 4)])
def test_collect_aggregations(engine, aggregation, expected):
    engine.repository.deploy([("points.dmn", table("points", f'hitPolicy="COLLECT" aggregation="{aggregation}"',
                                                   numbers=True))])
    outcome = evaluate(engine, "points", score=7)
    assert outcome.results == [{"level": expected}]
    assert outcome.matched == {"points": ["r1", "r2", "r3", "r5"]}


def test_collect_count_of_nothing_is_zero(engine):
    engine.repository.deploy([("points.dmn", table("points", 'hitPolicy="COLLECT" aggregation="COUNT"',
                                                   numbers=True))])
    assert evaluate(engine, "points", score=None).results == [{"level": 0}]


def test_required_decision_is_evaluated_first(engine):
    engine.repository.deploy([("dish_drg.dmn", fixture_bytes("dish_drg.dmn"))])
    outcome = evaluate(engine, "beverages", season="Spring", guestCount=6, guestsWithChildren=True)
    # dish decides "Steak"; its output `desiredDish` is an input of beverages, as in Camunda 7.
    assert outcome.matched == {"dish": ["DecisionRule_d4"], "beverages": ["DecisionRule_b4", "DecisionRule_b5",
                                                                          "DecisionRule_b6"]}
    assert outcome.results == [{"beverages": "Pinot Noir"}, {"beverages": "Apple Juice"}, {"beverages": "Water"}]
    assert evaluate(engine, "dish", season="Winter", guestCount=12).results == [{"desiredDish": "Stew"}]


def test_by_definition_id_and_unknown_ones(engine):
    engine.repository.deploy([("dish_drg.dmn", fixture_bytes("dish_drg.dmn"))])
    [dish] = engine.repository.list_decision_definitions(key="dish")
    assert engine.repository.evaluate_decision({"season": "Summer", "guestCount": 1},
                                               definition_id=dish.id).results == [
        {"desiredDish": "Light Salad and a nice Steak"}]
    with pytest.raises(NotFoundError, match="key: soup"):
        evaluate(engine, "soup")
    with pytest.raises(NotFoundError, match="id: soup:1"):
        engine.repository.evaluate_decision({}, definition_id="soup:1")


def test_missing_variable_names_the_decision_and_input(engine):
    engine.repository.deploy([("dish_drg.dmn", fixture_bytes("dish_drg.dmn"))])
    with pytest.raises(InvalidArgumentError, match="'dish': input 'How many guests'.*guestCount"):
        evaluate(engine, "beverages", season="Fall", guestsWithChildren=False)


def test_literal_expression_decision(engine):
    literal = b"""<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d" namespace="x">
      <decision id="total" name="Total"><variable id="v" name="total" typeRef="integer"/>
        <literalExpression id="le"><text>price * count</text></literalExpression></decision></definitions>"""
    engine.repository.deploy([("total.dmn", literal)])
    assert evaluate(engine, "total", price=3, count=4).results == [{"total": 12}]


def rule_task_process(decision: str) -> tuple[str, bytes]:
    """A process whose business rule task uses `decision` (the eligibility check, re-pointed)."""
    xml = fixture_bytes("eligibility_check.bpmn").decode().replace('decisionRef="eligibility"',
                                                                   f'decisionRef="{decision}"')
    return "rule_task.bpmn", xml.encode()


def run_rule_task(engine, variables: dict) -> dict:
    instance = engine.runtime.start_process_by_key("eligibility_check", variables)
    assert instance.status == "completed", instance.incident_message
    return engine.runtime.get_variables(instance.id)


def test_business_rule_task_evaluates_required_decisions_first(engine):
    engine.repository.deploy([("dish_drg.dmn", fixture_bytes("dish_drg.dmn")), rule_task_process("beverages")])
    variables = run_rule_task(engine, {"season": "Winter", "guestCount": 4, "guestsWithChildren": False})
    # COLLECT without aggregation sets a list by output name.
    assert variables["beverages"] == ["Bordeaux", "Water"]


@pytest.mark.parametrize("policy, values, expected", [
    ('hitPolicy="PRIORITY"', PRIORITY_VALUES, "gold"),
    ('hitPolicy="OUTPUT ORDER"', PRIORITY_VALUES, ["gold", "gold", "silver", "bronze"]),
    ('hitPolicy="RULE ORDER"', "", ["silver", "gold", "bronze", "gold"]),
    ('hitPolicy="COLLECT" aggregation="COUNT"', "", 4),
])
def test_business_rule_task_hit_policies(engine, policy, values, expected):
    engine.repository.deploy([("levels.dmn", table("levels", policy, values=values)), rule_task_process("levels")])
    assert run_rule_task(engine, {"score": 7})["level"] == expected


def test_business_rule_task_unique_violation_is_an_incident(engine):
    engine.repository.deploy([("levels.dmn", table("levels", 'hitPolicy="UNIQUE"')), rule_task_process("levels")])
    instance = engine.runtime.start_process_by_key("eligibility_check", {"score": 7})
    assert instance.status == "incident" and "UNIQUE" in instance.incident_message
