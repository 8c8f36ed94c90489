"""`thidua staff case open / close / list`: an admin's way to record what blocks a nomination."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from workflows.pending_cases import PendingCases
from workflows.staff_directory import Staff

ROOT = Path(__file__).resolve().parents[2]


def thidua(*args: str, database_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run([sys.executable, "-c", "from web.cli import run; run()", *args], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=120)


def test_an_admin_opens_lists_and_closes_a_case(office_database_url, directory, db):
    directory.upsert_unit("tong_hop", "Phòng Tổng hợp", "phong")
    directory.upsert_staff(Staff("lannt", "Nguyễn Thị Lan", "tong_hop", date(2005, 8, 5)))
    opened = thidua("staff", "case", "open", "lannt", "discipline_review", "--on", "15/07/2025",
                    "--note", "Chậm xử lý hồ sơ", database_url=office_database_url)
    assert opened.returncode == 0, opened.stderr
    [case] = PendingCases(db).cases("lannt")
    assert f"đã mở vụ việc số {case.id}: lannt đang bị xem xét kỷ luật từ 15/07/2025" in opened.stdout
    assert (case.kind, case.opened_on, case.note) == ("discipline_review", date(2025, 7, 15), "Chậm xử lý hồ sơ")

    listed = thidua("staff", "case", "list", "lannt", database_url=office_database_url)
    assert "đang bị xem xét kỷ luật; từ 15/07/2025, đang mở (Chậm xử lý hồ sơ)" in listed.stdout

    # Bad input: a clear message, a failing exit code, nothing written.
    early = thidua("staff", "case", "close", str(case.id), "--on", "2025-07-01", database_url=office_database_url)
    assert early.returncode == 1 and "trước ngày mở" in early.stderr and "before the opening date" in early.stderr
    unknown = thidua("staff", "case", "open", "ai_do", "complaint", "--on", "2025-07-01",
                     database_url=office_database_url)
    assert unknown.returncode == 1 and "Không có cán bộ 'ai_do'" in unknown.stderr
    wrong_kind = thidua("staff", "case", "open", "lannt", "gossip", "--on", "2025-07-01",
                        database_url=office_database_url)
    assert wrong_kind.returncode != 0 and "discipline_review" in wrong_kind.stderr
    no_date = thidua("staff", "case", "open", "lannt", "complaint", database_url=office_database_url)
    assert no_date.returncode != 0 and "--on" in no_date.stderr
    assert PendingCases(db).cases("lannt") == [case]

    closed = thidua("staff", "case", "close", str(case.id), "--on", "2025-08-01", database_url=office_database_url)
    assert closed.returncode == 0, closed.stderr
    assert f"đã kết thúc vụ việc số {case.id} ngày 01/08/2025" in closed.stdout
    assert PendingCases(db).first_open("lannt", date(2025, 8, 5)) is None
