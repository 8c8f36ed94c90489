"""The demo Office: realistic, deterministic, and loadable (twice) on both backends."""
from __future__ import annotations

import unicodedata
from collections import Counter
from datetime import date

from sqlalchemy import func, select

from engine.identity.service import USER_ID
from workflows.demo_office import demo_office, load_demo_office
from workflows.models import DisciplinaryRecord, PendingCase, RATINGS, StaffMember, UNIT_KINDS, YearlyRating
from workflows.pending_cases import PendingCases

CAMPAIGN_END = date(2025, 8, 5)
UNIT_NAMES = {"Phòng Tổng hợp", "Phòng Kinh tế", "Phòng Nội chính", "Phòng Tổ chức - Hành chính - Quản trị",
              "Trung tâm Thông tin", "Trung tâm Phục vụ hành chính công", "Ban Tiếp công dân"}


def test_demo_data_is_realistic_and_deterministic():
    office = demo_office()
    assert office == demo_office()
    assert {u.name for u in office.units} == UNIT_NAMES and len(office.units) == 7
    assert {u.kind for u in office.units} == set(UNIT_KINDS)
    assert len(office.staff) >= 60
    ids = [s.id for s in office.staff]
    assert len(set(ids)) == len(ids) and all(USER_ID.fullmatch(i) for i in ids)
    texts = [s.full_name for s in office.staff] + [s.position for s in office.staff] + [u.name for u in office.units]
    texts += [d.form for d in office.disciplines] + [d.note for d in office.disciplines]
    assert all(unicodedata.is_normalized("NFC", t) for t in texts)
    assert len({s.full_name for s in office.staff}) == len(office.staff)
    families = Counter(s.full_name.split()[0] for s in office.staff)
    assert {"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương",
            "Lò", "Quàng", "Cầm", "Lường"} <= set(families)
    # Every unit has people and exactly one head.
    assert set(office.unit_heads()) == {u.code for u in office.units}
    assert {s.unit_code for s in office.staff} == {u.code for u in office.units}

    starts = sorted(s.office_start_date for s in office.staff)
    assert starts[0].year == 1995 and starts[-1].year == 2023
    years = [s.office_start_date for s in office.staff]
    tenure = Counter((CAMPAIGN_END.year - d.year - ((CAMPAIGN_END.month, CAMPAIGN_END.day) < (d.month, d.day)))
                     for d in years)
    assert tenure[9] and tenure[10] and sum(n for y, n in tenure.items() if y < 10) >= 10

    all_ratings = Counter(r for by_year in office.ratings.values() for r in by_year.values())
    assert set(all_ratings) <= set(RATINGS)
    assert all_ratings["good"] + all_ratings["excellent"] > 0.9 * sum(all_ratings.values())
    assert 3 <= all_ratings["completed"] <= 10
    for person in office.staff:
        by_year = office.ratings[person.id]
        assert set(by_year) <= set(range(2015, 2025))
        assert all(year >= person.office_start_date.year for year in by_year)

    assert 3 <= len(office.disciplines) <= 4
    ages = sorted(CAMPAIGN_END.year - d.decided_on.year for d in office.disciplines)
    assert 9 in ages and 11 in ages


def test_loading_the_demo_office_twice_stores_it_once(directory, db):
    office = load_demo_office(directory)
    load_demo_office(directory)
    assert [u.code for u in directory.list_units()] == [
        "kinh_te", "noi_chinh", "tchcqt", "tong_hop", "hanh_chinh_cong", "thong_tin", "tiep_cong_dan"]
    with db.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(StaffMember)) == len(office.staff)
        assert connection.scalar(select(func.count()).select_from(DisciplinaryRecord)) == len(office.disciplines)
        assert connection.scalar(select(func.count()).select_from(YearlyRating)) == sum(
            len(r) for r in office.ratings.values())
        assert connection.scalar(select(func.count()).select_from(PendingCase)) == len(office.pending_cases) == 1
    people = directory.list_staff()
    assert len(people) == len(office.staff) and all(unicodedata.is_normalized("NFC", p.full_name) for p in people)
    # "quang" finds the Thái family name Quàng and the middle name Quang; sorted by given name.
    assert [p.full_name for p in directory.search("quang")] == [
        "Quàng Văn Bun", "Quàng Văn Hải", "Phạm Quang Huy", "Quàng Thị Thu"]
    assert [p.full_name for p in directory.search("dang")] == ["Đặng Quốc Bảo", "Đặng Thị Dung", "Đặng Văn Hưng"]


def test_demo_office_has_both_sides_of_the_bang_khen_rule(directory):
    office = load_demo_office(directory)

    def facts(name):
        return directory.facts(office.by_name(name).id, CAMPAIGN_END)

    assert facts("Lê Minh Tuấn")["yearsAtOffice"] == 10
    assert facts("Ngô Văn Thắng")["yearsAtOffice"] == 10
    assert facts("Hoàng Đức Anh")["yearsAtOffice"] == 9
    assert facts("Phạm Quang Huy")["yearsSinceDiscipline"] == 9
    assert facts("Lê Văn Dũng")["yearsSinceDiscipline"] == 9
    assert facts("Nguyễn Đình Trọng")["yearsSinceDiscipline"] == 11
    assert facts("Đặng Văn Hưng")["yearsSinceDiscipline"] == 11
    assert facts("Đặng Quốc Bảo")["worstRatingLast10"] == "completed"
    assert facts("Phạm Thu Hà") == {"yearsAtOffice": 29, "yearsSinceDiscipline": None,
                                    "worstRatingLast10": "excellent", "missingRatingYears": None}
    # One year without a rating does not lower the worst rating, but it is reported as missing.
    assert facts("Vũ Thị Hạnh")["worstRatingLast10"] == "good"
    assert facts("Vũ Thị Hạnh")["missingRatingYears"] == "2019"


def test_one_person_a_unit_would_nominate_is_blocked_by_an_open_case(directory):
    office = load_demo_office(directory)
    panh = office.by_name("Lò Văn Pánh")  # 16 years at the Office, every rating good or better
    facts = directory.facts(panh.id, CAMPAIGN_END)
    assert facts["yearsAtOffice"] >= 10 and facts["worstRatingLast10"] in ("good", "excellent")
    assert PendingCases(directory.db).facts(panh.id, CAMPAIGN_END) == {
        "pendingCase": "discipline_review", "pendingCaseText": "đang bị xem xét kỷ luật"}
    assert all(unicodedata.is_normalized("NFC", note) for *_, note in office.pending_cases)
