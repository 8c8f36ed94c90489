"""The campaign's list forms: `formKey="thidua:nominees"` (a unit's nominees), `"thidua:correction"`
(the same list returned by TCHCQT, with its reason), `"thidua:votes"` (the council's meeting,
web/portal/votes_form.py), `"thidua:chairman"` (web/portal/decision_form.py), `"thidua:council_list"`
(web/portal/council_list_form.py) and the deciders' lists (web/portal/awardees_form.py),
drawn as editable tables and checked here before the engine (and its completion checks) sees them.

Variable shapes (bpmn/unit_evaluation.bpmn, bpmn/campaign.bpmn, workflows/campaign_rules.py):
- nominees: [{id, kind: individual|collective, userId, fullName, award, achievements}], unitResults;
  a collective also has collectiveOf (the unit) and criteria [{id, text, met, evidence}]
  (web/portal/collective_rows.py, workflows/collectives.py);
- votes: [{nomineeId, for, against, abstain}], present, meetingDate; one vote per entry of `candidates`.
Errors are keyed like the inputs ("nominees-0-userId", "present") and already translated.
"""
from __future__ import annotations

from typing import Any, Mapping

from workflows.vietnamese import person_sort_key
from web.portal.appraisal_form import AppraisalForm, appraisal_form
from web.portal.awardees_form import LISTS as AWARDEE_LISTS, AwardeesForm
from web.portal.council_list_form import CouncilListForm
from web.portal.decision_form import ChairmanForm
from web.portal.form_rendering import error_message
from web.portal.i18n import translate
from web.portal.collective_rows import checklist, collective_nominee, initial_row, parse_row, posted_criteria
from web.portal.list_rows import MAX_TEXT, ListFormInvalid, Submission, iso_day, posted_rows, text_of, vn_day
from workflows.collectives import campaign_criteria
from workflows.appraisal import rewrite_errors
from web.portal.votes_form import VotesForm, votes_form
from workflows.task_checks import nominee_errors

# --- nominees ---------------------------------------------------------------------------------

class NomineesForm:
    key = "thidua:nominees"
    template = "portal/_form_nominees.html"

    def __init__(self, people: list, unit: str | None, unit_name: str | None) -> None:
        # Only the unit's own people may be proposed by the unit.
        self.people = sorted(people, key=lambda u: person_sort_key(u.display_name))
        self.names = {u.id: u.display_name for u in self.people}
        self.unit, self.unit_name = unit, unit_name or unit or ""
        self.criteria: list[dict] = []  # the collective criteria the posted page carried

    def initial(self, variables: Mapping[str, Any]) -> Submission:
        rows = [initial_row(n) for n in variables.get("nominees") or []]
        return Submission(rows, {"unitResults": text_of(variables.get("unitResults"))})

    def parse(self, posted: Mapping[str, str]) -> Submission:
        self.criteria = posted_criteria(posted)
        rows = [parse_row(row, self.criteria) for row in posted_rows(posted, "nominees")]
        return Submission(rows, {"unitResults": text_of(posted.get("unitResults"))})

    @staticmethod
    def criteria_of(variables: Mapping[str, Any]) -> list[dict]:
        """The campaign's collective criteria the page asks about ([] when it has none)."""
        return campaign_criteria(variables.get("collectiveCriteria")) or []

    @staticmethod
    def checklist(row: Mapping[str, Any], criteria: list[dict]) -> list[dict]:
        return checklist(row, criteria)

    def variables(self, submission: Submission) -> dict[str, Any]:
        errors: dict[str, str] = {}
        unit_results = submission.fields["unitResults"]
        if not unit_results:
            errors["unitResults"] = translate("form.error.required")
        elif len(unit_results) > MAX_TEXT:
            errors["unitResults"] = translate("form.error.maxlength", maxlength=MAX_TEXT)
        nominees = []
        for index, row in enumerate(submission.rows):
            where = f"nominees-{index}-"
            kind, user_id, award, achievements = row["kind"], row["userId"], row["award"], row["achievements"]
            if not achievements:
                errors[where + "achievements"] = translate("form.error.required")
            elif len(achievements) > MAX_TEXT:
                errors[where + "achievements"] = translate("form.error.maxlength", maxlength=MAX_TEXT)
            if kind == "individual":
                if user_id not in self.names:
                    errors[where + "userId"] = translate("list.error.not_in_unit")
                nominee_id, full_name = f"nom-{user_id}", self.names.get(user_id, "")
            else:
                nominees.append({**collective_nominee(row, self.unit, self.unit_name), "kind": kind})
                continue
            nominees.append({"id": nominee_id, "kind": kind, "userId": user_id, "fullName": full_name,
                             "award": award, "achievements": achievements})
        # The list's own rules are the completion check's (workflows/task_checks.py), shown inline;
        # the engine's check holds the collectives to the instance's own criteria again.
        campaign = {"unit": self.unit, "unitName": self.unit_name, "collectiveCriteria": self.criteria}
        for error in nominee_errors(nominees, campaign):
            errors.setdefault(error.field, error_message(error))
        if errors:
            raise ListFormInvalid(errors)
        return {"nominees": nominees, "unitResults": unit_results}


class CorrectionForm(NomineesForm):
    """`formKey="thidua:correction"`: the returned list, editable, under TCHCQT's reason, and
    what the unit corrected."""

    key = "thidua:correction"
    template = "portal/_form_correction.html"

    def __init__(self, people: list, unit: str | None, unit_name: str | None, return_reason: str | None,
                 returned: list | None = None) -> None:
        super().__init__(people, unit, unit_name)
        self.return_reason = return_reason or ""
        # The list as TCHCQT returned it (workflows/appraisal.py): each returned nominee's reason,
        # and the individuals whose kept report the unit may re-open (rewriteReports).
        returned = [n for n in returned or [] if isinstance(n, Mapping)]
        self.returned = [n for n in returned if n.get("appraisalDecision") == "return"]
        self.reports = [n for n in returned if n.get("kind") == "individual" and n.get("achievementReport")]

    def initial(self, variables: Mapping[str, Any]) -> Submission:
        submission = super().initial(variables)
        submission.fields["correctionNote"] = text_of(variables.get("correctionNote"))
        submission.fields["rewriteReports"] = list(variables.get("rewriteReports") or [])
        return submission

    def parse(self, posted: Mapping[str, str]) -> Submission:
        submission = super().parse(posted)
        submission.fields["correctionNote"] = text_of(posted.get("correctionNote"))
        ticked = posted.getlist("rewriteReports") if hasattr(posted, "getlist") else []
        submission.fields["rewriteReports"] = [text_of(r) for r in ticked if text_of(r)]
        return submission

    def variables(self, submission: Submission) -> dict[str, Any]:
        note = submission.fields["correctionNote"]
        try:
            values = super().variables(submission)
        except ListFormInvalid as err:
            values, errors = {}, err.errors
        else:
            errors = {}
        if not note:
            errors["correctionNote"] = translate("form.error.correction_note")
        elif len(note) > MAX_TEXT:
            errors["correctionNote"] = translate("form.error.maxlength", maxlength=MAX_TEXT)
        rewrite = submission.fields.get("rewriteReports") or []
        # A ticked row is judged against the corrected list once that list is valid.
        for error in rewrite_errors(rewrite, values["nominees"]) if "nominees" in values else []:
            errors.setdefault(error.field, error_message(error))
        if errors:
            raise ListFormInvalid(errors)
        return {**values, "correctionNote": note, "rewriteReports": rewrite}


def list_form(form_key: str | None, variables: Mapping[str, Any], identity):

    """The list form a task's formKey names, built from the instance's variables; None for others."""
    if form_key in (NomineesForm.key, CorrectionForm.key):
        unit = variables.get("unit")
        people = [p for p in (identity.list_users(unit=unit) if unit else []) if p.active]
        if form_key == CorrectionForm.key:
            return CorrectionForm(people, unit, variables.get("unitName"), variables.get("returnReason"),
                                  variables.get("returnedNominees"))
        return NomineesForm(people, unit, variables.get("unitName"))
    if form_key == AppraisalForm.key:
        return appraisal_form(variables)
    if form_key == ChairmanForm.key:
        return ChairmanForm(variables.get("chairmanAwardees") or [], variables.get("present"))
    if form_key == VotesForm.key:
        return votes_form(variables)
    if form_key == CouncilListForm.key:
        return CouncilListForm(variables.get("candidates") or [], variables.get("notEligible") or [])
    if form_key in AWARDEE_LISTS:
        return AwardeesForm(form_key, variables)
    return None
