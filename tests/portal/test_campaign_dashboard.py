"""The campaign page as a dashboard: units counted by their current step (as the engine counts
them), the deadlines on a line with today marked, overdue units badged and listed first, and the
reader's own unit first."""
from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from flask import render_template, session

from engine.runtime.progress import ActiveElement, InstanceProgress
from tests.portal.conftest import OFFICE_TZ, UNIT_A, UNIT_B
from web.portal.campaign_dashboard import DONE, ordered_units, overdue_days, phase_counts, timeline_axis
from web.portal.i18n import SESSION_KEY

LATE = datetime(2025, 7, 2, 8, 0, tzinfo=OFFICE_TZ)  # two days after the deployment's due date (30/6 23:59)


def unit_rows(page: str) -> list[str]:
    return re.findall(r'<tr data-unit="([^"]+)"', page)


def phases(page: str) -> dict[str, int]:
    chart = re.search(r'<svg id="phase-chart".*?</svg>', page, re.S).group(0)
    return {label: int(count) for label, count in re.findall(r'data-phase="([^"]+)" data-count="(\d+)"', chart)}


def axis(page: str) -> tuple[dict[str, float], dict[str, str], float]:
    """The deadlines' x by key, past/future by key, and today's x."""
    svg = re.search(r'<svg id="timeline-axis".*?</svg>', page, re.S).group(0)
    points = re.findall(r'class="deadline (past|future)" data-key="(\w+)" data-x="([\d.]+)"', svg)
    today = float(re.search(r'id="timeline-today" data-x="([\d.]+)"', svg).group(1))
    return {k: float(x) for _, k, x in points}, {k: state for state, k, _ in points}, today


@pytest.fixture
def late_unit(portal_any_db):
    """Unit B deployed the plan in time; unit A did not, and the clock is two days past its due date."""
    portal_any_db.complete("Task_deploy_plan", {"deployedOn": "2025-06-10"}, unit=UNIT_B, actor="head_b")
    portal_any_db.clock.now = LATE
    return portal_any_db


@pytest.mark.parametrize("language, today, overdue, title", [
    ("vi", "Hôm nay", "Quá hạn 2 ngày", "Số đơn vị ở mỗi bước (2 đơn vị)"),
    ("en", "Today", "2 days overdue", "Units at each step (2 units)"),
])
def test_officer_dashboard(late_unit, language, today, overdue, title):
    portal = late_unit
    client = portal.login("officer")
    client.post("/language", {"language": language})
    page = client.get(f"/campaigns/{portal.campaign_id}").get_data(as_text=True)

    engine_counts: dict[str, int] = {}
    for instance in portal.engine.runtime.called_progress(portal.campaign_id).instances:
        for step in instance.steps:
            engine_counts[step] = engine_counts.get(step, 0) + 1
    assert phases(page) == engine_counts == {"Triển khai kế hoạch đến cán bộ, công chức": 1,
                                             "Hết thời gian thi đua": 1}
    assert title in page

    x, state, today_x = axis(page)
    assert x["guidanceDate"] < today_x < x["campaignEndDate"]  # 2/7 lies between 30/6 and 5/8
    assert list(x) == ["planDate", "guidanceDate", "campaignEndDate", "unitReportDate", "appraisalDate",
                       "anniversaryDate"] and sorted(x.values()) == list(x.values())
    assert state == {"planDate": "past", "guidanceDate": "past", "campaignEndDate": "future",
                     "unitReportDate": "future", "appraisalDate": "future", "anniversaryDate": "future"}
    assert f">{today}</text>" in page

    assert unit_rows(page) == [UNIT_A, UNIT_B]  # the overdue unit first, whatever the engine's order
    row_a = re.search(rf'<tr data-unit="{UNIT_A}".*?</tr>', page, re.S).group(0)
    row_b = re.search(rf'<tr data-unit="{UNIT_B}".*?</tr>', page, re.S).group(0)
    assert "table-danger" in row_a and f'data-days="2">{overdue}</span>' in row_a
    assert "overdue-badge" not in row_b and "table-danger" not in row_b
    # The sections that were there before the dashboard still are.
    assert 'id="timeline"' in page and 'id="campaign-diagrams"' in page and 'id="unit-progress"' in page


def test_unit_head_sees_the_own_unit_first_and_its_lateness(late_unit):
    portal = late_unit
    page = portal.login("head_a").get(f"/campaigns/{portal.campaign_id}").get_data(as_text=True)
    assert unit_rows(page)[0] == UNIT_A and "Quá hạn 2 ngày" in page
    # The chart is a count over every unit, as the heatmap is, even for a unit's people.
    assert sum(phases(page).values()) == 2


def test_own_unit_comes_before_an_overdue_one(late_unit):
    portal = late_unit
    units = portal.engine.runtime.called_progress(portal.campaign_id).instances
    late = {u.instance_id: overdue_days(u, LATE, OFFICE_TZ) for u in units}
    assert late == {portal.units[UNIT_A]: 2, portal.units[UNIT_B]: None}
    # The engine's order is by start (ties by id, so either way round): the same result from both.
    for given in (units, units[::-1]):
        assert [u.unit for u in ordered_units(given, UNIT_B, late)] == [UNIT_B, UNIT_A]  # own before overdue
        assert [u.unit for u in ordered_units(given, None, late)] == [UNIT_A, UNIT_B]
        assert [u.unit for u in ordered_units(given, "tchcqt", late)] == [UNIT_A, UNIT_B]
        assert [u.unit for u in ordered_units(given, UNIT_A, {})] == [UNIT_A, UNIT_B]  # own first, none late
    unlate = {u.instance_id: None for u in units}
    assert ordered_units(units, None, unlate) == units and ordered_units(units[::-1], None, unlate) == units[::-1]
    # Due later the same day it was due: not late yet; an hour past the day's end: one day.
    a = next(u for u in units if u.unit == UNIT_A)
    assert overdue_days(a, datetime(2025, 6, 30, 12, 0, tzinfo=OFFICE_TZ), OFFICE_TZ) is None
    assert overdue_days(a, datetime(2025, 7, 1, 0, 30, tzinfo=OFFICE_TZ), OFFICE_TZ) == 1
    assert phase_counts(units)[0].count == 1 and not any(p.done for p in phase_counts(units))


def test_timeline_axis_bad_and_edge_input():
    assert timeline_axis([], date(2025, 7, 1)) is None
    undated = [{"key": "planDate", "label": "x", "date": "sau Tết"}]
    assert timeline_axis(undated, date(2025, 7, 1)) is None
    items = undated + [{"key": "guidanceDate", "label": "y", "date": "2025-06-30"},
                       {"key": "campaignEndDate", "label": "z", "date": "2025-08-05"}]
    before = timeline_axis(items, date(2025, 5, 1))  # today before every deadline: the line starts at today
    assert [p["key"] for p in before["points"]] == ["guidanceDate", "campaignEndDate"]
    assert before["today"] == before["start"] < before["points"][0]["x"] and not any(p["past"] for p in before["points"])
    after = timeline_axis(items, date(2025, 9, 1))
    assert after["today"] == after["end"] and all(p["past"] for p in after["points"])
    same = timeline_axis(items[1:2], date(2025, 6, 30))  # one deadline, today: no division by zero
    assert same["today"] == same["points"][0]["x"] == same["start"]


def _instance(unit: str, status: str, *active: ActiveElement) -> InstanceProgress:
    return InstanceProgress(instance_id=f"i-{unit}", definition_id="unit_evaluation:1", definition_key="unit_evaluation",
                            business_key=None, unit=unit, status=status, started_at=LATE, ended_at=None,
                            active=list(active))


@pytest.mark.parametrize("language, done", [("vi", "Hoàn thành"), ("en", "Completed")])
def test_finished_units_are_one_bar_and_a_step_counts_once_per_unit(portal, language, done):
    """Driving a unit to its end takes a whole appraisal; the engine's own progress values stand in."""
    appraisal = ActiveElement("Task_appraise", "user_task", "Thẩm định hồ sơ đề nghị của đơn vị", LATE)
    units = [_instance("a", "completed"), _instance("b", "active", appraisal, appraisal),
             _instance("c", "active", appraisal), _instance("d", "completed")]
    assert [(p.label, p.count, p.done) for p in phase_counts(units)] == [
        ("Thẩm định hồ sơ đề nghị của đơn vị", 2, False), (DONE, 2, True)]
    assert phase_counts([]) == []
    assert overdue_days(units[2], LATE.replace(month=9), OFFICE_TZ) == 62
    finished_with_due = _instance("e", "completed", appraisal)  # a status the engine may set before clearing tasks
    assert overdue_days(finished_with_due, LATE.replace(month=9), OFFICE_TZ) is None  # finished: never late
    with portal.app.test_request_context():
        session[SESSION_KEY] = language
        page = render_template("portal/_campaign_dashboard.html", phases=phase_counts(units), axis=None,
                               heatmap_total=len(units))
    assert phases(page) == {"Thẩm định hồ sơ đề nghị của đơn vị": 2, done: 2}
    assert 'id="timeline-axis"' not in page


def test_the_bars_follow_the_process_flow_not_the_order_units_reached_them(portal):
    """The units' steps listed as the diagram's flow meets them, whichever unit got there first."""
    repository = portal.engine.repository
    order = repository.flow_order(repository.latest_definition("unit_evaluation").id)
    assert order.index("Task_deploy_plan") < order.index("Task_nominate") < order.index("Task_submit") \
        < order.index("Task_appraise") < order.index("Task_correct")
    # The sub-process's own steps come right after it, before what follows it.
    assert order.index("SubProcess_check") < order.index("Task_achievement_report") < order.index("Task_submit")
    appraise = ActiveElement("Task_appraise", "user_task", "Thẩm định", LATE)
    nominate = ActiveElement("Task_nominate", "user_task", "Bình xét", LATE)
    unknown = ActiveElement("Task_gone", "user_task", "Bước cũ", LATE)
    units = [_instance("a", "active", appraise), _instance("b", "active", unknown), _instance("c", "completed"),
             _instance("d", "active", nominate)]
    assert [p.label for p in phase_counts(units, order)] == ["Bình xét", "Thẩm định", "Bước cũ", DONE]
    assert [p.label for p in phase_counts(units)] == ["Thẩm định", "Bước cũ", "Bình xét", DONE]  # no order: as met


def test_flow_order_of_bad_or_other_input():
    from engine.errors import DeploymentError
    from engine.repository.flow_order import flow_order
    with pytest.raises(DeploymentError):
        flow_order(b"<not-xml", "p")
    assert flow_order(b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"/>', "p") == []
    looped = b"""<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p">
      <userTask id="fix"/><startEvent id="s"/><userTask id="check"/><endEvent id="e"/>
      <sequenceFlow id="f1" sourceRef="s" targetRef="check"/><sequenceFlow id="f2" sourceRef="check" targetRef="fix"/>
      <sequenceFlow id="f3" sourceRef="fix" targetRef="check"/><sequenceFlow id="f4" sourceRef="check" targetRef="e"/>
    </process></definitions>"""
    assert flow_order(looped, "p") == ["s", "check", "fix", "e"]
