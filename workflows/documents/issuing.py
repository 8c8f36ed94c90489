"""The `issue_document` service task: the step before it is done, its documents are issued.

A designer draws it right after the user task that produces documents (which names them in its
own `documents` property, so its task page can show the drafts), with camunda:properties:

  documents     the kinds issued, comma-separated ("unit_proposal, achievement_report"); an
                achievement report is issued for each nominee of the unit who wrote one
  documentKind  the register's symbol ("QĐ-VPUB") of the number the first kind takes; absent, the
                documents have no number (an achievement report, a list)
  target        the variable that receives the number ("decisionNumber")
  yearFrom      a date variable whose year the number belongs to (default: the document's date)
  dateFrom      the variable holding the document's date (default: today, on the engine's clock)
  title         the register's title (default: the kind's)

The number's reference in the register is "<business key or instance id>:<element id>" (a called
instance adds its own id after the key, since it shares the key), so a retried step gets the
number it already took; the documents are stored under the same reference and are not stored
twice. Each run of the step counts in the variable `<element id>_issues`; a step run again (a
unit resubmitting after a return) issues anew: new rows, a new number (the reference gains "#2"),
the earlier documents kept. The count is written with the step, so a run whose transaction was
lost counts again as the same run. (One variable per step, not one shared dict: where parallel
branches join, a variable set on one branch survives, while a dict would be replaced whole.)
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Mapping

from engine.errors import EngineError
from engine.handlers import Handler, HandlerRegistry, ServiceTaskContext
from workflows.document_register import DocumentRegister, year_of
from workflows.documents import kinds
from workflows.documents.kinds import KINDS, nominees_with_reports, parse_kinds
from workflows.documents.official import as_date
from workflows.documents.renditions import list_source
from workflows.documents.store import DocumentStore, NewDocument

TOPIC = "issue_document"
ISSUES = "_issues"  # the suffix of the variable counting a step's runs
DOCUMENTS, DOCUMENT_KIND = "documents", "documentKind"


class DocumentIssueError(EngineError, ValueError):
    """A step whose documents cannot be issued, said in Vietnamese and English."""


def _refuse(element_id: str, vietnamese: str, english: str) -> DocumentIssueError:
    return DocumentIssueError(f"Bước '{element_id}': {vietnamese} / Step '{element_id}': {english}")


def documents_problem(value: str) -> str | None:
    """Deployment check of a `documents` property (user tasks and issue_document tasks alike)."""
    try:
        parse_kinds(value)
    except (KeyError, ValueError) as error:
        return str(error.args[0])
    return None


def document_kind_problem(value: str) -> str | None:
    """Deployment check of a `documentKind` property: a register symbol such as QĐ-VPUB."""
    value = value.strip()
    if not value or "/" in value or len(value) > 32:
        return f"'{value}' is not a register symbol such as QĐ-VPUB (no '/', at most 32 characters)"
    return None


def register_property_checks(registry: HandlerRegistry) -> None:
    registry.register_property_check(DOCUMENTS, documents_problem)
    registry.register_property_check(DOCUMENT_KIND, document_kind_problem)


@dataclass(frozen=True)
class IssueStep:
    """What an issue_document task's properties ask for, checked."""
    element_id: str
    kinds: list[str]
    register_kind: str | None
    target: str | None
    year_from: str | None
    date_from: str | None
    title: str | None

    @classmethod
    def of(cls, ctx: ServiceTaskContext) -> "IssueStep":
        p = {k: (v or "").strip() for k, v in ctx.properties.items()}
        try:
            names = parse_kinds(p.get(DOCUMENTS, ""))
        except (KeyError, ValueError) as error:
            raise _refuse(ctx.element_id, f"thuộc tính 'documents' không đúng ({error.args[0]})",
                          f"the property 'documents' is wrong ({error.args[0]})") from None
        register_kind = p.get(DOCUMENT_KIND) or None
        if register_kind and (document_kind_problem(register_kind) or KINDS[names[0]].scope == "nominee"):
            raise _refuse(ctx.element_id, f"'{register_kind}' không cấp số được cho văn bản '{names[0]}'",
                          f"'{register_kind}' cannot number the document '{names[0]}'")
        return cls(ctx.element_id, names, register_kind, p.get("target") or None, p.get("yearFrom") or None,
                   p.get("dateFrom") or None, p.get("title") or None)

    def day(self, variables: Mapping[str, Any], now: datetime | None) -> date:
        if not self.date_from:
            return (now or datetime.now(timezone.utc)).date()
        try:
            day = as_date(variables.get(self.date_from))
        except ValueError:
            day = None
        if day is None:
            raise _refuse(self.element_id, f"biến '{self.date_from}' không phải là ngày",
                          f"the variable '{self.date_from}' is not a date")
        return day

    def year(self, variables: Mapping[str, Any], day: date) -> int:
        if not self.year_from:
            return day.year
        if variables.get(self.year_from) is None:
            raise _refuse(self.element_id, f"thiếu biến '{self.year_from}'", f"the variable '{self.year_from}' is missing")
        return year_of(variables[self.year_from], self.year_from)


def register_reference(ctx: ServiceTaskContext, issue: int) -> str:
    key = ctx.business_key or ctx.instance_id
    if ctx.parent_instance_id and ctx.business_key:
        key = f"{key}:{ctx.instance_id}"  # a unit's instance shares its campaign's business key
    return f"{key}:{ctx.element_id}" + (f"#{issue}" if issue > 1 else "")


def _documents(step: IssueStep, variables: Mapping[str, Any]) -> list[tuple[str, str | None]]:
    """(kind, nominee id) of every document the step issues."""
    found = []
    for kind in step.kinds:
        if KINDS[kind].scope == "nominee":
            found += [(kind, nominee_id) for nominee_id in nominees_with_reports(variables)]
        else:
            found.append((kind, None))
    return found


def make_issue_document_handler(store: DocumentStore, register: DocumentRegister) -> Handler:
    def issue_document(ctx: ServiceTaskContext) -> dict:
        step = IssueStep.of(ctx)
        variables = ctx.variables
        day = step.day(variables, ctx.now)
        issue = int(variables.get(ctx.element_id + ISSUES) or 0) + 1
        reference = register_reference(ctx, issue)
        number = None
        if step.register_kind:
            number = register.issue(step.register_kind, step.year(variables, day), reference,
                                    step.title or KINDS[step.kinds[0]].title)
        with_number = {**variables, step.target: number} if step.target and number else variables
        now = ctx.now or datetime.now(timezone.utc)
        new = []
        for kind, nominee_id in _documents(step, variables):
            numbered = number if kind == step.kinds[0] and nominee_id is None else None
            unit = variables if KINDS[kind].scope != "campaign" else None
            try:
                context = kinds.build(kind, variables, unit, nominee_id=nominee_id, number=numbered, on=day)
            except (KeyError, ValueError) as error:
                raise _refuse(ctx.element_id, f"không lập được văn bản '{kind}' ({error.args[0]})",
                              f"the '{kind}' document cannot be made ({error.args[0]})") from None
            context["draft"] = False  # issued; a kind that takes no number keeps the blank
            new.append(NewDocument(
                reference=f"{ctx.instance_id}:{ctx.element_id}:{issue}:{kind}:{nominee_id or ''}",
                campaign_instance_id=ctx.parent_instance_id or ctx.instance_id, instance_id=ctx.instance_id,
                business_key=ctx.business_key, element_id=ctx.element_id, step_name=ctx.element_name, issue=issue,
                kind=kind, nominee_id=nominee_id, title=kinds.document_title(kind, context), number=numbered,
                register_kind=step.register_kind if numbered else None, issued_on=day, issued_at=now,
                template_version=store.templates.in_force(kind).version, context=context,
                list_source=list_source(kind, with_number, unit and with_number)))
        store.record(new)
        result: dict[str, Any] = {ctx.element_id + ISSUES: issue}
        if step.target and number:
            result[step.target] = number
        return result

    return issue_document
