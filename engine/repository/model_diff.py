"""What changed between two versions of a BPMN or DMN model, computed from the stored XML.

An *element* is what a designer sees as one thing on the diagram or in the decision table: a
flow node, lane, participant or process (BPMN), a decision, input, output or rule (DMN). Every
child element that is not an element itself (form fields, timers, conditions, `camunda:in`
mappings, rule cells) is flattened into the element's *properties*, keyed by its path, so
that a changed due date, candidate group, form field, condition or timer shows as one changed
property of the element that owns it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from engine.repository.xml_safety import parse_xml

PREFIXES = {
    "http://camunda.org/schema/1.0/bpmn": "camunda",
    "http://camunda.org/schema/1.0/dmn": "camunda",
    "http://www.w3.org/2001/XMLSchema-instance": "xsi",
}
# The diagram's geometry is not part of the model's meaning.
LAYOUT_NAMESPACE_MARKERS = ("/DI", "/DC", "DMNDI")
CONTAINERS = {"process", "subProcess", "transaction", "adHocSubProcess", "collaboration", "laneSet", "lane",
              "definitions", "decision", "decisionTable"}
FLOW_TYPES = {"sequenceFlow", "messageFlow"}
# Not elements of their own: they belong to the element that holds them.
NOT_ELEMENTS = {"laneSet", "extensionElements", "documentation", "incoming", "outgoing", "flowNodeRef",
                "inputExpression", "inputValues", "outputValues", "inputEntry", "outputEntry", "description",
                "text", "annotationEntry"}
# Implied by the flows, which are compared on their own.
SKIPPED_CHILDREN = {"incoming", "outgoing"}
MAX_SHOWN = 500  # characters of a property value; a long script is still marked changed


@dataclass(frozen=True)
class PropertyChange:
    name: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class ElementChange:
    """One element or flow: `kind` is "added", "removed" or "changed"."""

    id: str
    type: str
    name: str | None
    kind: str
    changes: tuple[PropertyChange, ...] = ()


@dataclass
class ModelDiff:
    elements: list[ElementChange] = field(default_factory=list)
    flows: list[ElementChange] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return not self.elements and not self.flows

    def marked(self, kind: str) -> list[str]:
        """Element ids to mark on a diagram; added and changed ones exist in the newer version,
        removed ones in the older."""
        return [c.id for c in self.elements + self.flows if c.kind == kind]


@dataclass(frozen=True)
class _Element:
    id: str
    type: str
    name: str | None
    properties: dict[str, str]


def diff_models(before: bytes, after: bytes, *, max_bytes: int = 10_000_000,
                before_name: str = "before", after_name: str = "after") -> ModelDiff:
    """Elements and flows added, removed or changed from `before` to `after` (both BPMN or both DMN)."""
    old = model_elements(parse_xml(before, before_name, max_bytes))
    new = model_elements(parse_xml(after, after_name, max_bytes))
    diff = ModelDiff()
    for element_id in list(new) + [i for i in old if i not in new]:
        change = _compare(old.get(element_id), new.get(element_id))
        if change is not None:
            (diff.flows if change.type in FLOW_TYPES else diff.elements).append(change)
    return diff


def model_elements(root: etree._Element) -> dict[str, _Element]:
    """Every element of the model, in document order, by id."""
    found: dict[str, _Element] = {}
    for node in root.iter(etree.Element):
        if _is_element(node):
            properties: dict[str, str] = {}
            for attribute, value in node.attrib.items():
                if attribute != "id":
                    properties[_qualified(attribute)] = value
            _flatten(node, "", properties)
            found[node.get("id")] = _Element(node.get("id"), _local(node.tag), node.get("name"), properties)
    return found


def _is_element(node: etree._Element) -> bool:
    if not node.get("id") or _is_layout(node.tag):
        return False
    local = _local(node.tag)
    if local in NOT_ELEMENTS or local.endswith("EventDefinition"):
        return False
    parent = node.getparent()
    return parent is not None and _local(parent.tag) in CONTAINERS


def _flatten(node: etree._Element, path: str, properties: dict[str, str]) -> None:
    """Adds each descendant that is not an element of its own as `path` = text and `path@attr` = value."""
    counts: dict[str, int] = {}
    children = [c for c in node.iterchildren(etree.Element)
                if not _is_layout(c.tag) and _local(c.tag) not in SKIPPED_CHILDREN and not _is_element(c)]
    for child in children:
        counts[child.tag] = counts.get(child.tag, 0) + 1
    seen: dict[str, int] = {}
    for child in children:
        seen[child.tag] = seen.get(child.tag, 0) + 1
        step, label = _step(child, counts[child.tag], seen[child.tag])
        child_path = f"{path}/{step}" if path else step
        if _local(child.tag) == "extensionElements":
            _flatten(child, path, properties)
            continue
        properties[child_path] = _shown((child.text or "").strip())
        for attribute, value in child.attrib.items():
            if attribute not in ("id", label):
                properties[f"{child_path}@{_qualified(attribute)}"] = value
        _flatten(child, child_path, properties)


def _step(child: etree._Element, same_tag: int, position: int) -> tuple[str, str | None]:
    """The path step of a child and the attribute that names it: its `id` where the designer
    chose it (form fields are named by their id), its `name`, else its position among children
    of its kind."""
    tag = _qualified(child.tag)
    namespace = etree.QName(child).namespace or ""
    if child.get("id") and namespace in PREFIXES:
        return f"{tag}[{child.get('id')}]", "id"
    if child.get("name"):
        return f"{tag}[{child.get('name')}]", "name"
    return (f"{tag}[{position}]" if same_tag > 1 else tag), None


def _compare(old: _Element | None, new: _Element | None) -> ElementChange | None:
    if old is None:
        return ElementChange(new.id, new.type, new.name, "added")
    if new is None:
        return ElementChange(old.id, old.type, old.name, "removed")
    changes = [PropertyChange(name, old.properties.get(name), new.properties.get(name))
               for name in list(new.properties) + [n for n in old.properties if n not in new.properties]
               if old.properties.get(name) != new.properties.get(name)]
    if old.type != new.type:
        changes.insert(0, PropertyChange("type", old.type, new.type))
    if not changes:
        return None
    return ElementChange(new.id, new.type, new.name, "changed", tuple(changes))


def _qualified(name: str) -> str:
    qname = etree.QName(name)
    prefix = PREFIXES.get(qname.namespace or "")
    return f"{prefix}:{qname.localname}" if prefix else qname.localname


def _local(tag: str) -> str:
    return etree.QName(tag).localname


def _is_layout(tag: str) -> bool:
    namespace = etree.QName(tag).namespace or ""
    return any(marker in namespace for marker in LAYOUT_NAMESPACE_MARKERS)


def _shown(value: str) -> str:
    return value if len(value) <= MAX_SHOWN else value[:MAX_SHOWN] + "…"
