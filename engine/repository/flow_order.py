"""The order a process's elements are met in, following its sequence flows from the start.

What a person expects when the steps of a process are listed (a chart of how many instances stand
at each step): the order of the diagram's flow, not of the XML or of the database. An element is
placed by how few flows separate it from a start event; a sub-process's elements follow the
sub-process, a boundary event its host; a loop back (a return for correction) does not move a step
that was already reached. Ties keep the document's order.
"""
from __future__ import annotations

from collections import deque

from lxml import etree

from engine.repository.xml_safety import parse_xml

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def flow_order(xml: bytes, process_id: str, max_bytes: int = 10 * 1024 * 1024) -> list[str]:
    """The ids of the flow elements of `process_id` (its sub-processes included), in flow order."""
    root = parse_xml(xml, f"{process_id}.bpmn", max_bytes)
    process = root.find(f"{{{BPMN}}}process[@id='{process_id}']")
    return [] if process is None else _order(process)


def _order(container: etree._Element) -> list[str]:
    elements = [e for e in container if isinstance(e.tag, str) and e.get("id")
                and etree.QName(e).localname not in ("sequenceFlow", "laneSet", "textAnnotation", "association",
                                                    "dataObject", "dataObjectReference", "extensionElements")]
    ids = [e.get("id") for e in elements]
    by_id = {e.get("id"): e for e in elements}
    following: dict[str, list[str]] = {i: [] for i in ids}
    for flow in container.findall(f"{{{BPMN}}}sequenceFlow"):
        source, target = flow.get("sourceRef"), flow.get("targetRef")
        if source in following and target in by_id:
            following[source].append(target)
    for element in elements:  # a boundary event comes right after the activity it is attached to
        host = element.get("attachedToRef")
        if etree.QName(element).localname == "boundaryEvent" and host in following:
            following[host].insert(0, element.get("id"))
    starts = [e.get("id") for e in elements if etree.QName(e).localname == "startEvent"]
    reached = _breadth_first(starts or ids[:1], following)
    ordered = reached + [i for i in ids if i not in set(reached)]  # unreachable: in document order
    result: list[str] = []
    for element_id in ordered:
        result.append(element_id)
        if etree.QName(by_id[element_id]).localname in ("subProcess", "transaction", "adHocSubProcess"):
            result += _order(by_id[element_id])
    return result


def _breadth_first(starts: list[str], following: dict[str, list[str]]) -> list[str]:
    seen, queue, reached = set(starts), deque(starts), []
    while queue:
        current = queue.popleft()
        reached.append(current)
        for target in following.get(current, []):
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return reached
