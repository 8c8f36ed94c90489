"""Every decision of a DMN file read into the engine's own model, with the problems a designer
can fix (file, element, line).

SpiffWorkflow's DMN parser reads one decision per file, knows two hit policies and crashes on a
decision requirements graph ('list' object has no attribute 'tag'), so the engine reads DMN
itself: decision tables with any Camunda 7 hit policy, literal expressions, required decisions.
The tree must already have gone through check_and_translate (engine/repository/model_checks.py):
cells then hold Python source, with `?` standing for the input value.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from engine.errors import Problem
from engine.expressions import ExpressionError, feel_expression_to_python
from engine.repository.model_checks import FEEL_SOURCE

HIT_POLICIES = ("UNIQUE", "FIRST", "ANY", "PRIORITY", "RULE ORDER", "OUTPUT ORDER", "COLLECT")
AGGREGATIONS = ("SUM", "MIN", "MAX", "COUNT")
# Hit policies whose order or choice depends on the output values' listed order.
ORDERED_BY_OUTPUT_VALUES = ("PRIORITY", "OUTPUT ORDER")


@dataclass(frozen=True)
class Input:
    id: str
    label: str
    expression: str  # Python


@dataclass(frozen=True)
class Output:
    id: str
    name: str
    label: str
    type_ref: str
    values: tuple  # the output values as Python literals, in listed order (PRIORITY, OUTPUT ORDER)


@dataclass(frozen=True)
class TableRule:
    id: str
    row: int
    tests: tuple  # Python test per input (None: any value), `?` is the input value
    outputs: tuple  # Python expression per output (None: no value)
    sources: tuple = ()  # the designer's FEEL of each test, for messages


@dataclass
class DecisionModel:
    id: str
    name: str
    required: list[str] = field(default_factory=list)
    hit_policy: str = "UNIQUE"
    aggregation: str | None = None
    inputs: list[Input] = field(default_factory=list)
    outputs: list[Output] = field(default_factory=list)
    rules: list[TableRule] = field(default_factory=list)
    literal: str | None = None  # a literal expression decision's Python
    variable: str | None = None  # its result's name


def read_decisions(root, file_name: str) -> tuple[dict[str, DecisionModel], list[Problem]]:
    """The file's decisions by id, and what is wrong with them (an empty list: deployable)."""
    reader = _Reader(file_name)
    decisions = {}
    for element in root.findall("{*}decision"):
        decision = reader.decision(element)
        if decision is None:
            continue
        if decision.id in decisions:
            reader.problem(element, f"two decisions have the id '{decision.id}'")
        decisions[decision.id] = decision
    if not decisions and not reader.problems:
        reader.problem(root, "the DMN file has no decision")
    reader.check_requirements(root, decisions)
    return decisions, reader.problems


class _Reader:
    def __init__(self, file_name: str):
        self.file_name = file_name
        self.problems: list[Problem] = []

    def problem(self, element, message: str) -> None:
        owner = next((e for e in (element, *element.iterancestors()) if e.get("id")), None)
        self.problems.append(Problem(self.file_name, message, element_id=owner.get("id") if owner is not None
                                     else None, line=element.sourceline))

    def decision(self, element) -> DecisionModel | None:
        key = element.get("id")
        if not key:
            self.problem(element, "a decision has no id")
            return None
        decision = DecisionModel(key, element.get("name") or key)
        for requirement in element.findall("{*}informationRequirement/{*}requiredDecision"):
            href = requirement.get("href") or ""
            if not href.startswith("#") or len(href) < 2:
                self.problem(requirement, f"requiredDecision href '{href}' must name a decision of this file "
                                          "as '#id'")
                continue
            decision.required.append(href[1:])
        table = element.find("{*}decisionTable")
        literal = element.find("{*}literalExpression")
        if table is not None:
            self.table(decision, table)
        elif literal is not None:
            self.literal(decision, element, literal)
        else:
            self.problem(element, f"decision '{key}' has neither a decision table nor a literal expression")
        return decision

    def literal(self, decision: DecisionModel, element, literal) -> None:
        variable = element.find("{*}variable")
        decision.variable = variable.get("name") if variable is not None and variable.get("name") else decision.id
        try:
            decision.literal = feel_expression_to_python(literal.findtext("{*}text") or "")
        except ExpressionError as err:
            self.problem(literal, f"literal expression: {err}")
            return
        if not decision.literal:
            self.problem(literal, "the literal expression is empty")

    def table(self, decision: DecisionModel, table) -> None:
        decision.hit_policy = (table.get("hitPolicy") or "UNIQUE").upper()
        decision.aggregation = (table.get("aggregation") or "").upper() or None
        if decision.hit_policy not in HIT_POLICIES:
            self.problem(table, f"unknown hit policy '{decision.hit_policy}'; use one of {', '.join(HIT_POLICIES)}")
        if decision.aggregation is not None and decision.aggregation not in AGGREGATIONS:
            self.problem(table, f"unknown aggregation '{decision.aggregation}'; use one of {', '.join(AGGREGATIONS)}")
        if decision.aggregation is not None and decision.hit_policy != "COLLECT":
            self.problem(table, f"an aggregation ({decision.aggregation}) needs the COLLECT hit policy")
        for node in table.findall("{*}input"):
            expression = node.find("{*}inputExpression")
            text = (expression.findtext("{*}text") or "").strip() if expression is not None else ""
            if not text:
                self.problem(node, "an input column has no input expression")
            decision.inputs.append(Input(node.get("id") or "", node.get("label") or text, text))
        for node in table.findall("{*}output"):
            values = self.output_values(node)
            decision.outputs.append(Output(node.get("id") or "", node.get("name") or "", node.get("label") or "",
                                           node.get("typeRef") or "", values))
        if not decision.outputs:
            self.problem(table, f"decision table of '{decision.id}' has no output column")
        if len(decision.outputs) > 1 and any(not o.name for o in decision.outputs):
            self.problem(table, "with several output columns, each needs a name")
        if decision.aggregation is not None and len(decision.outputs) != 1:
            self.problem(table, f"an aggregation ({decision.aggregation}) needs exactly one output column")
        if decision.hit_policy in ORDERED_BY_OUTPUT_VALUES and not any(o.values for o in decision.outputs):
            self.problem(table, f"hit policy {decision.hit_policy} needs output values (their order is the "
                                "priority)")
        for row, node in enumerate(table.findall("{*}rule"), start=1):
            tests = [(e.findtext("{*}text") or "").strip() or None for e in node.findall("{*}inputEntry")]
            outputs = [(e.findtext("{*}text") or "").strip() or None for e in node.findall("{*}outputEntry")]
            if len(tests) != len(decision.inputs) or len(outputs) != len(decision.outputs):
                self.problem(node, f"rule {row} has {len(tests)} input and {len(outputs)} output entries; the "
                                   f"table has {len(decision.inputs)} inputs and {len(decision.outputs)} outputs")
                continue
            sources = tuple(e.find("{*}text").get(FEEL_SOURCE, "") if e.find("{*}text") is not None else ""
                            for e in node.findall("{*}inputEntry"))
            decision.rules.append(TableRule(node.get("id") or f"row{row}", row, tuple(tests), tuple(outputs),
                                            sources))

    def output_values(self, node) -> tuple:
        """The listed output values as Python literals (FEEL lists them comma-separated)."""
        text = node.findtext("{*}outputValues/{*}text") or ""
        try:
            return tuple(feel_expression_to_python(v.strip()) for v in text.split(",") if v.strip())
        except ExpressionError as err:
            self.problem(node, f"output values: {err}")
            return ()

    def check_requirements(self, root, decisions: dict[str, DecisionModel]) -> None:
        """Every required decision is in the file, and no decision requires itself, even indirectly."""
        elements = {e.get("id"): e for e in root.findall("{*}decision")}
        for decision in decisions.values():
            for required in decision.required:
                if required not in decisions:
                    self.problem(elements[decision.id], f"decision '{decision.id}' requires decision "
                                                        f"'{required}', which is not in this file")
        for decision in decisions.values():
            if _in_cycle(decision.id, decisions):
                self.problem(elements[decision.id], f"decision '{decision.id}' requires itself through its "
                                                    "required decisions")


def _in_cycle(start: str, decisions: dict[str, DecisionModel]) -> bool:
    stack, seen = list(decisions[start].required), set()
    while stack:
        key = stack.pop()
        if key == start:
            return True
        if key in seen or key not in decisions:
            continue
        seen.add(key)
        stack.extend(decisions[key].required)
    return False

