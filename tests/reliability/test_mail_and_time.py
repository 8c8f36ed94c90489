"""Mail and time across outages: SMTP down across three reminder times, then each reminder sent
exactly once; the service stopped across a timer's due time, then it fires once at start-up.
(The scheduler's lock lost under it: test_scheduler_lock.py.)"""
from __future__ import annotations

import time

from sqlalchemy import inspect

from engine.scheduling.scheduler import JOB_TABLE, Scheduler
from tests.scheduler.conftest import local, office, smtp_server  # noqa: F401 - fixtures
from tests.scheduler.test_scheduler import FAST, eventually, open_elements, timer_events


def test_smtp_down_across_three_reminder_times_then_up(office):  # noqa: F811
    """binh chose immediate mail: three reminders, three mails, each once."""
    office.start("deadline_task", group="reviewers", due="2025-08-08")
    office.server.down()
    for day in (5, 7, 8):  # 3 working days before, 1 before, the day itself
        office.at(2025, 8, day, 8, 0)
        assert office.tick() == []
    failing = {m.kind: m for m in office.engine.outbox.list()}
    assert sorted(failing) == ["before:1", "before:3", "due"]
    assert all(m.status == "pending" and "ConnectionRefusedError" in m.last_error for m in failing.values())
    # Tried at each run since it was decided; each failure doubles the wait (5, 10, 20 minutes).
    assert (failing["before:3"].attempts, failing["before:1"].attempts, failing["due"].attempts) == (3, 2, 1)
    assert failing["before:3"].next_attempt_at == local(2025, 8, 8, 8, 20)
    assert failing["due"].next_attempt_at == local(2025, 8, 8, 8, 5)

    office.server.up()
    office.at(2025, 8, 8, 8, 3)
    assert office.tick() == []  # nothing is due for a retry yet
    office.at(2025, 8, 8, 8, 30)
    mails = office.tick()
    assert sorted(m.subject for m in mails) == [
        "[Nhắc việc] Còn 1 ngày làm việc: Báo cáo kết quả – hạn 08/08/2025",
        "[Nhắc việc] Còn 3 ngày làm việc: Báo cáo kết quả – hạn 08/08/2025",
        "[Nhắc việc] Hôm nay đến hạn: Báo cáo kết quả – hạn 08/08/2025",
    ]
    assert {tuple(m.recipients) for m in mails} == {("binh@sonla.gov.vn",)}
    for hour in (9, 12, 17):
        office.at(2025, 8, 8, hour, 0)
        assert office.tick() == []
    assert office.outbox() == [("binh", "before:1", "sent"), ("binh", "before:3", "sent"), ("binh", "due", "sent")]


def test_a_timer_due_while_stopped_fires_once_at_start_up(office):  # noqa: F811
    instance = office.start("timer_wait", wakeAt="2025-07-28T10:00:00+07:00")
    office.at(2025, 7, 28, 12, 0)  # the service was stopped at 10:00
    scheduler = Scheduler(office.engine, office.sender, **FAST).start()
    try:
        eventually(lambda: open_elements(office.engine, instance.id) == ["Task_after"])
        assert inspect(office.engine.context.db).has_table(JOB_TABLE)  # the jobs live in the database
        scheduler.wake()
        time.sleep(0.5)
        assert len(timer_events(office.engine, instance.id)) == 1
    finally:
        scheduler.stop()
