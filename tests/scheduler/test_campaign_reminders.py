"""A whole campaign moved through June-August on a controlled clock, with the scheduler's jobs run
every morning and a real SMTP server: exactly the expected reminders and escalations arrive.

The people with an e-mail address: hoa (TCHCQT), thu (head of TCHCQT), minhtb (Chief of Office),
son and hung (heads of Phòng Tổng hợp and Phòng Kinh tế). The story:
- TCHCQT finishes the dossier guidance (due Mon 30/6) four working days late, on Fri 4/7: hoa is
  reminded 7, 3 and 1 working days before and on the day, then every morning; thu hears of it after
  1 working day overdue (2/7), the Chief after 3 (4/7).
- The campaign period ends 5/8; Tổng hợp reports on time (7/8); Kinh tế's head reports the
  nominees (due Fri 8/8) on Thu 14/8 and submits on Fri 15/8: reminded daily, the Chief told on
  14/8, the unit head (hung himself) never told twice.
- Appraisal is due Sun 10/8, so by Mon 11/8: hoa is reminded the working day before (Fri 8/8) and
  on Monday morning, and appraises Tổng hợp on time.
"""
from __future__ import annotations

import unicodedata
from datetime import date, datetime, timedelta

import pytest

from engine import EngineConfig, ProcessEngine
from engine.mail.sender import OutboxSender, SmtpSettings
from engine.scheduling.scheduler import Scheduler
from tests.conftest import FakeClock
from tests.test_campaign import AN, BPMN_DIR, LAN, OFFICE_TZ, STAFF_FACTS, TONG_HOP, Campaign, collective
from workflows.engine_hooks import MAIL_VARIABLES, office_config
from workflows.council import Council
from workflows.document_register import DocumentRegister
from workflows.handlers import register_handlers
from workflows.reminder_texts import CampaignReminderTexts

PEOPLE = {  # user -> groups; every one of them has an address
    "hoa": ["tchcqt", "unit:tchcqt"],
    "thu": ["head:tchcqt", "unit:tchcqt"],
    "minhtb": ["chief"],
    "son": ["head:tong_hop", "unit:tong_hop"],
    "hung": ["head:kinh_te", "unit:kinh_te"],
}
GUIDANCE = "Hướng dẫn hồ sơ đề nghị khen thưởng"
NOMINATE = "Bình xét, đề xuất khen thưởng"
SUBMIT = "Trình danh sách đề nghị (qua phòng TCHCQT)"
APPRAISE = "Thẩm định hồ sơ đề nghị của đơn vị"

EXPECTED = [  # (morning, recipient, subject)
    ("19/06", "hoa", f"[Nhắc việc] Còn 7 ngày làm việc: {GUIDANCE} – hạn 30/06/2025"),
    ("25/06", "hoa", f"[Nhắc việc] Còn 3 ngày làm việc: {GUIDANCE} – hạn 30/06/2025"),
    ("27/06", "hoa", f"[Nhắc việc] Còn 1 ngày làm việc: {GUIDANCE} – hạn 30/06/2025"),
    ("30/06", "hoa", f"[Nhắc việc] Hôm nay đến hạn: {GUIDANCE} – hạn 30/06/2025"),
    ("01/07", "hoa", f"[Quá hạn] {GUIDANCE} – quá hạn 1 ngày làm việc (hạn 30/06/2025)"),
    ("02/07", "hoa", f"[Quá hạn] {GUIDANCE} – quá hạn 2 ngày làm việc (hạn 30/06/2025)"),
    ("02/07", "thu", f"[Báo cáo quá hạn] {GUIDANCE} – quá hạn 1 ngày làm việc (hạn 30/06/2025)"),
    ("03/07", "hoa", f"[Quá hạn] {GUIDANCE} – quá hạn 3 ngày làm việc (hạn 30/06/2025)"),
    ("04/07", "hoa", f"[Quá hạn] {GUIDANCE} – quá hạn 4 ngày làm việc (hạn 30/06/2025)"),
    ("04/07", "minhtb", f"[Báo cáo quá hạn] {GUIDANCE} – quá hạn 3 ngày làm việc (hạn 30/06/2025)"),
    ("07/08", "son", f"[Nhắc việc] Còn 1 ngày làm việc: {NOMINATE} – hạn 08/08/2025"),
    ("07/08", "hung", f"[Nhắc việc] Còn 1 ngày làm việc: {NOMINATE} – hạn 08/08/2025"),
    ("08/08", "hung", f"[Nhắc việc] Hôm nay đến hạn: {NOMINATE} – hạn 08/08/2025"),
    ("08/08", "hoa", f"[Nhắc việc] Còn 1 ngày làm việc: {APPRAISE} – hạn 11/08/2025"),
    ("11/08", "hung", f"[Quá hạn] {NOMINATE} – quá hạn 1 ngày làm việc (hạn 08/08/2025)"),
    ("11/08", "hoa", f"[Nhắc việc] Hôm nay đến hạn: {APPRAISE} – hạn 11/08/2025"),
    ("12/08", "hung", f"[Quá hạn] {NOMINATE} – quá hạn 2 ngày làm việc (hạn 08/08/2025)"),
    ("13/08", "hung", f"[Quá hạn] {NOMINATE} – quá hạn 3 ngày làm việc (hạn 08/08/2025)"),
    ("14/08", "hung", f"[Quá hạn] {NOMINATE} – quá hạn 4 ngày làm việc (hạn 08/08/2025)"),
    ("14/08", "minhtb", f"[Báo cáo quá hạn] {NOMINATE} – Phòng Kinh tế – quá hạn 3 ngày làm việc (hạn 08/08/2025)"),
    ("15/08", "hung", f"[Quá hạn] {SUBMIT} – quá hạn 5 ngày làm việc (hạn 08/08/2025)"),
]


@pytest.fixture
def office(database_url, handlers, smtp_server):
    clock = FakeClock(datetime(2025, 6, 6, 8, 0, tzinfo=OFFICE_TZ))

    def staff_facts(ctx):
        user_id = ctx.variables["nominee"].get("userId")
        years, discipline, rating = STAFF_FACTS[user_id] if user_id else (None, None, None)
        return {"yearsAtOffice": years, "yearsSinceDiscipline": discipline, "worstRatingLast10": rating,
                "missingRatingYears": None, "pendingCase": None, "pendingCaseText": None, "sameAwardInCampaign": None}

    handlers.register("staff_facts", staff_facts)
    config = office_config(EngineConfig(database_url=database_url, clock=clock, portal_url="https://thidua.example.vn"))
    with ProcessEngine(config, handlers=handlers) as engine:
        register_handlers(handlers, register=DocumentRegister(engine.context.db), council=Council(engine.context.db))
        engine.reminders.mail_variables = MAIL_VARIABLES
        engine.repository.deploy([(name, (BPMN_DIR / name).read_bytes())
                                  for name in ("campaign.bpmn", "unit_evaluation.bpmn", "eligibility.dmn")])
        for user_id, groups in PEOPLE.items():
            for group in groups:
                engine.identity.ensure_group(group, group, "unit" if group.startswith("unit:") else "role")
            engine.identity.create_user(user_id, f"Cán bộ {user_id}", email=f"{user_id}@sonla.gov.vn",
                                        groups=groups)
        sender = OutboxSender(engine.context, SmtpSettings.from_env(smtp_server.env), CampaignReminderTexts())
        yield engine, clock, Scheduler(engine, sender)


def in_order(mail: tuple[str, str, str]) -> tuple:
    day, month = mail[0].split("/")
    return month, day, mail[1], mail[2]


def mornings_until(clock: FakeClock, scheduler: Scheduler, day: date, received: list, server) -> None:
    """Runs the scheduler every morning at 08:00 up to `day`, then sets the clock to 10:00 of it."""
    current = clock.now.date() + timedelta(days=1)
    while current <= day:
        clock.now = datetime.combine(current, datetime.min.time().replace(hour=8), OFFICE_TZ)
        scheduler.tick()
        received.extend((f"{current:%d/%m}", mail) for mail in server.take())
        current += timedelta(days=1)
    clock.now = datetime.combine(day, datetime.min.time().replace(hour=10), OFFICE_TZ)


def test_campaign_reminders_and_escalations(office, smtp_server):
    engine, clock, scheduler = office
    received: list = []
    campaign = Campaign(engine, clock)
    campaign.complete("Task_open_pages", {"pageUrl": "https://vpubnd.sonla.gov.vn/80-nam"}, actor="tin")
    for code in campaign.units():
        campaign.complete("Task_deploy_plan", {"deployedOn": "2025-06-06"}, unit=code)

    mornings_until(clock, scheduler, date(2025, 7, 4), received, smtp_server)
    campaign.complete("Task_guidance", {"guidanceIssuedOn": "2025-06-25"}, actor="hoa")
    campaign.complete("Task_news", actor="tin")

    # The campaign period ends 5/8: the units' timers fire on the morning of 6/8.
    mornings_until(clock, scheduler, date(2025, 8, 7), received, smtp_server)
    campaign.complete("Task_nominate", {"nominees": [LAN, collective(TONG_HOP)], "unitResults": "Hoàn thành tốt"},
                      unit="tong_hop")
    campaign.complete("Task_achievement_report", {"achievementReport": "Báo cáo"}, unit="tong_hop", actor="lan")
    campaign.complete("Task_submit", {"reportedOn": "2025-08-07"}, unit="tong_hop")

    mornings_until(clock, scheduler, date(2025, 8, 11), received, smtp_server)
    campaign.appraise("tong_hop")

    mornings_until(clock, scheduler, date(2025, 8, 14), received, smtp_server)
    campaign.complete("Task_nominate", {"nominees": [AN], "unitResults": "Hoàn thành"}, unit="kinh_te")
    campaign.complete("Task_achievement_report", {"achievementReport": "Báo cáo"}, unit="kinh_te", actor="an")

    mornings_until(clock, scheduler, date(2025, 8, 15), received, smtp_server)
    campaign.complete("Task_submit", {"reportedOn": "2025-08-07"}, unit="kinh_te")
    campaign.appraise("kinh_te")
    assert campaign.open_tasks() == ["Task_submit_council"]
    campaign.complete("Task_submit_council", {"submittedOn": "2025-08-10"}, actor="hoa")
    mornings_until(clock, scheduler, date(2025, 8, 18), received, smtp_server)  # nothing left to remind of

    got = [(day, mail.recipients[0].split("@")[0], mail.subject) for day, mail in received]
    # The order between mails of one morning is not part of the contract.
    assert sorted(got, key=in_order) == sorted(EXPECTED, key=in_order)
    assert len(got) == len(EXPECTED)
    assert all(len(mail.recipients) == 1 for _, mail in received)

    # One mail, read as its recipient reads it.
    day, mail = received[-2]  # the Chief told of Phòng Kinh tế's late report
    assert mail.message["From"].addresses[0].addr_spec == "thidua@sonla.gov.vn"
    assert mail.message["To"].addresses[0].addr_spec == "minhtb@sonla.gov.vn"
    assert mail.message["From"].addresses[0].display_name == "Văn phòng UBND tỉnh"
    text = mail.text
    assert unicodedata.is_normalized("NFC", text) and unicodedata.is_normalized("NFC", mail.subject)
    assert "Kính gửi Cán bộ minhtb" in text
    assert "Đợt thi đua đặc biệt chào mừng 80 năm Ngày truyền thống Văn phòng" in text
    assert "Hạn xử lý: 08/08/2025" in text
    assert "https://thidua.example.vn/tasks/" in text
    # A deadline on a Sunday is shown with the working day it runs to.
    appraisal = next(mail for day, mail in received if day == "11/08" and "Thẩm định" in mail.subject)
    assert "Hạn xử lý: 10/08/2025 (ngày làm việc tiếp theo: 11/08/2025)" in appraisal.text

    # Every reminder was written once and sent once.
    counts = engine.outbox.counts()
    assert counts["sent"] == len(EXPECTED) and counts["pending"] == counts["failed"] == 0
