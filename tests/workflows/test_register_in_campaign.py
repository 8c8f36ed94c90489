"""The real campaign (bpmn/campaign.bpmn, unit_evaluation.bpmn, eligibility.dmn) with the real staff
register: a pending case leaves its nominee off the council's list with the reason, the announcement
writes the award register, and the register then refuses the same award in the same campaign."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from engine import EngineConfig, ProcessEngine
from tests.conftest import FakeClock
from tests.test_campaign import (AN, BPMN_DIR, LAN, MINH, OFFICE_TZ, PLAN, TONG_HOP, UNITS, Campaign, collective,
                                 individual, run_units)
from workflows.award_register import AwardRegister
from workflows.council import Council
from workflows.document_register import DocumentRegister
from workflows.handlers import register_handlers
from workflows.pending_cases import PendingCases
from workflows.staff_directory import Staff

HUNG = individual("hung", "Đỗ Văn Hùng", "giay_khen")
PEOPLE = {"lan": ("Nguyễn Thị Lan", "tong_hop", date(2012, 9, 1)),
          "hung": ("Đỗ Văn Hùng", "tong_hop", date(2010, 1, 4)),
          "an": ("Lê Văn An", "kinh_te", date(2021, 4, 1)), "minh": ("Trần Văn Minh", "kinh_te", date(2017, 6, 1))}


@pytest.fixture
def office(directory):
    for unit in UNITS:
        directory.upsert_unit(unit["code"], unit["name"], "phong")
    for user, (name, unit, started) in PEOPLE.items():
        directory.upsert_staff(Staff(user, name, unit, started),
                               ratings={y: "good" for y in range(max(started.year, 2015), 2025)})
    PendingCases(directory.db).open("hung", "discipline_review", date(2025, 7, 20), "Chậm xử lý hồ sơ")
    return directory


@pytest.fixture
def engine(office_database_url, office, handlers, clock):
    with ProcessEngine(EngineConfig(database_url=office_database_url, clock=clock), handlers=handlers) as engine:
        register_handlers(handlers, office, DocumentRegister(engine.context.db), awards=AwardRegister(engine.context.db),
                          council=Council(engine.context.db))
        engine.repository.deploy([(name, (BPMN_DIR / name).read_bytes())
                                  for name in ("campaign.bpmn", "unit_evaluation.bpmn", "eligibility.dmn")])
        yield engine


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2025, 6, 6, 8, 0, tzinfo=OFFICE_TZ))


def test_blocked_nominee_award_register_and_no_second_award(engine, clock, db):
    campaign = Campaign(engine, clock)
    run_units(campaign, {"tong_hop": [LAN, HUNG, collective(TONG_HOP)], "kinh_te": [AN, MINH]})
    variables = campaign.variables()
    assert "tong_hop:nom-hung" not in {c["nomineeId"] for c in variables["candidates"]}
    [blocked] = variables["notEligible"]
    assert (blocked["nomineeId"], blocked["route"], blocked["reason"]) == (
        "tong_hop:nom-hung", "blocked", "Không xét khen thưởng: đang bị xem xét kỷ luật")
    campaign.to_council()
    campaign.vote()
    campaign.decide_and_report(**{"kinh_te:nom-minh": {"awarded": False, "decisionNumber": "", "decisionDate": None}})

    variables = campaign.variables()
    awards = AwardRegister(db)
    recorded = {(a.nominee_id, a.award, a.authority, a.decision_number, a.decision_date)
                for a in awards.of_campaign(PLAN)}
    chief_number = variables["decisionNumber"]
    assert recorded == {
        ("tong_hop:nom-lan", "bang_khen", "Chủ tịch UBND tỉnh", "1520/QĐ-UBND", date(2025, 8, 25)),
        ("tong_hop:nom-tong_hop", "giay_khen", "Chánh Văn phòng UBND tỉnh", chief_number, date(2025, 8, 20)),
        ("kinh_te:nom-an", "giay_khen", "Chánh Văn phòng UBND tỉnh", chief_number, date(2025, 8, 20)),
    }
    assert {(a.nominee_id, a.award) for a in awards.of_campaign(PLAN)} == {
        (a["nomineeId"], a["award"]) for a in variables["awarded"]}
    assert [a.campaign_name for a in awards.of_person("lan")] == [variables["campaignName"]]
    assert awards.of_person("minh") == [] and awards.of_person("hung") == []
    assert [a.full_name for a in awards.of_collective("tong_hop")] == ["Phòng Tổng hợp"]

    # The same campaign (its business key) nominating Lan for a Bằng khen again: not eligible.
    again = Campaign(engine, clock)
    again.launch()  # its period has already ended: the units go straight to their nominations
    again.complete("Task_nominate", {"nominees": [LAN], "unitResults": "Hoàn thành"}, unit="tong_hop")
    checked = engine.runtime.get_variables(again.units()["tong_hop"])["checkedNominees"]
    assert [(c["route"], c["reasonCode"], c["reason"]) for c in checked] == [
        ("not_eligible", "same_award_in_campaign",
         "Đã được tặng Bằng khen của Chủ tịch UBND tỉnh trong đợt thi đua này")]
