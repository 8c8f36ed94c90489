"""Service-task handlers of the campaign processes, registered with the engine by topic.

The logic lives in workflows/campaign_rules.py (pure functions); a handler only reads the
process variables it needs and returns the ones to set.
"""
from __future__ import annotations

from functools import partial

from engine import HandlerRegistry
from engine.handlers import ServiceTaskContext

from workflows import campaign_rules, date_rules, decisions, document_register, staff_facts, task_checks, vote_checks
from workflows.award_register import AwardRegister
from workflows import appraisal
from workflows.council import TOPIC as COUNCIL_ROSTER, Council, make_roster_handler
from workflows.document_register import DocumentRegister
from workflows.documents import issuing
from workflows.documents.store import DocumentStore
from workflows.staff_directory import StaffDirectory


def consolidate(ctx: ServiceTaskContext) -> dict:
    """Tổng hợp danh sách đề nghị: `unitResults` → `candidates` (and `notEligible`)."""
    return campaign_rules.consolidate(ctx.variables.get("unitResults") or [])


def tally_votes(ctx: ServiceTaskContext) -> dict:
    """Tính kết quả biểu quyết: `candidates`, `votes`, `present`, the meeting's rule (`meetingRule`,
    else `passRule`) → `quorumReached`, `awardees`, `rejected`, and the awardees by who decides
    (`chiefAwardees`, `chairmanAwardees`)."""
    variables = ctx.variables
    result = campaign_rules.tally(variables.get("candidates") or [], variables.get("votes") or [],
                                  variables.get("present"), vote_checks.rule_of(variables))
    return {**result, **decisions.by_authority(result["awardees"])}


def announce_results(ctx: ServiceTaskContext, awards: AwardRegister | None = None) -> dict:
    """Thông báo kết quả: what was awarded (`awarded`, each with its decision), what the Chairman
    did not award (`notAwarded`), and the `announcement`; each award goes into the register of
    commendations (`awards`) under the campaign's business key."""
    v = ctx.variables
    results = decisions.final_results(v.get("awardees") or [], (v.get("decisionNumber"), v.get("decisionDate")),
                                      v.get("chairmanDecisions") or [])
    text = campaign_rules.announcement(v.get("campaignName", ""), v.get("planNumber", ""), results["awarded"])
    if awards is not None:  # a retried task writes nothing twice (the register's unique key)
        awards.record(results["awarded"], ctx.business_key or ctx.instance_id, v.get("campaignName"))
    return {**results, "announcement": text}


def register_checks(registry: HandlerRegistry) -> HandlerRegistry:
    """The completion checks the campaign's user tasks name (camunda:property `check`)."""
    checks = {**task_checks.CHECKS, **appraisal.CHECKS, **decisions.CHECKS, **vote_checks.CHECKS,
              "dates": date_rules.check_dates}
    for name, check in checks.items():
        registry.register_check(name, check)
    return registry


def register_handlers(registry: HandlerRegistry, directory: StaffDirectory | None = None,
                      register: DocumentRegister | None = None, awards: AwardRegister | None = None,
                      council: Council | None = None, documents: DocumentStore | None = None) -> HandlerRegistry:
    """The composition point web/ and the CLI call. `staff_facts` (bpmn/unit_evaluation.bpmn)
    reads the staff directory; `issue_document` (and the older `number_document`) the document
    register, storing into `documents` (default: a store on the register's database): each is
    registered when given; `announce_results` records the awards in `awards` when given. The user
    tasks' completion checks (workflows/task_checks.py) and the deployment checks of the
    `documents` and `documentKind` properties always are."""
    registry.register("consolidate", consolidate)
    registry.register("tally_votes", tally_votes)
    registry.register("announce_results", partial(announce_results, awards=awards))
    register_checks(registry)
    issuing.register_property_checks(registry)
    if directory is not None:
        registry.register(staff_facts.TOPIC, staff_facts.make_staff_facts_handler(directory))
    if register is not None:
        registry.register(document_register.TOPIC, document_register.make_number_document_handler(register))
        registry.register(issuing.TOPIC, issuing.make_issue_document_handler(documents or DocumentStore(register.db),
                                                                             register))
    if council is not None:
        registry.register(COUNCIL_ROSTER, make_roster_handler(council))
    return registry
