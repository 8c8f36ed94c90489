"""`formKey="thidua:council_list"`: TCHCQT's list for the council (bpmn/campaign.bpmn,
Task_submit_council), read-only: the candidates of every unit grouped by form of award, each with
its unit, why the Chairman decides it when it goes to the Chairman's discretion, and the
appraiser's note; then those left off the list, with the eligibility decision's reason.

The task's own fields (submittedOn, submissionNumber) stay in its camunda:formData and are drawn
beside this table; an empty list is refused by the completion check `council_list`
(workflows/vote_checks.py), for the portal and the REST API alike.
"""
from __future__ import annotations

from typing import Any, Mapping

from web.portal.award_groups import by_award
from web.portal.list_rows import Submission
from workflows.campaign_rules import candidate_sort_key


class CouncilListForm:
    key = "thidua:council_list"
    template = "portal/_form_council_list.html"

    def __init__(self, candidates: list[dict], not_eligible: list[dict]) -> None:
        self.candidates = list(candidates or [])
        self.groups = by_award(self.candidates)
        self.not_eligible = sorted(not_eligible or [], key=candidate_sort_key)

    def initial(self, variables: Mapping[str, Any]) -> Submission:
        return Submission([], {})

    def parse(self, posted: Mapping[str, str]) -> Submission:
        return Submission([], {})

    def variables(self, submission: Submission) -> dict[str, Any]:
        return {}  # the list is the consolidation's; the submission's date and number are form fields
