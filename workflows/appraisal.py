"""TCHCQT's appraisal of a unit's dossier, nominee by nominee (bpmn/unit_evaluation.bpmn,
Task_appraise with `formKey="thidua:appraisal"`), and the unit's correction after a return.

Variable shapes:
- appraisals: [{nomineeId, decision: "accept"|"return", note}], one per entry of `checkedNominees`
  (nomineeId is the nominee's `id`); a return's note is its reason and is required.
- Script_apply_appraisal then sets `appraisal` ("return" if anyone is returned), `returnReason`
  ("Name: reason" lines), and on a return `returnedNominees` (the checked list at the return,
  each entry with appraisalDecision and appraisalNote); on acceptance each checked nominee gets
  `appraisalNote` (the accept note or None).
- rewriteReports: [nomineeId] on the correction task: individuals whose kept report is dropped,
  so they are asked to write it again.

The checks run in the engine, so a REST client is refused exactly as the portal is.
"""
from __future__ import annotations

from typing import Any, Mapping

from engine.handlers import TaskCheckContext
from workflows.task_checks import field_error, refuse_if

DECISIONS = ("accept", "return")
MAX_NOTE = 4000

# code -> (Vietnamese, English); the portal shows `form.error.<code>` from its catalog instead.
MESSAGES = {
    "appraisals_list": ("Kết quả thẩm định phải là danh sách, mỗi đề nghị một dòng.",
                        "The appraisal must be a list with one entry per nominee."),
    "appraisal_missing": ("Chưa thẩm định {name}: chọn chấp nhận hoặc trả lại.",
                          "{name} is not appraised yet: accept or return."),
    "appraisal_unknown": ("Đề nghị {nominee} không có trong danh sách của đơn vị.",
                          "{nominee} is not on the unit's list."),
    "appraisal_twice": ("{name} được thẩm định hai lần.", "{name} is appraised twice."),
    "appraisal_decision": ("Kết quả thẩm định của {name} phải là chấp nhận hoặc trả lại.",
                           "The decision on {name} must be accept or return."),
    "appraisal_reason": ("Ghi lý do trả lại đề nghị của {name}, để đơn vị biết cần sửa gì.",
                         "Give the reason for returning {name}, so the unit knows what to correct."),
    "appraisal_note": ("Ghi chú thẩm định phải là văn bản không quá {limit} ký tự.",
                       "The appraisal note must be a text of at most {limit} characters."),
    "rewrite_list": ("Danh sách viết lại báo cáo phải là danh sách mã đề nghị.",
                     "The reports to rewrite must be a list of nominee ids."),
    "rewrite_not_individual": ("Chỉ cá nhân có trong danh sách mới viết lại báo cáo thành tích ({nominee}).",
                               "Only an individual on the list writes an achievement report again ({nominee})."),
}


def _error(field: str, code: str, **params: Any):
    return field_error(field, code, MESSAGES, **params)


def _blank(value: Any) -> bool:
    return not isinstance(value, str) or not value.strip()


def appraisal_errors(appraisals: Any, checked: list[Mapping[str, Any]]) -> list:
    """What is wrong with TCHCQT's decisions on a unit's checked list. Errors on a nominee are
    keyed by the nominee's row on the page ("appraisals-2-note"); rows count from 0."""
    if not isinstance(appraisals, list) or not all(isinstance(a, Mapping) for a in appraisals):
        return [_error("appraisals", "appraisals_list")]
    row_of = {c.get("id"): index for index, c in enumerate(checked)}
    name_of = {c.get("id"): c.get("fullName") or c.get("id") for c in checked}
    errors, seen = [], set()
    for entry in appraisals:
        nominee = entry.get("nomineeId")
        if not isinstance(nominee, str) or nominee not in row_of:
            errors.append(_error("appraisals", "appraisal_unknown", nominee=str(nominee)))
            continue
        where, name = f"appraisals-{row_of[nominee]}-", name_of[nominee]
        if nominee in seen:
            errors.append(_error(where + "decision", "appraisal_twice", name=name))
            continue
        seen.add(nominee)
        decision, note = entry.get("decision"), entry.get("note")
        if decision is None:
            errors.append(_error(where + "decision", "appraisal_missing", name=name))
        elif decision not in DECISIONS:
            errors.append(_error(where + "decision", "appraisal_decision", name=name))
        if note is not None and (not isinstance(note, str) or len(note) > MAX_NOTE):
            errors.append(_error(where + "note", "appraisal_note", limit=MAX_NOTE))
        elif decision == "return" and _blank(note):
            errors.append(_error(where + "note", "appraisal_reason", name=name))
    for nominee, row in row_of.items():
        if nominee not in seen and not any(e.field.startswith(f"appraisals-{row}-") for e in errors):
            errors.append(_error(f"appraisals-{row}-decision", "appraisal_missing", name=name_of[nominee]))
    return errors


def check_appraisal(ctx: TaskCheckContext) -> None:
    """Every nominee of the checked list decided once, a return with its reason."""
    refuse_if(appraisal_errors(ctx.values.get("appraisals"), list(ctx.variables.get("checkedNominees") or [])))


def rewrite_errors(rewrite: Any, nominees: Any) -> list:
    if rewrite is None:
        return []
    if not isinstance(rewrite, list) or not all(isinstance(r, str) for r in rewrite):
        return [_error("rewriteReports", "rewrite_list")]
    individuals = {n.get("id") for n in nominees or [] if isinstance(n, Mapping) and n.get("kind") == "individual"}
    return [_error("rewriteReports", "rewrite_not_individual", nominee=r) for r in rewrite if r not in individuals]


def check_rewrite_reports(ctx: TaskCheckContext) -> None:
    """A report is re-opened only for an individual still on the corrected list."""
    nominees = ctx.values.get("nominees", ctx.variables.get("nominees"))
    refuse_if(rewrite_errors(ctx.values.get("rewriteReports"), nominees))


# Registered by workflows/handlers.register_checks; "appraisal" replaces the former whole-unit
# check of workflows/task_checks.py, which judged one decision for the whole list.
CHECKS = {"appraisal": check_appraisal, "rewrite_reports": check_rewrite_reports}


def decisions(checked: list[Mapping[str, Any]], returns: Mapping[str, str] | None = None,
              notes: Mapping[str, str] | None = None) -> dict[str, list[dict]]:
    """The `appraisals` submission for a checked list: each nominee accepted unless `returns`
    gives a reason for its id; `notes` are accept notes. For clients and scripts."""
    returns, notes = returns or {}, notes or {}
    return {"appraisals": [{"nomineeId": c["id"], "decision": "return" if c["id"] in returns else "accept",
                            "note": returns.get(c["id"], notes.get(c["id"]))} for c in checked]}


def changes_since_return(returned: list[Mapping[str, Any]] | None,
                         current: list[Mapping[str, Any]]) -> dict[str, Any]:
    """What the unit changed since TCHCQT returned its list: by nominee id, the changes of each
    nominee still on the list ("new", "award", "report", "achievements"), and the removed ones."""
    if not returned:
        return {"byId": {}, "removed": [], "returned": {}}
    before = {n.get("id"): n for n in returned}
    by_id: dict[str, list[dict]] = {}
    for nominee in current:
        old = before.get(nominee.get("id"))
        if old is None:
            by_id[nominee.get("id")] = [{"what": "new"}]
            continue
        changes = []
        if old.get("award") != nominee.get("award"):
            changes.append({"what": "award", "old": old.get("award"), "new": nominee.get("award")})
        if (old.get("achievementReport") or None) != (nominee.get("achievementReport") or None):
            changes.append({"what": "report"})
        if (old.get("achievements") or None) != (nominee.get("achievements") or None):
            changes.append({"what": "achievements"})
        by_id[nominee.get("id")] = changes
    ids = {n.get("id") for n in current}
    removed = [dict(n) for n in returned if n.get("id") not in ids]
    reasons = {n.get("id"): n.get("appraisalNote") for n in returned if n.get("appraisalDecision") == "return"}
    return {"byId": by_id, "removed": removed, "returned": reasons}
