"""The `staff_facts` service task: the directory's facts for an individual, none for a collective,
on the date the campaign gives; and the real bpmn/unit_evaluation.bpmn + eligibility.dmn using it."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from engine import EngineConfig, ProcessEngine, TaskQuery
from engine.errors import NotFoundError
from engine.handlers import HandlerRegistry, ServiceTaskContext
from workflows.demo_office import load_demo_office
from workflows.staff_directory import Staff, StaffDirectoryError
from workflows.staff_facts import TOPIC, campaign_end_date, make_staff_facts_handler
from workflows.appraisal import decisions
from workflows.document_register import DocumentRegister
from workflows.handlers import register_handlers
from tests.conftest import FakeClock

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
OFFICE_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CAMPAIGN_ENDS_AT = "2025-08-05T23:59:59+07:00"


def context(variables: dict) -> ServiceTaskContext:
    return ServiceTaskContext(instance_id="i-1", business_key="05/KH-VPUB", definition_key="unit_evaluation",
                              element_id="Service_staff_facts", topic=TOPIC, variables=variables, properties={})


def individual(user_id, full_name, award="bang_khen") -> dict:
    return {"id": f"nom-{user_id}", "kind": "individual", "userId": user_id, "fullName": full_name,
            "award": award, "achievements": "Hoàn thành xuất sắc nhiệm vụ"}


COLLECTIVE = {"id": "nom-tong_hop", "kind": "collective", "userId": None, "fullName": "Phòng Tổng hợp",
              "award": "giay_khen", "achievements": "Tập thể đoàn kết"}


@pytest.fixture
def office(directory):
    directory.upsert_unit("tong_hop", "Phòng Tổng hợp", "phong")
    directory.upsert_staff(Staff("lannt", "Nguyễn Thị Lan", "tong_hop", date(2015, 8, 5)),
                           ratings={2015: "completed", **{y: "good" for y in range(2016, 2025)}})
    directory.add_discipline("lannt", date(2016, 3, 12), "Khiển trách")
    return directory


def test_individual_gets_the_directory_facts_on_the_campaign_end_date(office):
    handler = make_staff_facts_handler(office)
    facts = handler(context({"nominee": individual("lannt", "Nguyễn Thị Lan"), "campaignEndsAt": CAMPAIGN_ENDS_AT}))
    assert facts == {"yearsAtOffice": 10, "yearsSinceDiscipline": 9, "worstRatingLast10": "completed",
                     "missingRatingYears": None, "pendingCase": None, "pendingCaseText": None,
                     "sameAwardInCampaign": False}
    # The date comes from the campaign: a campaign ending a year later sees other facts.
    later = handler(context({"nominee": individual("lannt", "Nguyễn Thị Lan"),
                             "campaignEndsAt": "2026-08-05T23:59:59+07:00"}))
    # ... and in 2026 the 2025 rating is due: without it the record is incomplete.
    assert later == {"yearsAtOffice": 11, "yearsSinceDiscipline": 10, "worstRatingLast10": "good",
                     "missingRatingYears": "2025", "pendingCase": None, "pendingCaseText": None,
                     "sameAwardInCampaign": False}


def test_collective_gets_no_facts_and_is_not_looked_up(office):
    handler = make_staff_facts_handler(office)
    assert handler(context({"nominee": COLLECTIVE, "campaignEndsAt": CAMPAIGN_ENDS_AT})) == {
        "yearsAtOffice": None, "yearsSinceDiscipline": None, "worstRatingLast10": None, "missingRatingYears": None,
        "pendingCase": None, "pendingCaseText": None, "sameAwardInCampaign": None}
    # A collective needs no date either.
    assert handler(context({"nominee": COLLECTIVE}))["yearsAtOffice"] is None


def test_a_year_without_a_rating_is_reported_not_skipped(office):
    """A gap in the ratings used to vanish from the worst rating, so the nominee passed as "good"."""
    office.upsert_staff(Staff("binhnv", "Nguyễn Văn Bình", "tong_hop", date(2005, 5, 5)),
                        ratings={y: "good" for y in range(2015, 2025) if y not in (2019, 2021)})
    # Started on 10/07/2020: under six months of 2020, so 2020 needs no rating; 2021 does.
    office.upsert_staff(Staff("tuanlm", "Lê Minh Tuấn", "tong_hop", date(2020, 7, 10)),
                        ratings={y: "good" for y in range(2022, 2025)})
    handler = make_staff_facts_handler(office)
    binh = handler(context({"nominee": individual("binhnv", "Nguyễn Văn Bình"), "campaignEndsAt": CAMPAIGN_ENDS_AT}))
    assert (binh["worstRatingLast10"], binh["missingRatingYears"]) == ("good", "2019, 2021")
    tuan = handler(context({"nominee": individual("tuanlm", "Lê Minh Tuấn"), "campaignEndsAt": CAMPAIGN_ENDS_AT}))
    assert tuan["missingRatingYears"] == "2021"


def test_the_date_can_come_from_another_variable(office):
    handler = make_staff_facts_handler(office, as_of=lambda v: date.fromisoformat(v["ratingDate"]))
    facts = handler(context({"nominee": individual("lannt", "Nguyễn Thị Lan"), "ratingDate": "2025-08-04"}))
    assert facts["yearsAtOffice"] == 9


def test_campaign_end_date_is_the_office_calendar_day():
    assert campaign_end_date({"campaignEndsAt": CAMPAIGN_ENDS_AT}) == date(2025, 8, 5)  # 16:59 UTC, still 5/8
    assert campaign_end_date({"campaignEndsAt": "2025-08-05"}) == date(2025, 8, 5)
    assert campaign_end_date({"campaignEndsAt": datetime(2025, 8, 5, 23, 0, tzinfo=OFFICE_TZ)}) == date(2025, 8, 5)
    with pytest.raises(StaffDirectoryError, match="campaignEndsAt"):
        campaign_end_date({})
    with pytest.raises(StaffDirectoryError, match="campaignEndsAt"):
        campaign_end_date({"campaignEndsAt": "5/8/2025"})


def test_bad_nominees_are_clear_errors(office):
    handler = make_staff_facts_handler(office)
    with pytest.raises(NotFoundError, match="Không có cán bộ 'ai_do'"):
        handler(context({"nominee": individual("ai_do", "Ai Đó"), "campaignEndsAt": CAMPAIGN_ENDS_AT}))
    with pytest.raises(StaffDirectoryError, match="userId"):
        handler(context({"nominee": individual(None, "Ai Đó"), "campaignEndsAt": CAMPAIGN_ENDS_AT}))
    with pytest.raises(StaffDirectoryError, match="nominee"):
        handler(context({"campaignEndsAt": CAMPAIGN_ENDS_AT}))


# --- through the real process -------------------------------------------------------------------



def test_unit_evaluation_decides_eligibility_from_the_directory(office_database_url, directory):
    demo = load_demo_office(directory)
    tuan, anh, huy = demo.by_name("Lê Minh Tuấn"), demo.by_name("Hoàng Đức Anh"), demo.by_name("Phạm Quang Huy")
    hanh = demo.by_name("Vũ Thị Hạnh")  # 13 years, every rating "good" but none for 2019
    handlers = HandlerRegistry()
    clock = FakeClock(datetime(2025, 6, 6, 8, 0, tzinfo=OFFICE_TZ))
    with ProcessEngine(EngineConfig(database_url=office_database_url, clock=clock), handlers=handlers) as engine:
        # staff_facts on the directory; the checks; issue_document for the unit's tờ trình.
        register_handlers(handlers, directory, DocumentRegister(engine.context.db))
        engine.repository.deploy([("unit_evaluation.bpmn", (BPMN_DIR / "unit_evaluation.bpmn").read_bytes()),
                                  ("eligibility.dmn", (BPMN_DIR / "eligibility.dmn").read_bytes())])
        instance = engine.runtime.start_process_by_key("unit_evaluation", {
            "unit": "tong_hop", "unitName": "Phòng Tổng hợp", "headGroup": "head:tong_hop",
            "planNumber": "05/KH-VPUB", "campaignName": "Đợt thi đua đặc biệt", "guidanceDate": "2025-06-30",
            "unitReportDate": "2025-08-08", "appraisalDate": "2025-08-10", "campaignEndsAt": CAMPAIGN_ENDS_AT,
        }, business_key="05/KH-VPUB")

        def only_task(element_id):
            [task] = engine.tasks.list(TaskQuery(instance_id=instance.id))
            assert task.element_id == element_id
            return task

        engine.tasks.complete(only_task("Task_deploy_plan").id, {"deployedOn": "2025-06-10"}, actor="hungnv")
        clock.now = datetime(2025, 8, 6, 0, 0, 1, tzinfo=OFFICE_TZ)
        assert engine.runtime.fire_due_timers() == 1
        nominees = [individual(tuan.id, tuan.full_name), individual(anh.id, anh.full_name),
                    individual(huy.id, huy.full_name), individual(hanh.id, hanh.full_name), COLLECTIVE]
        engine.tasks.complete(only_task("Task_nominate").id, {"nominees": nominees, "unitResults": "Hoàn thành"},
                              actor="hungnv")
        # Every individual the council will consider writes the report at the same time; Hạnh,
        # not eligible (a year without a rating), is not asked for one.
        reports = {t.assignee: t for t in engine.tasks.list(TaskQuery(instance_id=instance.id))}
        assert set(reports) == {tuan.id, anh.id, huy.id}
        for person in (tuan, anh, huy):
            engine.tasks.complete(reports[person.id].id, {"achievementReport": "Báo cáo"}, actor=person.id)
        engine.tasks.complete(only_task("Task_submit").id, {"reportedOn": "2025-08-07"}, actor="hungnv")
        checked = engine.runtime.get_variables(instance.id)["checkedNominees"]
        engine.tasks.complete(only_task("Task_appraise").id, decisions(checked), actor="hapt")
        assert engine.runtime.get_instance(instance.id).status == "completed"
        nominees = engine.runtime.get_variables(instance.id)["unitResult"]["nominees"]
        checked = {n["id"]: (n["eligible"], n["route"], n["reasonCode"]) for n in nominees}
        reasons = {n["id"]: n["reason"] for n in nominees}
    assert checked == {
        f"nom-{tuan.id}": (True, "council", "ok"),  # started 01/08/2015: 10 years on 05/08/2025
        f"nom-{anh.id}": (False, "chairman_discretion", "years_below_10"),  # started 15/08/2015: 9 years
        f"nom-{huy.id}": (False, "chairman_discretion", "discipline_within_10"),  # Khiển trách 12/03/2016
        f"nom-{hanh.id}": (False, "not_eligible", "rating_missing"),
        "nom-tong_hop": (True, "council", "ok"),
    }
    assert reasons[f"nom-{hanh.id}"] == "Thiếu kết quả đánh giá năm 2019"
