"""What the campaign's process variables are called in the office, for pages that show them.

The portal reads labels from the models' form fields first; these names cover what no form
labels: variables set by scripts and the keys of the nomination records. `VOCABULARY` is handed to
the portal by `web.composition.portal_vocabulary` so that web/ carries no campaign word.
"""
from __future__ import annotations

from workflows.campaign_rules import AWARD_NAMES
from workflows.council import ROLE_NAMES

# variable or record key -> (Vietnamese, English)
LABELS: dict[str, tuple[str, str]] = {
    "unitName": ("Đơn vị", "Unit"),
    "planNumber": ("Số kế hoạch", "Plan number"),
    "planDate": ("Ngày ban hành kế hoạch", "Plan date"),
    "campaignName": ("Tên đợt thi đua", "Campaign"),
    "campaignEndsAt": ("Thời điểm kết thúc thi đua", "Campaign ends at"),
    "nominees": ("Danh sách đề nghị của đơn vị", "The unit's nominations"),
    "checkedNominees": ("Kết quả xét điều kiện", "Eligibility check"),
    "unitResults": ("Kết quả thực hiện phong trào của đơn vị", "The unit's results"),
    "unitProposalNumber": ("Số Tờ trình của đơn vị", "The unit's proposal number"),
    "appraisals": ("Thẩm định từng đề nghị", "Appraisal of each nomination"),
    "appraisal": ("Kết quả thẩm định", "Appraisal"),
    "returnReason": ("Lý do trả lại", "Reason for returning"),
    "unitResult": ("Kết quả chốt của đơn vị", "The unit's final result"),
    "units": ("Các đơn vị", "Units"),
    "passRule": ("Quy tắc biểu quyết", "Voting rule"),
    "guidanceNumber": ("Số văn bản hướng dẫn", "Guidance number"),
    "notEligible": ("Không đủ điều kiện trình Hội đồng", "Not eligible for the council"),
    "submissionNumber": ("Số Tờ trình Hội đồng", "Council submission number"),
    "meetingDate": ("Ngày họp Hội đồng", "Council meeting date"),
    "presentMembers": ("Thành viên có mặt", "Members present"),
    "present": ("Số thành viên có mặt", "Members present (number)"),
    "quorumReached": ("Đủ số thành viên dự họp", "Quorum reached"),
    "rejected": ("Không được Hội đồng thông qua", "Not passed by the council"),
    "minutesNumber": ("Số Biên bản họp Hội đồng", "Minutes number"),
    "candidates": ("Danh sách trình Hội đồng", "Candidates before the council"),
    "council": ("Thành viên Hội đồng", "Council members"),
    "meetingRule": ("Quy tắc biểu quyết của phiên họp", "The meeting's voting rule"),
    "votes": ("Kết quả biểu quyết", "Votes"),
    "for": ("Tán thành", "For"),
    "against": ("Không tán thành", "Against"),
    "abstain": ("Không biểu quyết", "Abstained"),
    "awardees": ("Được Hội đồng thông qua", "Passed by the council"),
    "chiefAwardees": ("Thuộc thẩm quyền Chánh Văn phòng", "For the Chief of Office to decide"),
    "chairmanAwardees": ("Trình Chủ tịch UBND tỉnh", "For the Chairman to decide"),
    "chairmanDecisions": ("Quyết định của Chủ tịch UBND tỉnh", "The Chairman's decisions"),
    "awarded": ("Được khen thưởng", "Awarded"),
    "notAwarded": ("Không được khen thưởng", "Not awarded"),
    "announcement": ("Thông báo kết quả", "Announcement"),
    "criteria": ("Tiêu chí tập thể", "Collective criteria"),
    "collectiveCriteria": ("Tiêu chí xét tập thể", "Collective criteria"),
    "staffId": ("Cán bộ", "Staff member"),
    "role": ("Vai trò", "Role"),
    "decisionNumber": ("Số quyết định", "Decision number"),
    "fullName": ("Họ và tên", "Full name"),
    "kind": ("Loại", "Kind"),
    "award": ("Hình thức khen thưởng", "Award"),
    "achievements": ("Thành tích", "Achievements"),
    "eligible": ("Đủ điều kiện", "Eligible"),
    "route": ("Hướng xử lý", "Route"),
    "reason": ("Nhận xét điều kiện", "Eligibility note"),
    "achievementReport": ("Báo cáo thành tích", "Achievement report"),
    "appraisalNote": ("Ý kiến thẩm định", "Appraisal note"),
    "decision": ("Kết quả", "Decision"),
    "nomineeId": ("Người, tập thể được đề nghị", "Nominee"),
    "note": ("Ghi chú", "Note"),
    "name": ("Tên", "Name"),
    "basis": ("Cách tính", "Basis"),
    "threshold": ("Tỷ lệ đạt", "Threshold"),
    "quorum": ("Tỷ lệ có mặt tối thiểu", "Quorum"),
    "members": ("Số thành viên", "Members"),
}

# Record key -> value -> (Vietnamese, English): coded values as the office names them.
VALUES: dict[str, dict[str, tuple[str, str]]] = {
    "award": {code: (name, name) for code, name in AWARD_NAMES.items()},
    "kind": {"individual": ("Cá nhân", "Individual"), "collective": ("Tập thể", "Collective")},
    # The eligibility decision's inputs (bpmn/eligibility.dmn), shown with its evaluations.
    "nomineeKind": {"individual": ("Cá nhân", "Individual"), "collective": ("Tập thể", "Collective")},
    "worstRatingLast10": {"excellent": ("Hoàn thành xuất sắc nhiệm vụ", "Excellent"),
                          "good": ("Hoàn thành tốt nhiệm vụ", "Good"),
                          "completed": ("Hoàn thành nhiệm vụ", "Completed"),
                          "not_completed": ("Không hoàn thành nhiệm vụ", "Not completed")},
    "decision": {"accept": ("Chấp nhận", "Accepted"), "return": ("Trả lại đơn vị", "Returned")},
    "appraisal": {"accept": ("Chấp nhận", "Accepted"), "return": ("Trả lại đơn vị", "Returned")},
    "route": {"council": ("Trình Hội đồng", "To the council"),
              "chairman_discretion": ("Chủ tịch xem xét", "Chairman's discretion"),
              "not_eligible": ("Không đủ điều kiện", "Not eligible"), "blocked": ("Không được xét", "Blocked")},
    "role": dict(ROLE_NAMES),
    "basis": {"present": ("Trên số có mặt", "Of those present"), "members": ("Trên tổng số thành viên", "Of all members")},
}

# Keys that steer the process or link records: shown in the technical view only.
TECHNICAL = frozenset({"unit", "headGroup", "id", "userId", "reasonCode", "code"})
# Names ending so are the engine's counters (how often a service task issued its document).
TECHNICAL_SUFFIXES = ("_issues",)
# Keys whose values are user ids: shown as the person's name, or dropped from a record that carries
# the name itself under the key given.
PERSON_KEYS = {"presentMembers": None, "staffId": "fullName"}

# Record key -> where its ids are found, as (variable, key of its records, key to show): an id shown as
# what it stands for; a record that shows that itself (a candidate with its fullName) drops the id.
REFERENCES = {"nomineeId": (("checkedNominees", "id", "fullName"), ("candidates", "nomineeId", "fullName"))}

VOCABULARY = {"labels": LABELS, "values": VALUES, "technical": TECHNICAL, "technical_suffixes": TECHNICAL_SUFFIXES,
              "references": REFERENCES, "person_keys": PERSON_KEYS}
