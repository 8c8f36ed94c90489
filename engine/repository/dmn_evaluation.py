"""Evaluating a decision of the engine's DMN model (engine/repository/dmn_model.py) as Camunda 7
does: required decisions first, then the table under its hit policy.

Expressions are Python (translated from FEEL at deploy time) and run through the engine's
restricted script environment, the one that evaluates every other model expression.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from engine.errors import InvalidArgumentError
from engine.repository.dmn_model import DecisionModel, TableRule, read_decisions
from engine.repository.dmn_types import OutputTypeError, convert_output
from engine.repository.model_checks import check_and_translate
from engine.repository.xml_safety import parse_xml
from engine.specs import set_decision_evaluator

# `?` in a translated input entry is the input's value; SpiffWorkflow's name for it is kept so
# the same cells mean the same thing in a business rule task. Only a `?` outside quotes counts.
INPUT_NAME = "dmninputexpr"
_PLACEHOLDER = re.compile(r"""\?(?=(?:[^'"]|'[^']*'|"[^"]*")*$)""")

MANY_RESULTS = ("RULE ORDER", "OUTPUT ORDER", "COLLECT")
DECISION_RESULT_MAPPINGS = ("singleEntry", "singleResult", "collectEntries", "resultList")
Evaluate = Callable[[str, dict], Any]  # (python expression, variables) -> value


class DecisionEvaluationError(InvalidArgumentError):
    """The decision cannot be evaluated with these variables (a 400 over REST, never a 500)."""


@dataclass
class DecisionEvaluation:
    """What the history keeps of one evaluated decision: the inputs (clauseId, clauseName, value),
    each matched rule (ruleId, ruleOrder) with its outputs (clauseId, clauseName, variableName,
    typeRef, value), and the aggregated value of a COLLECT table with an aggregation."""

    key: str
    name: str
    inputs: list[dict[str, Any]]
    rules: list[dict[str, Any]]
    collect_result: Any = None


@dataclass
class DecisionOutcome:
    """`results`: one map of output name -> value per matched rule (aggregated: a single one);
    `matched`: the matched rules' ids of every evaluated decision, required ones included."""

    decision: str
    results: list[dict[str, Any]]
    types: dict[str, str] = field(default_factory=dict)  # output name -> typeRef
    matched: dict[str, list[str]] = field(default_factory=dict)
    many: bool = False  # the hit policy gives a list of results (RULE ORDER, OUTPUT ORDER, plain COLLECT)
    evaluations: list[DecisionEvaluation] = field(default_factory=list)  # required decisions first

    def variables(self) -> dict[str, Any]:
        """What a business rule task sets, by output name: lists for a many-result policy."""
        if self.many:
            return {name: [result.get(name) for result in self.results] for name in self.types}
        return dict(self.results[0]) if self.results else {}

    def mapped(self, mapping: str) -> Any:
        """The result as camunda:mapDecisionResult shapes it for camunda:resultVariable (Camunda 7's
        rules: singleEntry and singleResult take at most one matched rule, singleEntry and
        collectEntries at most one output)."""
        results = [dict(result) for result in self.results]
        if mapping == "resultList":
            return results
        if mapping in ("singleEntry", "singleResult") and len(results) > 1:
            raise DecisionEvaluationError(f"Unable to get single decision result entry as it has more than one "
                                          f"result ({len(results)}) for decision '{self.decision}' "
                                          f"(mapDecisionResult {mapping})")
        if mapping in ("singleEntry", "collectEntries") and any(len(result) > 1 for result in results):
            raise DecisionEvaluationError(f"Unable to get a single entry of decision '{self.decision}' as its "
                                          f"result has more than one output ({', '.join(results[0])}); "
                                          f"use mapDecisionResult singleResult or resultList")
        if mapping == "singleResult":
            return results[0] if results else None
        if mapping == "singleEntry":
            return next(iter(results[0].values())) if results else None
        return [next(iter(result.values())) for result in results]  # collectEntries


def evaluate_decision(decisions: dict[str, DecisionModel], key: str, variables: dict[str, Any],
                      evaluate: Evaluate) -> DecisionOutcome:
    """Decision `key` of one file with `variables`; a required decision's outputs are variables of the
    decisions that require it, by output name (a list when it matched several rules), as in Camunda 7."""
    matched: dict[str, list[str]] = {}
    results: dict[str, list[dict[str, Any]]] = {}
    evaluations: list[DecisionEvaluation] = []

    def run(decision_key: str) -> list[dict[str, Any]]:
        if decision_key not in results:
            decision = decisions[decision_key]
            context = dict(variables)
            for required in decision.required:
                context.update(_as_variables(run(required)))
            results[decision_key] = _Table(decision, evaluate, matched, evaluations).evaluate(context)
        return results[decision_key]

    if key not in decisions:
        raise DecisionEvaluationError(f"the file has no decision '{key}'")
    outcome = run(key)
    decision = decisions[key]
    many = decision.literal is None and decision.hit_policy in MANY_RESULTS and not decision.aggregation
    return DecisionOutcome(key, outcome, {o.name or o.id: o.type_ref for o in decision.outputs}, matched, many,
                           evaluations)


def _as_variables(results: list[dict[str, Any]]) -> dict[str, Any]:
    if len(results) == 1:
        return dict(results[0])
    collected: dict[str, list] = {}
    for result in results:
        for name, value in result.items():
            collected.setdefault(name, []).append(value)
    return collected


class _Table:
    def __init__(self, decision: DecisionModel, evaluate: Evaluate, matched: dict[str, list[str]],
                 evaluations: list[DecisionEvaluation]):
        self.decision, self._evaluate, self.matched, self.evaluations = decision, evaluate, matched, evaluations

    def run(self, expression: str, context: dict, where: str) -> Any:
        try:
            return self._evaluate(expression, context)
        except Exception as err:  # any failure of a designer's expression is the caller's 400
            raise DecisionEvaluationError(f"Cannot evaluate decision '{self.decision.id}': {where}: "
                                          f"{type(err).__name__}: {err}") from None

    def evaluate(self, context: dict) -> list[dict[str, Any]]:
        decision = self.decision
        if decision.literal is not None:
            self.matched[decision.id] = []
            value = self.run(decision.literal, context, "literal expression")
            output = {"clauseId": None, "clauseName": None, "variableName": decision.variable, "typeRef": None,
                      "value": value}
            self.evaluations.append(DecisionEvaluation(decision.id, decision.name, [], [
                {"ruleId": None, "ruleOrder": None, "outputs": [output]}]))
            return [{decision.variable: value}]
        # Inputs are evaluated when a rule's cell first needs one: a table whose matching rule
        # leaves a column empty ("-") works without that column's variable, as it did before.
        values: dict[int, Any] = {}
        rules = []
        for rule in decision.rules:
            if self.matches(rule, values, context):
                rules.append(rule)
                if decision.hit_policy == "FIRST":
                    break
        outputs = [self.outputs(rule, context) for rule in rules]
        own_outputs = {rule.row: output for rule, output in zip(rules, outputs)}
        rules, outputs = self.apply_hit_policy(rules, outputs)
        self.matched[decision.id] = [rule.id for rule in rules]
        self.record(context, values, rules, own_outputs, outputs)
        return outputs

    def record(self, context: dict, values: dict[int, Any], rules: list[TableRule],
               own_outputs: dict[int, dict[str, Any]], outputs: list[dict[str, Any]]) -> None:
        decision = self.decision
        inputs = []
        for index, column in enumerate(decision.inputs):
            if index not in values:
                # The history shows every input, also those no matched rule needed; one that
                # cannot be evaluated here was not needed, and is left out rather than failing.
                try:
                    values[index] = self.run(column.expression, context, f"input '{column.label}'")
                except DecisionEvaluationError:
                    continue
            inputs.append({"clauseId": column.id, "clauseName": column.label, "expression": column.expression,
                           "value": values[index]})
        matched = [{"ruleId": rule.id, "ruleOrder": rule.row, "outputs": [
            {"clauseId": column.id, "clauseName": column.label or column.name, "variableName": column.name or column.id,
             "typeRef": column.type_ref or None, "value": own_outputs[rule.row].get(column.name or column.id)}
            for column in decision.outputs]} for rule in rules]
        collect = next(iter(outputs[0].values())) if decision.aggregation and outputs else None
        self.evaluations.append(DecisionEvaluation(decision.id, decision.name, inputs, matched, collect))

    def matches(self, rule: TableRule, values: dict[int, Any], context: dict) -> bool:
        for index, (test, column) in enumerate(zip(rule.tests, self.decision.inputs)):
            if test is None:
                continue
            if index not in values:
                values[index] = self.run(column.expression, context, f"input '{column.label}'")
            source = rule.sources[index] if index < len(rule.sources) else ""
            where = f"rule {rule.row} ({rule.id}), input '{column.label}'" + (f", cell '{source}'" if source else "")
            if not self.run(_PLACEHOLDER.sub(INPUT_NAME, test), {**context, INPUT_NAME: values[index]}, where):
                return False
        return True

    def outputs(self, rule: TableRule, context: dict) -> dict[str, Any]:
        outputs = {}
        for expression, column in zip(rule.outputs, self.decision.outputs):
            name = column.name or column.id
            where = f"rule {rule.row} ({rule.id}), output '{name}'"
            value = None if expression is None else self.run(expression, context, where)
            try:
                outputs[name] = convert_output(value, column.type_ref)
            except OutputTypeError as err:
                raise self.error(f"{where}: {err}") from None
        return outputs

    def apply_hit_policy(self, rules: list[TableRule], outputs: list[dict]) -> tuple[list, list]:
        decision = self.decision
        policy = decision.hit_policy
        if policy == "UNIQUE" and len(rules) > 1:
            raise self.error(f"hit policy UNIQUE, but rules {_rows(rules)} match")
        if policy == "ANY" and any(o != outputs[0] for o in outputs):
            raise self.error(f"hit policy ANY, but rules {_rows(rules)} match with different outputs")
        if policy in ("UNIQUE", "FIRST", "ANY"):
            return rules[:1], outputs[:1]
        if policy in ("PRIORITY", "OUTPUT ORDER"):
            order = sorted(range(len(rules)), key=lambda i: self.priority(outputs[i]))
            rules, outputs = [rules[i] for i in order], [outputs[i] for i in order]
            return (rules[:1], outputs[:1]) if policy == "PRIORITY" else (rules, outputs)
        if policy == "COLLECT" and decision.aggregation:
            return rules, [{next(iter(decision.outputs)).name or decision.outputs[0].id:
                            self.aggregate([next(iter(o.values())) for o in outputs])}]
        return rules, outputs  # RULE ORDER, COLLECT

    def priority(self, output: dict[str, Any]) -> tuple:
        """Sort key: each output's position in its listed output values (unlisted values last)."""
        key = []
        for column in self.decision.outputs:
            listed = [self.run(v, {}, f"output values of '{column.name}'") for v in column.values]
            value = output.get(column.name or column.id)
            key.append(listed.index(value) if value in listed else len(listed))
        return tuple(key)

    def aggregate(self, values: list) -> Any:
        aggregation = self.decision.aggregation
        if aggregation == "COUNT":
            return len(values)
        values = [v for v in values if v is not None]
        if not values:
            return None  # Camunda: no matching rule, no aggregated value
        if any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in values):
            raise self.error(f"aggregation {aggregation} needs numbers, got {values!r}")
        return {"SUM": sum, "MIN": min, "MAX": max}[aggregation](values)

    def error(self, message: str) -> DecisionEvaluationError:
        return DecisionEvaluationError(f"Cannot evaluate decision '{self.decision.id}': {message}")


def _rows(rules: list[TableRule]) -> str:
    return ", ".join(f"{rule.row} ({rule.id})" for rule in rules)


def evaluate_translated(content: bytes, key: str, variables: dict[str, Any], evaluate: Evaluate) -> DecisionOutcome:
    """Decision `key` of a DMN file already checked and translated (a business rule task's copy)."""
    decisions, problems = read_decisions(parse_xml(content, "decision", len(content) + 1), key)
    if problems:
        raise DecisionEvaluationError("; ".join(str(p) for p in problems))
    return evaluate_decision(decisions, key, variables, evaluate)


def evaluate_file(content: bytes, file_name: str, key: str, variables: dict[str, Any], evaluate: Evaluate,
                  max_bytes: int) -> DecisionOutcome:
    """Decision `key` of a deployed DMN file: read again as at deployment (the stored file is the
    designer's, FEEL and all), then evaluated with its own file's required decisions."""
    root = parse_xml(content, file_name, max_bytes)
    problems = check_and_translate("dmn", root, file_name)
    decisions, more = read_decisions(root, file_name)
    if problems or more:  # deployed files were checked; only a file from an older engine gets here
        raise DecisionEvaluationError("; ".join(str(p) for p in problems + more))
    return evaluate_decision(decisions, key, variables, evaluate)


# Business rule tasks (engine/specs.py DecisionTask) sit below this package and get the evaluation here.
set_decision_evaluator(evaluate_translated)
