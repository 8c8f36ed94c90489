"""Service-task handlers of the campaign processes, registered with the engine by topic.

The logic lives in workflows/campaign_rules.py (pure functions); a handler only reads the
process variables it needs and returns the ones to set.
"""
from __future__ import annotations

from engine import HandlerRegistry
from engine.handlers import ServiceTaskContext

from workflows import campaign_rules, document_register, staff_facts, task_checks
from workflows.document_register import DocumentRegister
from workflows.staff_directory import StaffDirectory


def consolidate(ctx: ServiceTaskContext) -> dict:
    """Tổng hợp danh sách đề nghị: `unitResults` → `candidates` (and `notEligible`)."""
    return campaign_rules.consolidate(ctx.variables.get("unitResults") or [])


def tally_votes(ctx: ServiceTaskContext) -> dict:
    """Tính kết quả biểu quyết: `candidates`, `votes`, `present`, `passRule` → `quorumReached`,
    `awardees`, `rejected`."""
    variables = ctx.variables
    return campaign_rules.tally(variables.get("candidates") or [], variables.get("votes") or [],
                                variables.get("present"), variables["passRule"])


def announce_results(ctx: ServiceTaskContext) -> dict:
    """Thông báo kết quả: `announcement`, the awardees listed by award with the decisions."""
    v = ctx.variables
    chairman = (v.get("chairmanDecisionNumber"), v.get("chairmanDecisionDate"))
    decisions = {"giay_khen": (v.get("decisionNumber"), v.get("decisionDate")),
                 "bang_khen": chairman, "buc_truong": chairman}
    return {"announcement": campaign_rules.announcement(v.get("campaignName", ""), v.get("planNumber", ""),
                                                        v.get("awardees") or [], decisions)}


def register_handlers(registry: HandlerRegistry, directory: StaffDirectory | None = None,
                      register: DocumentRegister | None = None) -> HandlerRegistry:
    """The composition point web/ and the CLI call. `staff_facts` (bpmn/unit_evaluation.bpmn)
    reads the staff directory and `number_document` the document register: each is registered
    when given. The user tasks' completion checks (workflows/task_checks.py) always are."""
    registry.register("consolidate", consolidate)
    registry.register("tally_votes", tally_votes)
    registry.register("announce_results", announce_results)
    task_checks.register_checks(registry)
    if directory is not None:
        registry.register(staff_facts.TOPIC, staff_facts.make_staff_facts_handler(directory))
    if register is not None:
        registry.register(document_register.TOPIC, document_register.make_number_document_handler(register))
    return registry
