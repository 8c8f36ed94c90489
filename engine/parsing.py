"""From uploaded BPMN/DMN files to SpiffWorkflow specs, or a list of problems a designer can fix.

Camunda Modeler writes JUEL and FEEL; SpiffWorkflow evaluates Python. Every expression is
translated here, at deploy time, on the parsed XML tree (the stored file stays as the designer
wrote it), so that a bad expression is a deployment error and never a crash in the middle of a
campaign.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Callable, Iterable, Mapping

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator, full_tag
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.data_spec import TaskDataReference
from SpiffWorkflow.camunda.parser import CamundaParser
from SpiffWorkflow.camunda.parser.task_spec import CAMUNDA_MODEL_NS, CamundaTaskParser

from engine.errors import DeploymentError, Problem
from engine.expressions import (
    ExpressionError,
    feel_expression_to_python,
    feel_unary_tests_to_python,
    is_juel,
    juel_to_python,
    timer_to_python,
    validate_iso_duration,
)
from engine.forms import FormDefinitionError, form_from_xml
from engine.handlers import PropertyCheck
from engine.property_checks import check_application_properties
from engine.reminder_rules import check_reminder_properties
from engine.sandbox import ScriptPolicyError, check_script
from engine.specs import (
    CalledProcessTask,
    ExternalServiceTask,
    ParallelMultiInstanceTask,
    PassThroughTask,
    SequentialMultiInstanceTask,
)
from engine.xml_safety import parse_xml

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = CAMUNDA_MODEL_NS
DMN_NAMESPACES = frozenset({
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
    "http://www.omg.org/spec/DMN/20180521/MODEL/",
    "https://www.omg.org/spec/DMN/20191111/MODEL/",
})
NS = {"bpmn": BPMN_NS, "camunda": CAMUNDA_NS}
# SpiffWorkflow names its own internal task specs like this; an element with such an id clobbers them.
RESERVED_IDS = frozenset({"Start", "End", "Root"})
# Camunda task attributes SpiffWorkflow does not keep; the engine evaluates them itself.
TASK_EXPRESSION_ATTRIBUTES = ("assignee", "candidateUsers", "candidateGroups", "dueDate", "followUpDate", "priority")
TASK_PLAIN_ATTRIBUTES = ("formKey", "formRef", "formRefBinding", "formRefVersion")
JAVA_DELEGATES = ("class", "expression", "delegateExpression")
FLOW_NODE_TAGS = frozenset(full_tag(t) for t in (
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
    "task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask",
    "businessRuleTask", "callActivity", "subProcess", "transaction", "adHocSubProcess",
    "exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway", "complexGateway",
))


@dataclass(frozen=True)
class ModelFile:
    name: str
    content: bytes


@dataclass
class ParsedProcess:
    key: str
    name: str | None
    file_name: str
    spec: object
    subprocess_specs: dict


@dataclass
class ParsedDecision:
    key: str
    name: str | None
    file_name: str


@dataclass
class ParsedDeployment:
    processes: list[ParsedProcess] = field(default_factory=list)
    decisions: list[ParsedDecision] = field(default_factory=list)


# (kind, key) -> the file of the latest deployed definition, to resolve call activities and
# business rule tasks whose targets were deployed earlier.
Resolver = Callable[[str, str], ModelFile | None]


def camunda(name: str) -> str:
    return f"{{{CAMUNDA_NS}}}{name}"


def local_name(element) -> str:
    return etree.QName(element).localname


# ---------------------------------------------------------------------------------------------
# SpiffWorkflow parser classes


class _FixedMultiInstance:
    """Multi-instance inputs decided at parse time (SpiffWorkflow bug 2).

    SpiffWorkflow's Camunda multi-instance task rewrites its shared spec when it starts; a spec
    serialized before that and shared by several instances then appends instead of replacing
    (three units became six). Here the collection and element variable are fixed once.
    """

    def _add_multiinstance_task(self, loop_characteristics):
        sequential = loop_characteristics.get("isSequential") == "true"
        cardinality = _first_text(self.xpath("./bpmn:multiInstanceLoopCharacteristics/bpmn:loopCardinality"))
        condition = _first_text(self.xpath("./bpmn:multiInstanceLoopCharacteristics/bpmn:completionCondition"))
        collection = loop_characteristics.get(camunda("collection"))
        element_variable = loop_characteristics.get(camunda("elementVariable"))
        if cardinality is None and collection is None:
            self.raise_validation_exception("A multi-instance activity needs camunda:collection or a loop cardinality")
        output_collection, output_element = _output_properties(self.node)
        original = self.spec.task_specs.pop(self.task.name)
        cls = SequentialMultiInstanceTask if sequential else ParallelMultiInstanceTask
        self.task = cls(
            self.spec,
            original.name,
            task_spec="",
            cardinality=None if collection else cardinality,
            data_input=TaskDataReference(collection) if collection else None,
            input_item=TaskDataReference(element_variable) if element_variable else None,
            data_output=TaskDataReference(output_collection) if output_collection else None,
            output_item=TaskDataReference(output_element) if output_element else None,
            condition=condition,
        )
        self._copy_task_attrs(original, loop_characteristics)


def _output_properties(activity) -> tuple[str | None, str | None]:
    """BPMN's loop output (loopDataOutputRef / outputDataItem), which Camunda 7 lacks, given as the
    activity's camunda:properties `outputCollection` and `outputElement`: each iteration's
    `outputElement` is appended to `outputCollection`, and nothing else of the iteration leaks out."""
    properties = {p.get("name"): p.get("value") for p in activity.xpath(
        "./bpmn:extensionElements/camunda:properties/camunda:property", namespaces=NS)}
    return properties.get("outputCollection"), properties.get("outputElement")


class _KeepsCamundaAttributes:
    """Copies the Camunda attributes SpiffWorkflow drops into task_spec.extensions (it serializes them)."""

    def parse_extensions(self, node=None):
        node = self.node if node is None else node
        properties = {
            p.get("name"): p.get("value")
            for p in node.xpath("./bpmn:extensionElements/camunda:properties/camunda:property", namespaces=NS)
        }
        extensions: dict = {"properties": properties}
        for name in TASK_PLAIN_ATTRIBUTES + ("type", "topic"):
            value = node.get(camunda(name))
            if value is not None:
                extensions[name] = value
        # Translated at the tree-rewriting step; the originals are kept for display.
        expressions = {}
        for name in TASK_EXPRESSION_ATTRIBUTES:
            value = node.get(camunda(name))
            if value is not None:
                extensions[name] = value
                expressions[name] = node.get(f"{{urn:thidua}}{name}")
        extensions["expressions"] = expressions
        form_data = node.find("./bpmn:extensionElements/camunda:formData", namespaces=NS)
        if form_data is not None:
            extensions["formData"] = form_from_xml(form_data).to_json()
        if "topic" not in extensions and "topic" in properties:
            extensions["topic"] = properties["topic"]
        return extensions


class _KeepsCallMappings:
    """Keeps what a call activity passes in and out (camunda:in / camunda:out), already checked
    and translated by the tree-rewriting step, in the spec's extensions."""

    def parse_extensions(self, node=None):
        node = self.node if node is None else node
        extensions = {"calledElement": node.get("calledElement"), "in": [], "out": [], "businessKey": False}
        for direction in ("in", "out"):
            for mapping in node.xpath(f"./bpmn:extensionElements/camunda:{direction}", namespaces=NS):
                if mapping.get("businessKey") is not None:
                    extensions["businessKey"] = True
                elif mapping.get("variables") == "all":
                    extensions[direction].append({"all": True})
                else:
                    extensions[direction].append({"source": mapping.get("source"), "target": mapping.get("target"),
                                                  "expression": mapping.get("{urn:thidua}sourceExpression")})
        return extensions


def _parser_classes() -> dict:
    classes = {}
    for tag, (parser_cls, spec_cls) in CamundaParser.OVERRIDE_PARSER_CLASSES.items():
        keeps_attributes = tag in (full_tag("userTask"), full_tag("startEvent"))
        mixins = (_FixedMultiInstance, _KeepsCamundaAttributes) if keeps_attributes else (_FixedMultiInstance,)
        classes[tag] = (type(parser_cls.__name__, (*mixins, parser_cls), {}), spec_cls)
    service_parser = type("ServiceTaskParser", (_FixedMultiInstance, _KeepsCamundaAttributes, CamundaTaskParser), {})
    classes[full_tag("serviceTask")] = (service_parser, ExternalServiceTask)
    for tag in ("task", "manualTask"):
        classes[full_tag(tag)] = (classes[full_tag(tag)][0], PassThroughTask)
    call_parser = classes[full_tag("callActivity")][0]
    classes[full_tag("callActivity")] = (type("CallActivityParser", (_KeepsCallMappings, call_parser), {}),
                                         CalledProcessTask)
    return classes


class EngineParser(CamundaParser):
    OVERRIDE_PARSER_CLASSES = _parser_classes()


# Loading the BPMN XSD takes a while; lxml schemas are not safe to share between threads.
_VALIDATOR = BpmnValidator()
_PARSE_LOCK = threading.Lock()


# ---------------------------------------------------------------------------------------------
# Entry point


def parse_deployment(files: Iterable[ModelFile], resolver: Resolver, max_bytes: int,
                     property_checks: Mapping[str, PropertyCheck] | None = None) -> ParsedDeployment:
    """`property_checks` (HandlerRegistry.property_checks()) judge the values of the
    camunda:properties the application gives a meaning to."""
    files = list(files)
    problems: list[Problem] = []
    documents: list[tuple[str, str, etree._Element]] = []
    for model in files:
        try:
            root = parse_xml(model.content, model.name, max_bytes)
        except DeploymentError as err:
            problems.extend(err.problems)
            continue
        kind = _document_kind(root)
        if kind is None:
            problems.append(Problem(model.name, "not a BPMN 2.0 or DMN document (unexpected root element "
                                                f"'{root.tag}')", line=root.sourceline))
            continue
        problems.extend(check_and_translate(kind, root, model.name))
        if kind == "bpmn":
            problems.extend(check_reminder_properties(root, model.name))
            problems.extend(check_application_properties(root, model.name, property_checks or {}))
        documents.append((kind, model.name, root))
    if problems:
        raise DeploymentError(problems)
    with _PARSE_LOCK:
        return _build_specs(documents, resolver, max_bytes)


def _document_kind(root) -> str | None:
    qname = etree.QName(root)
    if qname.localname != "definitions":
        return None
    if qname.namespace == BPMN_NS:
        return "bpmn"
    if qname.namespace in DMN_NAMESPACES:
        return "dmn"
    return None


def _build_specs(documents, resolver: Resolver, max_bytes: int) -> ParsedDeployment:
    parser = EngineParser(validator=_VALIDATOR)
    result = ParsedDeployment()
    new_process_ids: list[tuple[str, str, etree._Element]] = []
    roots = {name: root for _, name, root in documents}
    for kind, name, root in documents:
        try:
            if kind == "bpmn":
                parser.add_bpmn_xml(root, filename=name)
                for process in root.findall("bpmn:process", NS):
                    if process.get("isExecutable", "true") == "true":
                        new_process_ids.append((process.get("id"), name, process))
            else:
                parser.add_dmn_xml(root, filename=name)
                for decision in root.findall("{*}decision"):
                    result.decisions.append(ParsedDecision(decision.get("id"), decision.get("name"), name))
        except ValidationException as err:
            raise DeploymentError([_problem_from_validation(err, name, roots)]) from None
    _resolve_dependencies(parser, resolver, max_bytes)
    if not new_process_ids and not result.decisions:
        raise DeploymentError([Problem(", ".join(roots) or "deployment",
                                       "nothing to deploy: no executable process and no decision")])
    for key, name, process in new_process_ids:
        try:
            spec = parser.get_spec(key)
            subprocess_specs = parser.get_subprocess_specs(key)
        except ValidationException as err:
            raise DeploymentError([_problem_from_validation(err, name, roots)]) from None
        result.processes.append(ParsedProcess(key, process.get("name"), name, spec, subprocess_specs))
    for decision in result.decisions:
        try:
            parser.dmn_parsers[decision.key].parse()
        except ValidationException as err:
            raise DeploymentError([_problem_from_validation(err, decision.file_name, roots)]) from None
    return result


def _resolve_dependencies(parser: EngineParser, resolver: Resolver, max_bytes: int) -> None:
    """Adds earlier deployed files for call activities and decisions this deployment does not carry."""
    seen: set[tuple[str, str]] = set()
    while True:
        missing = [("process", key) for key in parser.get_process_dependencies()
                   if key and key not in parser.process_parsers]
        missing += [("decision", key) for key in parser.get_dmn_dependencies() if key not in parser.dmn_parsers]
        missing = [m for m in missing if m not in seen]
        if not missing:
            return
        problems = []
        for kind, key in missing:
            seen.add((kind, key))
            found = resolver(kind, key)
            if found is None:
                what = "call activity calls process" if kind == "process" else "business rule task uses decision"
                file_name, element = _referrer(parser, kind, key)
                problems.append(Problem(file_name, f"a {what} '{key}', which is neither in this deployment "
                                        "nor deployed before", element_id=element.get("id") if element is not None
                                        else None, line=element.sourceline if element is not None else None))
                continue
            root = parse_xml(found.content, found.name, max_bytes)
            doc_kind = _document_kind(root)
            translate_problems = check_and_translate(doc_kind, root, found.name)
            if translate_problems:
                problems.extend(translate_problems)
            elif doc_kind == "bpmn":
                parser.add_bpmn_xml(root, filename=found.name)
            else:
                parser.add_dmn_xml(root, filename=found.name)
        if problems:
            raise DeploymentError(problems)


def _referrer(parser: EngineParser, kind: str, key: str):
    """The file and element that call the missing process or decision, to point the designer at."""
    tag, attribute = ("callActivity", "calledElement") if kind == "process" else ("businessRuleTask",
                                                                                 "camunda:decisionRef")
    for process_parser in parser.process_parsers.values():
        found = process_parser.node.xpath(f".//bpmn:{tag}[@{attribute}=$key]", namespaces=NS, key=key)
        if found:
            return process_parser.filename or "deployment", found[0]
    return "deployment", None


def _problem_from_validation(err: ValidationException, file_name: str, roots: dict) -> Problem:
    element_id = getattr(err, "id", "") or None
    file_name = getattr(err, "file_name", "") or file_name
    line = getattr(err, "line_number", None) or None
    if line is None and element_id and file_name in roots:
        found = roots[file_name].xpath("//*[@id=$id]", id=element_id)
        line = found[0].sourceline if found else None
    message = str(err).split("\n")[0]
    return Problem(file_name, message, element_id=element_id, line=line if isinstance(line, int) else None)


def _first_text(nodes) -> str | None:
    return nodes[0].text.strip() if nodes and nodes[0].text and nodes[0].text.strip() else None


# ---------------------------------------------------------------------------------------------
# Structural checks and expression translation on the XML tree


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
        output_collection, output_element = _output_properties(element.getparent())
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
