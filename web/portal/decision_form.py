"""`formKey="thidua:chairman"`: the Chairman's decision for each nominee proposed to the Chairman
(bpmn/campaign.bpmn, "Ghi nhận Quyết định của Chủ tịch UBND tỉnh"), one row each.

The rows are only read here: the completion check `chairman_decisions` (workflows/decisions.py)
judges them, and its errors come back keyed like the inputs ("chairman-0-decisionDate").
"""
from __future__ import annotations

from typing import Any, Mapping

from web.portal.i18n import translate
from web.portal.list_rows import ListFormInvalid, Submission, iso_day, posted_rows, text_of, vn_day

FIELDS = ("awarded", "award", "decisionNumber", "decisionDate")
class ChairmanForm:
    key = "thidua:chairman"
    template = "portal/_form_chairman.html"

    def __init__(self, nominees: list[dict], present: int | None = None) -> None:
        self.nominees = list(nominees or [])
        self.present = present  # members at the council's meeting, beside each nominee's votes

    def initial(self, variables: Mapping[str, Any]) -> Submission:
        recorded = {d.get("nomineeId"): d for d in variables.get("chairmanDecisions") or []}
        rows = []
        for nominee in self.nominees:
            decision = recorded.get(nominee["nomineeId"], {"award": nominee.get("award")})
            awarded = decision.get("awarded")
            rows.append({"awarded": {True: "yes", False: "no"}.get(awarded, ""), "award": decision.get("award") or "",
                         "decisionNumber": decision.get("decisionNumber") or "",
                         "decisionDate": vn_day(decision.get("decisionDate"))})
        return Submission(rows, {})

    def parse(self, posted: Mapping[str, str]) -> Submission:
        return Submission([{k: text_of(row.get(k)) for k in FIELDS} for row in posted_rows(posted, "chairman")], {})

    def variables(self, submission: Submission) -> dict[str, Any]:
        if len(submission.rows) != len(self.nominees):
            raise ListFormInvalid({"chairmanDecisions": translate("list.error.every_candidate")})
        decisions = []
        for nominee, row in zip(self.nominees, submission.rows):
            decisions.append({"nomineeId": nominee["nomineeId"],
                              "awarded": {"yes": True, "no": False}.get(row["awarded"]),
                              "award": row["award"] or None, "decisionNumber": row["decisionNumber"],
                              "decisionDate": iso_day(row["decisionDate"]) or None})
        return {"chairmanDecisions": decisions}
