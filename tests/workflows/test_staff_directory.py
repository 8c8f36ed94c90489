"""The staff directory: units, people, Vietnamese search and sort, and the eligibility facts."""
from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from sqlalchemy import func, select

from engine.errors import NotFoundError
from workflows.models import DisciplinaryRecord, StaffMember, YearlyRating
from workflows.staff_directory import (
    Discipline, Staff, StaffDirectoryError, StaffNotFoundError, Unit, fold, whole_years, worst_rating,
)

AS_OF = date(2025, 8, 5)  # the end of the campaign period in the plan


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@pytest.fixture
def office(directory):
    directory.upsert_unit("tong_hop", "Phòng Tổng hợp", "phong")
    directory.upsert_unit("kinh_te", "Phòng Kinh tế", "phong")
    directory.upsert_unit("thong_tin", "Trung tâm Thông tin", "trung_tam")
    return directory


def person(staff_id: str, full_name: str, start: date = date(2010, 1, 1), unit: str = "tong_hop", **kw) -> Staff:
    return Staff(id=staff_id, full_name=full_name, unit_code=unit, office_start_date=start, **kw)


# --- units ------------------------------------------------------------------------------------

def test_units_are_listed_got_and_upserted(office):
    office.upsert_unit("tiep_cong_dan", nfd("Ban Tiếp công dân"), "ban")
    assert [u.code for u in office.list_units()] == ["kinh_te", "tong_hop", "thong_tin", "tiep_cong_dan"]
    unit = office.get_unit("tiep_cong_dan")
    assert unit == Unit("tiep_cong_dan", "Ban Tiếp công dân", "ban", True)
    assert unicodedata.is_normalized("NFC", unit.name)

    office.upsert_unit("kinh_te", "Phòng Kinh tế - Ngành", "phong", active=False)
    assert office.get_unit("kinh_te").name == "Phòng Kinh tế - Ngành"
    assert "kinh_te" not in [u.code for u in office.list_units()]
    assert "kinh_te" in [u.code for u in office.list_units(include_inactive=True)]

    with pytest.raises(NotFoundError, match="Không có đơn vị 'van_hoa' .* / there is no unit 'van_hoa'"):
        office.get_unit("van_hoa")
    with pytest.raises(StaffDirectoryError, match="Loại đơn vị 'vu' không hợp lệ .* / the unit kind 'vu' is invalid"):
        office.upsert_unit("phong_x", "Phòng X", "vu")
    with pytest.raises(StaffDirectoryError, match="Mã đơn vị 'Phòng X' .* / the unit code 'Phòng X' is invalid"):
        office.upsert_unit("Phòng X", "Phòng X", "phong")
    with pytest.raises(StaffDirectoryError, match="Tên đơn vị không được để trống / the unit name must not be empty"):
        office.upsert_unit("phong_x", nfd("  "), "phong")


# --- people -----------------------------------------------------------------------------------

def test_people_are_stored_in_nfc_and_updated(office):
    office.upsert_staff(person("lannt", nfd("  Nguyễn   Thị Lan "), position=nfd("Chuyên viên"),
                               email="lannt@sonla.gov.vn"), ratings={2024: "good"})
    lan = office.get("lannt")
    assert lan.full_name == "Nguyễn Thị Lan" and unicodedata.is_normalized("NFC", lan.full_name)
    assert lan.position == "Chuyên viên" and lan.active
    office.upsert_staff(person("lannt", "Nguyễn Thị Lan", unit="kinh_te", position="Phó Trưởng phòng"),
                        ratings={2023: "excellent"})
    lan = office.get("lannt")
    assert (lan.unit_code, lan.position, lan.email) == ("kinh_te", "Phó Trưởng phòng", None)
    assert office.ratings("lannt") == {2023: "excellent", 2024: "good"}
    office.set_rating("lannt", 2024, "completed")
    assert office.ratings("lannt") == {2023: "excellent", 2024: "completed"}


@pytest.mark.parametrize("bad, message", [
    (person("Lan NT", "Nguyễn Thị Lan"), "Mã cán bộ 'Lan NT' không hợp lệ.* / the staff code 'Lan NT' is invalid"),
    (person("lannt", "   "), "Họ và tên không được để trống / the full name must not be empty"),
    (person("lannt", "Nguyễn Thị Lan", unit="van_hoa"),
     "Không có đơn vị 'van_hoa' trong danh mục đơn vị / no unit 'van_hoa' in the list of units"),
    (person("lannt", "Nguyễn Thị Lan", email="lan.sonla.gov.vn"),
     "Email 'lan.sonla.gov.vn' không hợp lệ / the e-mail 'lan.sonla.gov.vn' is invalid"),
    (person("lannt", "Nguyễn Thị Lan", position="C" * 256),
     "Chức vụ dài quá 255 ký tự / the position is longer than 255 characters"),
])
def test_bad_people_are_refused_and_nothing_is_written(office, db, bad, message):
    good = person("minhtv", "Trần Văn Minh")
    with pytest.raises(StaffDirectoryError, match=message) as refused:
        office.save([good, bad], ratings={"minhtv": {2024: "good"}})
    assert unicodedata.is_normalized("NFC", str(refused.value))
    with db.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(StaffMember)) == 0
        assert connection.scalar(select(func.count()).select_from(YearlyRating)) == 0


def test_bad_rating_and_unknown_people_are_refused(office):
    office.upsert_staff(person("lannt", "Nguyễn Thị Lan"))
    with pytest.raises(StaffDirectoryError, match="Xếp loại 'tot' không hợp lệ .* / the rating 'tot' is invalid"):
        office.set_rating("lannt", 2024, "tot")
    with pytest.raises(StaffDirectoryError, match="Năm xếp loại 1800 .* / the rating year 1800 is invalid"):
        office.set_rating("lannt", 1800, "good")
    with pytest.raises(StaffNotFoundError, match="'khongco' trong danh bạ cán bộ / no staff member 'khongco'"):
        office.set_rating("khongco", 2024, "good")
    with pytest.raises(StaffNotFoundError, match="khongco"):
        office.add_discipline("khongco", date(2020, 1, 1), "Khiển trách")
    assert office.ratings("lannt") == {}


def test_unknown_staff_is_a_clear_error(office):
    with pytest.raises(StaffNotFoundError, match="Không có cán bộ 'ai_do' trong danh bạ cán bộ / no staff member 'ai_do' in the staff directory"):
        office.facts("ai_do", AS_OF)
    with pytest.raises(StaffNotFoundError):
        office.get("ai_do")
    assert isinstance(StaffNotFoundError("x"), NotFoundError)


NAMES = {
    "dungdt": "Đặng Thị Dung",
    "binhtt": "Trần Thị Bình",
    "anhl": "Lê Anh",
    "annv": "Nguyễn Văn An",
    "datdd": "Đỗ Đức Đạt",
    "anpt": "Phạm Thị Ân",
}


@pytest.fixture
def people(office):
    office.save([person(i, n) for i, n in NAMES.items()]
                + [person("hungnv", "Nguyễn Văn Hùng", unit="kinh_te", email="hung.nv@sonla.gov.vn"),
                   person("tuanlm", "Lê Minh Tuấn", active=False)])
    return office


def test_people_are_sorted_by_given_name_the_vietnamese_way(people):
    names = [p.full_name for p in people.list_staff("tong_hop")]
    # Given name first in Vietnamese letter order (An < Anh < Ân < Bình < Dung < Đạt: a < â, d < đ),
    # then middle, then family name.
    assert names == ["Nguyễn Văn An", "Lê Anh", "Phạm Thị Ân", "Trần Thị Bình", "Đặng Thị Dung", "Đỗ Đức Đạt"]
    assert [p.id for p in people.list_staff("kinh_te")] == ["hungnv"]
    everyone = people.list_staff(include_inactive=True)
    assert [p.id for p in everyone] == ["annv", "anhl", "anpt", "binhtt", "dungdt", "datdd", "hungnv", "tuanlm"]
    assert "tuanlm" not in [p.id for p in people.list_staff()]


@pytest.mark.parametrize("query, expected", [
    ("dang", ["dungdt"]),
    ("Đặng", ["dungdt"]),
    (nfd("ĐẶNG THỊ"), ["dungdt"]),
    ("dung", ["dungdt"]),
    ("dat", ["datdd"]),
    ("le", ["anhl"]),
    ("pham an", ["anpt"]),
    ("an", ["annv", "anhl", "anpt"]),
    ("ân", ["annv", "anhl", "anpt"]),  # tones fold: searching "ân" also finds "An"
    ("nguyen van", ["annv", "hungnv"]),
    ("van nguyen", ["annv", "hungnv"]),
    ("hung.nv", ["hungnv"]),
    ("binhtt", ["binhtt"]),
    ("thi b", ["binhtt"]),
    ("   ", []),
    ("xyz", []),
])
def test_search_folds_tones_and_d(people, query, expected):
    assert [p.id for p in people.search(query)] == expected


def test_search_by_unit_and_inactive(people):
    assert [p.id for p in people.search("nguyen", unit_code="kinh_te")] == ["hungnv"]
    assert people.search("tuan") == []
    assert [p.id for p in people.search("tuan", include_inactive=True)] == ["tuanlm"]
    assert len(people.search("t", limit=2)) == 2


# --- facts ------------------------------------------------------------------------------------

@pytest.mark.parametrize("start, years", [
    (date(2014, 8, 5), 11),
    (date(2015, 8, 4), 10),
    (date(2015, 8, 5), 10),  # the tenth anniversary falls on the date of the facts: 10 full years
    (date(2015, 8, 6), 9),
    (date(2016, 8, 5), 9),
    (date(2025, 9, 1), 0),  # not yet at the Office
])
def test_years_at_office_are_whole_years(office, start, years):
    office.upsert_staff(person("lannt", "Nguyễn Thị Lan", start=start))
    assert office.facts("lannt", AS_OF)["yearsAtOffice"] == years


def test_whole_years_across_a_leap_day():
    assert whole_years(date(2016, 2, 29), date(2025, 2, 28)) == 8
    assert whole_years(date(2016, 2, 29), date(2025, 3, 1)) == 9
    assert whole_years(date(2016, 2, 29), date(2024, 2, 29)) == 8


@pytest.mark.parametrize("decisions, years", [
    ([], None),
    ([date(2016, 8, 5)], 9),
    ([date(2015, 8, 6)], 9),
    ([date(2015, 8, 5)], 10),
    ([date(2014, 8, 5)], 11),
    ([date(2014, 8, 5), date(2016, 3, 12)], 9),  # the latest counts
    ([date(2025, 9, 1)], None),  # decided after the date of the facts: not yet
    ([date(2014, 1, 15), date(2025, 9, 1)], 11),
])
def test_years_since_discipline(office, decisions, years):
    office.upsert_staff(person("lannt", "Nguyễn Thị Lan", start=date(2000, 1, 1)))
    for decided_on in decisions:
        office.add_discipline("lannt", decided_on, "Khiển trách", "Vi phạm quy chế")
    assert office.facts("lannt", AS_OF)["yearsSinceDiscipline"] == years


@pytest.mark.parametrize("ratings, worst", [
    ({}, None),
    ({year: "good" for year in range(2015, 2025)}, "good"),
    ({**{year: "excellent" for year in range(2015, 2025)}, 2019: "good"}, "good"),
    ({year: "excellent" for year in range(2015, 2025)}, "excellent"),
    # Only 2015..2024 count when the facts are on a 2025 date.
    ({2014: "not_completed", 2025: "completed", **{year: "good" for year in range(2015, 2025)}}, "good"),
    ({2015: "completed", 2016: "excellent"}, "completed"),  # missing years do not lower it (they are reported)
    ({2024: "not_completed", 2020: "completed", 2021: "excellent"}, "not_completed"),
    ({2014: "excellent", 2025: "excellent"}, None),  # nothing inside the ten years
])
def test_worst_rating_of_the_last_ten_full_years(office, ratings, worst):
    office.upsert_staff(person("lannt", "Nguyễn Thị Lan"), ratings=ratings)
    assert office.facts("lannt", AS_OF)["worstRatingLast10"] == worst


def test_facts_together(office):
    office.upsert_staff(person("lannt", "Nguyễn Thị Lan", start=date(2012, 3, 1)),
                        ratings={y: "good" for y in range(2012, 2025)})
    office.add_discipline("lannt", date(2014, 6, 20), "Cảnh cáo")
    assert office.facts("lannt", AS_OF) == {"yearsAtOffice": 13, "yearsSinceDiscipline": 11,
                                            "worstRatingLast10": "good", "missingRatingYears": None}
    assert office.facts("lannt", date(2024, 1, 1)) == {"yearsAtOffice": 11, "yearsSinceDiscipline": 9,
                                                       "worstRatingLast10": "good", "missingRatingYears": None}
    with pytest.raises(StaffDirectoryError):
        office.facts("lannt", "2025-08-05")


def test_disciplines_are_listed_and_not_added_twice(office, db):
    office.upsert_staff(person("lannt", "Nguyễn Thị Lan"))
    record = Discipline("lannt", date(2016, 3, 12), nfd("Khiển trách"), "Chậm tiến độ")
    office.save([], disciplines=[record])
    office.save([], disciplines=[record])
    [stored] = office.disciplines("lannt")
    assert stored == Discipline("lannt", date(2016, 3, 12), "Khiển trách", "Chậm tiến độ")
    with db.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(DisciplinaryRecord)) == 1


def test_fold_and_worst_rating_helpers():
    assert fold(nfd("  Đặng   THỊ  Ánh ")) == "dang thi anh"
    assert worst_rating(["excellent", "good", "completed"]) == "completed"
    assert worst_rating([]) is None
