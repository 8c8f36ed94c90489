"""Structural checks and JUEL/FEEL-to-Python translation on a parsed BPMN or DMN tree, done at
deploy time so that a bad expression is a deployment error, not a crash mid-process."""
from __future__ import annotations

from datetime import date, datetime
from typing import Callable

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag

from engine.errors import Problem
from engine.expressions import (ExpressionError, feel_expression_to_python, feel_unary_tests_to_python, is_juel,
                                juel_to_python, timer_to_python, validate_iso_duration)
from engine.forms import FormDefinitionError, form_from_xml
from engine.repository.parse_model import (
    BPMN_NS,
    CAMUNDA_NS,
    FLOW_NODE_TAGS,
    JAVA_DELEGATES,
    NS,
    RESERVED_IDS,
    TASK_EXPRESSION_ATTRIBUTES,
    camunda,
    local_name,
    output_properties,
)
from engine.scripts import ScriptPolicyError, check_script


FEEL_SOURCE = "{urn:thidua}feel"


def check_and_translate(kind: str, root, file_name: str) -> list[Problem]:
    checker = _BpmnChecker(root, file_name) if kind == "bpmn" else _DmnChecker(root, file_name)
    checker.run()
    return checker.problems


class _Checker:
    def __init__(self, root, file_name: str):
        self.root = root
        self.file_name = file_name
        self.problems: list[Problem] = []

    def problem(self, element, message: str) -> None:
        element_id = element.get("id") if element is not None else None
        if element_id is None and element is not None:
            owner = next((a for a in element.iterancestors() if a.get("id")), None)
            element_id = owner.get("id") if owner is not None else None
        self.problems.append(Problem(self.file_name, message, element_id=element_id,
                                     line=element.sourceline if element is not None else None))

    def translate_text(self, element, translate: Callable[[str], str | None], owner=None) -> None:
        try:
            element.text = translate(element.text or "")
        except ExpressionError as err:
            self.problem(owner if owner is not None else element, str(err))


class _BpmnChecker(_Checker):
    def run(self) -> None:
        self.check_ids()
        if not self.problems:
            self.check_flows()
        for element in self.root.iter(etree.Element):
            handler = getattr(self, f"on_{local_name(element)}", None)
            if handler is not None and etree.QName(element).namespace == BPMN_NS:
                handler(element)

    def check_ids(self) -> None:
        seen: dict[str, int] = {}
        for element in self.root.iter(etree.Element):
            element_id = element.get("id")
            # Camunda's extension elements use `id` as a name within their owner (a form field's
            # `camunda:property id="multiline"`), not as a document-wide id.
            if element_id is None or etree.QName(element).namespace == CAMUNDA_NS:
                continue
            if element_id in seen:
                self.problem(element, f"id '{element_id}' is used twice (first on line {seen[element_id]}); "
                                      "every element needs its own id")
            seen[element_id] = element.sourceline
            if element_id in RESERVED_IDS and etree.QName(element).namespace == BPMN_NS:
                self.problem(element, f"id '{element_id}' is reserved by the engine; rename the element")

    def check_flows(self) -> None:
        for flow in self.root.iter(full_tag("sequenceFlow")):
            container = flow.getparent()
            siblings = {child.get("id"): child for child in container if child.tag in FLOW_NODE_TAGS}
            for end, attribute in (("source", "sourceRef"), ("target", "targetRef")):
                ref = flow.get(attribute)
                if not ref:
                    self.problem(flow, f"sequence flow has no {end} ({attribute} is missing)")
                elif ref not in siblings:
                    self.problem(flow, f"sequence flow {end} '{ref}' does not exist in "
                                       f"{local_name(container)} '{container.get('id')}'")

    def on_conditionExpression(self, element) -> None:
        language = (element.get("language") or "").lower()
        if language in ("python", "py"):
            try:
                check_script(element.text or "")
            except SyntaxError as err:
                self.problem(element.getparent(), f"Python condition does not parse: {err.msg}")
            except ScriptPolicyError as err:
                self.problem(element.getparent(), f"Python condition is not allowed in the sandbox: {err.reason}")
            return
        if language not in ("", "juel"):
            self.problem(element.getparent(), f"condition language '{language}' is not supported; "
                                              "write ${...} (JUEL) or set language to python")
            return
        self.translate_text(element, juel_to_python, owner=element.getparent())

    def on_completionCondition(self, element) -> None:
        self.translate_text(element, juel_to_python, owner=element.getparent().getparent())

    def on_loopCardinality(self, element) -> None:
        owner = element.getparent().getparent()
        self.translate_text(element, lambda text: _number_or_juel(text), owner=owner)

    def on_multiInstanceLoopCharacteristics(self, element) -> None:
        output_collection, output_element = output_properties(element.getparent())
        if (output_collection is None) != (output_element is None) or not all(
                name.isidentifier() for name in (output_collection, output_element) if name is not None):
            self.problem(element.getparent(), "the properties outputCollection and outputElement go together "
                                              "and name process variables")
        collection = element.get(camunda("collection"))
        if collection is None:
            return
        try:
            translated = juel_to_python(collection) if is_juel(collection) else collection.strip()
        except ExpressionError as err:
            self.problem(element.getparent(), str(err))
            return
        if not translated.isidentifier():
            self.problem(element.getparent(), f"camunda:collection '{collection}' must name a process variable "
                                              "(for example ${units})")
        else:
            element.set(camunda("collection"), translated)

    def on_timerEventDefinition(self, element) -> None:
        owner = element.getparent()
        values = [child for child in element if local_name(child) in ("timeDate", "timeDuration", "timeCycle")]
        if len(values) != 1:
            self.problem(owner, "a timer needs exactly one of timeDate, timeDuration or timeCycle")
            return
        value = values[0]
        if not (value.text or "").strip():
            self.problem(owner, f"the timer's {local_name(value)} is empty")
            return
        self.translate_text(value, lambda text: timer_to_python(text.strip(), local_name(value)), owner=owner)

    def on_userTask(self, element) -> None:
        for name in TASK_EXPRESSION_ATTRIBUTES:
            value = element.get(camunda(name))
            if value is None:
                continue
            try:
                element.set(f"{{urn:thidua}}{name}", _attribute_expression(name, value))
            except ExpressionError as err:
                self.problem(element, f"camunda:{name}: {err}")
        self._check_form(element)

    def on_startEvent(self, element) -> None:
        initiator = element.get(camunda("initiator"))
        if initiator is not None and not (initiator.isidentifier() and initiator.isascii()):
            self.problem(element, f"camunda:initiator '{initiator}' must name a process variable (e.g. initiator)")
        self._check_form(element)

    def _check_form(self, element) -> None:
        form_data = element.find("./bpmn:extensionElements/camunda:formData", namespaces=NS)
        if form_data is not None:
            try:
                form_from_xml(form_data)
            except FormDefinitionError as err:
                self.problem(element, f"form: {err}")

    def on_scriptTask(self, element) -> None:
        script_format = (element.get("scriptFormat") or "python").lower()
        if script_format not in ("python", "py"):
            self.problem(element, f"script format '{script_format}' is not supported; scripts here are Python")
            return
        if element.get(camunda("resource")):
            self.problem(element, "external script resources are not supported; put the script in the diagram")
            return
        script = element.find("bpmn:script", NS)
        if script is None or not (script.text or "").strip():
            self.problem(element, "script task has no script")
            return
        try:
            check_script(script.text)
        except SyntaxError as err:
            self.problem(element, f"script does not parse: {err.msg} (script line {err.lineno})")
        except ScriptPolicyError as err:
            self.problem(element, f"script is not allowed in the sandbox: {err.reason} (script line {err.line})")

    def on_serviceTask(self, element) -> None:
        for name in JAVA_DELEGATES:
            if element.get(camunda(name)) is not None:
                self.problem(element, f"camunda:{name} (a Java delegate) cannot run here; "
                                      'use camunda:type="external" with a camunda:topic')
                return
        if element.find("./bpmn:extensionElements/camunda:connector", NS) is not None:
            self.problem(element, 'Camunda connectors cannot run here; use camunda:type="external" with a topic')
            return
        topic = element.get(camunda("topic")) or next(
            (p.get("value") for p in element.xpath(
                "./bpmn:extensionElements/camunda:properties/camunda:property[@name='topic']", namespaces=NS)),
            None)
        if not topic:
            self.problem(element, 'service task has no topic: set camunda:type="external" and camunda:topic')

    def on_businessRuleTask(self, element) -> None:
        if not element.get(camunda("decisionRef")):
            self.problem(element, "business rule task has no camunda:decisionRef")

    def on_callActivity(self, element) -> None:
        called = element.get("calledElement")
        if not called:
            self.problem(element, "call activity has no calledElement")
        elif is_juel(called):
            self.problem(element, "calledElement must be a process id, not an expression")
        binding = element.get(camunda("calledElementBinding"), "latest")
        if binding != "latest":
            self.problem(element, f"calledElementBinding '{binding}' is not supported; the latest version is called")
        for direction in ("in", "out"):
            for mapping in element.xpath(f"./bpmn:extensionElements/camunda:{direction}", namespaces=NS):
                self._check_mapping(element, direction, mapping)

    def _check_mapping(self, owner, direction: str, mapping) -> None:
        if mapping.get("businessKey") is not None:
            if direction == "out":
                self.problem(owner, "camunda:out cannot map the business key")
            return
        if mapping.get("variables") is not None:
            if mapping.get("variables") != "all":
                self.problem(owner, f"camunda:{direction} variables must be \"all\"")
            return
        target, source, expression = mapping.get("target"), mapping.get("source"), mapping.get("sourceExpression")
        if not target or not target.isidentifier() or (source is None) == (expression is None):
            self.problem(owner, f"camunda:{direction} needs a target variable name and either source or "
                                "sourceExpression")
            return
        if expression is not None:
            try:
                mapping.set("{urn:thidua}sourceExpression", juel_to_python(expression))
            except ExpressionError as err:
                self.problem(owner, f"camunda:{direction} sourceExpression: {err}")


class _DmnChecker(_Checker):
    def run(self) -> None:
        for element in self.root.iter(etree.Element):
            name = local_name(element)
            text = element.find("{*}text") if name in ("inputExpression", "inputEntry", "outputEntry") else None
            if text is not None:
                # The designer's FEEL, for error messages at run time (the text becomes Python).
                text.set(FEEL_SOURCE, (text.text or "").strip())
            if name == "inputExpression" and text is not None:
                self.translate_text(text, feel_expression_to_python, owner=element.getparent())
            elif name == "inputEntry" and text is not None:
                self.translate_text(text, lambda t: feel_unary_tests_to_python(t), owner=element)
            elif name == "outputEntry" and text is not None and (text.text or "").strip():
                self.translate_text(text, feel_expression_to_python, owner=element)


def _number_or_juel(text: str) -> str:
    stripped = text.strip()
    if stripped.isdigit():
        return stripped
    return juel_to_python(stripped)


def _attribute_expression(name: str, value: str) -> str:
    """A Python expression for a Camunda task attribute: the translated JUEL, or the literal."""
    if is_juel(value):
        return juel_to_python(value)
    if "${" in value or "#{" in value:
        raise ExpressionError(f"Invalid expression '{value}': mix of text and ${{...}} is not supported")
    if name in ("dueDate", "followUpDate"):
        _check_date_literal(value)
    elif name == "priority" and not value.strip().lstrip("-").isdigit():
        raise ExpressionError(f"Invalid priority '{value}': expected a whole number or ${{...}}")
    return repr(value.strip())


def _check_date_literal(value: str) -> None:
    text = value.strip()
    if text.upper().startswith("P"):
        validate_iso_duration(text)
        return
    for parse in (datetime.fromisoformat, date.fromisoformat):
        try:
            parse(text)
            return
        except ValueError:
            continue
    raise ExpressionError(f"Invalid date '{value}': expected an ISO-8601 date, date-time, duration or ${{...}}")
