"""What BPMN/DMN parsing shares: namespaces, the Camunda attributes the engine keeps, the model
file and parse result types, and small XML helpers."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.camunda.parser.task_spec import CAMUNDA_MODEL_NS

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


@dataclass(frozen=True)
class DeploymentWarning:
    """A call activity whose called process is not deployed (yet): accepted, looked up when it runs."""

    file: str
    element_id: str | None
    called_key: str

    def __str__(self) -> str:
        return (f"{self.file}: call activity '{self.element_id}' calls process '{self.called_key}', which is not "
                "deployed yet; an instance that reaches it stops in an incident until it is")


@dataclass
class ParsedDeployment:
    processes: list[ParsedProcess] = field(default_factory=list)
    decisions: list[ParsedDecision] = field(default_factory=list)
    warnings: list[DeploymentWarning] = field(default_factory=list)


# (kind, key) -> the file of the latest deployed definition, to resolve call activities and
# business rule tasks whose targets were deployed earlier.
Resolver = Callable[[str, str], ModelFile | None]


def camunda(name: str) -> str:
    return f"{{{CAMUNDA_NS}}}{name}"


def local_name(element) -> str:
    return etree.QName(element).localname



def first_text(nodes) -> str | None:
    return nodes[0].text.strip() if nodes and nodes[0].text and nodes[0].text.strip() else None


def output_properties(activity) -> tuple[str | None, str | None]:
    """BPMN's loop output (loopDataOutputRef / outputDataItem), which Camunda 7 lacks, given as the
    activity's camunda:properties `outputCollection` and `outputElement`: each iteration's
    `outputElement` is appended to `outputCollection`, and nothing else of the iteration leaks out."""
    properties = {p.get("name"): p.get("value") for p in activity.xpath(
        "./bpmn:extensionElements/camunda:properties/camunda:property", namespaces=NS)}
    return properties.get("outputCollection"), properties.get("outputElement")
