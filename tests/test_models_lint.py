"""The models in bpmn/ pass bpmnlint (.bpmnlintrc) and the product's own modelling rules.

Every bpmn/*.bpmn file is linted with `npx --no-install bpmnlint` and checked in Python for
BPMN DI and for the user-task rule of campaign models. tests/fixtures/lint_ok.bpmn, a small
Camunda 7 diagram as Camunda Modeler writes it, goes through the same checks, and known-bad
diagrams must be reported, so the linter set-up itself is proven even before bpmn/ has models.

bpmnlint comes from node_modules (`make install` runs `npm ci`); without Node.js or
node_modules these tests fail, they do not skip.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
BPMN_DIR = ROOT / "bpmn"
LINT_OK = ROOT / "tests" / "fixtures" / "lint_ok.bpmn"
MODELS = sorted(BPMN_DIR.glob("*.bpmn"))
# The known-good fixture goes through every check the models go through, so the parametrized
# sets are never empty.
CHECKED = [*MODELS, LINT_OK]
CHECKED_IDS = [str(path.relative_to(ROOT)) for path in CHECKED]
LINT_TIMEOUT = 120

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"

FLOW_NODES = {
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
    "task", "userTask", "serviceTask", "scriptTask", "businessRuleTask", "sendTask",
    "receiveTask", "manualTask",
    "exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway",
    "complexGateway",
    "subProcess", "transaction", "adHocSubProcess", "callActivity",
}


# --- bpmnlint -----------------------------------------------------------------------------

def bpmnlint(path: Path) -> subprocess.CompletedProcess[str]:
    """Run the project's bpmnlint (cwd = repository root, so .bpmnlintrc applies)."""
    npx = shutil.which("npx")
    if npx is None:
        pytest.fail("npx is not on PATH: install Node.js 20+ and run `make install` (it runs `npm ci`)")
    for package in ("bpmnlint", "bpmnlint-plugin-camunda-compat", "camunda-bpmn-moddle"):
        if not (ROOT / "node_modules" / package / "package.json").is_file():
            pytest.fail(f"node_modules/{package} is missing: run `npm ci` (or `make install`) in {ROOT}")
    env = {**os.environ, "NO_COLOR": "1", "npm_config_update_notifier": "false"}
    env.pop("FORCE_COLOR", None)
    try:
        return subprocess.run(
            [npx, "--no-install", "bpmnlint", str(path)],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=LINT_TIMEOUT,
        )
    except subprocess.TimeoutExpired as err:
        pytest.fail(f"bpmnlint {path} did not finish in {LINT_TIMEOUT} s: {err.stdout!r} {err.stderr!r}")


def lint_output(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"


@pytest.mark.parametrize("path", CHECKED, ids=CHECKED_IDS)
def test_model_passes_bpmnlint(path):
    result = bpmnlint(path)
    assert result.returncode == 0, f"bpmnlint reports problems in {path.relative_to(ROOT)}:\n{lint_output(result)}"


def _without_diagram(xml: str) -> str:
    return re.sub(r"<bpmndi:BPMNDiagram\b.*</bpmndi:BPMNDiagram>", "", xml, flags=re.S)


LONE_START = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_bad" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="lone_start" isExecutable="true" camunda:historyTimeToLive="180">
    <bpmn:startEvent id="StartEvent_1" name="Campaign submitted" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_1">
    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="lone_start">
      <bpmndi:BPMNShape id="StartEvent_1_di" bpmnElement="StartEvent_1">
        <dc:Bounds x="152" y="102" width="36" height="36" />
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def _known_bad() -> dict[str, tuple[str, list[str]]]:
    good = LINT_OK.read_text(encoding="utf-8")
    return {
        # A start event with no outgoing flow, in a process without an end event.
        "start event without outgoing flow": (LONE_START, ["no-disconnected", "end-event-required"]),
        # The good diagram without its BPMN DI: Camunda Modeler cannot lay it out.
        "no BPMN DI": (_without_diagram(good), ["no-bpmndi"]),
    }


@pytest.mark.parametrize("case", list(_known_bad()))
def test_bpmnlint_reports_known_bad_diagram(case, tmp_path):
    xml, rules = _known_bad()[case]
    path = tmp_path / "bad.bpmn"
    path.write_text(xml, encoding="utf-8")
    result = bpmnlint(path)
    assert result.returncode != 0, f"bpmnlint accepted a known-bad diagram ({case}):\n{lint_output(result)}"
    for rule in rules:
        assert re.search(rf"\berror\b.*\b{re.escape(rule)}\b", result.stdout), (
            f"bpmnlint did not report rule {rule} as an error ({case}):\n{lint_output(result)}"
        )


def test_camunda_compat_plugin_is_active(tmp_path):
    """The Camunda 7 plug-in config is loaded: a process without historyTimeToLive is reported."""
    xml = LINT_OK.read_text(encoding="utf-8").replace(' camunda:historyTimeToLive="180"', "")
    path = tmp_path / "no_ttl.bpmn"
    path.write_text(xml, encoding="utf-8")
    result = bpmnlint(path)
    assert "camunda-compat/history-time-to-live" in result.stdout, lint_output(result)


# --- the product's modelling rules, in Python -----------------------------------------------

def parse(source: Path | bytes) -> etree._ElementTree:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    if isinstance(source, Path):
        return etree.parse(str(source), parser)
    return etree.ElementTree(etree.fromstring(source, parser))


def _local(element) -> str:
    return etree.QName(element).localname


def missing_di(tree) -> list[str]:
    """Flow nodes without a BPMNShape and sequence flows without a BPMNEdge."""
    shapes = {shape.get("bpmnElement") for shape in tree.iter(f"{{{BPMNDI_NS}}}BPMNShape")}
    edges = {edge.get("bpmnElement") for edge in tree.iter(f"{{{BPMNDI_NS}}}BPMNEdge")}
    problems = []
    for element in tree.iter(f"{{{BPMN_NS}}}*"):
        name = _local(element)
        if name in FLOW_NODES and element.get("id") not in shapes:
            problems.append(f"line {element.sourceline}: bpmn:{name} {element.get('id')!r} has no bpmndi:BPMNShape")
        elif name == "sequenceFlow" and element.get("id") not in edges:
            problems.append(f"line {element.sourceline}: bpmn:sequenceFlow {element.get('id')!r} has no bpmndi:BPMNEdge")
    return problems


def user_task_problems(tree) -> list[str]:
    """Every user task is offered to someone (candidateGroups or assignee) and has a due date."""
    problems = []
    for task in tree.iter(f"{{{BPMN_NS}}}userTask"):
        where = f"line {task.sourceline}: bpmn:userTask {task.get('id')!r}"
        groups = (task.get(f"{{{CAMUNDA_NS}}}candidateGroups") or "").strip()
        assignee = (task.get(f"{{{CAMUNDA_NS}}}assignee") or "").strip()
        if not groups and not assignee:
            problems.append(f"{where} has neither camunda:candidateGroups nor camunda:assignee")
        if not (task.get(f"{{{CAMUNDA_NS}}}dueDate") or "").strip():
            problems.append(f"{where} has no camunda:dueDate")
    return problems


@pytest.mark.parametrize("path", CHECKED, ids=CHECKED_IDS)
def test_model_has_di_for_every_flow_node_and_sequence_flow(path):
    tree = parse(path)
    assert tree.getroot().tag == f"{{{BPMN_NS}}}definitions", f"{path} is not a BPMN 2.0 file"
    assert list(tree.iter(f"{{{BPMN_NS}}}process")), f"{path} has no bpmn:process"
    problems = missing_di(tree)
    assert not problems, f"{path.relative_to(ROOT)}:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", CHECKED, ids=CHECKED_IDS)
def test_model_user_tasks_have_candidates_and_due_date(path):
    problems = user_task_problems(parse(path))
    assert not problems, f"{path.relative_to(ROOT)}:\n" + "\n".join(problems)


def test_python_checks_catch_missing_di_and_task_attributes():
    """The two checks above report what they are meant to report."""
    xml = LINT_OK.read_bytes()
    no_task_shape = re.sub(rb'<bpmndi:BPMNShape id="Task_review_di".*?</bpmndi:BPMNShape>', b"", xml, flags=re.S)
    no_edge = re.sub(rb'<bpmndi:BPMNEdge id="Flow_2_di".*?</bpmndi:BPMNEdge>', b"", xml, flags=re.S)
    bare_task = xml.replace(b' camunda:candidateGroups="tchcqt"', b"").replace(b' camunda:dueDate="${reviewDue}"', b"")
    assignee_only = xml.replace(b'camunda:candidateGroups="tchcqt"', b'camunda:assignee="lan"')
    assert no_task_shape != xml and no_edge != xml and bare_task != xml and assignee_only != xml

    assert missing_di(parse(xml)) == []
    assert [p for p in missing_di(parse(no_task_shape)) if "'Task_review' has no bpmndi:BPMNShape" in p]
    assert [p for p in missing_di(parse(no_edge)) if "'Flow_2' has no bpmndi:BPMNEdge" in p]
    assert len(missing_di(parse(_without_diagram(xml.decode()).encode()))) == 9  # 5 nodes, 4 flows

    assert user_task_problems(parse(xml)) == []
    assert user_task_problems(parse(assignee_only)) == []
    problems = user_task_problems(parse(bare_task))
    assert any("neither camunda:candidateGroups nor camunda:assignee" in p for p in problems), problems
    assert any("no camunda:dueDate" in p for p in problems), problems
