"""SpiffWorkflow parser classes fixed for the engine: multi-instance inputs decided at parse time
and the Camunda attributes, forms and call mappings SpiffWorkflow would drop."""
from __future__ import annotations

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser, full_tag
from SpiffWorkflow.bpmn.parser.event_parsers import SIGNAL_EVENT_XPATH, EventDefinitionParser
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.data_spec import TaskDataReference
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition
from SpiffWorkflow.camunda.parser import CamundaParser
from SpiffWorkflow.camunda.parser.task_spec import CamundaTaskParser
from SpiffWorkflow.dmn.parser.DMNParser import DMNParser

from engine.forms import form_from_xml
from engine.repository.parse_model import (
    NS,
    TASK_EXPRESSION_ATTRIBUTES,
    TASK_PLAIN_ATTRIBUTES,
    camunda,
    first_text,
    output_properties,
)
from engine.expressions import CronCycleTimerEventDefinition
from engine.repository.dmn_evaluation import DECISION_RESULT_MAPPINGS
from engine.specs import (
    BroadcastSignal,
    CalledProcessTask,
    CamundaMessage,
    DecisionTask,
    ExternalServiceTask,
    ParallelMultiInstanceTask,
    PassThroughTask,
    SequentialMultiInstanceTask,
)


class _FixedMultiInstance:
    """Multi-instance inputs decided at parse time (SpiffWorkflow bug 2).

    SpiffWorkflow's Camunda multi-instance task rewrites its shared spec when it starts; a spec
    serialized before that and shared by several instances then appends instead of replacing
    (three units became six). Here the collection and element variable are fixed once.
    """

    def _add_multiinstance_task(self, loop_characteristics):
        sequential = loop_characteristics.get("isSequential") == "true"
        cardinality = first_text(self.xpath("./bpmn:multiInstanceLoopCharacteristics/bpmn:loopCardinality"))
        condition = first_text(self.xpath("./bpmn:multiInstanceLoopCharacteristics/bpmn:completionCondition"))
        collection = loop_characteristics.get(camunda("collection"))
        element_variable = loop_characteristics.get(camunda("elementVariable"))
        if cardinality is None and collection is None:
            self.raise_validation_exception("A multi-instance activity needs camunda:collection or a loop cardinality")
        output_collection, output_element = output_properties(self.node)
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
        # camunda:initiator names the variable that gets the starting user's id (engine/runtime/context.py).
        initiator = node.get(camunda("initiator")) if node.tag == full_tag("startEvent") else None
        if initiator:
            extensions["initiator"] = initiator
        if "topic" not in extensions and "topic" in properties:
            extensions["topic"] = properties["topic"]
        return extensions


class _EvaluatesDecisionsItself:
    """A business rule task whose decision the engine evaluates (engine/specs.py DecisionTask),
    with a copy of the decision's file as checked and translated at this deployment."""

    def create_task(self):
        key = self.get_decision_ref(self.node)
        dmn_parsers = self.process_parser.parser.dmn_parsers
        if key not in dmn_parsers:
            self.raise_validation_exception(f"business rule task uses decision '{key}', which is not deployed")
        xml = etree.tostring(dmn_parsers[key].node, encoding="unicode")
        result_variable = (self.node.get(camunda("resultVariable")) or "").strip() or None
        mapping = (self.node.get(camunda("mapDecisionResult")) or "").strip() or None
        if mapping is not None and mapping not in DECISION_RESULT_MAPPINGS:
            self.raise_validation_exception(f"camunda:mapDecisionResult '{mapping}' is none of "
                                            f"{', '.join(DECISION_RESULT_MAPPINGS)}")
        return DecisionTask(self.spec, self.bpmn_id, decision_key=key, decision_xml=xml,
                            result_variable=result_variable, map_decision_result=mapping, **self.bpmn_attributes)


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


class _CronCycles:
    """Every timeCycle becomes a cycle that also runs Quartz cron (engine/specs.py)."""

    def parse_timer_event(self, event):
        parsed = super().parse_timer_event(event)
        if type(parsed) is CycleTimerEventDefinition:
            return CronCycleTimerEventDefinition(parsed.name, parsed.expression, description=parsed.description)
        return parsed


class _CamundaEvents:
    """Messages and signals by the name of their bpmn:message / bpmn:signal, delivered as Camunda
    does (engine/specs.py). A name Camunda would compute from an expression is refused: the
    engine indexes waiting events by name when an instance is saved."""

    def parse_message_event(self, message_event):
        parsed = EventDefinitionParser.parse_message_event(self, message_event)
        self._check_event_name(parsed.name, "message", message_event)
        return CamundaMessage(parsed.name, description=parsed.description)

    def parse_signal_event(self, signal_event):
        parsed = EventDefinitionParser.parse_signal_event(self, signal_event)
        self._check_event_name(parsed.name, "signal", signal_event)
        return BroadcastSignal(parsed.name, description=parsed.description)

    def _check_event_name(self, name, kind: str, node) -> None:
        if not name:
            raise ValidationException(f"the {kind} needs a name (a bpmn:{kind} with a name, referenced by "
                                      f"{kind}Ref)", node=node, file_name=self.filename)
        if "${" in name or "#{" in name:
            raise ValidationException(f"the {kind} name '{name}' is an expression; only fixed {kind} names "
                                      "are supported", node=node, file_name=self.filename)


class _SignalEndEvents:
    """A signal end event: SpiffWorkflow's end event parser drops the signal (a plain end event)."""

    def create_task(self):
        signals = self.xpath(SIGNAL_EVENT_XPATH)
        if not signals:
            return super().create_task()
        task = self._create_task(self.parse_signal_event(signals[0]))
        task.connect(self.spec.end)
        return task


def _parser_classes() -> dict:
    classes = {}
    for tag, (parser_cls, spec_cls) in CamundaParser.OVERRIDE_PARSER_CLASSES.items():
        keeps_attributes = tag in (full_tag("userTask"), full_tag("startEvent"))
        mixins = (_FixedMultiInstance, _KeepsCamundaAttributes) if keeps_attributes else (_FixedMultiInstance,)
        if hasattr(parser_cls, "parse_timer_event"):
            mixins = (*mixins, _CronCycles, _CamundaEvents)
        classes[tag] = (type(parser_cls.__name__, (*mixins, parser_cls), {}), spec_cls)
    end_parser = classes[full_tag("endEvent")][0]
    classes[full_tag("endEvent")] = (type(end_parser.__name__, (_SignalEndEvents, end_parser), {}),
                                     classes[full_tag("endEvent")][1])
    for tag in ("receiveTask", "sendTask"):
        parser_cls, spec_cls = BpmnParser.PARSER_CLASSES[full_tag(tag)]
        classes[full_tag(tag)] = (type(parser_cls.__name__, (_CamundaEvents, parser_cls), {}), spec_cls)
    service_parser = type("ServiceTaskParser", (_FixedMultiInstance, _KeepsCamundaAttributes, CamundaTaskParser), {})
    classes[full_tag("serviceTask")] = (service_parser, ExternalServiceTask)
    for tag in ("task", "manualTask"):
        classes[full_tag(tag)] = (classes[full_tag(tag)][0], PassThroughTask)
    rule_parser = classes[full_tag("businessRuleTask")][0]
    classes[full_tag("businessRuleTask")] = (type("DecisionTaskParser", (_EvaluatesDecisionsItself, rule_parser), {}),
                                             DecisionTask)
    call_parser = classes[full_tag("callActivity")][0]
    classes[full_tag("callActivity")] = (type("CallActivityParser", (_KeepsCallMappings, call_parser), {}),
                                         CalledProcessTask)
    return classes


class EngineParser(CamundaParser):
    OVERRIDE_PARSER_CLASSES = _parser_classes()

    def add_decisions(self, node, decision_ids, filename=None) -> None:
        """Registers each decision of a DMN file for business rule tasks, once the engine's own
        reader (engine/repository/dmn_model.py) found the file sound."""
        namespaces = self.namespaces.copy()
        namespaces.update(node.nsmap)
        if None in namespaces:
            namespaces["dmn"] = namespaces.pop(None)
        for decision_id in decision_ids:
            dmn_parser = _OneDecisionParser(self, node, namespaces, decision_id, filename=filename)
            self.dmn_parsers[decision_id] = dmn_parser
            self.dmn_parsers_by_name[dmn_parser.get_name()] = dmn_parser


class _OneDecisionParser(DMNParser):
    """SpiffWorkflow's DMN parser for one decision of a file: its own parser takes the file's
    decisions as one and refuses (or crashes on) a file with a decision requirements graph."""

    def __init__(self, parser, node, namespaces, decision_id: str, filename=None):
        super().__init__(parser, node, namespaces, filename=filename)
        self.decision_id = decision_id

    def _element(self) -> list:
        return self.node.xpath("dmn:decision[@id=$id]", namespaces=self.nsmap, id=self.decision_id)

    def parse(self):
        self.decision = self._parse_decision(self._element())

    @property
    def bpmn_id(self):
        return self.decision_id

    def get_name(self):
        return self._element()[0].get("name")

