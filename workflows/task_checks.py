"""Completion checks of the campaign's user tasks (camunda:property `check`), registered with the
engine by name: a submission that breaks one is refused before anything is written.

Each error is keyed like the portal's inputs ("returnReason", "nominees-1-userId") and carries a
code the portal translates (`form.error.<code>` in web/portal/translations); its message says the
same in Vietnamese, then English, for clients of the REST API.
"""
from __future__ import annotations

from typing import Any, Mapping

from engine.forms import FieldError, FormValidationError
from engine.handlers import TaskCheckContext
from workflows.collectives import collective_errors

AWARDS = ("bang_khen", "giay_khen", "buc_truong")
KINDS = ("individual", "collective")

# code -> (Vietnamese, English); {placeholders} come from the error's params.
MESSAGES = {
    "correction_note": ("Vui lòng ghi nội dung đã chỉnh sửa, bổ sung.",
                        "Say what was corrected or added."),
    "nominee_list": ("Danh sách đề nghị phải là một danh sách các đề nghị.",
                     "The nominees must be a list of nominations."),
    "nominee_kind": ("Đối tượng phải là cá nhân hoặc tập thể.", "The nominee must be an individual or a collective."),
    "nominee_award": ("Hình thức khen thưởng không hợp lệ.", "This is not an award form."),
    "banner_collective_only": ("Bức trướng chỉ dành cho tập thể.", "The banner is for collectives only."),
    "nominee_twice": ("{name} đã có trong danh sách (dòng {first}).", "{name} is already on the list (row {first})."),
}


def field_error(field: str, code: str, messages: Mapping[str, tuple[str, str]] = MESSAGES, **params: Any) -> FieldError:
    vi, en = messages[code]
    return FieldError(field, code, f"{vi.format(**params)} / {en.format(**params)}", params)


def refuse_if(errors: list[FieldError]) -> None:
    if errors:
        raise FormValidationError(errors)


def _blank(value: Any) -> bool:
    return not isinstance(value, str) or not value.strip()


# --- nominations and their correction (bpmn/unit_evaluation.bpmn); the appraisal's checks are
# in workflows/appraisal.py --------------------------------------------------------------------

def _key(value: Any) -> Any:
    """A value sent by an API client, usable as a dict key whatever its JSON type."""
    return value if value is None or isinstance(value, (str, int)) else repr(value)


def nominee_errors(nominees: Any, campaign: Mapping[str, Any] | None = None) -> list[FieldError]:
    """What is wrong with a unit's list whatever form sent it: kinds, award forms, the same
    person or the same collective twice, and, given the unit's instance variables (`campaign`),
    each collective against the campaign's criteria (workflows/collectives.py). Row numbers in
    messages count from 1."""
    if not isinstance(nominees, list) or not all(isinstance(n, Mapping) for n in nominees):
        return [field_error("nominees", "nominee_list")]
    errors, first_row = [], {}
    for index, nominee in enumerate(nominees):
        where = f"nominees-{index}-"
        kind, award = nominee.get("kind"), nominee.get("award")
        if kind not in KINDS:
            errors.append(field_error(where + "kind", "nominee_kind"))
        if award not in AWARDS:
            errors.append(field_error(where + "award", "nominee_award"))
        elif award == "buc_truong" and kind == "individual":
            errors.append(field_error(where + "award", "banner_collective_only"))
        # A unit proposes itself and each of its sub-teams at most once, as each person once.
        collective = kind == "collective"
        if collective and campaign is not None:
            errors.extend(collective_errors(index, nominee, campaign))
        # Ids must be unique too: the council knows a nominee as "unit:id".
        keys = [("id", _key(nominee.get("id")))]
        if not collective:
            keys.append(("user", _key(nominee.get("userId") or nominee.get("id"))))
        seen = next((first_row[key] for key in keys if key in first_row), None)
        if seen is not None:
            errors.append(field_error(where + ("name" if collective else "userId"), "nominee_twice",
                                      name=nominee.get("fullName") or nominee.get("id"), first=seen + 1))
        for key in keys:
            first_row.setdefault(key, index)
    return errors


def check_nominees(ctx: TaskCheckContext) -> None:
    refuse_if(nominee_errors(ctx.values.get("nominees"), ctx.variables))


def check_correction(ctx: TaskCheckContext) -> None:
    """The unit says what it corrected, and the corrected list obeys the rules of the first one."""
    errors = [] if not _blank(ctx.values.get("correctionNote")) else [field_error("correctionNote", "correction_note")]
    refuse_if(errors + nominee_errors(ctx.values.get("nominees", ctx.variables.get("nominees")), ctx.variables))


CHECKS = {
    "nominees": check_nominees,
    "correction": check_correction,
}
