"""Deployment check of the camunda:properties an application gives a meaning to (registered with
HandlerRegistry.register_property_check): a wrong value refuses the file, naming the element and
the line, as a wrong reminder policy does."""
from __future__ import annotations

from typing import Mapping

from engine.errors import Problem
from engine.handlers import PropertyCheck

NS = {"camunda": "http://camunda.org/schema/1.0/bpmn"}


def check_application_properties(root, file_name: str, checks: Mapping[str, PropertyCheck]) -> list[Problem]:
    problems = []
    for name, check in checks.items():
        for prop in root.xpath(".//camunda:properties/camunda:property[@name=$name]", namespaces=NS, name=name):
            message = check(prop.get("value") or "")
            if message:
                owner = prop.getparent().getparent().getparent()  # properties, extensionElements, element
                problems.append(Problem(file_name, f"property '{name}': {message}", element_id=owner.get("id"),
                                        line=prop.sourceline))
    return problems
