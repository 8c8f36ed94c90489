"""Statistics of commendations from the award register, on both databases: a finished campaign
(its awards written by the announcement through AwardRegister.record) and an older one written
straight to the register; counts by campaign, year, unit, form, collective and individual, the
chart's figures, and the XLSX read back."""
from __future__ import annotations

from tests.test_campaign import PLAN
from tests.workflows.campaign_with_rejection import *  # noqa: F401,F403 (the campaign's fixtures)
from tests.workflows.campaign_with_rejection import finish_campaign
from tests.workflows.xlsx_reading import read
from workflows.award_register import AwardRegister
from workflows.documents.official import AWARD_NAMES
from workflows.documents.statistics import AwardStatistics, Count, chart, statistics_xlsx, totals

OLD = "12/KH-VPUB"
OLD_NAME = "Thi đua chào mừng 79 năm Ngày truyền thống"
CAMPAIGN_NAME = "Đợt thi đua đặc biệt chào mừng 80 năm Ngày truyền thống Văn phòng"
BK, GK, BT = AWARD_NAMES["bang_khen"], AWARD_NAMES["giay_khen"], AWARD_NAMES["buc_truong"]


def record_older_campaign(db, office) -> None:
    bao = office.by_name("Đặng Quốc Bảo")
    awards = [
        {"nomineeId": f"tong_hop:nom-{bao.id}", "unit": "tong_hop", "kind": "individual", "userId": bao.id,
         "fullName": bao.full_name, "award": "giay_khen", "decisionNumber": "30/QĐ-VPUB", "decisionDate": "2024-08-26"},
        {"nomineeId": "tong_hop:nom-tong_hop", "unit": "tong_hop", "kind": "collective", "userId": None,
         "fullName": "Phòng Tổng hợp", "award": "buc_truong", "decisionNumber": "1200/QĐ-UBND",
         "decisionDate": "2024-09-02"},
        {"nomineeId": "kinh_te:nom-kinh_te", "unit": "kinh_te", "kind": "collective", "userId": None,
         "fullName": "Phòng Kinh tế", "award": "giay_khen", "decisionNumber": None, "decisionDate": None},
    ]
    assert AwardRegister(db).record(awards, OLD, OLD_NAME) == 3


def test_counts_by_campaign_year_unit_form_and_kind(engine, clock, people, council, office, db):
    finish_campaign(engine, clock, people, council)
    record_older_campaign(db, office)
    statistics = AwardStatistics(db)

    assert statistics.counts(PLAN) == [
        Count(PLAN, CAMPAIGN_NAME, 2025, "kinh_te", "Phòng Kinh tế", "bang_khen", "individual", 1),
        Count(PLAN, CAMPAIGN_NAME, 2025, "noi_chinh", "Phòng Nội chính", "giay_khen", "collective", 1),
        Count(PLAN, CAMPAIGN_NAME, 2025, "noi_chinh", "Phòng Nội chính", "giay_khen", "individual", 1),
        Count(PLAN, CAMPAIGN_NAME, 2025, "tong_hop", "Phòng Tổng hợp", "bang_khen", "individual", 1),
    ]
    # Every campaign: the older one's undated award counts under no year.
    every = statistics.counts()
    assert sum(c.count for c in every) == 7
    assert [(c.campaign_key, c.year, c.unit_code, c.award, c.kind) for c in every if c.campaign_key == OLD] == [
        (OLD, None, "kinh_te", "giay_khen", "collective"),
        (OLD, 2024, "tong_hop", "buc_truong", "collective"),
        (OLD, 2024, "tong_hop", "giay_khen", "individual"),
    ]
    assert [(c.campaign_key, c.count) for c in statistics.counts(year=2024)] == [(OLD, 1), (OLD, 1)]
    assert statistics.counts("KH-none") == []
    assert totals(every, "year") == {2025: {"collective": 1, "individual": 3, "total": 4},
                                     None: {"collective": 1, "individual": 0, "total": 1},
                                     2024: {"collective": 1, "individual": 1, "total": 2}}
    assert totals(every, "campaign_key")[OLD] == {"collective": 2, "individual": 1, "total": 3}

    # The campaign page's chart: by form in the awards' order, by unit in Vietnamese order.
    figures = chart(statistics.counts(PLAN))
    assert figures["by_form"] == [{"award": "bang_khen", "label": BK, "collective": 0, "individual": 2, "total": 2},
                                  {"award": "giay_khen", "label": GK, "collective": 1, "individual": 1, "total": 2}]
    assert [(u["label"], u["total"]) for u in figures["by_unit"]] == [
        ("Phòng Kinh tế", 1), ("Phòng Nội chính", 2), ("Phòng Tổng hợp", 1)]
    assert (figures["total"], figures["collective"], figures["individual"], figures["largest"]) == (4, 1, 3, 2)

    # The export: one row per campaign, year, unit and form; collective, individual, total.
    [sheet] = read(statistics_xlsx(every), keep_as="thong-ke-khen-thuong.xlsx").values()
    assert "THỐNG KÊ KHEN THƯỞNG" in sheet.title and "Tất cả các đợt thi đua" in sheet.title
    assert sheet.header == ["STT", "Đợt thi đua", "Năm", "Đơn vị", "Hình thức khen thưởng", "Tập thể", "Cá nhân",
                            "Tổng cộng"]
    assert sheet.entries == [
        (CAMPAIGN_NAME, 2025, "Phòng Kinh tế", BK, 0, 1, 1),
        (CAMPAIGN_NAME, 2025, "Phòng Nội chính", GK, 1, 1, 2),
        (CAMPAIGN_NAME, 2025, "Phòng Tổng hợp", BK, 0, 1, 1),
        (OLD_NAME, None, "Phòng Kinh tế", GK, 1, 0, 1),
        (OLD_NAME, 2024, "Phòng Tổng hợp", BT, 1, 0, 1),
        (OLD_NAME, 2024, "Phòng Tổng hợp", GK, 0, 1, 1),
    ]
    assert sheet.rows[-1][1:] == ("Tổng cộng", None, None, None, 3, 4, 7)
    [one] = read(statistics_xlsx(statistics.counts(PLAN), {"campaignName": CAMPAIGN_NAME})).values()
    assert CAMPAIGN_NAME in one.title and one.rows[-1][-3:] == (1, 3, 4)


def test_an_empty_register_counts_nothing(db):
    assert AwardStatistics(db).counts() == []
    assert chart([]) == {"by_form": [], "by_unit": [], "largest": 0, "total": 0, "collective": 0, "individual": 0}
    [sheet] = read(statistics_xlsx([])).values()
    assert sheet.entries == [] and sheet.rows[-1][-3:] == (0, 0, 0)
