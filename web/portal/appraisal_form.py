"""`formKey="thidua:appraisal"` (bpmn/unit_evaluation.bpmn, Task_appraise): TCHCQT's page for a
unit's checked list, one row per nominee — who they are in the staff register, the eligibility
result and its reason, the achievement report read inline, what changed since a return — and
for each nominee accept (optional note) or return (required reason).

It posts `appraisals` = [{nomineeId, decision: "accept"|"return", note}]; the engine's check
(workflows/appraisal.py) judges it and Script_apply_appraisal derives `appraisal`, `returnReason`
and the return snapshot, so a REST client gets the same result as this page.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Mapping

from engine.errors import NotFoundError
from web.composition import staff_directory
from web.portal.auth import engine
from web.portal.form_rendering import error_message
from web.portal.i18n import translate
from web.portal.list_rows import MAX_TEXT, ListFormInvalid, Submission, posted_rows, text_of
from workflows.appraisal import appraisal_errors, changes_since_return
from workflows.service_record import RATING_YEARS, rated_years
from workflows.staff_directory import StaffDirectory, StaffDirectoryError
from workflows.staff_facts import campaign_end_date


@dataclass
class StaffFacts:
    """What the register says of an individual nominee, for the appraiser to read."""

    found: bool
    position: str | None = None
    started: date | None = None
    years_at_office: int | None = None
    ratings: list[tuple[int, str | None]] = field(default_factory=list)  # every year that counts
    disciplines: list = field(default_factory=list)


def staff_facts(directory: StaffDirectory | None, user_id: str | None, as_of: date | None) -> StaffFacts:
    if directory is None or not user_id:
        return StaffFacts(found=False)
    try:
        person = directory.get(user_id)
        ratings = directory.ratings(user_id)
        disciplines = directory.disciplines(user_id)
        years = directory.facts(user_id, as_of)["yearsAtOffice"] if as_of else None
    except (StaffDirectoryError, NotFoundError):
        return StaffFacts(found=False)
    # The years the eligibility rule reads (workflows/service_record.py): the full years before the
    # campaign's year in which the person had to be rated; a year without a rating is shown missing.
    counted = (rated_years(person.office_start_date, as_of.year - RATING_YEARS, as_of.year - 1) if as_of
               else sorted(ratings))
    return StaffFacts(True, person.position, person.office_start_date, years,
                      [(year, ratings.get(year)) for year in counted],
                      [d for d in disciplines if as_of is None or d.decided_on <= as_of])


class AppraisalForm:
    key = "thidua:appraisal"
    template = "portal/_form_appraisal.html"

    def __init__(self, variables: Mapping[str, Any], directory: StaffDirectory | None) -> None:
        self.checked = [n for n in variables.get("checkedNominees") or [] if isinstance(n, Mapping)]
        self.unit_name = variables.get("unitName") or variables.get("unit") or ""
        try:
            as_of = campaign_end_date(variables)
        except StaffDirectoryError:
            as_of = None
        self.as_of = as_of
        self.facts = {n.get("id"): staff_facts(directory, n.get("userId"), as_of)
                      for n in self.checked if n.get("kind") == "individual"}
        # Since the last return: what the unit changed, whom it removed, and why each was returned.
        self.changes = changes_since_return(variables.get("returnedNominees"), self.checked)
        self.after_return = bool(variables.get("returnedNominees"))

    def initial(self, variables: Mapping[str, Any]) -> Submission:
        before = {a.get("nomineeId"): a for a in variables.get("appraisals") or [] if isinstance(a, Mapping)}
        return Submission([{"decision": text_of(before.get(n.get("id"), {}).get("decision")),
                            "note": text_of(before.get(n.get("id"), {}).get("note"))} for n in self.checked])

    def parse(self, posted: Mapping[str, str]) -> Submission:
        rows = posted_rows(posted, "appraisals")
        return Submission([{"decision": text_of(row.get("decision")), "note": text_of(row.get("note"))}
                           for row in rows])

    def variables(self, submission: Submission) -> dict[str, Any]:
        if len(submission.rows) != len(self.checked):
            # Rows are matched to nominees by position: a page older than the list is refused.
            raise ListFormInvalid({"appraisals": translate("appraisal.error.rows")})
        errors: dict[str, str] = {}
        appraisals = []
        for index, (nominee, row) in enumerate(zip(self.checked, submission.rows)):
            note = row["note"] or None
            if note and len(note) > MAX_TEXT:
                errors[f"appraisals-{index}-note"] = translate("form.error.maxlength", maxlength=MAX_TEXT)
            appraisals.append({"nomineeId": nominee.get("id"), "decision": row["decision"] or None, "note": note})
        for error in appraisal_errors(appraisals, self.checked):
            errors.setdefault(error.field, error_message(error))
        if errors:
            raise ListFormInvalid(errors)
        return {"appraisals": appraisals}


def appraisal_form(variables: Mapping[str, Any]) -> AppraisalForm:
    """The page's form for the current request's engine (its staff register)."""
    return AppraisalForm(variables, staff_directory(engine()))
