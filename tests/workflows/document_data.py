"""Campaign variables for the document tests and the benchmark, with the demo Office's people: the
end of a campaign as tests/workflows/test_decision_end.py leaves it (`awarded`, the council's lists
and votes, the Chief's `decisionNumber`/`decisionDate`, the plan, the meeting), optionally with
many more awardees; and a unit instance's variables for the unit's own documents."""
from __future__ import annotations

from typing import Iterable

from workflows.demo import CHIEF_STAFF
from workflows.demo_office import DemoOffice, demo_office

CAMPAIGN = {
    "planNumber": "05/KH-VPUB", "planDate": "2025-06-05",
    "campaignName": "Đợt thi đua đặc biệt chào mừng 80 năm Ngày truyền thống Văn phòng",
    "meetingDate": "2025-08-15", "decisionNumber": "01/QĐ-VPUB", "decisionDate": "2025-08-20",
    "guidanceNumber": "12/HD-VPUB", "guidanceIssuedOn": "2025-06-25", "campaignEndDate": "2025-07-31",
    "unitReportDate": "2025-08-08", "appraisalDate": "2025-08-12", "anniversaryDate": "2025-09-28",
    "proposalNumber": "98/TTr-VPUB", "proposalDate": "2025-08-21", "reportNumber": "210/BC-VPUB",
    "reportDate": "2025-08-27",
}
CHAIRMAN = ("1520/QĐ-UBND", "2025-08-25")
VOTES = {"for": 4, "against": 0, "abstain": 0}


def awarded_entry(office: DemoOffice, full_name: str, award: str = "giay_khen") -> dict:
    """One `awarded` entry as decisions.final_results writes it."""
    units = {u.code: u.name for u in office.units}
    if full_name in units.values():
        code = next(c for c, n in units.items() if n == full_name)
        entry = {"nomineeId": f"{code}:nom-{code}", "unit": code, "unitName": full_name, "kind": "collective",
                 "userId": None, "fullName": full_name}
    else:
        staff = office.by_name(full_name)
        entry = {"nomineeId": f"{staff.unit_code}:nom-{staff.id}", "unit": staff.unit_code,
                 "unitName": units[staff.unit_code], "kind": "individual", "userId": staff.id,
                 "fullName": staff.full_name}
    number, day = CHAIRMAN if award != "giay_khen" else (CAMPAIGN["decisionNumber"], CAMPAIGN["decisionDate"])
    return {**entry, "award": award, "eligible": True, "route": "council", "reason": "Đủ điều kiện",
            "decisionNumber": number, "decisionDate": day, "votes": dict(VOTES)}


def _council(office: DemoOffice) -> list[dict]:
    """The Chief in the chair, the TCHCQT head as secretary, three unit heads as members."""
    heads, names = office.unit_heads(), {s.id: s for s in office.staff}
    seats = [(CHIEF_STAFF, "chair")] + [(names[heads[code]], "secretary" if code == "tchcqt" else "member")
                                        for code in ("tchcqt", "tong_hop", "kinh_te", "noi_chinh")]
    return [{"staffId": s.id, "fullName": s.full_name, "role": role, "unit": s.unit_code} for s, role in seats]


def campaign_variables(office: DemoOffice, entries: Iterable[dict], **overrides) -> dict:
    """Everyone in `entries` was a candidate, voted for by the four members present and awarded."""
    entries = list(entries)
    council = _council(office)
    present = [seat["staffId"] for seat in council[:4]]
    return {**CAMPAIGN, "units": [{"code": u.code, "name": u.name} for u in office.units],
            "candidates": entries, "notEligible": [], "awardees": entries, "rejected": [],
            "chiefAwardees": [e for e in entries if e["award"] == "giay_khen"],
            "chairmanAwardees": [e for e in entries if e["award"] != "giay_khen"],
            "awarded": entries, "notAwarded": [], "council": council, "presentMembers": present,
            "present": len(present), "quorumReached": True,
            "votes": [{"nomineeId": e["nomineeId"], **VOTES} for e in entries], **overrides}


def decision_end(office: DemoOffice | None = None) -> dict:
    """The outcomes of test_decision_end: two Giấy khen (a person and a collective), two Bằng khen."""
    office = office or demo_office()
    return campaign_variables(office, [awarded_entry(office, "Phạm Thị Lan", "bang_khen"),
                                       awarded_entry(office, "Hồ Thị Mai Anh", "bang_khen"),
                                       awarded_entry(office, "Đinh Thị Vân"),
                                       awarded_entry(office, "Phòng Nội chính")])


def whole_office(office: DemoOffice | None = None) -> dict:
    """Every one of the 63 people awarded, plus every unit as a collective: Bằng khen for those
    with the longest service (one in five), Giấy khen for the others."""
    office = office or demo_office()
    people = sorted(office.staff, key=lambda s: s.office_start_date)
    entries = [awarded_entry(office, s.full_name, "bang_khen" if i % 5 == 0 else "giay_khen")
               for i, s in enumerate(people)]
    entries += [awarded_entry(office, u.name) for u in office.units]
    return campaign_variables(office, entries)


def unit_variables(office: DemoOffice, variables: dict, code: str) -> dict:
    """A unit instance's variables after its report: its nominees from the campaign's candidates,
    each with an achievement report, a collective with its criteria and their evidence."""
    head = next(s for s in office.staff if s.id == office.unit_heads()[code])
    nominees = [{**e, "id": e["nomineeId"].split(":", 1)[1],
                 "achievements": f"Hoàn thành xuất sắc nhiệm vụ năm 2025 ({e['fullName']})",
                 "achievementReport": f"Báo cáo thành tích của {e['fullName']}: tham mưu 120 văn bản, đúng hạn.",
                 **({"criteria": [{"id": "c1", "text": "Hoàn thành xuất sắc nhiệm vụ được giao", "met": True,
                                   "evidence": "Biên bản đánh giá cuối năm"},
                                  {"id": "c2", "text": "Nội bộ đoàn kết, không có cá nhân bị kỷ luật", "met": True,
                                   "evidence": "Xác nhận của Chi bộ"}]} if e["kind"] == "collective" else {})}
                for e in variables["candidates"] if e["unit"] == code]
    return {"unit": code, "unitName": nominees[0]["unitName"] if nominees else code, "headName": head.full_name,
            "reportedOn": "2025-08-08", "unitResults": "Đơn vị hoàn thành xuất sắc nhiệm vụ của đợt thi đua.",
            "checkedNominees": nominees}


def positions(office: DemoOffice | None = None) -> dict[str, str]:
    """userId → chức vụ, as the staff register would give it."""
    return {s.id: s.position for s in (office or demo_office()).staff}
