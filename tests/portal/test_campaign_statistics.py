"""The campaign page's award statistics: a chart drawn server-side (inline SVG, no script) from the
award register, and the XLSX download, for whoever may see the campaign and nobody else."""
from __future__ import annotations

import re

import pytest

from tests.portal.conftest import CAMPAIGN, PLAN, UNIT_A, UNIT_B, UNITS
from tests.workflows.xlsx_reading import read
from workflows.award_register import AwardRegister

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
AWARDED = [
    {"nomineeId": "tong_hop:nom-lan", "unit": UNIT_A, "kind": "individual", "userId": "lan",
     "fullName": "Nguyễn Thị Lan", "award": "bang_khen", "decisionNumber": "1520/QĐ-UBND", "decisionDate": "2025-08-25"},
    {"nomineeId": "tong_hop:nom-tong_hop", "unit": UNIT_A, "kind": "collective", "userId": None,
     "fullName": "Phòng Tổng hợp", "award": "giay_khen", "decisionNumber": "01/QĐ-VPUB", "decisionDate": "2025-08-20"},
    {"nomineeId": "kinh_te:nom-an", "unit": UNIT_B, "kind": "individual", "userId": "an",
     "fullName": "Lê Văn An", "award": "giay_khen", "decisionNumber": "01/QĐ-VPUB", "decisionDate": "2025-08-20"},
]
BAR = re.compile(r'<g class="bar" data-label="([^"]+)" data-collective="(\d+)" data-individual="(\d+)" '
                 r'data-total="(\d+)">')


def record(portal) -> None:
    assert AwardRegister(portal.engine.context.db).record(AWARDED, PLAN, CAMPAIGN["campaignName"]) == 3


def chart(page: str, chart_id: str) -> list[tuple]:
    svg = re.search(rf'<svg id="{chart_id}".*?</svg>', page, re.S).group(0)
    return [(label, int(c), int(i), int(t)) for label, c, i, t in BAR.findall(svg)]


def test_the_campaign_page_charts_the_awards_and_offers_the_xlsx(portal_any_db):
    portal = portal_any_db
    record(portal)
    client = portal.login("officer")
    page = client.get(f"/campaigns/{portal.campaign_id}").get_data(as_text=True)
    assert 'id="campaign-statistics"' in page and "<script>" not in page.split('id="campaign-statistics"')[1]
    assert "Tổng số: 3 (1 tập thể, 2 cá nhân)." in page
    assert chart(page, "statistics-by-form") == [("Bằng khen của Chủ tịch UBND tỉnh", 0, 1, 1),
                                                 ("Giấy khen của Chánh Văn phòng", 1, 1, 2)]
    assert chart(page, "statistics-by-unit") == [("Phòng Kinh tế", 0, 1, 1), ("Phòng Tổng hợp", 1, 1, 2)]
    # The largest total fills the bar's 300 units; the others in proportion.
    svg = re.search(r'<svg id="statistics-by-form".*?</svg>', page, re.S).group(0)
    assert re.findall(r'<rect x="[\d.]+" y="\d+" width="([\d.]+)"', svg) == ["0.0", "150.0", "150.0", "150.0"]
    link = f'href="/campaigns/{portal.campaign_id}/statistics.xlsx"'
    assert link in page

    response = client.get(f"/campaigns/{portal.campaign_id}/statistics.xlsx")
    assert response.status_code == 200 and response.mimetype == XLSX
    assert "attachment" in response.headers["Content-Disposition"]
    assert "thong-ke-khen-thuong-86-KH-VPUB.xlsx" in response.headers["Content-Disposition"]
    [sheet] = read(response.data).values()
    assert CAMPAIGN["campaignName"] in sheet.title and "UBND TỈNH SƠN LA" in sheet.title
    assert sheet.entries == [
        (CAMPAIGN["campaignName"], 2025, "Phòng Kinh tế", "Giấy khen của Chánh Văn phòng", 0, 1, 1),
        (CAMPAIGN["campaignName"], 2025, "Phòng Tổng hợp", "Bằng khen của Chủ tịch UBND tỉnh", 0, 1, 1),
        (CAMPAIGN["campaignName"], 2025, "Phòng Tổng hợp", "Giấy khen của Chánh Văn phòng", 1, 0, 1),
    ]
    assert sheet.rows[-1][-3:] == (1, 2, 3)


def test_the_chart_in_english(portal):
    record(portal)
    client = portal.login("officer")
    client.post("/language", {"language": "en"})
    page = client.get(f"/campaigns/{portal.campaign_id}").get_data(as_text=True)
    assert "Award statistics" in page and "Total: 3 (1 collective, 2 individual)." in page
    assert "Certificate of merit of the Provincial Chairman" in page
    assert "Download the statistics (XLSX)" in page


def test_before_any_award_there_is_no_chart_and_the_export_counts_nothing(portal):
    client = portal.login("officer")
    assert 'id="campaign-statistics"' not in client.get(f"/campaigns/{portal.campaign_id}").get_data(as_text=True)
    response = client.get(f"/campaigns/{portal.campaign_id}/statistics.xlsx")
    [sheet] = read(response.data).values()
    assert sheet.entries == [] and sheet.rows[-1][-3:] == (0, 0, 0)


def test_a_unit_sees_its_campaigns_statistics_and_not_another_campaigns(portal):
    record(portal)
    other = portal.engine.runtime.start_process_by_key(
        "campaign", {**CAMPAIGN, "planNumber": "87/KH-VPUB", "units": [UNITS[1]]}, business_key="87/KH-VPUB",
        actor="chief")
    head_a = portal.login("head_a")
    page = head_a.get(f"/campaigns/{portal.campaign_id}").get_data(as_text=True)
    assert 'id="campaign-statistics"' in page  # public within the campaign, as the announcement is
    assert head_a.get(f"/campaigns/{portal.campaign_id}/statistics.xlsx").status_code == 200
    assert head_a.get(f"/campaigns/{other.id}/statistics.xlsx").status_code == 404
    assert portal.login("head_b").get(f"/campaigns/{other.id}/statistics.xlsx").status_code == 200
    assert portal.login("designer").get(f"/campaigns/{portal.campaign_id}/statistics.xlsx").status_code == 404
    unit_instance = portal.units[UNIT_A]  # a unit's instance is not a campaign
    assert portal.login("officer").get(f"/campaigns/{unit_instance}/statistics.xlsx").status_code == 404


@pytest.mark.parametrize("path", ["/campaigns/nope/statistics.xlsx"])
def test_an_unknown_campaign_is_not_found_and_signed_out_visitors_sign_in(portal, path):
    assert portal.login("officer").get(path).status_code == 404
    response = portal.client().get(f"/campaigns/{portal.campaign_id}/statistics.xlsx")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
