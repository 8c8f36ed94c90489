"""Dates a submission must respect, taken from the process's own variables (the campaign's start
variables and what earlier tasks recorded), never from code: next year's campaign is new data.

A user task names its rules in the camunda:property `dates`, e.g.
`guidanceIssuedOn <= guidanceDate, guidanceIssuedOn >= planDate`, and the completion check
`dates`. A rule whose other date is not known yet (no such variable) is not applied.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Mapping

from engine.forms import FieldError
from engine.handlers import TaskCheckContext
from workflows.task_checks import field_error, refuse_if

RULE = re.compile(r"\s*(\w+)\s*(<=|>=)\s*(\w+)\s*")

# What the dates are called in messages: (Vietnamese, English).
LABELS = {
    "planDate": ("ngày ban hành kế hoạch", "the date of the plan"),
    "guidanceDate": ("hạn hướng dẫn hồ sơ", "the deadline for the dossier guidance"),
    "campaignEndDate": ("ngày kết thúc đợt thi đua", "the end of the campaign"),
    "unitReportDate": ("hạn đơn vị báo cáo, đề xuất", "the units' reporting deadline"),
    "appraisalDate": ("hạn thẩm định, trình Hội đồng", "the deadline for the list to the council"),
    "anniversaryDate": ("ngày lễ kỷ niệm, trao khen thưởng", "the anniversary"),
    "guidanceIssuedOn": ("Ngày ban hành văn bản hướng dẫn", "The date of the guidance"),
    "reportedOn": ("Ngày báo cáo, đề xuất", "The date of the unit's report"),
    "submittedOn": ("Ngày trình Hội đồng", "The date the list went to the council"),
    "meetingDate": ("ngày họp Hội đồng", "the council's meeting"),
    "decisionDate": ("Ngày quyết định", "The date of the decision"),
}
DATE_MESSAGES = {
    "date_not_before": ("{label_vi} ({date}) không được trước {other_vi} ({other_date}).",
                        "{label_en} ({date}) must not be before {other_en} ({other_date})."),
    "date_not_after": ("{label_vi} ({date}) không được sau {other_vi} ({other_date}).",
                       "{label_en} ({date}) must not be after {other_en} ({other_date})."),
    "date_invalid": ("Ngày không hợp lệ (dd/mm/yyyy).", "Not a valid date (dd/mm/yyyy)."),
    "date_rules": ("Quy tắc ngày '{rule}' của công việc không hợp lệ (viết: a <= b, c >= d).",
                   "The task's date rule '{rule}' is malformed (write: a <= b, c >= d)."),
}


def day_of(value: Any) -> date | None:
    """The calendar date of a date, a datetime (its own day) or an ISO text; None otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return datetime.fromisoformat(value.strip()).date()
        except ValueError:
            return None
    return None


def _label(name: str) -> tuple[str, str]:
    return LABELS.get(name, (name, name))


def compare(field: str, value: Any, operator: str, other: str, other_value: Any) -> FieldError | None:
    """The error when `value` (the date `field`) breaks `field <operator> other`; None when it
    holds or cannot be judged yet (either date unknown)."""
    day, other_day = day_of(value), day_of(other_value)
    if day is None or other_day is None:
        return None
    if (operator == ">=" and day >= other_day) or (operator == "<=" and day <= other_day):
        return None
    (label_vi, label_en), (other_vi, other_en) = _label(field), _label(other)
    # Labels are written to start a sentence; the other date sits inside one.
    other_vi, other_en = other_vi[:1].lower() + other_vi[1:], other_en[:1].lower() + other_en[1:]
    return field_error(field, "date_not_before" if operator == ">=" else "date_not_after", DATE_MESSAGES,
                       label_vi=label_vi, label_en=label_en, other_vi=other_vi, other_en=other_en,
                       date=day.strftime("%d/%m/%Y"), other_date=other_day.strftime("%d/%m/%Y"))


def parse_rules(text: str) -> list[tuple[str, str, str]]:
    rules = []
    for part in (p for p in (text or "").split(",") if p.strip()):
        match = RULE.fullmatch(part)
        if match is None:
            refuse_if([field_error("", "date_rules", DATE_MESSAGES, rule=part.strip())])
        rules.append(match.groups())
    return rules


def check_dates(ctx: TaskCheckContext) -> None:
    """The `dates` rules of the task, the submitted values read before the process's variables."""
    known: Mapping[str, Any] = {**ctx.variables, **ctx.values}
    errors: dict[str, FieldError] = {}
    for field, operator, other in parse_rules(ctx.properties.get("dates", "")):
        error = compare(field, known.get(field), operator, other, known.get(other))
        if error is not None:
            errors.setdefault(field, error)
    refuse_if(list(errors.values()))
