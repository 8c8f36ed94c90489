"""The deciders' lists after the council's vote (bpmn/campaign.bpmn), read-only: the Chief of
Office's (`formKey="thidua:chief_awardees"`, Task_giay_khen: `chiefAwardees`) and TCHCQT's
proposal to the Chairman (`"thidua:chairman_awardees"`, Task_propose_chairman:
`chairmanAwardees`), each nominee with the council's votes. The decision's own fields stay in the
task's camunda:formData."""
from __future__ import annotations

from typing import Any, Mapping

from web.portal.award_groups import by_award
from web.portal.list_rows import Submission

LISTS = {"thidua:chief_awardees": "chiefAwardees", "thidua:chairman_awardees": "chairmanAwardees"}


class AwardeesForm:
    template = "portal/_form_awardees.html"

    def __init__(self, key: str, variables: Mapping[str, Any]) -> None:
        self.key = key
        self.awardees = list(variables.get(LISTS[key]) or [])
        self.groups = by_award(self.awardees)
        self.present = variables.get("present")
        self.meeting_date = variables.get("meetingDate")

    def initial(self, variables: Mapping[str, Any]) -> Submission:
        return Submission([], {})

    def parse(self, posted: Mapping[str, str]) -> Submission:
        return Submission([], {})

    def variables(self, submission: Submission) -> dict[str, Any]:
        return {}
