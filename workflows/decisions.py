"""The deciders' decisions after the council's vote (bpmn/campaign.bpmn): who decides which award,
the Chairman's decision recorded per nominee, and what was finally awarded.

The council only proposes: a Bằng khen or Bức trướng is awarded when the Chairman's decision for
that nominee says so, in the form the Chairman chose, under that decision's number and date.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from engine.forms import FieldError
from engine.handlers import TaskCheckContext
from workflows.campaign_rules import CHIEF_AWARDS
from workflows.date_rules import compare, day_of
from workflows.task_checks import field_error, refuse_if

CHAIRMAN_AWARDS = ("bang_khen", "buc_truong")
NOT_AWARDED_REASON = "Chủ tịch UBND tỉnh không quyết định khen thưởng"

MESSAGES = {
    "decisions_list": ("Cần ghi quyết định của Chủ tịch UBND tỉnh cho từng người, tập thể được đề nghị.",
                       "Record the Chairman's decision for every nominee proposed to the Chairman."),
    "decision_unknown": ("{nominee} không có trong danh sách trình Chủ tịch UBND tỉnh.",
                         "{nominee} was not proposed to the Chairman."),
    "decision_twice": ("Quyết định cho {nominee} được ghi hai lần.", "The decision for {nominee} is given twice."),
    "decision_missing": ("Chưa ghi quyết định cho {nominee}.", "No decision recorded for {nominee}."),
    "decision_awarded": ("Vui lòng chọn có hoặc không khen thưởng.", "Choose whether the Chairman awarded."),
    "decision_award": ("Vui lòng chọn hình thức được tặng (Bằng khen hoặc Bức trướng).",
                       "Choose the award given (Bằng khen or Bức trướng)."),
    "banner_collective_only": ("Bức trướng chỉ dành cho tập thể.", "The banner is for collectives only."),
    "decision_number": ("Vui lòng nhập số quyết định.", "Enter the decision's number."),
    "decision_date": ("Vui lòng nhập ngày quyết định (dd/mm/yyyy).", "Enter the decision's date (dd/mm/yyyy)."),
}


def by_authority(awardees: Iterable[Mapping[str, Any]]) -> dict[str, list[dict]]:
    """The council's awardees split by who decides: `chiefAwardees` (the Chief of Office signs) and
    `chairmanAwardees` (proposed to the Chairman). A branch of the process runs only for its own."""
    awardees = [dict(a) for a in awardees]
    return {"chiefAwardees": [a for a in awardees if a.get("award") in CHIEF_AWARDS],
            "chairmanAwardees": [a for a in awardees if a.get("award") not in CHIEF_AWARDS]}


def _error(field: str, code: str, **params: Any) -> FieldError:
    return field_error(field, code, MESSAGES, **params)


def _row_errors(index: int, decision: Mapping[str, Any], nominee: Mapping[str, Any],
                meeting: Any) -> list[FieldError]:
    where = f"chairman-{index}-"
    awarded = decision.get("awarded")
    if not isinstance(awarded, bool):
        return [_error(where + "awarded", "decision_awarded")]
    errors = []
    if awarded:
        award = decision.get("award")
        if award not in CHAIRMAN_AWARDS:
            errors.append(_error(where + "award", "decision_award"))
        elif award == "buc_truong" and nominee.get("kind") == "individual":
            errors.append(_error(where + "award", "banner_collective_only"))
        number = decision.get("decisionNumber")
        if not isinstance(number, str) or not number.strip():
            errors.append(_error(where + "decisionNumber", "decision_number"))
    given = decision.get("decisionDate")
    if (awarded or given) and day_of(given) is None:
        errors.append(_error(where + "decisionDate", "decision_date"))
    else:
        late = compare("decisionDate", given, ">=", "meetingDate", meeting)
        if late is not None:
            errors.append(FieldError(where + "decisionDate", late.code, late.message, late.params))
    return errors


def chairman_decision_errors(decisions: Any, nominees: Iterable[Mapping[str, Any]], meeting: Any) -> list[FieldError]:
    """One decision per nominee proposed to the Chairman, each consistent, none before the meeting."""
    nominees = {n["nomineeId"]: n for n in nominees}
    if not isinstance(decisions, list) or not all(isinstance(d, Mapping) for d in decisions):
        return [_error("chairmanDecisions", "decisions_list")]
    errors, seen = [], set()
    for index, decision in enumerate(decisions):
        nominee_id = decision.get("nomineeId")
        if nominee_id not in nominees:
            errors.append(_error(f"chairman-{index}-nomineeId", "decision_unknown", nominee=nominee_id))
            continue
        name = nominees[nominee_id].get("fullName") or nominee_id
        if nominee_id in seen:
            errors.append(_error(f"chairman-{index}-nomineeId", "decision_twice", nominee=name))
            continue
        seen.add(nominee_id)
        errors += _row_errors(index, decision, nominees[nominee_id], meeting)
    errors += [_error("chairmanDecisions", "decision_missing", nominee=n.get("fullName") or i)
               for i, n in nominees.items() if i not in seen]
    return errors


def check_chairman_decisions(ctx: TaskCheckContext) -> None:
    decisions = ctx.values.get("chairmanDecisions", ctx.variables.get("chairmanDecisions"))
    refuse_if(chairman_decision_errors(decisions, ctx.variables.get("chairmanAwardees") or [],
                                       ctx.variables.get("meetingDate")))


def final_results(awardees: Iterable[Mapping[str, Any]], chief_decision: tuple[Any, Any],
                  chairman_decisions: Iterable[Mapping[str, Any]]) -> dict[str, list[dict]]:
    """`awarded`: every awardee with the award actually given and its decision's number and date;
    `notAwarded`: those the Chairman did not award, with the reason."""
    decided = {d.get("nomineeId"): d for d in chairman_decisions}
    awarded, not_awarded = [], []
    for awardee in awardees:
        if awardee.get("award") in CHIEF_AWARDS:
            number, day = chief_decision
            awarded.append({**awardee, "decisionNumber": number, "decisionDate": day})
            continue
        decision = decided.get(awardee.get("nomineeId")) or {}
        if decision.get("awarded") is True:
            awarded.append({**awardee, "award": decision["award"], "decisionNumber": decision.get("decisionNumber"),
                            "decisionDate": decision.get("decisionDate")})
        else:
            not_awarded.append({**awardee, "reason": NOT_AWARDED_REASON})
    return {"awarded": awarded, "notAwarded": not_awarded}


CHECKS = {"chairman_decisions": check_chairman_decisions}
