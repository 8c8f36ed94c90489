"""A whole campaign run to its report on the real models and registers, for the tests of what is
produced from it (lists, results, statistics): tests/workflows/test_decision_end.py's office,
people and council, with one candidate the council rejects.

Outcomes:
- Phòng Tổng hợp: Phạm Thị Lan (Bằng khen, awarded), Hoàng Đức Anh (Bằng khen, the Chairman's
  discretion; the council rejects him 1-2-1), Lò Văn Pánh (Giấy khen, blocked by a pending case);
- Phòng Kinh tế: Hồ Thị Mai Anh (Bằng khen, awarded; the appraiser notes her dossier);
- Phòng Nội chính: Đinh Thị Vân and the unit itself (Giấy khen, awarded by the Chief).
Use: import the fixtures (`from tests.workflows.campaign_with_rejection import *`) and call
`finish_campaign(engine, clock, people, council)`.
"""
from __future__ import annotations

from tests.test_campaign import VARIABLES, Campaign, clock, collective
from tests.workflows.test_decision_end import (KINH_TE, NOI_CHINH, TONG_HOP, UNITS, checked, council, engine,
                                               nominate_and_report, office, people)
from workflows.appraisal import decisions

__all__ = ["clock", "council", "engine", "office", "people", "finish_campaign", "UNITS", "APPRAISAL_NOTE",
           "REJECTED_VOTES"]
APPRAISAL_NOTE = "Hồ sơ đầy đủ, số liệu minh chứng rõ ràng"
REJECTED_VOTES = {"for": 1, "against": 2, "abstain": 1}


def finish_campaign(engine, clock, people: dict, council: list[str]) -> Campaign:
    campaign = Campaign(engine, clock, {**VARIABLES, "units": UNITS})
    campaign.launch()
    campaign.end_campaign_period()
    nominate_and_report(campaign, TONG_HOP, [people["lan"], people["duc_anh"], people["panh"]])
    nominate_and_report(campaign, KINH_TE, [people["mai_anh"]])
    nominate_and_report(campaign, NOI_CHINH, [people["van"], collective(NOI_CHINH)])
    for unit in UNITS:
        notes = {people["mai_anh"]["id"]: APPRAISAL_NOTE} if unit is KINH_TE else None
        campaign.complete("Task_appraise", decisions(checked(campaign, unit["code"]), notes=notes),
                          unit=unit["code"], actor="hoa")
    campaign.to_council()
    candidates = campaign.variables()["candidates"]
    present = council[:4]
    votes = [{"nomineeId": c["nomineeId"], **(REJECTED_VOTES if c["fullName"] == "Hoàng Đức Anh"
                                              else {"for": 4, "against": 0, "abstain": 0})} for c in candidates]
    campaign.complete("Task_vote", {"meetingDate": "2025-08-15", "presentMembers": present, "present": len(present),
                                    "votes": votes}, actor=council[0])
    campaign.complete("Task_giay_khen", {"decisionDate": "2025-08-20"}, actor="chief")
    campaign.chairman_decides()
    campaign.report()
    return campaign
