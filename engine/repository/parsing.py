"""From uploaded BPMN/DMN files to SpiffWorkflow specs, or a list of problems a designer can fix.

Camunda Modeler writes JUEL and FEEL; SpiffWorkflow evaluates Python. Every expression is
translated at deploy time (engine/repository/model_checks.py), on the parsed XML tree (the stored file stays
as the designer wrote it), so that a bad expression is a deployment error and never a crash in the
middle of a running process.
"""
from __future__ import annotations
import threading
from typing import Callable, Iterable, Mapping

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

from engine.errors import DeploymentError, Problem
from engine.handlers import PropertyCheck
# The tree checks, the shared types and the parser classes live in their own modules; their
# public names stay importable from here.
from engine.repository.dmn_model import read_decisions
from engine.repository.model_checks import check_and_translate
from engine.repository.parse_model import (  # noqa: F401
    BPMN_NS,
    CAMUNDA_NS,
    DMN_NAMESPACES,
    FLOW_NODE_TAGS,
    JAVA_DELEGATES,
    NS,
    RESERVED_IDS,
    TASK_EXPRESSION_ATTRIBUTES,
    TASK_PLAIN_ATTRIBUTES,
    DeploymentWarning,
    ModelFile,
    ParsedDecision,
    ParsedDeployment,
    ParsedProcess,
    Resolver,
    camunda,
    local_name,
)
from engine.repository.property_checks import check_application_properties
from engine.scheduling import check_reminder_properties
from engine.repository.spiff_parsers import EngineParser
from engine.repository.xml_safety import parse_xml

# Loading the BPMN XSD takes a while; lxml schemas are not safe to share between threads.
_VALIDATOR = BpmnValidator()
_PARSE_LOCK = threading.Lock()


# progress(done, total, phase, item): how far a long deployment got (engine/management/batches.py Progress).
Progress = Callable[..., None]


def _no_progress(*_args, **_kwargs) -> None:
    return None


def parse_deployment(files: Iterable[ModelFile], resolver: Resolver, max_bytes: int,
                     property_checks: Mapping[str, PropertyCheck] | None = None,
                     progress: Progress | None = None) -> ParsedDeployment:
    """`property_checks` (HandlerRegistry.property_checks()) judge the values of the
    camunda:properties the application gives a meaning to. `progress` hears of each file checked
    and each process built: 2 steps a file, out of 2 × files + 1 (storing is the last)."""
    files = list(files)
    progress = progress or _no_progress
    problems: list[Problem] = []
    documents: list[tuple[str, str, etree._Element]] = []
    for done, model in enumerate(files):
        progress(done, 2 * len(files) + 1, "checking", model.name)
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
        translation_problems = check_and_translate(kind, root, model.name)
        problems.extend(translation_problems)
        if kind == "dmn" and not translation_problems:
            problems.extend(read_decisions(root, model.name)[1])
        if kind == "bpmn":
            problems.extend(check_reminder_properties(root, model.name))
            problems.extend(check_application_properties(root, model.name, property_checks or {}))
        documents.append((kind, model.name, root))
    if problems:
        raise DeploymentError(problems)
    with _PARSE_LOCK:
        return _build_specs(documents, resolver, max_bytes, progress)


def _document_kind(root) -> str | None:
    qname = etree.QName(root)
    if qname.localname != "definitions":
        return None
    if qname.namespace == BPMN_NS:
        return "bpmn"
    if qname.namespace in DMN_NAMESPACES:
        return "dmn"
    return None


def _build_specs(documents, resolver: Resolver, max_bytes: int, progress: Progress) -> ParsedDeployment:
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
                decisions = _read_dmn(root, name)
                parser.add_decisions(root, list(decisions), filename=name)
                result.decisions += [ParsedDecision(d.id, d.name, name) for d in decisions.values()]
        except ValidationException as err:
            raise DeploymentError([_problem_from_validation(err, name, roots)]) from None
    result.warnings = _resolve_dependencies(parser, resolver, max_bytes)
    if not new_process_ids and not result.decisions:
        raise DeploymentError([Problem(", ".join(roots) or "deployment",
                                       "nothing to deploy: no executable process and no decision")])
    count = len(documents)
    for built, (key, name, process) in enumerate(new_process_ids):
        progress(count + count * built // len(new_process_ids), 2 * count + 1, "building", name)
        try:
            spec = parser.get_spec(key)
            # A called process not deployed yet is looked up when the call activity runs (the
            # engine starts it as an instance of its own), so it need not be here.
            subprocess_specs = {name: found for name, found in
                                parser.get_subprocess_specs(key, require_call_activity_specs=False).items()
                                if found is not None}
        except ValidationException as err:
            raise DeploymentError([_problem_from_validation(err, name, roots)]) from None
        except (AttributeError, IndexError, KeyError, TypeError, ValueError) as err:
            # SpiffWorkflow's parsers crash rather than refuse on some inputs (a business rule
            # task on a literal-expression decision, for one); the designer still gets a 400.
            raise DeploymentError([Problem(name, f"process '{key}' cannot be built: {type(err).__name__}: "
                                                 f"{err}")]) from None
        result.processes.append(ParsedProcess(key, process.get("name"), name, spec, subprocess_specs))
    return result


def _read_dmn(root, name: str) -> dict:
    """The file's decisions, read by the engine (SpiffWorkflow reads one decision a file and
    crashes on decision requirements graphs); a DeploymentError names each problem."""
    decisions, problems = read_decisions(root, name)
    if problems:
        raise DeploymentError(problems)
    return decisions


def _resolve_dependencies(parser: EngineParser, resolver: Resolver, max_bytes: int) -> list[DeploymentWarning]:
    """Adds earlier deployed files for call activities and decisions this deployment does not carry.

    A decision that is nowhere is refused; a called process that is nowhere is a warning, as
    Camunda resolves a call activity only when it runs (an incident then if it is still missing).
    """
    seen: set[tuple[str, str]] = set()
    warnings: list[DeploymentWarning] = []
    while True:
        missing = [("process", key) for key in parser.get_process_dependencies()
                   if key and key not in parser.process_parsers]
        missing += [("decision", key) for key in parser.get_dmn_dependencies() if key not in parser.dmn_parsers]
        missing = [m for m in missing if m not in seen]
        if not missing:
            return warnings
        problems = []
        for kind, key in missing:
            seen.add((kind, key))
            found = resolver(kind, key)
            if found is None and kind == "process":
                file_name, element = _referrer(parser, kind, key)
                warnings.append(DeploymentWarning(file_name, element.get("id") if element is not None else None, key))
                continue
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
                parser.add_decisions(root, list(_read_dmn(root, found.name)), filename=found.name)
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
