"""`thidua demo` on an empty database: the Office, its accounts, the 2025 campaign played to its end
and this year's campaign running."""
from __future__ import annotations

import os
import re
import unicodedata
import subprocess
import sys
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo
from pathlib import Path

from engine import EngineConfig, TaskQuery
from engine.mail.sender import OutboxSender, SmtpSettings
from engine.runtime.involvement import Involvement
from engine.runtime.service import InstanceQuery
from tests.conftest import FakeClock
from tests.scheduler.conftest import smtp_server  # noqa: F401 (fixture: aiosmtpd on loopback)
from web.composition import build_engine, mail_texts
from workflows.award_register import AwardRegister
from workflows.documents.kinds import KINDS
from workflows.documents.store import DocumentStore
from workflows.council import Council

ROOT = Path(__file__).resolve().parent.parent


def thidua(*args: str, database_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "THIDUA_DEMO_PASSWORD": "mật-khẩu-demo"}
    return subprocess.run([sys.executable, "-c", "from web.cli import run; run()", *args], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=300)


# The demo is loaded as of a fixed day, so what "today" shows is the same on every run.
TODAY = date(2026, 3, 10)
OFFICE = ZoneInfo("Asia/Ho_Chi_Minh")


def test_demo_leaves_a_finished_campaign_and_a_live_one_with_work_for_each_role(tmp_path, smtp_server):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    assert thidua("db", "upgrade", database_url=url).returncode == 0
    first = thidua("demo", "--today", TODAY.isoformat(), database_url=url)
    assert first.returncode == 0, first.stderr
    assert "7 units, 63 staff" in first.stdout and "KH-80NTT-2025 played to its end" in first.stdout
    assert "live campaign KH-TD-2026 started" in first.stdout
    again = thidua("demo", database_url=url)
    assert again.returncode == 0 and "already there" in again.stdout and "already running" in again.stdout
    # --year 2025 is the finished campaign alone (on an empty database it plays only that one).
    only_2025 = thidua("demo", "--year", "2025", database_url=url)
    assert only_2025.returncode == 0 and "no live campaign" in only_2025.stdout, only_2025.stderr
    refused = thidua("demo", "--year", "2024", database_url=url)
    assert refused.returncode == 2 and "--year" in refused.stderr

    with build_engine(EngineConfig(database_url=url)) as engine:
        campaigns = {c.business_key: c for c in engine.runtime.list_instances(InstanceQuery(definition_key="campaign"))}
        finished = campaigns.pop("KH-80NTT-2025")
        [live] = campaigns.values()
        assert finished.status == "completed" and live.status == "active"
        assert live.business_key == "KH-TD-2026"

        # The finished campaign: every outcome of a real one, decided and recorded.
        done = engine.runtime.get_variables(finished.id)
        awarded = {a["fullName"]: (a["award"], a["decisionNumber"]) for a in done["awarded"]}
        assert awarded["Phạm Thị Lan"] == ("bang_khen", "1520/QĐ-UBND")
        assert awarded["Phòng Nội chính"] == ("giay_khen", done["decisionNumber"]) and done["decisionNumber"]
        assert awarded["Hồ Thị Mai Anh"][0] == "bang_khen"  # returned once, corrected, then awarded
        assert [n["fullName"] for n in done["notAwarded"]] == ["Hoàng Đức Anh"]
        assert [n["fullName"] for n in done["rejected"]] == ["Quàng Thị Thu"]
        assert [(n["fullName"], n["route"]) for n in done["notEligible"]] == [("Lò Văn Pánh", "blocked")]
        assert AwardRegister(engine.context.db).of_campaign("KH-80NTT-2025")
        units = engine.runtime.list_instances(InstanceQuery(parent_instance_id=finished.id))
        assert len(units) == 7 and {u.status for u in units} == {"completed"}
        # Every document issued, each on its day of 2025 (the story moves the engine's clock).
        documents = DocumentStore(engine.context.db).for_campaign(finished.id)
        assert {d.kind for d in documents} == set(KINDS)
        assert {d.issued_on.year for d in documents} == {2025}
        [decision] = [d for d in documents if d.kind == "chief_decision"]
        assert (decision.number, decision.issued_on) == (done["decisionNumber"], date(2025, 8, 20))
        assert finished.started_at.year == finished.ended_at.year == 2025

        # The live campaign: today falls after the period's end and before the units' deadline.
        variables = engine.runtime.get_variables(live.id)
        office_today = TODAY
        assert variables["campaignEndDate"] == date(2026, 3, 8) and variables["unitReportDate"] == date(2026, 3, 14)
        assert variables["campaignEndDate"] < office_today < variables["unitReportDate"]
        units = engine.runtime.list_instances(InstanceQuery(parent_instance_id=live.id))
        assert len(units) == 7 and {u.parent_instance_id for u in units} == {live.id}
        open_by_unit = {u.unit: sorted(t.element_id for t in engine.tasks.list(TaskQuery(instance_id=u.id)))
                        for u in units}
        assert open_by_unit["tong_hop"] == open_by_unit["kinh_te"] == []  # reported and accepted
        assert open_by_unit["noi_chinh"] == ["Task_correct"]  # returned by the appraiser
        assert {open_by_unit[c] == ["Task_nominate"] for c in ("tchcqt", "thong_tin", "hanh_chinh_cong")} == {True}
        # One unit has not deployed the plan: its task was due on the guidance date, a month ago.
        assert open_by_unit["tiep_cong_dan"] == ["Task_deploy_plan"]
        [late] = engine.tasks.list(TaskQuery(instance_id=next(u.id for u in units if u.unit == "tiep_cong_dan")))
        assert late.due_at is not None and late.due_at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date() < office_today
        # Every account a reminder can reach has an e-mail.
        accounts = engine.identity.list_users()
        assert len(accounts) == 63 + 3 and all(a.email and a.email.endswith("@sonla.gov.vn") for a in accounts)
        # A unit head signs in with the demo password and sees their own unit's task only.
        head = engine.identity.check_password(engine.identity.members("head:thong_tin")[0], "mật-khẩu-demo")
        mine = engine.tasks.list(TaskQuery(involving=Involvement(head.user_id, head.groups, head.unit)))
        assert [t.candidate_groups for t in mine] == [("head:thong_tin",)]
        assert engine.identity.check_password("minhtb", "mật-khẩu-demo").groups >= {"chief", "council"}
        # The council is the council table: the chief chairs, TCHCQT's head is the secretary, the
        # other six unit heads are members; the `council` group holds exactly them.
        seats = Council(engine.context.db).members()
        assert [(s.staff_id, s.role) for s in seats[:2]] == [("minhtb", "chair"), ("hapt", "secretary")]
        assert len(seats) == 8 and {s.role for s in seats[2:]} == {"member"}
        assert engine.identity.members("council") == sorted(s.staff_id for s in seats)
        # Over the coming days the units still nominating are reminded before their deadline (due
        # this week), and the reminders are of the live campaign only.
        tz = ZoneInfo("Asia/Ho_Chi_Minh")
        coming = [p for offset in range(6) for p in engine.reminders.dry_run(
            datetime.combine(office_today + timedelta(days=offset), time(9), tz))]
        assert {p.business_key for p in coming} == {live.business_key}
        assert "Bình xét, đề xuất khen thưởng" in {p.payload["task"] for p in coming}
        assert "Triển khai kế hoạch đến cán bộ, công chức" in {p.payload["task"] for p in coming}

    # The reminders of the live campaign's open tasks: the overdue unit's and those due this week.
    planned = thidua("remind", "--dry-run", "--at", f"{TODAY.isoformat()}T08:00", database_url=url)
    assert planned.returncode == 0, planned.stderr
    assert "Triển khai kế hoạch" in planned.stdout, planned.stdout
    assert re.search(r"[1-9]\d* nhắc việc sẽ được ghi", planned.stdout), planned.stdout
    assert "@sonla.gov.vn>" in planned.stdout

    # That morning the reminders go out through a real SMTP server: Vietnamese subjects, and the
    # sender and every recipient under their names.
    morning = FakeClock(datetime.combine(TODAY, time(8), OFFICE))
    with build_engine(EngineConfig(database_url=url, clock=morning)) as engine:
        assert engine.reminders.decide()
        report = OutboxSender(engine.context, SmtpSettings.from_env(smtp_server.env), mail_texts()).send_due()
    received = smtp_server.take()
    assert report.sent == len(received) >= 1 and report.failed == 0
    for mail in received:
        assert re.match(r"\[(Nhắc việc|Quá hạn|Báo cáo quá hạn)\] ", mail.subject) and unicodedata.is_normalized("NFC", mail.subject)
        assert str(mail.message["From"]) == "Văn phòng UBND tỉnh <thidua@sonla.gov.vn>"
    recipients = {str(mail.message["To"]) for mail in received}
    # The overdue unit's head (Ban Tiếp công dân has not deployed the plan) is reminded by name, and
    # the Chief gets the report of it.
    assert {"Hoàng Minh Châu <chauhm@sonla.gov.vn>", "Trần Bình Minh <minhtb@sonla.gov.vn>"} <= recipients, recipients
    assert any("Triển khai kế hoạch" in mail.subject for mail in received)
