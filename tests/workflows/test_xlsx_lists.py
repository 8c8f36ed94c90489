"""The campaign's spreadsheets read back with openpyxl: each row is the decision's data (names,
awards, reasons, votes, decisions, counts), people in Vietnamese order by given name with the
collectives first, numbered, dates dd/mm/yyyy, header frozen, widths set, NFC."""
from __future__ import annotations

import unicodedata
from datetime import datetime

from tests.workflows.campaign_with_rejection import *  # noqa: F401,F403 (the campaign's fixtures)
from tests.workflows.campaign_with_rejection import APPRAISAL_NOTE, REJECTED_VOTES, finish_campaign
from tests.workflows.xlsx_reading import read
from workflows.documents.official import AWARD_NAMES
from workflows.documents.xlsx_lists import CAMPAIGN_SHEETS, council_list, council_result, results_report, unit_nominees

BK, GK, BT = AWARD_NAMES["bang_khen"], AWARD_NAMES["giay_khen"], AWARD_NAMES["buc_truong"]
CAMPAIGN_LINE = ("Đợt thi đua đặc biệt chào mừng 80 năm Ngày truyền thống Văn phòng "
                 "(Kế hoạch số 05/KH-VPUB ngày 05/06/2025)")
DISCRETION = "Chưa đủ 10 năm công tác tại Văn phòng (Chủ tịch UBND tỉnh xem xét)"


def test_the_lists_of_a_finished_campaign_are_its_data(engine, clock, people, council):
    campaign = finish_campaign(engine, clock, people, council)
    variables = campaign.variables()
    units = {code: engine.runtime.get_variables(instance) for code, instance in campaign.units().items()}

    # The units' lists: given names Anh < Lan < Pánh; a blocked nominee stays, with the reason.
    [tong_hop] = read(unit_nominees(units["tong_hop"], variables), keep_as="danh-sach-de-nghi-tong-hop.xlsx").values()
    assert tong_hop.title[:4] == ["VĂN PHÒNG UBND TỈNH SƠN LA", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                                  "PHÒNG TỔNG HỢP", "Độc lập - Tự do - Hạnh phúc"]
    assert "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG" in tong_hop.title and CAMPAIGN_LINE in tong_hop.title
    assert "(Kèm theo báo cáo của Phòng Tổng hợp ngày 07/08/2025)" in tong_hop.title
    assert tong_hop.header == ["STT", "Họ và tên / Tên tập thể", "Cá nhân / Tập thể", "Hình thức đề nghị",
                               "Thành tích", "Điều kiện"]
    assert [(r[0], r[1], r[2], r[4]) for r in tong_hop.entries] == [
        ("Hoàng Đức Anh", "Cá nhân", BK, DISCRETION),
        ("Phạm Thị Lan", "Cá nhân", BK, "Đủ điều kiện"),
        ("Lò Văn Pánh", "Cá nhân", GK, "Không xét khen thưởng: đang bị xem xét kỷ luật"),
    ]
    assert [r[0] for r in tong_hop.rows] == [1, 2, 3]
    [noi_chinh] = read(unit_nominees(units["noi_chinh"], variables)).values()
    assert [(r[0], r[1]) for r in noi_chinh.entries] == [("Phòng Nội chính", "Tập thể"), ("Đinh Thị Vân", "Cá nhân")]

    # The council's list: grouped by form, each group renumbered; the reason and the appraiser's note.
    [listed] = read(council_list(variables), keep_as="danh-sach-trinh-hoi-dong.xlsx").values()
    assert listed.title[:4] == ["UBND TỈNH SƠN LA", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "VĂN PHÒNG",
                                "Độc lập - Tự do - Hạnh phúc"]
    assert "(Kèm theo Tờ trình số 04/TTr-VPUB ngày 10/08/2025)" in listed.title  # after the units' three
    assert listed.sections == [f"I. {BK}", f"II. {GK}"]
    assert listed.entries == [
        ("Hoàng Đức Anh", "Phòng Tổng hợp", "Cá nhân", DISCRETION, None),
        ("Hồ Thị Mai Anh", "Phòng Kinh tế", "Cá nhân", "Đủ điều kiện", APPRAISAL_NOTE),
        ("Phạm Thị Lan", "Phòng Tổng hợp", "Cá nhân", "Đủ điều kiện", None),
        ("Phòng Nội chính", "Phòng Nội chính", "Tập thể", "Đủ điều kiện", None),
        ("Đinh Thị Vân", "Phòng Nội chính", "Cá nhân", "Đủ điều kiện", None),
    ]
    assert sorted(r[0] for r in listed.entries) == sorted(c["fullName"] for c in variables["candidates"])
    assert [r[0] for r in listed.rows if isinstance(r[0], int)] == [1, 2, 3, 1, 2]

    # The council's result: the ballots as cast, passed or not by the campaign's rule.
    [result] = read(council_result(variables), keep_as="ket-qua-bieu-quyet.xlsx").values()
    assert "Phiên họp ngày 15/08/2025; thành viên dự họp: 4/5" in result.title
    assert result.header[3:7] == ["Tán thành", "Không tán thành", "Không biểu quyết", "Kết quả"]
    assert result.entries == [
        ("Hoàng Đức Anh", "Phòng Tổng hợp", *REJECTED_VOTES.values(), "Không đạt", "Không đủ số phiếu tán thành"),
        ("Hồ Thị Mai Anh", "Phòng Kinh tế", 4, 0, 0, "Đạt", None),
        ("Phạm Thị Lan", "Phòng Tổng hợp", 4, 0, 0, "Đạt", None),
        ("Phòng Nội chính", "Phòng Nội chính", 4, 0, 0, "Đạt", None),
        ("Đinh Thị Vân", "Phòng Nội chính", 4, 0, 0, "Đạt", None),
    ]
    votes = {a["fullName"]: tuple(a["votes"].values()) for a in variables["awardees"] + variables["rejected"]}
    assert {r[0]: tuple(r[2:5]) for r in result.entries} == votes

    # The report to Sở Nội vụ: counts by form and by unit, and the list with each decision.
    report = read(results_report(variables), keep_as="bao-cao-ket-qua.xlsx")
    assert list(report) == ["Theo hình thức", "Theo đơn vị", "Danh sách"]
    assert "(Kèm theo Báo cáo số 01/BC-VPUB)" in report["Theo hình thức"].title
    assert report["Theo hình thức"].entries == [(BT, 0, 0, 0), (BK, 0, 2, 2), (GK, 1, 1, 2)]
    assert report["Theo hình thức"].rows[-1] == (None, "Tổng cộng", 1, 3, 4)
    assert report["Theo đơn vị"].entries == [  # Bức trướng, Bằng khen, Giấy khen: collective, individual
        ("Phòng Kinh tế", 0, 0, 0, 1, 0, 0, 1),
        ("Phòng Nội chính", 0, 0, 0, 0, 1, 1, 2),
        ("Phòng Tổng hợp", 0, 0, 0, 1, 0, 0, 1),
    ]
    assert report["Theo đơn vị"].rows[-1] == (None, "Tổng cộng", 0, 0, 0, 2, 1, 1, 4)
    chief = variables["decisionNumber"]
    assert report["Danh sách"].entries == [
        ("Hồ Thị Mai Anh", "Phòng Kinh tế", "Cá nhân", "1520/QĐ-UBND", datetime(2025, 8, 25)),
        ("Phạm Thị Lan", "Phòng Tổng hợp", "Cá nhân", "1520/QĐ-UBND", datetime(2025, 8, 25)),
        ("Phòng Nội chính", "Phòng Nội chính", "Tập thể", chief, datetime(2025, 8, 20)),
        ("Đinh Thị Vân", "Phòng Nội chính", "Cá nhân", chief, datetime(2025, 8, 20)),
    ]
    assert len(report["Danh sách"].entries) == len(variables["awarded"])
    dates = [row[5] for row in report["Danh sách"].worksheet.iter_rows() if isinstance(row[0].value, int)]
    assert {cell.number_format for cell in dates} == {"dd/mm/yyyy"}
    for name, make in CAMPAIGN_SHEETS.items():  # what an export writes, each a workbook read back
        assert read(make(variables), keep_as=name)


def person(name: str, award: str = "bang_khen", **more) -> dict:
    return {"nomineeId": f"u:{name}", "unit": "u", "unitName": "Phòng Tổng hợp", "kind": "individual",
            "fullName": name, "award": award, "eligible": True, "route": "council", **more}


def test_names_sort_by_given_name_in_vietnamese_order_and_come_out_nfc():
    decomposed = unicodedata.normalize("NFD", "Hồ Thị Mai Anh")
    candidates = [person("Nguyễn Thị Lan"), person(decomposed), person("Lê Văn An"), person("Đỗ Văn Đức"),
                  person("Trần Văn Dũng"), {**person("Phòng Tổng hợp"), "kind": "collective"},
                  {**person("Ban Tiếp công dân"), "kind": "collective"}]
    [sheet] = read(council_list({"candidates": candidates, "campaignName": "Đợt"})).values()
    assert [r[0] for r in sheet.entries] == ["Ban Tiếp công dân", "Phòng Tổng hợp", "Lê Văn An", "Hồ Thị Mai Anh",
                                             "Trần Văn Dũng", "Đỗ Văn Đức", "Nguyễn Thị Lan"]


def test_a_campaign_issuer_heads_the_sheet_and_a_unit_list_falls_back_to_its_nominees():
    issuer = {"parent": "UBND TỈNH ĐIỆN BIÊN", "name": "VĂN PHÒNG"}
    [sheet] = read(council_list({"candidates": [person("Lê Văn An")], "issuer": issuer})).values()
    assert sheet.title[0] == "UBND TỈNH ĐIỆN BIÊN"
    unit = {"unit": "u", "unitName": "Phòng Tổng hợp", "nominees": [
        {"id": "nom-an", "kind": "individual", "fullName": "Lê Văn An", "award": "giay_khen",
         "achievements": "Hoàn thành xuất sắc nhiệm vụ"}]}
    [listed] = read(unit_nominees(unit)).values()  # before the eligibility check ran
    assert listed.entries == [("Lê Văn An", "Cá nhân", GK, "Hoàn thành xuất sắc nhiệm vụ", None)]
    assert listed.title[0] == "VĂN PHÒNG UBND TỈNH SƠN LA"


def test_empty_lists_give_a_sheet_with_its_header_and_zero_counts():
    [listed] = read(council_list({})).values()
    assert listed.rows == [] and listed.header[0] == "STT"
    [result] = read(council_result({"awardees": [], "rejected": []})).values()
    assert result.rows == []
    report = read(results_report({"awarded": []}))
    assert report["Theo hình thức"].rows[-1] == (None, "Tổng cộng", 0, 0, 0)
    assert report["Theo đơn vị"].rows == [(None, "Tổng cộng", 0, 0, 0, 0, 0, 0, 0)] and report["Danh sách"].rows == []


def test_a_candidate_the_council_never_voted_on_shows_no_ballots():
    rejected = [{**person("Lê Văn An"), "reason": "Hội đồng chưa biểu quyết"}]
    [result] = read(council_result({"awardees": [], "rejected": rejected})).values()
    assert result.entries == [("Lê Văn An", "Phòng Tổng hợp", None, None, None, "Không đạt",
                               "Hội đồng chưa biểu quyết")]
