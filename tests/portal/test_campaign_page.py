"""The campaign pages: the list, every unit's step, due date and status, the deadline timeline, the
diagram's highlighted steps and heatmap, and who may see which unit."""
from __future__ import annotations

import html
import json
import re

import pytest

from tests.portal.conftest import UNIT_A, UNIT_B

DIAGRAM = re.compile(r"""data-diagram='([^']*)'""")


def diagrams(page: str) -> dict[str, dict]:
    """The diagram specs diagram.js receives, by element id."""
    specs = [json.loads(html.unescape(raw)) for raw in DIAGRAM.findall(page)]
    return {spec["id"]: spec for spec in specs}


def unit_rows(page: str) -> list[str]:
    return re.findall(r'<tr data-unit="([^"]+)"', page)


@pytest.mark.parametrize("language, title, status", [("vi", "Các đợt thi đua", "Đang thực hiện"),
                                                      ("en", "Emulation campaigns", "In progress")])
def test_campaign_list_in_both_languages(portal, language, title, status):
    client = portal.login("officer")
    client.post("/language", {"language": language})
    page = client.get("/campaigns").get_data(as_text=True)
    assert title in page and status in page
    assert "Đợt thi đua đặc biệt chào mừng 80 năm" in page and "86/KH-VPUB" in page
    assert f'/campaigns/{portal.campaign_id}"' in page


def test_people_outside_every_unit_see_no_campaign(portal):
    client = portal.login("designer")
    page = client.get("/campaigns").get_data(as_text=True)
    assert 'id="campaign-list-empty"' in page
    assert client.get(f"/campaigns/{portal.campaign_id}").status_code == 404
    assert client.get(f"/campaigns/{portal.campaign_id}/diagram.bpmn").status_code == 404


@pytest.mark.parametrize("language, labels", [
    ("vi", ["Hoàn thành hướng dẫn hồ sơ (Phòng TCHCQT)", "Kết thúc đợt thi đua", "Lễ kỷ niệm, trao khen thưởng"]),
    ("en", ["Dossier guidance finished (TCHCQT)", "Campaign period ends", "Anniversary, awards presented"]),
])
def test_officer_sees_every_unit_the_timeline_and_the_heatmap(portal, language, labels):
    client = portal.login("officer")
    client.post("/language", {"language": language})
    response = client.get(f"/campaigns/{portal.campaign_id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert sorted(unit_rows(page)) == sorted([UNIT_A, UNIT_B])
    assert "Phòng Tổng hợp" in page and "Phòng Kinh tế" in page
    assert "Triển khai kế hoạch đến cán bộ, công chức" in page
    assert "30/06/2025 23:59" in page  # the unit task's due date, in office time
    timeline = re.search(r'<ol[^>]*id="timeline">(.*?)</ol>', page, re.S).group(1)
    dates = re.findall(r'class="text-nowrap fw-semibold timeline-date">([^<]+)<', timeline)
    # 10/8/2025 is a Sunday: shown as the campaign gave it, with the next working day beside it.
    assert dates == ["05/06/2025", "30/06/2025", "05/08/2025", "08/08/2025", "10/08/2025", "28/08/2025"]
    appraisal = re.search(r'<li[^>]*data-key="appraisalDate".*?</li>', timeline, re.S)
    moved = re.findall(r'due-moved"[^>]*>([^<]+)<', timeline)
    assert len(moved) == 1 and "11/08/2025" in moved[0] and appraisal and "11/08/2025" in appraisal.group(0)
    assert all(label in timeline for label in labels)
    specs = diagrams(page)
    assert specs["heatmap-diagram"]["heatmap"] == {"Task_deploy_plan": 2}
    assert specs["heatmap-diagram"]["heatLevels"] == {"Task_deploy_plan": 4}  # both units: the top colour
    unit = {"vi": "đơn vị", "en": "units"}[language]
    assert specs["heatmap-diagram"]["legend"] == [{"level": 2, "label": f"1 {unit}"},
                                                  {"level": 4, "label": f"2 {unit}"}]
    assert 'id="heatmap-diagram-legend"' in page and 'data-zoom="fit"' in page
    assert specs["heatmap-diagram"]["xml"] == f"/campaigns/{portal.campaign_id}/units.bpmn"
    campaign = specs["campaign-diagram"]
    assert sorted(campaign["active"]) == ["Call_units", "Task_guidance", "Task_open_pages"]
    assert "vendor/bpmn-js/bpmn-navigated-viewer.production.min.js" in page and "portal/diagram.js" in page


def test_heatmap_and_rows_follow_the_units(portal):
    portal.complete("Task_deploy_plan", {"deployedOn": "2025-06-10"}, unit=UNIT_A, actor="head_a")
    client = portal.login("chief")
    page = client.get(f"/campaigns/{portal.campaign_id}").get_data(as_text=True)
    assert diagrams(page)["heatmap-diagram"]["heatmap"] == {"Task_deploy_plan": 1, "Timer_campaign_end": 1}
    row = re.search(rf'<tr data-unit="{UNIT_A}".*?</tr>', page, re.S).group(0)
    assert "Hết thời gian thi đua" in row

    selected = client.get(f"/campaigns/{portal.campaign_id}?instance={portal.units[UNIT_A]}").get_data(as_text=True)
    spec = diagrams(selected)["campaign-diagram"]
    assert spec["active"] == ["Timer_campaign_end"] and spec["completed"] == ["Task_deploy_plan"]
    assert spec["xml"] == f"/instances/{portal.units[UNIT_A]}/diagram.bpmn"
    assert "heatmap-diagram" not in diagrams(selected)


def test_a_unit_head_sees_only_the_own_unit(portal):
    client = portal.login("head_a")
    assert f'/campaigns/{portal.campaign_id}"' in client.get("/campaigns").get_data(as_text=True)
    page = client.get(f"/campaigns/{portal.campaign_id}").get_data(as_text=True)
    assert unit_rows(page) == [UNIT_A]
    # The other unit's instance, by URL: as if it did not exist.
    assert client.get(f"/campaigns/{portal.campaign_id}?instance={portal.units[UNIT_B]}").status_code == 404
    assert client.get(f"/instances/{portal.units[UNIT_B]}/diagram.bpmn").status_code == 404
    assert client.get(f"/campaigns/{portal.campaign_id}?instance={portal.units[UNIT_A]}").status_code == 200
    xml = client.get(f"/campaigns/{portal.campaign_id}/diagram.bpmn")
    assert xml.status_code == 200 and xml.mimetype == "application/xml" and b'id="campaign"' in xml.data
    assert b'id="unit_evaluation"' in client.get(f"/campaigns/{portal.campaign_id}/units.bpmn").data


def test_unknown_campaign_and_a_unit_instance_as_campaign_are_not_found(portal):
    client = portal.login("officer")
    assert client.get("/campaigns/no-such-campaign").status_code == 404
    assert client.get(f"/campaigns/{portal.units[UNIT_A]}").status_code == 404
    assert client.get(f"/campaigns/{portal.campaign_id}?instance=no-such-instance").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(portal):
    response = portal.client().get(f"/campaigns/{portal.campaign_id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_campaign_page_on_both_databases(portal_any_db):
    page = portal_any_db.login("officer").get(f"/campaigns/{portal_any_db.campaign_id}").get_data(as_text=True)
    assert diagrams(page)["heatmap-diagram"]["heatmap"] == {"Task_deploy_plan": 2}
