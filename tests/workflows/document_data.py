"""Campaign variables for the document tests and the benchmark, with the demo Office's people: the
end of a campaign as tests/workflows/test_decision_end.py leaves it (`awarded`, the Chief's
`decisionNumber`/`decisionDate`, the plan, the meeting), optionally with many more awardees."""
from __future__ import annotations

from typing import Iterable

from workflows.demo_office import DemoOffice, demo_office

CAMPAIGN = {
    "planNumber": "05/KH-VPUB", "planDate": "2025-06-05",
    "campaignName": "Đợt thi đua đặc biệt chào mừng 80 năm Ngày truyền thống Văn phòng",
    "meetingDate": "2025-08-15", "decisionNumber": "01/QĐ-VPUB", "decisionDate": "2025-08-20",
}
CHAIRMAN = ("1520/QĐ-UBND", "2025-08-25")


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
    return {**entry, "award": award, "eligible": True, "route": "council", "decisionNumber": number,
            "decisionDate": day, "votes": {"for": 4, "against": 0, "abstain": 0}}


def campaign_variables(entries: Iterable[dict], **overrides) -> dict:
    return {**CAMPAIGN, "awarded": list(entries), **overrides}


def decision_end(office: DemoOffice | None = None) -> dict:
    """The outcomes of test_decision_end: two Giấy khen (a person and a collective), two Bằng khen."""
    office = office or demo_office()
    return campaign_variables([awarded_entry(office, "Phạm Thị Lan", "bang_khen"),
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
    return campaign_variables(entries)


def positions(office: DemoOffice | None = None) -> dict[str, str]:
    """userId → chức vụ, as the staff register would give it."""
    return {s.id: s.position for s in (office or demo_office()).staff}
