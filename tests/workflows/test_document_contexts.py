"""The documents' contexts (workflows/documents/contexts*.py) from a real finished campaign: each
kind names the right people in the right order, takes the campaign's numbers and dates, is a
draft without a number, and is NFC throughout."""
from __future__ import annotations

import json
import unicodedata

import pytest

from tests.workflows.document_data import decision_end, positions, unit_variables
from tests.workflows.finished_campaign import clock, council, engine, finished, office, people  # noqa: F401
from workflows.demo_office import demo_office
from workflows.documents.contexts import with_positions
from workflows.documents.kinds import KINDS, build

COMMON = {"kind", "issuer", "national_title", "motto", "kind_name", "draft", "number", "place_and_date", "summary",
          "addressee", "campaign_name", "plan_number", "body", "rows", "columns", "tables", "signer", "recipients"}


def contexts(finished) -> dict[str, dict]:
    v, units = finished.variables, finished.units
    return {kind: build(kind, v, units["tong_hop"], nominee_id="nom-lanpt") for kind in KINDS}


def test_every_kind_from_a_finished_campaign(finished):
    built = contexts(finished)
    for kind, context in built.items():
        assert COMMON <= set(context), kind
        text = json.dumps(context, ensure_ascii=False, default=str)
        assert unicodedata.is_normalized("NFC", text), kind
        assert context["national_title"] == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
        assert context["number"].endswith("-VPUB"), (kind, context["number"])
        for table in context["tables"]:  # every row has every column the table names
            assert all({c["key"] for c in table["columns"]} <= set(row) for row in table["rows"]), (kind, table["name"])
    # Numbers and dates the campaign took; no number is a draft with the placeholder.
    assert (built["chief_decision"]["number"], built["chief_decision"]["draft"]) == ("01/QĐ-VPUB", False)
    assert built["chief_decision"]["place_and_date"] == "Sơn La, ngày 20 tháng 8 năm 2025"
    assert built["guidance"]["number"] == "01/HD-VPUB" and built["report"]["number"] == "01/BC-VPUB"
    assert (built["council_minutes"]["number"], built["council_minutes"]["draft"]) == (".../BB-VPUB", True)
    assert built["announcement"]["place_and_date"] == "Sơn La, ngày ... tháng ... năm ..."
    # The Giấy khen: the collective first, then people by given name.
    assert [r["full_name"] for r in built["chief_decision"]["rows"]] == ["Phòng Nội chính", "Đinh Thị Vân"]
    assert "1 tập thể và 1 cá nhân" in built["chief_decision"]["articles"][0]
    # Announced: exactly the awarded; Anh < Lan < Vân by given name.
    assert [(r["full_name"], r["decision_number"], r["decision_date"]) for r in built["announcement"]["rows"]] == [
        ("Phòng Nội chính", "01/QĐ-VPUB", "20/08/2025"), ("Hồ Thị Mai Anh", "1520/QĐ-UBND", "25/08/2025"),
        ("Phạm Thị Lan", "1520/QĐ-UBND", "25/08/2025"), ("Đinh Thị Vân", "01/QĐ-VPUB", "20/08/2025")]
    assert [r["full_name"] for r in built["announcement"]["not_awarded"]] == ["Hoàng Đức Anh"]
    # The Chairman's proposal carries the discretionary case with its reason.
    proposal = {r["full_name"]: r for r in built["chairman_proposal"]["rows"]}
    assert proposal["Hoàng Đức Anh"]["eligibility"] == "Chưa đủ 10 năm công tác tại Văn phòng"
    assert set(proposal) == {"Hoàng Đức Anh", "Hồ Thị Mai Anh", "Phạm Thị Lan"}
    # The council: the blocked nominee left off with the reason; the minutes' attendance and votes.
    assert [(r["full_name"], r["reason"]) for r in built["council_list"]["not_eligible"]] == [
        ("Lò Văn Pánh", "Không xét khen thưởng: đang bị xem xét kỷ luật")]
    minutes = built["council_minutes"]
    assert (minutes["present"], minutes["members_count"], minutes["quorum"]) == (4, 5, "Đủ")
    assert [m["attendance"] for m in minutes["members"]].count("Có mặt") == 4
    assert minutes["signer"]["name"] == "Trần Bình Minh" and minutes["secretary"]["name"] == "Phạm Thu Hà"
    assert all((r["votes_for"], r["result"]) == (4, "Đạt") for r in minutes["rows"])
    # The report's counts by award and by unit.
    report = built["report"]
    assert report["totals"] == {"collective": 1, "individual": 3, "total": 4}
    assert [(r["award_name"], r["collective"], r["individual"]) for r in report["by_award"]] == [
        ("Bằng khen của Chủ tịch UBND tỉnh", 0, 2), ("Giấy khen của Chánh Văn phòng", 1, 1)]
    assert [(r["unit_name"], r["total"]) for r in report["by_unit"]] == [
        ("Phòng Tổng hợp", 1), ("Phòng Kinh tế", 1), ("Phòng Nội chính", 2)]
    # A unit's proposal is issued by the unit under the Office.
    unit = built["unit_proposal"]
    assert (unit["issuer"]["parent"], unit["issuer"]["name"]) == ("VĂN PHÒNG UBND TỈNH SƠN LA", "PHÒNG TỔNG HỢP")
    assert [r["full_name"] for r in unit["rows"]] == ["Hoàng Đức Anh", "Phạm Thị Lan", "Lò Văn Pánh"]


def test_achievement_reports_take_the_decree_form_of_the_nominee(finished):
    v, units = finished.variables, finished.units
    person = build("achievement_report", v, units["kinh_te"], nominee_id="nom-anhhtm")
    assert (person["form"], person["signer"]["name"]) == ("individual", "Hồ Thị Mai Anh")
    assert person["sections"][1]["text"] == "Báo cáo có số liệu: 120 văn bản tham mưu"
    team = build("achievement_report", v, units["noi_chinh"], nominee_id="nom-noi_chinh")
    assert team["form"] == "collective" and len(team["criteria"]) == 3 and team["criteria"][0]["met"] == "Đạt"
    with pytest.raises(KeyError, match="nom-nobody"):
        build("achievement_report", v, units["noi_chinh"], nominee_id="nom-nobody")
    with pytest.raises(KeyError, match="not a document kind"):
        build("certificate", v)
    with pytest.raises(ValueError, match="unit instance"):
        build("unit_proposal", v)


def test_a_number_and_a_date_given_override_the_draft(finished):
    context = build("announcement", finished.variables, number="07/TB-VPUB", on="2025-08-26")
    assert (context["number"], context["draft"], context["place_and_date"]) == (
        "07/TB-VPUB", False, "Sơn La, ngày 26 tháng 8 năm 2025")


def test_another_office_is_campaign_data(finished):
    """A campaign's `issuer` start variable names another issuer: no release needed."""
    issuer = {"parent": "UBND TỈNH ĐIỆN BIÊN", "place": "Điện Biên", "symbol": "VP", "signer_name": "Lò Thị Hoa"}
    variables = {**finished.variables, "issuer": issuer}
    minutes = build("council_minutes", variables)
    assert (minutes["number"], minutes["place_and_date"]) == (".../BB-VP", "Điện Biên, ngày 15 tháng 8 năm 2025")
    decision = build("chief_decision", variables)
    assert (decision["issuer"]["parent"], decision["signer"]["name"]) == ("UBND TỈNH ĐIỆN BIÊN", "Lò Thị Hoa")
    unit = build("unit_proposal", variables, finished.units["kinh_te"])
    assert (unit["issuer"]["parent"], unit["issuer"]["name"]) == ("VĂN PHÒNG UBND TỈNH ĐIỆN BIÊN", "PHÒNG KINH TẾ")


def test_positions_from_the_staff_register_reach_every_list_of_people():
    """The process keeps no chức vụ: with_positions adds the staff register's to every list of
    nominees, keeps one an entry already has, and leaves the variables given as they were."""
    office = demo_office()
    variables = decision_end(office)
    variables["chiefAwardees"][0] = {**variables["chiefAwardees"][0], "position": "Chuyên viên chính"}
    given = json.dumps(variables, ensure_ascii=False, sort_keys=True)
    placed = with_positions(variables, positions(office))
    assert json.dumps(variables, ensure_ascii=False, sort_keys=True) == given
    decision = {r["full_name"]: r for r in build("chief_decision", placed)["rows"]}
    assert decision["Đinh Thị Vân"]["position_unit"] == "Chuyên viên chính, Phòng Nội chính"  # the entry's own
    assert decision["Phòng Nội chính"]["position_unit"] == ""  # a unit proposed as itself
    announced = {r["full_name"]: r for r in build("announcement", placed)["rows"]}
    assert announced["Phạm Thị Lan"]["position_unit"] == "Chuyên viên chính, Phòng Tổng hợp"
    assert announced["Hồ Thị Mai Anh"]["position_unit"] == "Phó Trưởng phòng, Phòng Kinh tế"
    # Without the register, the unit alone.
    assert {r["position_unit"] for r in build("announcement", variables)["rows"]} == {
        "", "Phòng Kinh tế", "Phòng Tổng hợp", "Phòng Nội chính"}
    report = build("achievement_report", placed, with_positions(unit_variables(office, placed, "kinh_te"),
                                                                positions(office)), nominee_id="nom-anhhtm")
    assert report["sections"][0]["text"] == ("Họ và tên: Hồ Thị Mai Anh; chức vụ: Phó Trưởng phòng;"
                                             " đơn vị công tác: Phòng Kinh tế.")
