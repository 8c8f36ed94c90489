"""The blocking rule: open cases in the staff register (workflows/pending_cases.py), read by the
`staff_facts` task, block the nomination in bpmn/eligibility.dmn and leave it off the council's list."""
from __future__ import annotations

import unicodedata
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine import EngineConfig, ProcessEngine
from engine.errors import NotFoundError
from engine.handlers import HandlerRegistry
from tests.conftest import FakeClock
from tests.workflows.test_staff_facts import CAMPAIGN_ENDS_AT, COLLECTIVE, OFFICE_TZ, context, individual
from workflows.campaign_rules import consolidate
from workflows.models import PendingCase
from workflows.pending_cases import PendingCaseError, PendingCases
from workflows.staff_directory import Staff
from workflows.staff_facts import TOPIC, make_staff_facts_handler

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
END = date(2025, 8, 5)
# The unit process's nominee check, without the rest of the unit's work: prepare, facts, decision.
CHECK_BPMN = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D_check" targetNamespace="t">
  <bpmn:process id="nominee_check" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="StartEvent_1" targetRef="Prepare" />
    <bpmn:scriptTask id="Prepare" scriptFormat="python">
      <bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing>
      <bpmn:script>nomineeKind = nominee["kind"]
award = nominee["award"]</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="F2" sourceRef="Prepare" targetRef="Facts" />
    <bpmn:serviceTask id="Facts" camunda:type="external" camunda:topic="staff_facts">
      <bpmn:incoming>F2</bpmn:incoming><bpmn:outgoing>F3</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="F3" sourceRef="Facts" targetRef="Rule" />
    <bpmn:businessRuleTask id="Rule" camunda:decisionRef="eligibility">
      <bpmn:incoming>F3</bpmn:incoming><bpmn:outgoing>F4</bpmn:outgoing>
    </bpmn:businessRuleTask>
    <bpmn:sequenceFlow id="F4" sourceRef="Rule" targetRef="EndEvent_1" />
    <bpmn:endEvent id="EndEvent_1"><bpmn:incoming>F4</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture
def office(directory):
    directory.upsert_unit("tong_hop", "Phòng Tổng hợp", "phong")
    directory.upsert_staff(Staff("lannt", "Nguyễn Thị Lan", "tong_hop", date(2005, 8, 5)),
                           ratings={y: "good" for y in range(2015, 2025)})
    directory.upsert_staff(Staff("binhnv", "Nguyễn Văn Bình", "tong_hop", date(2003, 1, 2)),
                           ratings={y: "excellent" for y in range(2015, 2025)})
    return directory


@pytest.fixture
def cases(office, db) -> PendingCases:
    return PendingCases(db)


def count(db) -> int:
    with db.connect() as connection:
        return connection.scalar(select(func.count()).select_from(PendingCase))


def test_open_list_and_close_a_case(cases):
    typed = unicodedata.normalize("NFD", "  Xem xét  trách nhiệm ")  # as some keyboards send it
    case = cases.open("lannt", "discipline_review", date(2025, 7, 1), typed)
    assert (case.staff_id, case.kind, case.opened_on, case.closed_on) == ("lannt", "discipline_review",
                                                                          date(2025, 7, 1), None)
    assert case.note == "Xem xét trách nhiệm" and unicodedata.is_normalized("NFC", case.note)
    assert case.text == "đang bị xem xét kỷ luật"
    assert cases.first_open("lannt", END) == case
    assert cases.first_open("lannt", date(2025, 6, 30)) is None  # not yet opened
    assert cases.facts("lannt", END) == {"pendingCase": "discipline_review",
                                         "pendingCaseText": "đang bị xem xét kỷ luật"}
    closed = cases.close(case.id, date(2025, 8, 1))
    assert closed.closed_on == date(2025, 8, 1)
    assert cases.first_open("lannt", END) is None  # settled before the facts date
    assert cases.first_open("lannt", date(2025, 7, 31)) == closed  # still open the day before
    assert cases.cases("lannt") == [closed]
    # The first open case is the oldest one.
    later = cases.open("lannt", "complaint", date(2025, 7, 20))
    older = cases.open("lannt", "inspection", date(2025, 7, 10))
    assert cases.first_open("lannt", END) == older and cases.cases("lannt", open_on=END) == [older, later]
    assert cases.facts("binhnv", END) == {"pendingCase": None, "pendingCaseText": None}


@pytest.mark.parametrize("call, message", [
    (lambda c: c.open("lannt", "gossip", date(2025, 7, 1)), "Loại vụ việc 'gossip' không hợp lệ"),
    (lambda c: c.open("lannt", "complaint", "2025-07-01"), "Ngày mở phải là một ngày"),
    (lambda c: c.open("lannt", "complaint", date(2025, 7, 1), 42), "Ghi chú phải là chữ"),
    (lambda c: c.open("lannt", "complaint", date(2025, 7, 1), "x" * 2001), "Ghi chú dài quá 2000 ký tự"),
    (lambda c: c.close(99, date(2025, 7, 1)), "Không có vụ việc số 99"),
    (lambda c: c.open("ai_do", "complaint", date(2025, 7, 1)), "Không có cán bộ 'ai_do'"),
])
def test_bad_input_is_a_clear_error_and_writes_nothing(cases, db, call, message):
    with pytest.raises((PendingCaseError, NotFoundError), match=message) as caught:
        call(cases)
    assert " / " in str(caught.value)  # Vietnamese, then English
    assert count(db) == 0


def test_a_case_cannot_be_opened_twice_or_closed_before_it_opened(cases, db):
    case = cases.open("lannt", "investigation", date(2025, 7, 1))
    with pytest.raises(PendingCaseError, match="đã có vụ việc 'đang bị điều tra' đang mở"):
        cases.open("lannt", "investigation", date(2025, 7, 5))
    with pytest.raises(PendingCaseError, match="trước ngày mở"):
        cases.close(case.id, date(2025, 6, 30))
    cases.close(case.id, date(2025, 7, 2))
    with pytest.raises(PendingCaseError, match="đã kết thúc ngày 02/07/2025"):
        cases.close(case.id, date(2025, 7, 3))
    assert count(db) == 1 and cases.cases("lannt")[0].closed_on == date(2025, 7, 2)
    # Once settled, a new case of the same kind may be opened.
    assert cases.open("lannt", "investigation", date(2025, 7, 10)).closed_on is None


def test_staff_facts_reads_the_case_open_on_the_campaign_date(cases, office):
    cases.open("lannt", "denunciation", date(2025, 8, 1))
    handler = make_staff_facts_handler(office)
    facts = handler(context({"nominee": individual("lannt", "Nguyễn Thị Lan"), "campaignEndsAt": CAMPAIGN_ENDS_AT}))
    assert (facts["pendingCase"], facts["pendingCaseText"]) == ("denunciation", "đang có tố cáo chưa được giải quyết")
    # A campaign that ended before the case opened does not see it.
    early = handler(context({"nominee": individual("lannt", "Nguyễn Thị Lan"),
                             "campaignEndsAt": "2025-07-31T23:59:59+07:00"}))
    assert early["pendingCase"] is None
    assert handler(context({"nominee": COLLECTIVE, "campaignEndsAt": CAMPAIGN_ENDS_AT}))["pendingCase"] is None


def test_a_blocked_nominee_is_left_off_the_councils_list_with_the_reason(office_database_url, office, cases):
    cases.open("lannt", "discipline_review", date(2025, 7, 15), "Chậm xử lý hồ sơ")
    handlers = HandlerRegistry()
    handlers.register(TOPIC, make_staff_facts_handler(office))
    with ProcessEngine(EngineConfig(database_url=office_database_url, clock=FakeClock(
            datetime(2025, 8, 6, 8, 0, tzinfo=OFFICE_TZ))), handlers=handlers) as engine:
        engine.repository.deploy([("nominee_check.bpmn", CHECK_BPMN),
                                  ("eligibility.dmn", (BPMN_DIR / "eligibility.dmn").read_bytes())])
        checked = []
        for nominee in (individual("lannt", "Nguyễn Thị Lan"), individual("binhnv", "Nguyễn Văn Bình"), COLLECTIVE):
            instance = engine.runtime.start_process_by_key(
                "nominee_check", {"nominee": nominee, "campaignEndsAt": CAMPAIGN_ENDS_AT}, business_key="05/KH-VPUB")
            assert instance.status == "completed", instance
            v = engine.runtime.get_variables(instance.id)
            checked.append({**nominee, **{k: v[k] for k in ("eligible", "route", "reasonCode", "reason")}})
    assert [(c["route"], c["reasonCode"]) for c in checked] == [("blocked", "pending_case"), ("council", "ok"),
                                                                ("council", "ok")]
    result = consolidate([{"unit": "tong_hop", "unitName": "Phòng Tổng hợp", "nominees": checked}])
    assert [c["fullName"] for c in result["candidates"]] == ["Phòng Tổng hợp", "Nguyễn Văn Bình"]
    [blocked] = result["notEligible"]
    assert (blocked["nomineeId"], blocked["eligible"], blocked["route"]) == ("tong_hop:nom-lannt", False, "blocked")
    assert blocked["reason"] == "Không xét khen thưởng: đang bị xem xét kỷ luật"
