"""The decision end of a whole campaign, with mixed outcomes, on the real models and the real
registers (staff directory with the demo Office's people, pending cases, council, document
register, award register): appraisal nominee by nominee with one return, the council's meeting,
the Chief's and the Chairman's decisions per nominee, the announcement and the award history.

Outcomes, one of each:
- Giấy khen awarded (Đinh Thị Vân, Phòng Nội chính) and a collective (Phòng Nội chính itself);
- Bằng khen awarded (Phạm Thị Lan, Phòng Tổng hợp);
- sent to the Chairman's discretion (Hoàng Đức Anh: 9 years at the Office) and refused by him;
- returned by the appraiser and corrected (Hồ Thị Mai Anh, Phòng Kinh tế: her report rewritten);
- blocked by a pending discipline case (Lò Văn Pánh, under review since 15/07/2025 in the demo);
- Phòng Kinh tế proposes no Giấy khen: the Chief's decision concerns Phòng Nội chính only.
The bad input the issue names is refused on the way, each in both languages, changing nothing.
"""
from __future__ import annotations

import unicodedata
from contextlib import contextmanager
from datetime import date
from typing import Iterator

import pytest

from engine import EngineConfig, ProcessEngine, TaskQuery
from engine.forms.submission import FormValidationError
from tests.test_campaign import (BPMN_DIR, CHAIRMAN_DECISION, MEETING, PLAN, VARIABLES, Campaign, clock, collective,
                                 individual)
from workflows.appraisal import decisions
from workflows.award_register import AwardRegister
from workflows.council import Council
from workflows.demo import CHIEF_STAFF, LEADERSHIP
from workflows.demo_office import DemoOffice, load_demo_office
from workflows.document_register import DocumentRegister
from workflows.handlers import register_handlers
from workflows.staff_directory import StaffDirectory

UNITS = [{"code": code, "name": name, "headGroup": f"head:{code}"} for code, name in (
    ("tong_hop", "Phòng Tổng hợp"), ("kinh_te", "Phòng Kinh tế"), ("noi_chinh", "Phòng Nội chính"))]
TONG_HOP, KINH_TE, NOI_CHINH = UNITS
__all__ = ["clock"]  # the campaign's clock fixture, shared with tests/test_campaign.py
RETURN_REASON = "Báo cáo thành tích chưa nêu kết quả cụ thể, số liệu minh chứng"


# Each fixture's body is a plain function too, so that a module-scoped fixture can build the same
# campaign (tests/workflows/finished_campaign.py).

def seeded_office(directory: StaffDirectory) -> DemoOffice:
    office = load_demo_office(directory)
    directory.save([CHIEF_STAFF], units=[LEADERSHIP])
    return office


@contextmanager
def campaign_engine_on(database_url: str, directory: StaffDirectory, handlers, clock) -> Iterator[ProcessEngine]:
    with ProcessEngine(EngineConfig(database_url=database_url, clock=clock), handlers=handlers) as engine:
        db = engine.context.db
        register_handlers(handlers, directory, DocumentRegister(db), awards=AwardRegister(db), council=Council(db))
        engine.repository.deploy([(name, (BPMN_DIR / name).read_bytes())
                                  for name in ("campaign.bpmn", "unit_evaluation.bpmn", "eligibility.dmn")])
        yield engine


def nominees_of(office: DemoOffice) -> dict[str, dict]:
    def person(name: str, award: str) -> dict:
        staff = office.by_name(name)
        return individual(staff.id, staff.full_name, award)

    return {"lan": person("Phạm Thị Lan", "bang_khen"), "duc_anh": person("Hoàng Đức Anh", "bang_khen"),
            "panh": person("Lò Văn Pánh", "giay_khen"), "mai_anh": person("Hồ Thị Mai Anh", "bang_khen"),
            "van": person("Đinh Thị Vân", "giay_khen")}


def seat_council(engine: ProcessEngine, office: DemoOffice) -> list[str]:
    heads = office.unit_heads()
    seats = Council(engine.context.db).set_members(
        [(CHIEF_STAFF.id, "chair"), (heads["tchcqt"], "secretary")]
        + [(heads[u["code"]], "member") for u in UNITS])
    return [seat.staff_id for seat in seats]


@pytest.fixture
def office(directory):
    return seeded_office(directory)


@pytest.fixture
def engine(office_database_url, directory, office, handlers, clock):
    with campaign_engine_on(office_database_url, directory, handlers, clock) as engine:
        yield engine


@pytest.fixture
def people(office) -> dict[str, dict]:
    return nominees_of(office)


@pytest.fixture
def council(engine, office) -> list[str]:
    return seat_council(engine, office)


def snapshot(engine, instance_id: str) -> tuple:
    """What a refused submission must leave as it was: the variables, the history, the open tasks."""
    return (engine.runtime.get_variables(instance_id), len(engine.history.events(instance_id=instance_id)),
            sorted((t.id, t.element_id) for t in engine.tasks.list(TaskQuery(instance_id=instance_id))))


def refused(campaign: Campaign, element_id: str, values: dict, unit: str | None = None,
            actor: str = "x") -> list[str]:
    """Completes a task with bad values; returns the messages, after checking nothing changed."""
    instance_id = campaign.units()[unit] if unit else campaign.id
    before = snapshot(campaign.engine, instance_id)
    with pytest.raises(FormValidationError) as refusal:
        campaign.complete(element_id, values, unit=unit, actor=actor)
    assert snapshot(campaign.engine, instance_id) == before
    messages = [error.message for error in refusal.value.errors]
    for message in messages:  # Vietnamese, then English, in NFC
        vietnamese, english = message.split(" / ", 1)
        assert vietnamese and english and unicodedata.is_normalized("NFC", message), message
    return messages


def nominate_and_report(campaign: Campaign, unit: dict, nominees: list[dict]) -> None:
    campaign.nominate(unit, nominees)


def checked(campaign: Campaign, code: str) -> list[dict]:
    return campaign.engine.runtime.get_variables(campaign.units()[code])["checkedNominees"]


def test_a_campaign_with_mixed_outcomes_decides_each_nominee_and_records_the_awards(
        engine, clock, office, people, council, db):
    campaign = Campaign(engine, clock, {**VARIABLES, "units": UNITS})
    campaign.launch()
    campaign.end_campaign_period()

    # Nominations. A nominee twice on a list is refused, and nothing changes.
    [twice] = refused(campaign, "Task_nominate", {"nominees": [people["van"], people["van"]], "unitResults": "Tốt"},
                      unit="noi_chinh")
    assert twice.startswith("Đinh Thị Vân đã có trong danh sách (dòng 1).") and "already on the list" in twice
    nominate_and_report(campaign, TONG_HOP, [people["lan"], people["duc_anh"], people["panh"]])
    nominate_and_report(campaign, KINH_TE, [people["mai_anh"]])
    nominate_and_report(campaign, NOI_CHINH, [people["van"], collective(NOI_CHINH)])

    # Eligibility as the staff register says: Pánh is blocked by the case pending against him, and
    # writes no report; Đức Anh goes to the Chairman's discretion with the reason.
    by_id = {c["id"]: c for c in checked(campaign, "tong_hop")}
    assert (by_id[people["panh"]["id"]]["route"], by_id[people["panh"]["id"]]["reason"]) == (
        "blocked", "Không xét khen thưởng: đang bị xem xét kỷ luật")
    assert (by_id[people["duc_anh"]["id"]]["route"], by_id[people["duc_anh"]["id"]]["reason"]) == (
        "chairman_discretion", "Chưa đủ 10 năm công tác tại Văn phòng")
    assert by_id[people["lan"]["id"]]["route"] == "council"
    reports = [e.actor for e in engine.history.events(instance_id=campaign.units()["tong_hop"], event_types=["complete"])
               if e.element_id == "Task_achievement_report"]
    assert sorted(reports) == sorted([people["lan"]["userId"], people["duc_anh"]["userId"]])

    # Appraisal, nominee by nominee. A return needs its reason.
    mai_anh = people["mai_anh"]
    [no_reason] = refused(campaign, "Task_appraise", decisions(checked(campaign, "kinh_te"), {mai_anh["id"]: "  "}),
                          unit="kinh_te", actor="hoa")
    assert "lý do" in no_reason and "reason" in no_reason
    campaign.complete("Task_appraise", decisions(checked(campaign, "kinh_te"), {mai_anh["id"]: RETURN_REASON}),
                      unit="kinh_te", actor="hoa")
    unit_variables = engine.runtime.get_variables(campaign.units()["kinh_te"])
    assert RETURN_REASON in unit_variables["returnReason"] and mai_anh["fullName"] in unit_variables["returnReason"]
    # The unit re-opens her report; she rewrites it; the unit resubmits.
    campaign.complete("Task_correct", {"nominees": [mai_anh], "correctionNote": "Bổ sung số liệu vào báo cáo",
                                       "rewriteReports": [mai_anh["id"]]}, unit="kinh_te")
    campaign.complete("Task_achievement_report", {"achievementReport": "Báo cáo có số liệu: 120 văn bản tham mưu"},
                      unit="kinh_te", actor=mai_anh["userId"])
    campaign.complete("Task_submit", {"reportedOn": "2025-08-08"}, unit="kinh_te")
    [corrected] = checked(campaign, "kinh_te")
    assert corrected["achievementReport"] == "Báo cáo có số liệu: 120 văn bản tham mưu"
    for unit in UNITS:
        campaign.appraise(unit["code"])

    # The council's list: the blocked nominee is left off it, with the reason.
    variables = campaign.variables()
    names = {c["nomineeId"]: c["fullName"] for c in variables["candidates"]}
    assert sorted(names.values()) == sorted(["Phạm Thị Lan", "Hoàng Đức Anh", "Hồ Thị Mai Anh", "Đinh Thị Vân",
                                             "Phòng Nội chính"])
    assert [(n["fullName"], n["route"]) for n in variables["notEligible"]] == [("Lò Văn Pánh", "blocked")]
    campaign.to_council()

    # The meeting: four of the five members present. Ballots over the members present are refused.
    variables = campaign.variables()
    assert sorted(m["staffId"] for m in variables["council"]) == sorted(council)
    present = council[:4]

    def vote(count: int) -> dict:
        return {"meetingDate": MEETING, "presentMembers": present, "present": len(present),
                "votes": [{"nomineeId": c["nomineeId"], "for": count, "against": 0, "abstain": 0}
                          for c in variables["candidates"]]}

    over = refused(campaign, "Task_vote", vote(5), actor=council[0])
    assert over and all("nhiều hơn số thành viên dự họp (4)" in m and "more than the 4 members present" in m
                        for m in over)
    campaign.complete("Task_vote", vote(4), actor=council[0])
    variables = campaign.variables()
    assert variables["quorumReached"] is True and variables["rejected"] == []
    # Only the branches with awardees run; Phòng Kinh tế has no Giấy khen nominee.
    assert sorted(a["fullName"] for a in variables["chiefAwardees"]) == ["Phòng Nội chính", "Đinh Thị Vân"]
    assert {a["unit"] for a in variables["chiefAwardees"]} == {"noi_chinh"}

    # The Chief's decision: not before the meeting.
    [early] = refused(campaign, "Task_giay_khen", {"decisionDate": "2025-08-14"}, actor="chief")
    assert "15/08/2025" in early and " / " in early
    campaign.complete("Task_giay_khen", {"decisionDate": "2025-08-20"}, actor="chief")
    # The Chairman's decisions per nominee: Đức Anh (discretion) is not awarded.
    duc_anh_id = next(i for i, n in names.items() if n == "Hoàng Đức Anh")
    campaign.chairman_decides(**{duc_anh_id: {"awarded": False, "decisionNumber": "", "decisionDate": None}})
    campaign.report()

    # The announcement: exactly the awarded, with form and decision.
    variables = campaign.variables()
    chief_number = variables["decisionNumber"]
    awarded = sorted((a["fullName"], a["award"], a["decisionNumber"], str(a["decisionDate"])[:10])
                     for a in variables["awarded"])
    assert awarded == sorted([
        ("Phạm Thị Lan", "bang_khen", CHAIRMAN_DECISION["decisionNumber"], "2025-08-25"),
        ("Hồ Thị Mai Anh", "bang_khen", CHAIRMAN_DECISION["decisionNumber"], "2025-08-25"),
        ("Đinh Thị Vân", "giay_khen", chief_number, "2025-08-20"),
        ("Phòng Nội chính", "giay_khen", chief_number, "2025-08-20"),
    ])
    assert [a["fullName"] for a in variables["notAwarded"]] == ["Hoàng Đức Anh"]
    lines = variables["announcement"].splitlines()
    assert "Hoàng Đức Anh" not in variables["announcement"] and "Lò Văn Pánh" not in variables["announcement"]
    assert lines[1] == f"Bằng khen của Chủ tịch UBND tỉnh (Quyết định số {CHAIRMAN_DECISION['decisionNumber']} ngày 25/08/2025):"
    assert f"Giấy khen của Chánh Văn phòng (Quyết định số {chief_number} ngày 20/08/2025):" in lines

    # The document numbers taken: one for the Chief's decision, none for the Chairman's (his own).
    issued = DocumentRegister(db).issued("QĐ-VPUB", 2025)
    assert [(f"{d.number:02d}/{d.kind}", d.reference, d.title) for d in issued] == [
        (chief_number, f"{PLAN}:Service_number_decision", "Quyết định tặng Giấy khen")]
    assert chief_number == "01/QĐ-VPUB"

    # The award history: one row per award, per person and per collective.
    awards = AwardRegister(db)
    assert sorted((a.full_name, a.award, a.authority, a.decision_number, a.decision_date)
                  for a in awards.of_campaign(PLAN)) == sorted([
        ("Phạm Thị Lan", "bang_khen", "Chủ tịch UBND tỉnh", "1520/QĐ-UBND", date(2025, 8, 25)),
        ("Hồ Thị Mai Anh", "bang_khen", "Chủ tịch UBND tỉnh", "1520/QĐ-UBND", date(2025, 8, 25)),
        ("Đinh Thị Vân", "giay_khen", "Chánh Văn phòng UBND tỉnh", chief_number, date(2025, 8, 20)),
        ("Phòng Nội chính", "giay_khen", "Chánh Văn phòng UBND tỉnh", chief_number, date(2025, 8, 20)),
    ])
    [lan_award] = awards.of_person(people["lan"]["userId"])
    assert (lan_award.campaign_key, lan_award.campaign_name) == (PLAN, VARIABLES["campaignName"])
    assert [a.kind for a in awards.of_collective("noi_chinh")] == ["collective"]
    assert awards.of_person(people["duc_anh"]["userId"]) == [] and awards.of_person(people["panh"]["userId"]) == []
    assert all(engine.runtime.get_instance(i).status == "completed" for i in campaign.units().values())
