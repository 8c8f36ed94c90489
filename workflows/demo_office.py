"""A realistic demo Office (Văn phòng UBND tỉnh Sơn La): its units, 63 people, their ratings
2015–2024 and four disciplinary records. Pure data, the same on every call.

Chosen so that the Bằng khen rule has cases on both sides when the campaign period ends on
05/08/2025: people who started at the Office on 01/08/2015 and 05/08/2015 have 10 years, on
15/08/2015 only 9; disciplinary decisions of 2014 are 11 years old, those of 2015–2016 only 9;
a few people have a "Hoàn thành nhiệm vụ" year and one has a year without a rating; one person
the Phòng Tổng hợp would nominate is under disciplinary review, so the blocking rule shows.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from workflows.pending_cases import PendingCases
from workflows.staff_directory import Discipline, Staff, StaffDirectory, Unit, fold

FIRST_RATING_YEAR = 2015
EMAIL_DOMAIN = "sonla.gov.vn"
HEAD_POSITIONS = ("Trưởng phòng", "Giám đốc", "Trưởng ban")

UNITS = (
    Unit("tong_hop", "Phòng Tổng hợp", "phong"),
    Unit("kinh_te", "Phòng Kinh tế", "phong"),
    Unit("noi_chinh", "Phòng Nội chính", "phong"),
    Unit("tchcqt", "Phòng Tổ chức - Hành chính - Quản trị", "phong"),
    Unit("thong_tin", "Trung tâm Thông tin", "trung_tam"),
    Unit("hanh_chinh_cong", "Trung tâm Phục vụ hành chính công", "trung_tam"),
    Unit("tiep_cong_dan", "Ban Tiếp công dân", "ban"),
)

# Ratings 2015..2024, one letter a year: X excellent (Hoàn thành xuất sắc nhiệm vụ), G good (Hoàn
# thành tốt nhiệm vụ), C completed (Hoàn thành nhiệm vụ), K not completed, "-" no rating (not yet
# at the Office, or on leave that year).
_LETTERS = {"X": "excellent", "G": "good", "C": "completed", "K": "not_completed"}

# unit, full name, position, start of work at the Office (dd/mm/yyyy), ratings 2015..2024
_STAFF = """
tong_hop | Nguyễn Văn Hùng | Trưởng phòng | 02/01/1998 | XXGXXXXGXX
tong_hop | Trần Thị Thu Hà | Phó Trưởng phòng | 15/03/2004 | GXGGXGXXGX
tong_hop | Lê Minh Tuấn | Phó Trưởng phòng | 01/08/2015 | GGGXGGXGGX
tong_hop | Phạm Thị Lan | Chuyên viên chính | 10/10/2001 | GGGGGGGGGG
tong_hop | Hoàng Đức Anh | Chuyên viên | 15/08/2015 | GGGXGGXGGX
tong_hop | Vũ Thị Ngọc Ánh | Chuyên viên | 03/09/2018 | ---GGGXGGG
tong_hop | Đặng Quốc Bảo | Chuyên viên | 20/07/2012 | GGCGGGGXGG
tong_hop | Lò Văn Pánh | Chuyên viên | 01/04/2009 | GGGGXGGGGG
tong_hop | Bùi Thị Hồng Nhung | Cán sự | 12/05/2020 | -----GGGGX
tong_hop | Ngô Văn Thắng | Chuyên viên | 05/08/2015 | GGGGGGGGGG
kinh_te | Đỗ Mạnh Cường | Trưởng phòng | 18/02/1997 | XXXXGXXXXX
kinh_te | Hồ Thị Mai Anh | Phó Trưởng phòng | 06/06/2006 | GXGXGXGXGX
kinh_te | Dương Văn Long | Phó Trưởng phòng | 25/11/2010 | GGGGGGXGGG
kinh_te | Cầm Thị Hương | Chuyên viên chính | 14/02/2003 | GGGGGGGGXG
kinh_te | Nguyễn Thị Thanh Huyền | Chuyên viên | 01/10/2016 | -GGGGGGGGX
kinh_te | Trần Văn Khánh | Chuyên viên | 09/03/2013 | GGGGCGGGGG
kinh_te | Lê Thị Phương Thảo | Chuyên viên | 22/08/2019 | ----GGGGXG
kinh_te | Phạm Quang Huy | Chuyên viên | 30/06/2008 | GGXGGGGGGG
kinh_te | Quàng Văn Hải | Chuyên viên | 11/01/2005 | GGGGGGGGGG
kinh_te | Vũ Minh Đức | Chuyên viên | 04/04/2022 | -------GGX
noi_chinh | Hoàng Văn Nam | Trưởng phòng | 16/09/1999 | XXXGXXXXGX
noi_chinh | Lường Thị Thu Trang | Phó Trưởng phòng | 07/07/2007 | GGXGGXGGXG
noi_chinh | Nguyễn Đình Trọng | Chuyên viên chính | 12/12/2002 | GGGGGGGGGG
noi_chinh | Đinh Thị Vân | Chuyên viên | 01/03/2014 | GGGGGGGXGG
noi_chinh | Bùi Văn Toàn | Chuyên viên | 19/08/2016 | -GGGGGGGGG
noi_chinh | Trịnh Thị Yến | Chuyên viên | 03/01/2011 | GCGGGGGGGG
noi_chinh | Lò Thị Mai | Chuyên viên | 15/05/2021 | ------GGGG
noi_chinh | Đỗ Đức Đạt | Chuyên viên | 02/11/2015 | GGGGGGXGGG
noi_chinh | Mai Văn Tiến | Chuyên viên | 26/02/2017 | --GGGGGGXG
tchcqt | Phạm Thu Hà | Trưởng phòng | 10/01/1996 | XXXXXXXXXX
tchcqt | Nguyễn Văn Bình | Phó Trưởng phòng | 05/05/2005 | GGGXGGGXGG
tchcqt | Trần Thị Minh Nguyệt | Kế toán trưởng | 17/10/2000 | GGGGGGGGGG
tchcqt | Lê Văn Dũng | Chuyên viên | 21/04/2010 | GGGGGGGGGG
tchcqt | Đặng Thị Dung | Chuyên viên | 08/08/2013 | GGGGGGGGGX
tchcqt | Vũ Thị Hạnh | Văn thư | 01/06/2012 | GGGG-GGGGG
tchcqt | Cầm Văn Sơn | Lái xe | 14/03/1995 | GGGGGGGGGG
tchcqt | Hà Văn Tùng | Lái xe | 27/09/2009 | GGCGGGGGGG
tchcqt | Ngô Thị Thúy | Nhân viên | 02/02/2019 | ----GGGGGG
tchcqt | Hoàng Thị Hoa | Chuyên viên | 12/07/2016 | -GGGXGGGGX
tchcqt | Lường Văn Chiến | Nhân viên | 01/12/2023 | ---------G
thong_tin | Đỗ Thị Kim Oanh | Giám đốc | 03/03/2003 | XGXXGXXXXX
thong_tin | Nguyễn Hữu Thành | Phó Giám đốc | 18/05/2011 | GGGGXGGGXG
thong_tin | Trần Quốc Việt | Viên chức | 09/09/2014 | GGGGGGGGGG
thong_tin | Phạm Thị Thu Hiền | Viên chức | 20/10/2017 | --GGGGGGGG
thong_tin | Lê Hoàng Nam | Viên chức | 01/07/2020 | -----GGGGG
thong_tin | Quàng Thị Thu | Viên chức | 16/04/2008 | GGGGGGGGGG
thong_tin | Dương Thị Ngọc | Viên chức | 08/03/2022 | -------GGG
thong_tin | Bùi Minh Quân | Viên chức | 30/11/2012 | GGGGGCGGGG
hanh_chinh_cong | Hồ Văn Thịnh | Giám đốc | 12/04/2001 | XXGXXXXXXX
hanh_chinh_cong | Nguyễn Thị Hằng | Phó Giám đốc | 23/06/2009 | GGXGGGGXGG
hanh_chinh_cong | Vũ Văn Quyết | Viên chức | 11/11/2015 | GGGGGGGGGG
hanh_chinh_cong | Lò Văn Thanh | Viên chức | 02/05/2018 | ---GGGGGGG
hanh_chinh_cong | Trần Thị Kiều Oanh | Viên chức | 17/02/2021 | ------GGGX
hanh_chinh_cong | Đặng Văn Hưng | Viên chức | 06/10/2006 | GGGGGGGGGG
hanh_chinh_cong | Phạm Văn Lực | Viên chức | 19/08/2010 | GGGGGGGGGG
hanh_chinh_cong | Cầm Thị Ngân | Viên chức | 04/01/2023 | --------GG
hanh_chinh_cong | Nguyễn Văn An | Viên chức | 28/03/2016 | -GGGGGGGGG
tiep_cong_dan | Hoàng Minh Châu | Trưởng ban | 08/05/2000 | XXXXGXXXXG
tiep_cong_dan | Lê Thị Ân | Phó Trưởng ban | 15/09/2012 | GGXGGGGGXG
tiep_cong_dan | Đinh Văn Khải | Chuyên viên | 22/03/2004 | GGGGGGGGGG
tiep_cong_dan | Ngô Thị Lan Anh | Chuyên viên | 01/09/2017 | --GGGGGGGG
tiep_cong_dan | Quàng Văn Bun | Chuyên viên | 10/06/1998 | GGGGGGGGGG
tiep_cong_dan | Trần Văn Minh | Chuyên viên | 01/08/2016 | -GGGGGGGXG
"""

# full name, decided on (dd/mm/yyyy), form, note
_DISCIPLINES = """
Phạm Quang Huy | 12/03/2016 | Khiển trách | Chậm tham mưu văn bản, để quá hạn xử lý hồ sơ
Nguyễn Đình Trọng | 20/06/2014 | Cảnh cáo | Vi phạm quy chế làm việc của cơ quan
Lê Văn Dũng | 10/09/2015 | Khiển trách | Vi phạm quy định về quản lý tài sản công
Đặng Văn Hưng | 15/01/2014 | Khiển trách | Vi phạm nội quy tiếp nhận hồ sơ tại Trung tâm
"""

# Open cases of the staff register: full name, kind, opened on (dd/mm/yyyy), note.
_PENDING_CASES = """
Lò Văn Pánh | discipline_review | 15/07/2025 | Đang xem xét trách nhiệm về việc để chậm hồ sơ đất đai quá hạn
"""


@dataclass(frozen=True)
class DemoOffice:
    units: tuple[Unit, ...]
    staff: tuple[Staff, ...]
    ratings: dict[str, dict[int, str]]
    disciplines: tuple[Discipline, ...]
    pending_cases: tuple[tuple[str, str, date, str], ...] = ()  # staff id, kind, opened on, note

    def unit_heads(self) -> dict[str, str]:
        """unit code → the user name of its head (Trưởng phòng, Giám đốc, Trưởng ban)."""
        return {s.unit_code: s.id for s in self.staff if s.position in HEAD_POSITIONS}

    def by_name(self, full_name: str) -> Staff:
        return next(s for s in self.staff if s.full_name == unicodedata.normalize("NFC", full_name))


def _date(text: str) -> date:
    day, month, year = (int(part) for part in text.split("/"))
    return date(year, month, day)


def _rows(table: str) -> list[list[str]]:
    return [[unicodedata.normalize("NFC", cell.strip()) for cell in line.split("|")]
            for line in table.strip().splitlines()]


def user_name(full_name: str, taken: set[str]) -> str:
    """The Office's usual account name: given name then the initials of the others ("hungnv")."""
    words = fold(full_name).split()
    base = words[-1] + "".join(w[0] for w in words[:-1])
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}{n}", n + 1
    taken.add(candidate)
    return candidate


def demo_office() -> DemoOffice:
    taken: set[str] = set()
    staff, ratings = [], {}
    for unit_code, full_name, position, start, letters in _rows(_STAFF):
        staff_id = user_name(full_name, taken)
        staff.append(Staff(id=staff_id, full_name=full_name, unit_code=unit_code, office_start_date=_date(start),
                           position=position, email=f"{staff_id}@{EMAIL_DOMAIN}"))
        ratings[staff_id] = {FIRST_RATING_YEAR + i: _LETTERS[letter]
                             for i, letter in enumerate(letters) if letter != "-"}
    by_name = {s.full_name: s.id for s in staff}
    disciplines = tuple(Discipline(by_name[name], _date(decided), form, note)
                        for name, decided, form, note in _rows(_DISCIPLINES))
    pending = tuple((by_name[name], kind, _date(opened), note) for name, kind, opened, note in _rows(_PENDING_CASES))
    return DemoOffice(units=UNITS, staff=tuple(staff), ratings=ratings, disciplines=disciplines, pending_cases=pending)


def load_demo_office(directory: StaffDirectory) -> DemoOffice:
    """Writes the demo Office in one transaction; loading it again changes nothing."""
    office = demo_office()
    directory.save(office.staff, ratings=office.ratings, disciplines=office.disciplines, units=office.units)
    cases = PendingCases(directory.db)
    for staff_id, kind, opened_on, note in office.pending_cases:
        if not any(c.kind == kind and c.opened_on == opened_on for c in cases.cases(staff_id)):
            cases.open(staff_id, kind, opened_on, note)
    return office
