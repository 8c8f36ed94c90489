"""A nominee's own nominations, as the person page shows them to that person: the achievement
report, where it stands and the final result, read from the engine's instances and variables.

The unit's instance (bpmn/unit_evaluation.bpmn) holds the nominations (`nominees`, and
`checkedNominees` with the eligibility result and the report); the campaign that called it holds
the results by candidate id "<unit>:<nominee id>" (`awarded`, `notAwarded`, `rejected`,
`notEligible`). The status is read from that data and from the open tasks, not from element ids,
so a redrawn diagram keeps the page right:

- `decided`: the campaign has a result for the nomination (awarded, or not with its reason);
- `to_write`: the person holds an open task of the unit's instance (the report to write);
- `returned`: the appraiser returned the dossier and the unit has not resubmitted;
- `appraisal`: the unit submitted (TCHCQT appraises) or its instance ended (the council decides);
- `written`: the report is written, the unit has not submitted yet.
"""
from __future__ import annotations

from typing import Any, Mapping

from engine.errors import NotFoundError
from engine.runtime import Involvement, InstanceQuery
from engine.tasks import TaskQuery
from workflows.campaign_rules import COUNCIL_ROUTES

# The campaign's result lists, and whether a nominee in them was awarded.
RESULT_LISTS = (("awarded", True), ("notAwarded", False), ("rejected", False), ("notEligible", False))
APPRAISER_GROUP = "tchcqt"


def _entries(variables: Mapping[str, Any], user_id: str) -> list[dict]:
    """The person's nominations in a unit's instance: the checked entry when there is one (it has
    the eligibility result and the report), the proposed entry otherwise."""
    def mine(key):
        return [dict(n) for n in variables.get(key) or []
                if isinstance(n, Mapping) and n.get("kind") == "individual" and n.get("userId") == user_id]

    checked = {n.get("id"): n for n in mine("checkedNominees")}
    proposed = mine("nominees")
    found = [{**n, **checked.pop(n.get("id"), {})} for n in proposed]
    return found + list(checked.values())


def _result(campaign_variables: Mapping[str, Any], candidate_id: str) -> dict | None:
    for key, awarded in RESULT_LISTS:
        for entry in campaign_variables.get(key) or []:
            if isinstance(entry, Mapping) and entry.get("nomineeId") == candidate_id:
                return {"awarded": awarded, "list": key, "award": entry.get("award"),
                        "decisionNumber": entry.get("decisionNumber"), "decisionDate": entry.get("decisionDate"),
                        "reason": entry.get("reason")}
    return None


def _returned(variables: Mapping[str, Any], entry: Mapping[str, Any]) -> str | None:
    """The return reason when the dossier (or this nomination) stands returned, else None."""
    if entry.get("appraisal") == "return":
        return entry.get("returnReason") or entry.get("appraisalNote") or ""
    if variables.get("appraisal") != "return":
        return None
    # TCHCQT decides nominee by nominee: the unit's dossier goes back when anyone is returned, but
    # this person is told only their own reason (workflows/appraisal.py keeps the snapshot).
    mine = next((n for n in variables.get("returnedNominees") or [] if n.get("id") == entry.get("id")), None)
    if mine is None:
        return variables.get("returnReason") or ""
    return mine.get("appraisalNote") or "" if mine.get("appraisalDecision") == "return" else None


def _status(instance, variables, entry, tasks, user_id: str) -> tuple[str, str | None]:
    # Blocked or not eligible: not sent to the council, so no report is asked for.
    if entry.get("route") and entry["route"] not in COUNCIL_ROUTES:
        return "not_considered", None
    if not entry.get("achievementReport") and any(t.assignee == user_id for t in tasks):
        return "to_write", None
    reason = _returned(variables, entry)
    if reason is not None:
        return "returned", reason
    if instance.status == "completed" or any(APPRAISER_GROUP in t.candidate_groups for t in tasks):
        return "appraisal", None
    return ("written" if entry.get("achievementReport") else "to_write"), None


def own_nominations(engine, principal) -> list[dict]:
    """Every nomination of the signed-in person, newest campaign first."""
    runtime = engine.runtime
    involvement = Involvement(principal.user_id, principal.groups, principal.unit)
    instances = runtime.list_instances(InstanceQuery(involving=involvement, limit=None))
    found = []
    for instance in sorted(instances, key=lambda i: i.started_at, reverse=True):
        variables = runtime.get_variables(instance.id)
        entries = _entries(variables, principal.user_id)
        if not entries:
            continue
        campaign = _campaign_variables(runtime, instance)
        tasks = engine.tasks.list(TaskQuery(instance_id=instance.id, limit=None))
        for entry in entries:
            unit = variables.get("unit") or instance.unit
            result = _result(campaign, f"{unit}:{entry.get('id')}")
            status, reason = ("decided", None) if result else _status(instance, variables, entry, tasks,
                                                                        principal.user_id)
            found.append({"instance": instance, "campaignName": variables.get("campaignName") or instance.business_key,
                          "award": entry.get("award"), "report": entry.get("achievementReport"),
                          "eligibility": entry.get("reason") if entry.get("eligible") is False else None,
                          "status": status, "returnReason": reason, "result": result})
    return found


def _campaign_variables(runtime, instance) -> Mapping[str, Any]:
    if not instance.parent_instance_id:
        return {}
    try:
        return runtime.get_variables(instance.parent_instance_id)
    except NotFoundError:
        return {}
