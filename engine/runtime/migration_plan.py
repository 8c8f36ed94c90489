"""A migration plan between two process versions, as Camunda 7 shapes it, and its checks.

What the new version "requires" of a migrated instance, which never passes its start event again:
- every field its start form marks required (camunda:constraint name="required");
- every variable a `${...}` expression of the new version reads that no expression of the old
  version read and that the new version does not set itself (a form field, a camunda:out or
  output parameter, an element variable, a script's assignment, a decision's output): a
  variable the change introduced, which the instance cannot have gathered on the old version's way.
An instance that lacks one, and a plan whose `variables` do not set it, cannot migrate.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from engine.forms import parsed_form

EXPRESSION = re.compile(r"[$#]\{([^}]*)\}")
IDENTIFIER = re.compile(r"(?<![\w.'\"])([A-Za-z_]\w*)(?!\w|\s*\()")
# Where a process gives a variable its value: form fields, camunda:out and output parameters,
# a multi-instance element variable, an assignment in a script, a decision's output.
PRODUCED = (re.compile(r"<camunda:formField\b[^>]*\bid=\"([^\"]+)\""),
            re.compile(r"<camunda:(?:out|outputParameter)\b[^>]*\b(?:target|name)=\"([^\"]+)\""),
            re.compile(r"\bcamunda:elementVariable=\"([^\"]+)\""),
            re.compile(r"(?:^|[>;])[ \t]*([A-Za-z_]\w*)[ \t]*(?:\[[^\]\n]*\])?[ \t]*=(?![=\"])", re.M))
DECISION_OUTPUT = re.compile(r"<(?:\w+:)?output\b[^>]*\bname=\"([^\"]+)\"")
# Words of the expression languages, not variables.
NOT_VARIABLES = frozenset({"and", "or", "not", "empty", "true", "false", "null", "eq", "ne", "lt", "gt", "le",
                           "ge", "div", "mod", "instanceof", "execution", "task", "None", "True", "False", "in",
                           "is", "if", "else"})

# Elements that wait for a trigger of their own (Camunda's updateEventTrigger applies to them).
TRIGGERED = frozenset({"IntermediateCatchEvent", "BoundaryEvent", "ReceiveTask"})


@dataclass(frozen=True)
class MigrationInstruction:
    source_activity_ids: tuple[str, ...]
    target_activity_ids: tuple[str, ...]
    update_event_trigger: bool = False


@dataclass(frozen=True)
class MigrationPlan:
    source_definition_id: str
    target_definition_id: str
    instructions: tuple[MigrationInstruction, ...]
    variables: dict = field(default_factory=dict)

    def mapping(self) -> dict[str, str]:
        """Source element id -> target element id, for the instructions that are well formed."""
        return {i.source_activity_ids[0]: i.target_activity_ids[0] for i in self.instructions
                if len(i.source_activity_ids) == 1 and len(i.target_activity_ids) == 1}

    def update_triggers(self) -> frozenset[str]:
        """The target elements whose event trigger is evaluated again from the new version."""
        return frozenset(i.target_activity_ids[0] for i in self.instructions
                         if i.update_event_trigger and len(i.target_activity_ids) == 1)


@dataclass
class InstructionReport:
    instruction: MigrationInstruction
    failures: list[str]


@dataclass
class InstanceReport:
    instance_id: str
    failures: list[str]


@dataclass
class MigrationReport:
    instruction_reports: list[InstructionReport]
    # Variable name -> why the new version cannot go without it (the instances that lack it).
    variable_reports: dict[str, list[str]]
    instance_reports: list[InstanceReport]

    @property
    def plan_valid(self) -> bool:
        return not any(r.failures for r in self.instruction_reports)

    @property
    def valid(self) -> bool:
        return self.plan_valid and not self.variable_reports and not any(r.failures for r in self.instance_reports)


@dataclass(frozen=True)
class VersionModel:
    """What the checks need of one process version: its elements by scope and its BPMN text."""

    definition_id: str
    elements: dict[str, tuple[str | None, str]]  # element id -> (embedded subprocess scope, spec type)
    xml: str
    start_form_json: str | None
    produced: frozenset[str] = frozenset()  # variables the version itself sets (see PRODUCED)


def version_model(definition_id: str, spec, subprocess_specs: dict, xml: str, start_form: str | None) -> VersionModel:
    elements: dict[str, tuple[str | None, str]] = {}
    produced = {name for pattern in PRODUCED for name in pattern.findall(xml)}
    for scope, scope_spec in [(None, spec), *subprocess_specs.items()]:
        for task_spec in scope_spec.task_specs.values():
            produced.update(DECISION_OUTPUT.findall(getattr(task_spec, "decision_xml", None) or ""))
            element = getattr(task_spec, "bpmn_id", None)
            if element and task_spec.name == element:
                elements.setdefault(element, (scope, type(task_spec).__name__))
    return VersionModel(definition_id, elements, xml, start_form, frozenset(produced))


def generated_plan(source: VersionModel, target: VersionModel, update_event_triggers: bool,
                   variables: dict | None = None) -> MigrationPlan:
    """Maps every element of the source to the target's element with the same id, scope and type."""
    instructions = tuple(
        MigrationInstruction((element,), (element,), update_event_triggers and kind in TRIGGERED)
        for element, (scope, kind) in sorted(source.elements.items())
        if target.elements.get(element) == (scope, kind) and not kind.endswith(("StartTask", "EndJoin")))
    return MigrationPlan(source.definition_id, target.definition_id, instructions, dict(variables or {}))


def instruction_reports(plan: MigrationPlan, source: VersionModel, target: VersionModel) -> list[InstructionReport]:
    reports, seen = [], set()
    for instruction in plan.instructions:
        failures = []
        if len(instruction.source_activity_ids) != 1 or len(instruction.target_activity_ids) != 1:
            failures.append("an instruction maps exactly one source activity to one target activity")
        else:
            (source_id,), (target_id,) = instruction.source_activity_ids, instruction.target_activity_ids
            failures += _pair_failures(source_id, target_id, source, target, plan.mapping())
            if source_id in seen:
                failures.append(f"there are several instructions for the source activity '{source_id}'")
            seen.add(source_id)
        reports.append(InstructionReport(instruction, failures))
    return reports


def _pair_failures(source_id: str, target_id: str, source: VersionModel, target: VersionModel,
                   mapping: dict[str, str]) -> list[str]:
    failures = []
    if source_id not in source.elements:
        failures.append(f"source activity '{source_id}' does not exist in {source.definition_id}")
    if target_id not in target.elements:
        failures.append(f"target activity '{target_id}' does not exist in {target.definition_id}")
    if failures:
        return failures
    (source_scope, source_kind), (target_scope, target_kind) = source.elements[source_id], target.elements[target_id]
    if source_kind != target_kind:
        failures.append(f"source activity '{source_id}' ({source_kind}) and target activity '{target_id}' "
                        f"({target_kind}) are not of the same type")
    if mapping.get(source_scope, source_scope) != target_scope:
        failures.append(f"source activity '{source_id}' and target activity '{target_id}' are not in the same "
                        "(sub)process")
    return failures


def required_variables(source: VersionModel, target: VersionModel) -> dict[str, str]:
    """Variable name -> why the target version requires it (see the module's docstring)."""
    required: dict[str, str] = {}
    if target.start_form_json:
        for form_field in parsed_form(target.start_form_json).fields:
            if form_field.required:
                required[form_field.id] = "a required field of the start form"
    introduced = expression_variables(target.xml) - expression_variables(source.xml) - target.produced
    for name in sorted(introduced):
        required.setdefault(name, "read by an expression the new version added")
    return required


def expression_variables(xml: str) -> set[str]:
    """The root variables `${...}` and `#{...}` expressions read (member names are not variables)."""
    names = set()
    for expression in EXPRESSION.findall(xml):
        # The XML's entities (&quot;, &amp;) are the expression's quotes and operators.
        plain = re.sub(r"'[^']*'|\"[^\"]*\"", "''", html.unescape(expression))
        names.update(name for name in IDENTIFIER.findall(plain) if name not in NOT_VARIABLES)
    return names

