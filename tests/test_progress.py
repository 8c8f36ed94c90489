"""engine/runtime/progress.py: where instances stand (active and done elements) and the campaign heatmap."""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from engine import EngineConfig, ProcessEngine
from engine.errors import NotFoundError
from engine.persistence import ProcessInstance
from tests.conftest import FakeClock, fixture_bytes

BPMN_DIR = Path(__file__).resolve().parents[1] / "bpmn"
OFFICE_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
UNITS = [{"code": "tong_hop", "name": "Phòng Tổng hợp", "headGroup": "head:tong_hop"},
         {"code": "kinh_te", "name": "Phòng Kinh tế", "headGroup": "head:kinh_te"},
         {"code": "thong_tin", "name": "Trung tâm Thông tin", "headGroup": "head:thong_tin"}]
CAMPAIGN = {"planNumber": "05/KH-VPUB", "planDate": "2025-06-05", "campaignName": "Đợt thi đua 80 năm",
            "guidanceDate": "2025-06-30", "campaignEndDate": "2025-08-05", "unitReportDate": "2025-08-08",
            "appraisalDate": "2025-08-10", "anniversaryDate": "2025-08-28", "units": UNITS,
            "passRule": {"basis": "present", "threshold": 0.5, "quorum": 0.667, "members": 7}}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2025, 6, 6, 8, 0, tzinfo=OFFICE_TZ))


@pytest.fixture
def clocked_engine(database_url, handlers, clock):
    with ProcessEngine(EngineConfig(database_url=database_url, clock=clock), handlers=handlers) as engine:
        yield engine


def start_campaign(engine):
    engine.repository.deploy([(name, (BPMN_DIR / name).read_bytes())
                              for name in ("campaign.bpmn", "unit_evaluation.bpmn", "eligibility.dmn")])
    return engine.runtime.start_process_by_key("campaign", CAMPAIGN, business_key="05/KH-VPUB", actor="chief")


def unit_task(engine, progress, unit, element_id):
    instance = next(i for i in progress.instances if i.unit == unit)
    return next(a for a in engine.runtime.progress(instance.instance_id).active if a.element_id == element_id)


def test_campaign_instance_shows_its_tasks_and_the_called_units(clocked_engine):
    campaign = start_campaign(clocked_engine)
    progress = clocked_engine.runtime.progress(campaign.id)
    assert progress.status == "active" and progress.business_key == "05/KH-VPUB"
    assert sorted(progress.active_ids) == ["Call_units", "Task_guidance", "Task_open_pages"]
    calls = [a for a in progress.active if a.kind == "called_instance"]
    assert len(calls) == 3 and {a.name for a in calls} == {"Đánh giá, bình xét tại đơn vị"}
    guidance = next(a for a in progress.active if a.element_id == "Task_guidance")
    assert guidance.kind == "user_task" and guidance.name == "Hướng dẫn hồ sơ đề nghị khen thưởng"
    assert guidance.due_at == datetime(2025, 6, 30, 23, 59, 59, tzinfo=OFFICE_TZ)
    assert progress.due_at == guidance.due_at
    assert progress.completed == []


def test_heatmap_counts_units_at_each_element_and_follows_their_moves(clocked_engine, clock):
    campaign = start_campaign(clocked_engine)
    units = clocked_engine.runtime.called_progress(campaign.id)
    assert sorted(i.unit for i in units.instances) == ["kinh_te", "thong_tin", "tong_hop"]
    assert units.heatmap == {"Task_deploy_plan": 3}
    assert units.by_status == {"active": 3}
    assert {tuple(i.steps) for i in units.instances} == {("Triển khai kế hoạch đến cán bộ, công chức",)}

    deploy = unit_task(clocked_engine, units, "tong_hop", "Task_deploy_plan")
    task_id = next(t.id for t in clocked_engine.tasks.list() if t.element_id == "Task_deploy_plan"
                   and clocked_engine.runtime.get_instance(t.instance_id).unit == "tong_hop")
    assert deploy.due_at == datetime(2025, 6, 30, 23, 59, 59, tzinfo=OFFICE_TZ)
    clocked_engine.tasks.complete(task_id, {"deployedOn": "2025-06-10"}, actor="lan")

    units = clocked_engine.runtime.called_progress(campaign.id, with_completed=True)
    assert units.heatmap == {"Task_deploy_plan": 2, "Timer_campaign_end": 1}
    tong_hop = next(i for i in units.instances if i.unit == "tong_hop")
    # Waiting on the campaign-end timer: a catch event, stored on the row with the timer.
    assert [(a.element_id, a.kind, a.name) for a in tong_hop.active] == [
        ("Timer_campaign_end", "event", "Hết thời gian thi đua")]
    assert tong_hop.completed == ["Task_deploy_plan"] and tong_hop.due_at is None
    assert next(i for i in units.instances if i.unit == "kinh_te").completed == []

    # A row written before the column existed says nothing: the state still answers, the same.
    waiting = ProcessInstance.__table__
    with clocked_engine.context.db.begin() as conn:
        assert conn.scalar(select(waiting.c.waiting_json).where(waiting.c.id == tong_hop.instance_id)) == \
            '["Timer_campaign_end"]'
        conn.execute(update(waiting).where(waiting.c.id == tong_hop.instance_id).values(waiting_json=None))
    again = clocked_engine.runtime.called_progress(campaign.id, with_completed=True)
    assert [(i.instance_id, i.active, i.completed) for i in again.instances] == \
        [(i.instance_id, i.active, i.completed) for i in units.instances]


def test_external_task_timer_and_incident(clocked_engine, clock):
    engine = clocked_engine
    engine.repository.deploy([("full_cycle.bpmn", fixture_bytes("full_cycle.bpmn")),
                              ("rules_check.dmn", fixture_bytes("rules_check.dmn"))])
    waiting = engine.runtime.start_process_by_key("full_cycle", {"referenceYear": 2025, "startYear": 2000,
                                                                 "rating": "excellent"})
    progress = engine.runtime.progress(waiting.id)
    assert [(a.element_id, a.kind, a.name) for a in progress.active] == [
        ("Service_notify", "external_task", "Gửi thông báo")]

    engine.repository.deploy([("incident_branch.bpmn", fixture_bytes("incident_branch.bpmn"))])
    instance = engine.runtime.start_process_by_key("incident_branch", {"divisor": 0})
    progress = engine.runtime.progress(instance.id)
    assert sorted((a.element_id, a.kind) for a in progress.active) == [("Task_a", "user_task"), ("Timer_b", "event")]
    clock.now += timedelta(hours=2)
    assert engine.runtime.fire_due_timers() == 1
    progress = engine.runtime.progress(instance.id)
    assert progress.status == "incident"
    incident = next(a for a in progress.active if a.kind == "incident")
    assert incident.element_id == "Script_b" and "division by zero" in incident.detail


def test_unknown_instance_is_not_found(engine):
    with pytest.raises(NotFoundError):
        engine.runtime.progress("no-such-instance")
    with pytest.raises(NotFoundError):
        engine.runtime.called_progress("no-such-instance")


def test_an_instance_without_called_instances_has_an_empty_heatmap(engine):
    engine.repository.deploy([("approval.bpmn", fixture_bytes("approval.bpmn"))])
    instance = engine.runtime.start_process_by_key("approval", {"reviewDue": "2025-08-08"})
    group = engine.runtime.called_progress(instance.id)
    assert group.instances == [] and group.heatmap == {}
