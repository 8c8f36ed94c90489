"""bpmn/campaign.bpmn: whole campaigns, from the launch to the report to Sở Nội vụ.

The campaign calls bpmn/unit_evaluation.bpmn once per unit (each a process instance of its own)
and uses the handlers of workflows/handlers.py; only `staff_facts` (the staff directory, not built
yet) is a stub here. The engine runs on a clock the test moves, as in test_unit_evaluation.py.
"""
from __future__ import annotations

import unicodedata
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from engine import EngineConfig, ProcessEngine, TaskQuery
from engine.forms.submission import FormValidationError
from engine.runtime.service import InstanceQuery
from workflows.demo import COLLECTIVE_CRITERIA_2025
from workflows.appraisal import decisions
from workflows.council import Council
from workflows.document_register import DocumentRegister
from workflows.handlers import register_handlers
from tests.conftest import FakeClock

BPMN_DIR = Path(__file__).resolve().parents[1] / "bpmn"
MODEL = BPMN_DIR / "campaign.bpmn"
OFFICE_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PLAN = "05/KH-VPUB"

UNITS = [
    {"code": "tong_hop", "name": "Phòng Tổng hợp", "headGroup": "head:tong_hop"},
    {"code": "kinh_te", "name": "Phòng Kinh tế", "headGroup": "head:kinh_te"},
]
PASS_RULE = {"basis": "present", "threshold": 0.5, "quorum": 0.667, "members": 7}
VARIABLES = {
    "planNumber": PLAN,
    "planDate": "2025-06-05",
    "campaignName": "Đợt thi đua đặc biệt chào mừng 80 năm Ngày truyền thống Văn phòng",
    "guidanceDate": "2025-06-30",
    "campaignEndDate": "2025-08-05",
    "unitReportDate": "2025-08-08",
    "appraisalDate": "2025-08-10",
    "anniversaryDate": "2025-08-28",
    "units": UNITS,
    "passRule": PASS_RULE,
    "collectiveCriteria": COLLECTIVE_CRITERIA_2025,
}

# userId -> (yearsAtOffice, yearsSinceDiscipline, worstRatingLast10), as the staff register would say.
STAFF_FACTS = {"lan": (12, None, "good"), "minh": (8, None, "excellent"), "an": (4, None, "good")}

MEETING = "2025-08-15"
CHIEF_DECISION = {"decisionDate": "2025-08-20"}
CHAIRMAN_DECISION = {"awarded": True, "decisionNumber": "1520/QĐ-UBND", "decisionDate": "2025-08-25"}


def chairman_decisions(nominees: list[dict], **overrides: dict) -> dict:
    """The Chairman's decision for each nominee (by nomineeId): awarded as proposed unless told."""
    return {"chairmanDecisions": [{"nomineeId": n["nomineeId"], "award": n["award"], **CHAIRMAN_DECISION,
                                   **overrides.get(n["nomineeId"], {})} for n in nominees]}


def end_of_day(day: str) -> datetime:
    return datetime.combine(datetime.fromisoformat(day).date(), datetime.max.time().replace(microsecond=0),
                            OFFICE_TZ)


def individual(user_id: str, full_name: str, award: str) -> dict:
    return {"id": f"nom-{user_id}", "kind": "individual", "userId": user_id, "fullName": full_name,
            "award": award, "achievements": "Hoàn thành xuất sắc nhiệm vụ"}


def collective(unit: dict, award: str = "giay_khen") -> dict:
    """The unit itself, meeting every collective criterion of the campaign, each with its evidence."""
    return {"id": f"nom-{unit['code']}", "kind": "collective", "userId": None, "fullName": unit["name"],
            "collectiveOf": unit["code"], "award": award, "achievements": "Tập thể đoàn kết, hoàn thành tốt các nhiệm vụ",
            "criteria": [{**c, "met": True, "evidence": "Biên bản họp bình xét"} for c in COLLECTIVE_CRITERIA_2025]}


TONG_HOP, KINH_TE = UNITS
LAN = individual("lan", "Nguyễn Thị Lan", "bang_khen")
AN = individual("an", "Lê Văn An", "giay_khen")
MINH = individual("minh", "Trần Văn Minh", "bang_khen")




def start_clock() -> FakeClock:
    """The campaign's clock at its launch, for a fixture of any scope."""
    return FakeClock(datetime(2025, 6, 6, 8, 0, tzinfo=OFFICE_TZ))


@pytest.fixture
def clock() -> FakeClock:
    return start_clock()


@pytest.fixture
def campaign_engine(database_url, handlers, clock):
    def staff_facts(ctx):
        user_id = ctx.variables["nominee"].get("userId")
        years, discipline, rating = STAFF_FACTS[user_id] if user_id else (None, None, None)
        return {"yearsAtOffice": years, "yearsSinceDiscipline": discipline, "worstRatingLast10": rating,
                "missingRatingYears": None, "pendingCase": None, "pendingCaseText": None, "sameAwardInCampaign": None}

    handlers.register("staff_facts", staff_facts)
    with ProcessEngine(EngineConfig(database_url=database_url, clock=clock), handlers=handlers) as engine:
        register_handlers(handlers, register=DocumentRegister(engine.context.db), council=Council(engine.context.db))
        engine.repository.deploy([(name, (BPMN_DIR / name).read_bytes())
                                  for name in ("campaign.bpmn", "unit_evaluation.bpmn", "eligibility.dmn")])
        yield engine


# --- helpers ------------------------------------------------------------------------------

class Campaign:
    """One campaign instance and the moves of each role in it."""

    def __init__(self, engine, clock, variables=None) -> None:
        self.engine, self.clock = engine, clock
        self.instance = engine.runtime.start_process_by_key("campaign", variables or VARIABLES,
                                                            business_key=PLAN, actor="chief")
        assert self.instance.status == "active", self.instance.incident_message
        self.id = self.instance.id

    # reading
    def status(self) -> str:
        instance = self.engine.runtime.get_instance(self.id)
        assert instance.status != "incident", instance.incident_message
        return instance.status

    def variables(self) -> dict:
        return self.engine.runtime.get_variables(self.id)

    def open_tasks(self) -> list[str]:
        return sorted(t.element_id for t in self.engine.tasks.list(TaskQuery(instance_id=self.id)))

    def tasks_of(self, group: str) -> list[tuple[str, str]]:
        """(instance's unit or 'campaign', element id) of the open tasks offered to a group."""
        tasks = self.engine.tasks.list(TaskQuery(candidate_group=group, limit=None))
        return sorted((self.unit_of(t.instance_id), t.element_id) for t in tasks)

    def units(self) -> dict[str, str]:
        """unit code -> its unit_evaluation instance id."""
        return {i.unit: i.id for i in self.engine.runtime.list_instances(InstanceQuery(limit=None))
                if i.parent_instance_id == self.id}

    def unit_of(self, instance_id: str) -> str:
        return next((code for code, iid in self.units().items() if iid == instance_id), "campaign")

    def task(self, element_id: str, instance_id: str | None = None, assignee: str | None = None):
        # Nominees write their reports in parallel: a report task is told apart by its assignee.
        tasks = [t for t in self.engine.tasks.list(TaskQuery(instance_id=instance_id or self.id))
                 if t.element_id == element_id and (assignee is None or t.assignee in (None, assignee))]
        assert len(tasks) == 1, (element_id, [t.element_id for t in tasks])
        return tasks[0]

    def complete(self, element_id: str, values: dict | None = None, unit: str | None = None, actor: str = "x"):
        instance_id = self.units()[unit] if unit else self.id
        self.engine.tasks.complete(self.task(element_id, instance_id, actor).id, values or {}, actor=actor)

    def appraise(self, unit: str, returns: dict[str, str] | None = None) -> None:
        """TCHCQT decides on each of the unit's checked nominees: accepted unless `returns` gives a reason."""
        checked = self.engine.runtime.get_variables(self.units()[unit])["checkedNominees"]
        self.complete("Task_appraise", decisions(checked, returns), unit=unit, actor="hoa")

    # the launch
    def launch(self) -> None:
        """TCHCQT's guidance, the Information Centre's column, each unit deploys the plan."""
        self.complete("Task_guidance", {"guidanceIssuedOn": "2025-06-25"}, actor="hoa")
        self.complete("Task_open_pages", {"pageUrl": "https://vpubnd.sonla.gov.vn/80-nam"}, actor="tin")
        self.complete("Task_news", actor="tin")
        for code in self.units():
            self.complete("Task_deploy_plan", {"deployedOn": "2025-06-10"}, unit=code)

    def end_campaign_period(self) -> None:
        self.clock.now = datetime(2025, 8, 6, 8, 0, tzinfo=OFFICE_TZ)
        assert self.engine.runtime.fire_due_timers() == len(self.units())

    # one unit
    def nominate(self, unit: dict, nominees: list[dict]) -> None:
        """The unit's list, each nominee's report, the submission to TCHCQT."""
        code = unit["code"]
        self.complete("Task_nominate", {"nominees": nominees, "unitResults": f"{unit['name']} hoàn thành tốt"},
                      unit=code)
        for nominee in nominees:
            # Only a nominee the council will consider writes a report (not the blocked, not the ineligible).
            if nominee["kind"] == "individual" and self.engine.tasks.list(
                    TaskQuery(instance_id=self.units()[code], assignee=nominee["userId"])):
                self.complete("Task_achievement_report", {"achievementReport": f"Báo cáo của {nominee['fullName']}"},
                              unit=code, actor=nominee["userId"])
        self.complete("Task_submit", {"reportedOn": "2025-08-07"}, unit=code)

    def unit_evaluates(self, unit: dict, nominees: list[dict], returned: bool = False) -> None:
        code = unit["code"]
        self.nominate(unit, nominees)
        if returned:
            self.appraise(code, {nominees[0]["id"]: "Thiếu biên bản"})
            assert self.tasks_of(unit["headGroup"]) == [(code, "Task_correct")]
            self.complete("Task_correct", {"correctionNote": "Đã bổ sung biên bản"}, unit=code)
            self.complete("Task_submit", {"reportedOn": "2025-08-07"}, unit=code)
        self.appraise(code)

    # the council
    def to_council(self) -> None:
        assert self.open_tasks() == ["Task_submit_council"]
        self.complete("Task_submit_council", {"submittedOn": "2025-08-10"}, actor="hoa")

    def vote(self, present: int = 5, against: dict[str, int] | None = None) -> None:
        """Every candidate gets `present` ballots; `against` moves some to 'against'."""
        against = against or {}
        votes = [{"nomineeId": c["nomineeId"], "for": present - against.get(c["nomineeId"], 0),
                  "against": against.get(c["nomineeId"], 0), "abstain": 0} for c in self.variables()["candidates"]]
        self.complete("Task_vote", {"votes": votes, "present": present, "meetingDate": MEETING}, actor="council")

    def decide_and_report(self, **chairman: dict) -> None:
        """The Chief's Giấy khen, the Chairman's decisions (as proposed unless `chairman` says
        otherwise for a nomineeId), then the report."""
        assert self.open_tasks() == ["Task_giay_khen", "Task_propose_chairman"]
        assert self.tasks_of("chief") == [("campaign", "Task_giay_khen")]
        assert self.tasks_of("tchcqt") == [("campaign", "Task_propose_chairman")]
        self.complete("Task_giay_khen", CHIEF_DECISION)
        self.chairman_decides(**chairman)
        self.report()

    def chairman_decides(self, **overrides: dict) -> None:
        self.complete("Task_propose_chairman")
        self.complete("Task_record_chairman", chairman_decisions(self.variables()["chairmanAwardees"], **overrides))

    def report(self) -> None:
        assert self.open_tasks() == ["Task_report"]
        self.complete("Task_report", actor="hoa")
        assert self.status() == "completed"


def run_units(campaign: Campaign, nominations: dict[str, list[dict]], returned: str | None = None) -> None:
    campaign.launch()
    campaign.end_campaign_period()
    for unit in UNITS:
        campaign.unit_evaluates(unit, nominations[unit["code"]], returned=unit["code"] == returned)


def awardees(campaign: Campaign) -> list[tuple[str, str, str]]:
    return [(a["nomineeId"], a["fullName"], a["award"]) for a in campaign.variables()["awardees"]]


NOMINATIONS = {"tong_hop": [LAN, collective(TONG_HOP)], "kinh_te": [AN]}
EVERYONE = [("tong_hop:nom-tong_hop", "Phòng Tổng hợp", "giay_khen"),  # collectives first,
            ("kinh_te:nom-an", "Lê Văn An", "giay_khen"),  # then people by given name: An < Lan
            ("tong_hop:nom-lan", "Nguyễn Thị Lan", "bang_khen")]


# --- scenarios ------------------------------------------------------------------------------

def test_all_accepted(campaign_engine, clock):
    campaign = Campaign(campaign_engine, clock)
    # The launch: each role's first tasks, and one unit_evaluation instance per unit.
    assert campaign.open_tasks() == ["Task_guidance", "Task_open_pages"]
    assert sorted(campaign.units()) == ["kinh_te", "tong_hop"]
    assert campaign.tasks_of("tchcqt") == [("campaign", "Task_guidance")]
    assert campaign.tasks_of("info_centre") == [("campaign", "Task_open_pages")]
    assert campaign.tasks_of("head:kinh_te") == [("kinh_te", "Task_deploy_plan")]
    unit_vars = campaign_engine.runtime.get_variables(campaign.units()["kinh_te"])
    assert {k: unit_vars[k] for k in ("unit", "unitName", "headGroup", "campaignEndsAt")} == {
        "unit": "kinh_te", "unitName": "Phòng Kinh tế", "headGroup": "head:kinh_te",
        "campaignEndsAt": "2025-08-05T23:59:59+07:00"}
    assert {i.business_key for i in campaign_engine.runtime.list_instances()} == {PLAN}

    run_units(campaign, NOMINATIONS)
    assert [c["nomineeId"] for c in campaign.variables()["candidates"]] == [a[0] for a in EVERYONE]
    campaign.to_council()
    assert campaign.tasks_of("council") == [("campaign", "Task_vote")]
    campaign.vote()
    campaign.decide_and_report()

    variables = campaign.variables()
    assert awardees(campaign) == EVERYONE and variables["rejected"] == []
    assert variables["announcement"].splitlines() == [
        f"Kết quả khen thưởng {VARIABLES['campaignName']} (Kế hoạch số {PLAN}):",
        "Bằng khen của Chủ tịch UBND tỉnh (Quyết định số 1520/QĐ-UBND ngày 25/08/2025):",
        "  1. Nguyễn Thị Lan – Phòng Tổng hợp",
        "Giấy khen của Chánh Văn phòng (Quyết định số 01/QĐ-VPUB ngày 20/08/2025):",
        "  1. Phòng Tổng hợp",
        "  2. Lê Văn An – Phòng Kinh tế",
    ]
    assert unicodedata.is_normalized("NFC", variables["announcement"])
    assert all(campaign_engine.runtime.get_instance(i).status == "completed" for i in campaign.units().values())


def test_every_campaign_task_is_offered_and_due_from_the_campaign_dates(campaign_engine, clock):
    campaign = Campaign(campaign_engine, clock)
    seen = {}

    def record():
        for task in campaign_engine.tasks.list(TaskQuery(instance_id=campaign.id)):
            seen[task.element_id] = (task.candidate_groups, task.due_at)

    record()
    campaign.complete("Task_open_pages")
    record()
    campaign.complete("Task_guidance", {"guidanceIssuedOn": "2025-06-25"})
    campaign.complete("Task_news")
    for unit in UNITS:
        campaign.complete("Task_deploy_plan", {"deployedOn": "2025-06-10"}, unit=unit["code"])
    campaign.end_campaign_period()
    for unit in UNITS:
        campaign.unit_evaluates(unit, NOMINATIONS[unit["code"]])
    record()
    campaign.to_council()
    record()
    campaign.vote()
    record()
    campaign.complete("Task_propose_chairman")
    record()
    campaign.complete("Task_giay_khen", CHIEF_DECISION)
    campaign.complete("Task_record_chairman", chairman_decisions(campaign.variables()["chairmanAwardees"]))
    record()
    assert seen == {
        "Task_guidance": (("tchcqt",), end_of_day("2025-06-30")),
        "Task_open_pages": (("info_centre",), end_of_day("2025-06-30")),
        "Task_news": (("info_centre",), end_of_day("2025-08-05")),
        "Task_submit_council": (("tchcqt",), end_of_day("2025-08-10")),
        "Task_vote": (("council",), end_of_day("2025-08-28")),
        "Task_giay_khen": (("chief",), end_of_day("2025-08-28")),
        "Task_propose_chairman": (("tchcqt",), end_of_day("2025-08-28")),
        "Task_record_chairman": (("tchcqt",), end_of_day("2025-08-28")),
        "Task_report": (("tchcqt",), end_of_day("2025-08-28")),
    }


def test_a_returned_nomination_is_corrected(campaign_engine, clock):
    campaign = Campaign(campaign_engine, clock)
    run_units(campaign, NOMINATIONS, returned="tong_hop")
    campaign.to_council()
    campaign.vote()
    campaign.decide_and_report()
    assert awardees(campaign) == EVERYONE
    unit = campaign.units()["tong_hop"]
    appraisals = [e.element_id for e in campaign_engine.history.events(instance_id=unit, event_types=["complete"])
                  if e.element_id in ("Task_appraise", "Task_correct")]
    assert appraisals == ["Task_appraise", "Task_correct", "Task_appraise"]


def test_bang_khen_under_ten_years_goes_to_the_chairman_who_decides_each_nominee(campaign_engine, clock):
    """Issue 12.1: one decision used to stand for every nominee, so Minh, sent to the Chairman's
    discretion with "Chưa đủ 10 năm", was announced as awarded when the Chairman awarded Lan."""
    campaign = Campaign(campaign_engine, clock)
    run_units(campaign, {"tong_hop": [LAN], "kinh_te": [MINH]})
    minh = next(c for c in campaign.variables()["candidates"] if c["nomineeId"] == "kinh_te:nom-minh")
    assert (minh["eligible"], minh["route"], minh["reason"]) == (
        False, "chairman_discretion", "Chưa đủ 10 năm công tác tại Văn phòng")
    campaign.to_council()
    campaign.vote()
    assert awardees(campaign) == [("tong_hop:nom-lan", "Nguyễn Thị Lan", "bang_khen"),
                                  ("kinh_te:nom-minh", "Trần Văn Minh", "bang_khen")]
    campaign.chairman_decides(**{"kinh_te:nom-minh": {"awarded": False, "decisionNumber": "", "decisionDate": None}})
    campaign.report()

    variables = campaign.variables()
    assert [(a["nomineeId"], a["award"], a["decisionNumber"], a["decisionDate"]) for a in variables["awarded"]] == [
        ("tong_hop:nom-lan", "bang_khen", "1520/QĐ-UBND", "2025-08-25")]
    assert [(n["nomineeId"], n["reason"]) for n in variables["notAwarded"]] == [
        ("kinh_te:nom-minh", "Chủ tịch UBND tỉnh không quyết định khen thưởng")]
    assert variables["announcement"].splitlines()[1:] == [
        "Bằng khen của Chủ tịch UBND tỉnh (Quyết định số 1520/QĐ-UBND ngày 25/08/2025):",
        "  1. Nguyễn Thị Lan – Phòng Tổng hợp"]


def test_the_chairman_may_decide_in_separate_decisions_and_forms(campaign_engine, clock):
    campaign = Campaign(campaign_engine, clock)
    run_units(campaign, {"tong_hop": [LAN, collective(TONG_HOP, "buc_truong")], "kinh_te": [MINH]})
    campaign.to_council()
    campaign.vote()
    campaign.chairman_decides(**{
        "kinh_te:nom-minh": {"decisionNumber": "1604/QĐ-UBND", "decisionDate": "2025-08-27"},
        "tong_hop:nom-tong_hop": {"award": "bang_khen"}})  # the Chairman gives a Bằng khen, not the banner
    campaign.report()
    assert campaign.variables()["announcement"].splitlines()[1:] == [
        "Bằng khen của Chủ tịch UBND tỉnh (Quyết định số 1520/QĐ-UBND ngày 25/08/2025):",
        "  1. Phòng Tổng hợp",
        "  2. Nguyễn Thị Lan – Phòng Tổng hợp",
        "Bằng khen của Chủ tịch UBND tỉnh (Quyết định số 1604/QĐ-UBND ngày 27/08/2025):",
        "  1. Trần Văn Minh – Phòng Kinh tế"]


def issued_decisions(campaign) -> list[str]:
    return [d.title for d in DocumentRegister(campaign.engine.context.db).issued("QĐ-VPUB", 2025)]


def test_without_a_giay_khen_awardee_the_chief_has_no_task_and_no_number_is_taken(campaign_engine, clock):
    """Issue 12.2: each branch runs only for the nominees it concerns."""
    campaign = Campaign(campaign_engine, clock)
    run_units(campaign, {"tong_hop": [LAN], "kinh_te": [MINH]})
    campaign.to_council()
    campaign.vote()
    assert campaign.open_tasks() == ["Task_propose_chairman"]
    assert campaign.tasks_of("chief") == []
    assert campaign.variables()["chiefAwardees"] == []
    campaign.chairman_decides()
    campaign.report()
    assert issued_decisions(campaign) == []
    assert "decisionNumber" not in campaign.variables()
    done = {e.element_id for e in campaign.engine.history.events(instance_id=campaign.id)}
    assert "Task_giay_khen" not in done and "Service_number_decision" not in done


def test_without_a_chairman_award_nothing_goes_to_the_chairman(campaign_engine, clock):
    campaign = Campaign(campaign_engine, clock)
    run_units(campaign, {"tong_hop": [collective(TONG_HOP)], "kinh_te": [AN]})
    campaign.to_council()
    campaign.vote()
    assert campaign.open_tasks() == ["Task_giay_khen"]
    campaign.complete("Task_giay_khen", CHIEF_DECISION)
    campaign.report()
    assert issued_decisions(campaign) == ["Quyết định tặng Giấy khen"]
    assert campaign.variables()["announcement"].splitlines()[1:] == [
        "Giấy khen của Chánh Văn phòng (Quyết định số 01/QĐ-VPUB ngày 20/08/2025):",
        "  1. Phòng Tổng hợp", "  2. Lê Văn An – Phòng Kinh tế"]


def snapshot(campaign) -> tuple:
    """What a refused submission must leave as it was."""
    return (campaign.variables(), campaign.open_tasks(), len(campaign.engine.history.events(instance_id=campaign.id)),
            issued_decisions(campaign))


@pytest.mark.parametrize("change, errors", [
    (lambda d: d[:1], [("chairmanDecisions", "decision_missing")]),
    (lambda d: d + d[:1], [("chairman-2-nomineeId", "decision_twice")]),
    (lambda d: [{**d[0], "nomineeId": "kinh_te:nom-an"}, d[1]], [("chairman-0-nomineeId", "decision_unknown"),
                                                                 ("chairmanDecisions", "decision_missing")]),
    (lambda d: [{**d[0], "awarded": None}, d[1]], [("chairman-0-awarded", "decision_awarded")]),
    (lambda d: [{**d[0], "decisionNumber": " "}, d[1]], [("chairman-0-decisionNumber", "decision_number")]),
    (lambda d: [{**d[0], "award": "buc_truong"}, d[1]], [("chairman-0-award", "banner_collective_only")]),
    (lambda d: [{**d[0], "award": "giay_khen"}, d[1]], [("chairman-0-award", "decision_award")]),
    (lambda d: [{**d[0], "decisionDate": "25/08/2025"}, d[1]], [("chairman-0-decisionDate", "decision_date")]),
], ids=["one-missing", "twice", "not-proposed", "no-answer", "no-number", "banner-to-a-person", "not-a-chairman-award",
        "bad-date"])
def test_a_bad_chairman_decision_is_refused_and_changes_nothing(campaign_engine, clock, change, errors):
    campaign = Campaign(campaign_engine, clock)
    run_units(campaign, {"tong_hop": [LAN], "kinh_te": [MINH]})
    campaign.to_council()
    campaign.vote()
    campaign.complete("Task_propose_chairman")
    decisions = chairman_decisions(campaign.variables()["chairmanAwardees"])["chairmanDecisions"]
    before = snapshot(campaign)
    with pytest.raises(FormValidationError) as refused:
        campaign.complete("Task_record_chairman", {"chairmanDecisions": change(decisions)})
    assert [(e.field, e.code) for e in refused.value.errors] == errors
    assert all(" / " in e.message for e in refused.value.errors)  # Vietnamese, then English
    assert snapshot(campaign) == before


def test_a_failed_vote_is_rejected_not_awarded(campaign_engine, clock):
    campaign = Campaign(campaign_engine, clock)
    run_units(campaign, NOMINATIONS)
    campaign.to_council()
    campaign.vote(present=5, against={"kinh_te:nom-an": 3})  # 2 of 5 for: below half of those present
    campaign.decide_and_report()
    assert awardees(campaign) == [EVERYONE[0], EVERYONE[2]]
    [rejected] = campaign.variables()["rejected"]
    assert (rejected["nomineeId"], rejected["reason"]) == ("kinh_te:nom-an", "Không đủ số phiếu tán thành")
    assert rejected["votes"] == {"for": 2, "against": 3, "abstain": 0}


def test_without_a_quorum_the_council_votes_again(campaign_engine, clock):
    campaign = Campaign(campaign_engine, clock)
    run_units(campaign, NOMINATIONS)
    campaign.to_council()
    campaign.vote(present=4)  # 4 of 7 members: below the quorum of two thirds
    assert campaign.variables()["quorumReached"] is False
    assert campaign.tasks_of("council") == [("campaign", "Task_vote")]
    campaign.vote(present=6)
    campaign.decide_and_report()
    assert awardees(campaign) == EVERYONE


def test_nobody_passes_goes_straight_to_the_report(campaign_engine, clock):
    campaign = Campaign(campaign_engine, clock, {**VARIABLES, "passRule": {**PASS_RULE, "basis": "members"}})
    run_units(campaign, NOMINATIONS)
    campaign.to_council()
    campaign.vote(present=6, against={c: 3 for c in ("tong_hop:nom-tong_hop", "kinh_te:nom-an",
                                                        "tong_hop:nom-lan")})  # 3 of 7 members for
    campaign.report()
    variables = campaign.variables()
    assert variables["awardees"] == [] and len(variables["rejected"]) == 3
    assert "announcement" not in variables


def test_a_late_unit_is_overdue_and_the_campaign_waits_for_it(campaign_engine, clock):
    campaign = Campaign(campaign_engine, clock)
    campaign.launch()
    campaign.end_campaign_period()
    campaign.unit_evaluates(TONG_HOP, NOMINATIONS["tong_hop"])

    clock.now = datetime(2025, 8, 9, 9, 0, tzinfo=OFFICE_TZ)  # the day after the units' deadline
    overdue = campaign_engine.tasks.list(TaskQuery(due_before=clock.now, limit=None))
    assert [(campaign.unit_of(t.instance_id), t.element_id) for t in overdue] == [("kinh_te", "Task_nominate")]
    assert overdue[0].due_at == end_of_day("2025-08-08") < clock.now
    assert campaign.open_tasks() == [] and campaign.status() == "active"
    assert campaign_engine.runtime.get_instance(campaign.units()["tong_hop"]).status == "completed"
    assert "candidates" not in campaign.variables()

    campaign.unit_evaluates(KINH_TE, NOMINATIONS["kinh_te"])
    campaign.to_council()
    campaign.vote()
    campaign.decide_and_report()
    assert awardees(campaign) == EVERYONE


def test_model_is_nfc_and_named_in_vietnamese():
    text = MODEL.read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", text)
    assert 'name="Phát động và tổng kết đợt thi đua"' in text
    assert "2025" not in text  # every date comes from the campaign's variables


# --- issue 12.3: dates follow the process, from the campaign's own variables -------------------

def refused(campaign, element_id, values) -> list:
    """Completes the task expecting a refusal; asserts nothing changed; gives (field, code, message)."""
    before = snapshot(campaign)
    with pytest.raises(FormValidationError) as caught:
        campaign.complete(element_id, values)
    assert snapshot(campaign) == before
    return [(e.field, e.code, e.message) for e in caught.value.errors]


def test_a_decision_dated_before_the_council_meeting_is_refused_and_changes_nothing(campaign_engine, clock):
    campaign = Campaign(campaign_engine, clock)
    run_units(campaign, NOMINATIONS)
    campaign.to_council()
    campaign.vote()  # the meeting: 15/08/2025
    assert refused(campaign, "Task_giay_khen", {"decisionDate": "2025-08-14"}) == [(
        "decisionDate", "date_not_before",
        "Ngày quyết định (14/08/2025) không được trước ngày họp Hội đồng (15/08/2025). / "
        "The date of the decision (14/08/2025) must not be before the council's meeting (15/08/2025).")]
    campaign.complete("Task_giay_khen", {"decisionDate": MEETING})  # on the day of the meeting is fine
    campaign.complete("Task_propose_chairman")
    nominees = campaign.variables()["chairmanAwardees"]
    [(field, code, _)] = refused(campaign, "Task_record_chairman", chairman_decisions(
        nominees, **{"tong_hop:nom-lan": {"decisionDate": "2025-08-01"}}))
    assert (field, code) == ("chairman-0-decisionDate", "date_not_before")
    campaign.complete("Task_record_chairman", chairman_decisions(nominees))
    campaign.report()
    assert issued_decisions(campaign) == ["Quyết định tặng Giấy khen"]  # one number, for the accepted decision


@pytest.mark.parametrize("element_id, values, field, text", [
    ("Task_guidance", {"guidanceIssuedOn": "2025-07-01"}, "guidanceIssuedOn",
     "Ngày ban hành văn bản hướng dẫn (01/07/2025) không được sau hạn hướng dẫn hồ sơ (30/06/2025)."),
    ("Task_guidance", {"guidanceIssuedOn": "2025-06-01"}, "guidanceIssuedOn",
     "Ngày ban hành văn bản hướng dẫn (01/06/2025) không được trước ngày ban hành kế hoạch (05/06/2025)."),
], ids=["guidance-late", "guidance-before-the-plan"])
def test_the_guidance_is_dated_within_the_campaign_dates(campaign_engine, clock, element_id, values, field, text):
    campaign = Campaign(campaign_engine, clock)
    [(got_field, _, message)] = refused(campaign, element_id, values)
    assert got_field == field and message.startswith(text)


def test_the_dates_come_from_the_campaign_not_the_code(campaign_engine, clock):
    """Another campaign with a later guidance deadline accepts what this one refuses."""
    campaign = Campaign(campaign_engine, clock, {**VARIABLES, "guidanceDate": "2025-07-15"})
    campaign.complete("Task_guidance", {"guidanceIssuedOn": "2025-07-01"})
    assert "Task_guidance" not in campaign.open_tasks()


def test_the_list_reaches_the_council_by_the_appraisal_date_and_is_voted_on_after(campaign_engine, clock):
    campaign = Campaign(campaign_engine, clock)
    run_units(campaign, NOMINATIONS)
    [(field, code, message)] = refused(campaign, "Task_submit_council", {"submittedOn": "2025-08-11"})
    assert (field, code) == ("submittedOn", "date_not_after")
    assert "hạn thẩm định, trình Hội đồng (10/08/2025)" in message
    campaign.to_council()  # on 10/08/2025
    votes = [{"nomineeId": c["nomineeId"], "for": 5, "against": 0, "abstain": 0} for c in campaign.variables()["candidates"]]
    [(field, code, _)] = refused(campaign, "Task_vote", {"votes": votes, "present": 5, "meetingDate": "2025-08-09"})
    assert (field, code) == ("meetingDate", "date_not_before")


@pytest.mark.parametrize("present, ballots, meeting, expected", [
    (8, 8, MEETING, [("present", "more_than_members")]),  # the council has 7 members
    (5, 6, MEETING, [("votes-0-for", "ballots_over_present")]),
    (5, 5, None, [("meetingDate", "meeting_date")]),
], ids=["present-over-members", "ballots-over-present", "no-meeting-date"])
def test_an_impossible_vote_is_refused_and_changes_nothing(campaign_engine, clock, present, ballots, meeting, expected):
    campaign = Campaign(campaign_engine, clock)
    run_units(campaign, NOMINATIONS)
    campaign.to_council()
    votes = [{"nomineeId": c["nomineeId"], "for": ballots, "against": 0, "abstain": 0}
             for c in campaign.variables()["candidates"]]
    errors = refused(campaign, "Task_vote", {"votes": votes, "present": present, "meetingDate": meeting})
    assert [(field, code) for field, code, _ in errors][:1] == expected
    assert all(" / " in message for _, _, message in errors)
    assert campaign.status() == "active"  # refused at the form, not an incident in the tally
