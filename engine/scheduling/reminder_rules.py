"""The reminder settings a designer writes, as `camunda:properties` of a user task (or as the
settings of a business key, or the service's defaults), and their check at deployment.

    reminders   = 7, 3, 1, 0          working days before the deadline (P7D reads as 7); 0 is the
                                      morning of the day; "none" sends no reminder before it
    escalateTo  = leads:{unit}@1, board@3
                                      after 1 working day overdue tell the group leads:<unit of the
                                      instance>, after 3 the group board; "none" never escalates

Overdue tasks are reminded every working day to whoever holds or is offered the task.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from engine.errors import EngineError, Problem

REMINDERS, ESCALATE_TO = "reminders", "escalateTo"
# A service task of this topic reminds the people of the user task its `remindTask` property names.
REMINDER_TOPIC, REMIND_TASK = "reminder", "remindTask"
NONE = "none"
MAX_DAYS = 90
UNIT_PLACEHOLDER = "{unit}"
# Camunda designers write durations: P7D is read as 7 working days before the deadline.
_ISO_DAYS = re.compile(r"^P(\d+)D$", re.IGNORECASE)
_GROUP = re.compile(r"^[A-Za-z0-9_.:\-{}]+$")

NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "camunda": "http://camunda.org/schema/1.0/bpmn"}


class ReminderRuleError(EngineError, ValueError):
    pass


@dataclass(frozen=True)
class Escalation:
    group: str  # may contain {unit}
    after_days: int


def _items(text: str, name: str, example: str) -> list[str]:
    """The comma-separated items of a property; none for 'none', an error when empty."""
    text = (text or "").strip()
    if text.lower() == NONE:
        return []
    if not text:
        raise ReminderRuleError(f"'{name}' is empty; write {example}, or 'none'")
    return [item.strip() for item in text.split(",")]


def parse_offsets(text: str) -> tuple[int, ...]:
    """'7, 3, 1, 0' -> (7, 3, 1, 0); 'none' -> ()."""
    offsets = []
    for item in _items(text, REMINDERS, "working days before the deadline such as '7, 3, 1, 0'"):
        days = _ISO_DAYS.match(item)
        number = days.group(1) if days else item
        if not number.isdigit() or int(number) > MAX_DAYS:
            raise ReminderRuleError(f"'reminders' has '{item}': each item must be a number of working days "
                                    f"from 0 to {MAX_DAYS} (or P7D), e.g. '7, 3, 1, 0', or the whole value 'none'")
        offsets.append(int(number))
    return tuple(sorted(set(offsets), reverse=True))


def parse_escalations(text: str) -> tuple[Escalation, ...]:
    """'leads:{unit}@1, board@3' -> escalations in order of the days overdue; 'none' -> ()."""
    found = []
    for item in _items(text, ESCALATE_TO, "group@days such as 'leads:{unit}@1, board@3'"):
        group, sep, days = item.rpartition("@")
        if not sep or not group or not _GROUP.match(group) or not days.strip().isdigit() \
                or not 1 <= int(days) <= MAX_DAYS:
            raise ReminderRuleError(f"'escalateTo' has '{item}': each item must be group@days with "
                                    f"days from 1 to {MAX_DAYS}, e.g. 'leads:{{unit}}@1, board@3', or 'none'")
        found.append(Escalation(group, int(days)))
    return tuple(sorted(found, key=lambda e: e.after_days))


def check_reminder_properties(root, file_name: str) -> list[Problem]:
    """Deployment check: a malformed `reminders` or `escalateTo` property refuses the file."""
    problems = []
    for prop in root.xpath(".//camunda:properties/camunda:property[@name=$a or @name=$b]", namespaces=NS,
                           a=REMINDERS, b=ESCALATE_TO):
        parse = parse_offsets if prop.get("name") == REMINDERS else parse_escalations
        try:
            parse(prop.get("value") or "")
        except ReminderRuleError as err:
            owner = prop.getparent().getparent().getparent()
            problems.append(Problem(file_name, str(err), element_id=owner.get("id"), line=prop.sourceline))
    for task in root.xpath(".//bpmn:serviceTask", namespaces=NS):
        properties = {p.get("name"): p.get("value") for p in task.xpath(
            "./bpmn:extensionElements/camunda:properties/camunda:property", namespaces=NS)}
        if (task.get(f"{{{NS['camunda']}}}topic") or properties.get("topic")) != REMINDER_TOPIC:
            continue
        target = properties.get(REMIND_TASK)
        process = task.xpath("ancestor::bpmn:process[1]", namespaces=NS)
        if not target or not (process and process[0].xpath(".//bpmn:userTask[@id=$id]", namespaces=NS, id=target)):
            problems.append(Problem(file_name, f"a '{REMINDER_TOPIC}' service task needs the property "
                                    f"'{REMIND_TASK}' naming a user task of its process"
                                    + (f" ('{target}' is not one)" if target else ""),
                                    element_id=task.get("id"), line=task.sourceline))
    return problems
