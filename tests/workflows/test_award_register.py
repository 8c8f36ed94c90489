"""The register of commendations: written once per award by the announcement, read per person,
per collective and per campaign, and read back by eligibility (not the same award twice)."""
from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from sqlalchemy import func, select

from engine import EngineConfig, HandlerRegistry
from engine.handlers import ServiceTaskContext
from tests.workflows.test_staff_facts import CAMPAIGN_ENDS_AT, context, individual
from web.composition import build_engine
from workflows.award_register import AUTHORITIES, AwardRegister, AwardRegisterError
from workflows.decisions import final_results
from workflows.handlers import announce_results, register_handlers
from workflows.models import AwardRecord
from workflows.staff_directory import Staff
from workflows.staff_facts import make_staff_facts_handler

CAMPAIGN = "KH-80NTT-2025"
NAME = "Đợt thi đua đặc biệt chào mừng 80 năm Ngày truyền thống Văn phòng"
LAN = {"nomineeId": "tong_hop:nom-lannt", "unit": "tong_hop", "unitName": "Phòng Tổng hợp", "kind": "individual",
       "userId": "lannt", "fullName": "Nguyễn Thị Lan", "award": "giay_khen", "votes": {"for": 5}}
BINH = {"nomineeId": "tong_hop:nom-binhnv", "unit": "tong_hop", "unitName": "Phòng Tổng hợp", "kind": "individual",
        "userId": "binhnv", "fullName": "Nguyễn Văn Bình", "award": "bang_khen", "votes": {"for": 5}}
TEAM = {"nomineeId": "tong_hop:nom-tong_hop", "unit": "tong_hop", "unitName": "Phòng Tổng hợp",
        "kind": "collective", "userId": None, "fullName": "Phòng Tổng hợp", "award": "buc_truong", "votes": {"for": 5}}
CHIEF = ("12/QĐ-VPUB", "2025-08-20")
CHAIRMAN = [{"nomineeId": BINH["nomineeId"], "awarded": True, "award": "bang_khen",
             "decisionNumber": "1520/QĐ-UBND", "decisionDate": "2025-08-25"},
            {"nomineeId": TEAM["nomineeId"], "awarded": True, "award": "buc_truong",
             "decisionNumber": "1521/QĐ-UBND", "decisionDate": "2025-08-26"}]


@pytest.fixture
def office(directory):
    directory.upsert_unit("tong_hop", "Phòng Tổng hợp", "phong")
    directory.upsert_staff(Staff("lannt", "Nguyễn Thị Lan", "tong_hop", date(2005, 8, 5)),
                           ratings={y: "good" for y in range(2015, 2025)})
    directory.upsert_staff(Staff("binhnv", "Nguyễn Văn Bình", "tong_hop", date(2003, 1, 2)),
                           ratings={y: "good" for y in range(2015, 2025)})
    return directory


@pytest.fixture
def awards(office, db) -> AwardRegister:
    return AwardRegister(db)


def awarded() -> list[dict]:
    return final_results([LAN, BINH, TEAM], CHIEF, CHAIRMAN)["awarded"]


def rows(db) -> int:
    with db.connect() as connection:
        return connection.scalar(select(func.count()).select_from(AwardRecord))


def announce_context(variables: dict) -> ServiceTaskContext:
    return ServiceTaskContext(instance_id="c-1", business_key=CAMPAIGN, definition_key="campaign",
                              element_id="Service_announce", topic="announce_results", variables=variables,
                              properties={})


def test_each_award_is_recorded_once_with_its_authority_and_decision(awards, db):
    assert awards.record(awarded(), CAMPAIGN, NAME) == 3
    assert awards.record(awarded(), CAMPAIGN, NAME) == 0  # a retried service task writes nothing twice
    assert rows(db) == 3
    [lan] = awards.of_person("lannt")
    assert (lan.award, lan.award_name, lan.authority, lan.decision_number, lan.decision_date) == (
        "giay_khen", "Giấy khen của Chánh Văn phòng", "Chánh Văn phòng UBND tỉnh", "12/QĐ-VPUB", date(2025, 8, 20))
    assert (lan.kind, lan.campaign_key, lan.campaign_name, lan.nominee_id, lan.unit_code) == (
        "individual", CAMPAIGN, NAME, "tong_hop:nom-lannt", "tong_hop")
    [binh] = awards.of_person("binhnv")
    assert (binh.authority, binh.decision_number, binh.decision_date) == ("Chủ tịch UBND tỉnh", "1520/QĐ-UBND",
                                                                         date(2025, 8, 25))
    [team] = awards.of_collective("tong_hop")
    assert (team.kind, team.staff_id, team.full_name, team.authority) == (
        "collective", None, "Phòng Tổng hợp", "Ủy ban nhân dân tỉnh")
    # Newest decision first.
    assert [a.nominee_id for a in awards.of_campaign(CAMPAIGN)] == [
        TEAM["nomineeId"], BINH["nomineeId"], LAN["nomineeId"]]
    assert awards.has("lannt", "giay_khen", CAMPAIGN) and not awards.has("lannt", "bang_khen", CAMPAIGN)
    assert not awards.has("lannt", "giay_khen", "KH-OTHER-2026")
    assert set(AUTHORITIES) == {"giay_khen", "bang_khen", "buc_truong"}


def test_the_same_person_in_another_campaign_is_another_record(awards):
    awards.record(awarded(), CAMPAIGN, NAME)
    again = {**LAN, "decisionNumber": "03/QĐ-VPUB", "decisionDate": "2026-08-20"}
    assert awards.record([again], "KH-2026", "Đợt thi đua năm 2026") == 1
    assert [(a.campaign_key, a.decision_number) for a in awards.of_person("lannt")] == [
        ("KH-2026", "03/QĐ-VPUB"), (CAMPAIGN, "12/QĐ-VPUB")]


def test_names_are_stored_in_nfc(awards):
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Lan")
    awards.record([{**LAN, "fullName": decomposed, "decisionNumber": CHIEF[0], "decisionDate": CHIEF[1]}],
                  CAMPAIGN, unicodedata.normalize("NFD", NAME))
    [lan] = awards.of_person("lannt")
    assert lan.full_name == "Nguyễn Thị Lan" and lan.campaign_name == NAME


@pytest.mark.parametrize("bad, message", [
    ({**LAN, "award": "huan_chuong"}, "award must be one of"),
    ({**LAN, "kind": "team"}, "kind must be one of"),
    ({**LAN, "userId": None}, "an individual needs a userId"),
    ({**LAN, "userId": "ai_do"}, "not in the staff directory: ai_do"),
    ({**TEAM, "unit": "khong_co"}, "not in the list of units: khong_co"),
    ({**LAN, "nomineeId": None}, "no nomineeId"),
    ({**LAN, "decisionDate": "20/08/2025"}, "is not a date"),
], ids=["award", "kind", "no-user", "unknown-user", "unknown-unit", "no-id", "date"])
def test_a_bad_entry_writes_nothing_of_the_list(awards, db, bad, message):
    with pytest.raises(AwardRegisterError, match=message):
        awards.record([*awarded(), bad], CAMPAIGN, NAME)
    assert rows(db) == 0


def test_the_announcement_records_the_awards_under_the_campaigns_key(awards, db):
    variables = {"campaignName": NAME, "planNumber": "86/KH-VPUB", "awardees": [LAN, BINH, TEAM],
                 "decisionNumber": CHIEF[0], "decisionDate": CHIEF[1],
                 "chairmanDecisions": [CHAIRMAN[0], {"nomineeId": TEAM["nomineeId"], "awarded": False}]}
    result = announce_results(announce_context(variables), awards=awards)
    assert [a["nomineeId"] for a in result["awarded"]] == [LAN["nomineeId"], BINH["nomineeId"]]
    assert [a.nominee_id for a in awards.of_campaign(CAMPAIGN)] == [BINH["nomineeId"], LAN["nomineeId"]]
    assert awards.of_collective("tong_hop") == []  # the Chairman did not award the banner
    announce_results(announce_context(variables), awards=awards)  # retried
    assert rows(db) == 2
    # Without a register (tests of the process alone) the announcement still works.
    assert announce_results(announce_context(variables))["awarded"] == result["awarded"]


def test_the_service_registers_the_announcement_with_the_register(database_url, office):
    """web/composition.build_engine wires the register: the handler it registers writes to it."""
    with build_engine(EngineConfig(database_url=database_url)) as engine:
        handler = engine.handlers.get("announce_results")
        handler(announce_context({"campaignName": NAME, "planNumber": "86/KH-VPUB", "awardees": [LAN],
                                  "decisionNumber": CHIEF[0], "decisionDate": CHIEF[1]}))
        assert [a.staff_id for a in AwardRegister(engine.context.db).of_campaign(CAMPAIGN)] == ["lannt"]
    registry = register_handlers(HandlerRegistry())
    assert registry.get("announce_results") is not None


def test_eligibility_reads_the_same_award_in_this_campaign(awards, office):
    awards.record(awarded(), CAMPAIGN, NAME)
    handler = make_staff_facts_handler(office)

    def same(nominee, business_key=CAMPAIGN):
        ctx = context({"nominee": nominee, "campaignEndsAt": CAMPAIGN_ENDS_AT})
        ctx = ServiceTaskContext(**{**ctx.__dict__, "business_key": business_key})
        return handler(ctx)["sameAwardInCampaign"]

    assert same(individual("lannt", "Nguyễn Thị Lan", award="giay_khen")) is True
    assert same(individual("lannt", "Nguyễn Thị Lan", award="bang_khen")) is False
    assert same(individual("lannt", "Nguyễn Thị Lan", award="giay_khen"), "KH-2026") is False
    assert same(individual("lannt", "Nguyễn Thị Lan", award="giay_khen"), None) is None
