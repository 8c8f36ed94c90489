"""Collectives (tập thể) on a unit's nominee list, judged on the campaign's collective criteria.

The criteria are campaign data, not code: the campaign starts with `collectiveCriteria`
([{id, text}], the plan's section IV.1) and bpmn/campaign.bpmn passes them to every unit's
instance, so next year's campaign brings its own without a release. A campaign without them
judges its collectives without a checklist: a collective then carries no criteria.

A unit may propose itself (id `nom-<unit>`) and any of its sub-teams (`nom-<unit>-<slug of the
name>`, e.g. "Tổ Quản trị mạng" → `nom-tong_hop-to-quan-tri-mang`), each at most once: the id is
made from the name, folded like search folds it, so the same team typed twice, or typed with
other tones or capitals, is the same collective. Ids stay stable because the council's candidate
id is "unit:id".

A collective must meet every criterion, each with its evidence, to be proposed: one that does
not is refused by the `nominees` / `correction` completion checks, naming the criterion, so an
unqualified collective never reaches the appraisal or the council (the eligibility table, which
another part owns, does not read criteria).
"""
from __future__ import annotations

import re
from typing import Any, Mapping

from engine.forms import FieldError
from workflows.vietnamese import fold, nfc

MAX_NAME = 200
MAX_EVIDENCE = 4000

# code -> (Vietnamese, English); {placeholders} come from the error's params.
MESSAGES = {
    "collective_name": ("Vui lòng nhập tên tập thể (chữ và số, tối đa {maxlength} ký tự).",
                        "Give the collective's name (letters and digits, at most {maxlength} characters)."),
    "collective_of": ("Tập thể phải thuộc đơn vị {unit}.", "The collective must belong to the unit {unit}."),
    "collective_id": ("Mã của tập thể {name} phải là {expected}.", "The id of the collective {name} must be {expected}."),
    "criteria_campaign": ("Tiêu chí tập thể của đợt thi đua không hợp lệ (cần danh sách mã và nội dung); "
                          "báo người thiết kế quy trình.",
                          "The campaign's collective criteria are malformed (a list of ids and texts is "
                          "needed); tell the process designer."),
    "criteria_none": ("Đợt thi đua không có tiêu chí tập thể: tập thể được xét không theo danh sách tiêu chí, "
                      "không gửi kèm tiêu chí.",
                      "The campaign has no collective criteria: collectives are judged without a checklist, "
                      "send no criteria."),
    "criteria_list": ("Cần đánh giá từng tiêu chí tập thể của đợt thi đua, mỗi tiêu chí một lần.",
                      "Assess each collective criterion of the campaign, once each."),
    "criterion_unknown": ("Tiêu chí {id} không phải tiêu chí tập thể của đợt thi đua (hoặc nội dung đã bị sửa).",
                          "{id} is not a collective criterion of the campaign (or its text was changed)."),
    "criterion_missing": ("Chưa đánh giá tiêu chí “{criterion}”.", "The criterion “{criterion}” is not assessed."),
    "criterion_met": ("Ghi rõ tập thể đạt hay chưa đạt tiêu chí “{criterion}”.",
                      "Say whether the collective meets the criterion “{criterion}”."),
    "criterion_not_met": ("{name} chưa đạt tiêu chí “{criterion}”: tập thể chưa đạt đủ các tiêu chí "
                          "thì không đề nghị khen thưởng.",
                          "{name} does not meet the criterion “{criterion}”: a collective that does not meet "
                          "every criterion is not proposed."),
    "criterion_evidence": ("Nêu minh chứng cho tiêu chí “{criterion}” (tối đa {maxlength} ký tự).",
                           "Give the evidence for the criterion “{criterion}” (at most {maxlength} characters)."),
}


def _error(field: str, code: str, **params: Any) -> FieldError:
    vi, en = MESSAGES[code]
    return FieldError(field, code, f"{vi.format(**params)} / {en.format(**params)}", params)


def slug(name: str) -> str:
    """"Tổ Quản trị mạng" → "to-quan-tri-mang": tones folded, đ → d, anything else a hyphen."""
    return re.sub(r"[^a-z0-9]+", "-", fold(nfc(name))).strip("-")


def collective_id(unit: str, unit_name: str, name: str) -> str:
    """The unit itself is `nom-<unit>`; a sub-team is `nom-<unit>-<slug>`."""
    if not name or slug(name) == slug(unit_name or ""):
        return f"nom-{unit}"
    return f"nom-{unit}-{slug(name)}"


def campaign_criteria(value: Any) -> list[dict] | None:
    """The campaign's criteria as [{id, text}] (NFC); [] when the campaign has none; None when
    the variable is malformed (not a list of distinct non-empty ids with their texts)."""
    if value is None:
        return []
    if not isinstance(value, list):
        return None
    criteria = []
    for entry in value:
        if not isinstance(entry, Mapping):
            return None
        criterion_id, text = entry.get("id"), entry.get("text")
        if not isinstance(criterion_id, str) or not criterion_id.strip() or not isinstance(text, str) or not text.strip():
            return None
        criteria.append({"id": criterion_id, "text": nfc(text.strip())})
    if len({c["id"] for c in criteria}) != len(criteria):
        return None
    return criteria


def _words(text: Any) -> str:
    """A criterion's text as compared: NFC, whitespace as single spaces (a page may rewrap it)."""
    return " ".join(nfc(text).split()) if isinstance(text, str) else ""


def short(text: str, limit: int = 90) -> str:
    """A criterion named in a message: its text, cut at a word when long."""
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


def criteria_errors(where: str, nominee: Mapping[str, Any], criteria: list[dict]) -> list[FieldError]:
    """A collective's checklist against the campaign's criteria. Fields: `<where>met_<k>` and
    `<where>evidence_<k>`, k the criterion's place in the campaign's list (the form's inputs)."""
    given = nominee.get("criteria")
    if not criteria:
        return [] if given in (None, []) else [_error(where + "criteria", "criteria_none")]
    if not isinstance(given, list) or not all(isinstance(c, Mapping) for c in given):
        return [_error(where + "criteria", "criteria_list")]
    known = {c["id"]: c["text"] for c in criteria}
    errors, by_id = [], {}
    for entry in given:
        criterion_id = entry.get("id")
        if not isinstance(criterion_id, str) or criterion_id not in known \
                or _words(entry.get("text")) != _words(known[criterion_id]):
            errors.append(_error(where + "criteria", "criterion_unknown", id=str(criterion_id)))
        elif criterion_id in by_id:
            errors.append(_error(where + "criteria", "criteria_list"))
        else:
            by_id[criterion_id] = entry
    name = nominee.get("fullName") or ""
    for k, criterion in enumerate(criteria):
        entry, label = by_id.get(criterion["id"]), short(criterion["text"])
        evidence = entry.get("evidence") if entry else None
        if entry is None:
            errors.append(_error(f"{where}met_{k}", "criterion_missing", criterion=label))
        elif not isinstance(entry.get("met"), bool):
            errors.append(_error(f"{where}met_{k}", "criterion_met", criterion=label))
        elif not entry["met"]:
            errors.append(_error(f"{where}met_{k}", "criterion_not_met", name=name, criterion=label))
        elif not isinstance(evidence, str) or not evidence.strip() or len(evidence) > MAX_EVIDENCE:
            errors.append(_error(f"{where}evidence_{k}", "criterion_evidence", criterion=label, maxlength=MAX_EVIDENCE))
    return errors


def collective_errors(index: int, nominee: Mapping[str, Any], campaign: Mapping[str, Any]) -> list[FieldError]:
    """What is wrong with one collective row, given the unit's instance variables (`unit`,
    `unitName`, `collectiveCriteria`). Duplicates are the list's check (workflows/task_checks.py)."""
    where = f"nominees-{index}-"
    name, unit = nominee.get("fullName"), campaign.get("unit")
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME or not slug(name):
        return [_error(where + "name", "collective_name", maxlength=MAX_NAME)]
    errors = []
    if unit:
        expected = collective_id(unit, campaign.get("unitName") or "", name)
        # collectiveOf may be left out by API clients: the unit's own instance says whose it is.
        if nominee.get("collectiveOf", unit) != unit:
            errors.append(_error(where + "name", "collective_of", unit=unit))
        elif nominee.get("id") != expected:
            errors.append(_error(where + "name", "collective_id", name=name, expected=expected))
    criteria = campaign_criteria(campaign.get("collectiveCriteria"))
    if criteria is None:
        return errors + [_error(where + "criteria", "criteria_campaign")]
    return errors + criteria_errors(where, nominee, criteria)
