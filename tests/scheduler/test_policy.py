"""The reminder policy: which reminders a task is owed when, to whom, written once; its settings
per task and per campaign; bad settings refused before anything is written."""
from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from engine.errors import DeploymentError
from engine.persistence.models_mail import OutboxMail, ReminderSetting
from engine.scheduling.reminder_rules import ReminderRuleError
from engine.scheduling.working_days import set_calendar_day
from tests.scheduler.conftest import MODELS, build_office, local
from web.cli import main


def planned(office, *moment) -> list[tuple[str, str]]:
    return sorted((p.recipient, p.kind) for p in office.engine.reminders.dry_run(local(*moment)))


def outbox_rows(office) -> int:
    with office.engine.context.db.connect() as conn:
        return conn.scalar(select(func.count()).select_from(OutboxMail))


def test_before_on_the_day_overdue_and_escalations(office):
    """Due Friday 8/8/2025, offered to `reporters` of phong_a (lan; tuan has no address)."""
    office.start("deadline_task", group="reporters", due="2025-08-08")
    assert planned(office, 2025, 7, 29, 8) == []
    assert planned(office, 2025, 7, 30, 8) == [("lan", "before:7")]  # 7 working days before
    assert planned(office, 2025, 7, 30, 7, 59) == []
    assert planned(office, 2025, 8, 5, 8) == [("lan", "before:3")]
    assert planned(office, 2025, 8, 7, 8) == [("lan", "before:1")]
    assert planned(office, 2025, 8, 8, 8) == [("lan", "due")]
    assert planned(office, 2025, 8, 9, 8) == []  # Saturday
    assert planned(office, 2025, 8, 11, 8) == [("lan", "overdue")]
    # After one whole working day overdue the unit head hears of it, after three the Chief.
    assert planned(office, 2025, 8, 12, 8) == [("lan", "overdue"), ("minh", "escalate@1")]
    assert planned(office, 2025, 8, 14, 8) == [("chanh", "escalate@3"), ("lan", "overdue"), ("minh", "escalate@1")]
    assert outbox_rows(office) == 0  # a dry run writes nothing


def test_each_reminder_is_written_once(office, database_url, smtp_server):
    office.start("deadline_task", group="reporters", due="2025-08-08")
    office.at(2025, 8, 12, 8, 0)
    assert sorted((p.recipient, p.kind) for p in office.engine.reminders.decide()) == [
        ("lan", "overdue"), ("minh", "escalate@1")]
    office.at(2025, 8, 12, 9, 30)
    assert office.engine.reminders.decide() == []
    # A second worker deciding the same morning writes nothing either.
    other = build_office(database_url, smtp_server)
    try:
        other.at(2025, 8, 12, 8, 5)
        assert other.engine.reminders.decide() == []
    finally:
        other.engine.close()
    assert outbox_rows(office) == 2
    # The next morning: a new daily reminder; the escalation is not repeated.
    office.at(2025, 8, 13, 8, 0)
    assert [(p.recipient, p.kind) for p in office.engine.reminders.decide()] == [("lan", "overdue")]


def test_task_properties_override_the_defaults(office):
    """Task_urgent: reminders "2", escalateTo "chief@1", assigned to binh."""
    office.start("deadline_override", owner="binh", due="2025-08-08")
    assert planned(office, 2025, 8, 6, 8) == [("binh", "before:2")]
    assert planned(office, 2025, 8, 7, 8) == planned(office, 2025, 8, 8, 8) == []
    assert planned(office, 2025, 8, 11, 8) == [("binh", "overdue")]
    assert planned(office, 2025, 8, 12, 8) == [("binh", "overdue"), ("chanh", "escalate@1")]


def test_campaign_settings_by_business_key(office):
    office.engine.reminders.set_business_key_policy("KH-01", reminders="1", escalate_to="none")
    instance = office.engine.runtime.start_process_by_key(
        "deadline_task", {"unit": "phong_a", "group": "reporters", "due": "2025-08-08"}, business_key="KH-01")
    assert instance.status == "active"
    assert planned(office, 2025, 8, 5, 8) == planned(office, 2025, 8, 8, 8) == []
    assert planned(office, 2025, 8, 7, 8) == [("lan", "before:1")]
    assert planned(office, 2025, 8, 14, 8) == [("lan", "overdue")]


def test_bad_campaign_settings_change_nothing(office):
    for reminders, escalate_to in (("7, soon", None), (None, "chief"), (None, "chief@0"), ("", None)):
        with pytest.raises(ReminderRuleError):
            office.engine.reminders.set_business_key_policy("KH-01", reminders=reminders, escalate_to=escalate_to)
    with pytest.raises(ReminderRuleError, match="digest, immediate"):
        office.engine.reminders.set_reminder_mode("lan", "hourly")
    with office.engine.context.db.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(ReminderSetting)) == 0


def test_a_deadline_on_a_day_off_runs_to_the_next_working_day(office):
    """10/8/2025 is a Sunday; 1-2/9/2025 are National Day; the admin adds 3/9 as a day off."""
    sunday = office.start("deadline_task", group="reporters", due="2025-08-10")
    assert planned(office, 2025, 8, 8, 8) == [("lan", "before:1")]
    assert planned(office, 2025, 8, 11, 8) == [("lan", "due")]
    assert planned(office, 2025, 8, 12, 8) == [("lan", "overdue")]
    office.engine.tasks.complete(office.task(sunday.id).id, {}, actor="lan")
    instance = office.start("deadline_task", group="reviewers", due="2025-09-01")
    with office.engine.context.db.begin() as conn:
        set_calendar_day(conn, date(2025, 9, 3), "day_off", "Nghỉ bù")
    assert planned(office, 2025, 9, 4, 8) == [("binh", "due")]
    payload = office.engine.reminders.dry_run(local(2025, 9, 4, 8))[0].payload
    assert (payload["dueDate"], payload["workingDueDate"]) == ("2025-09-01", "2025-09-04")
    assert payload["link"] == f"https://thidua.example.vn/tasks/{office.task(instance.id).id}"


def test_completing_a_task_cancels_its_unsent_reminders(office):
    instance = office.start("deadline_task", group="reviewers", due="2025-08-08")
    office.at(2025, 8, 8, 8, 0)
    assert len(office.engine.reminders.decide()) == 1
    office.engine.tasks.complete(office.task(instance.id).id, {}, actor="binh")
    office.engine.reminders.decide()
    report = office.sender.send_due()
    assert (report.sent, report.cancelled) == (0, 1)
    assert office.server.take() == []
    assert office.outbox() == [("binh", "due", "cancelled")]


def test_malformed_reminder_properties_refuse_the_deployment(office):
    source = (MODELS / "deadline_override.bpmn").read_text()
    for bad, message in ((source.replace('value="2"', 'value="2, soon"'), "line 13, element 'Task_urgent': "
                          "'reminders' has 'soon': each item must be a number of working days"),
                         (source.replace('value="chief@1"', 'value="chief"'), "line 14, element 'Task_urgent': "
                          "'escalateTo' has 'chief': each item must be group@days")):
        with pytest.raises(DeploymentError) as refused:
            office.engine.repository.deploy([("bad.bpmn", bad.replace("deadline_override", "bad_one").encode())])
        assert str(refused.value).startswith(f"bad.bpmn, {message}")
    reminder_without_task = (MODELS / "boundary_reminder.bpmn").read_text().replace(
        'value="Task_review"', 'value="Task_missing"').replace("boundary_reminder", "bad_two")
    with pytest.raises(DeploymentError, match="'remindTask' naming a user task of its process"):
        office.engine.repository.deploy([("bad2.bpmn", reminder_without_task.encode())])
    assert [d.key for d in office.engine.repository.list_definitions()
            if d.key.startswith("bad")] == []


def test_remind_dry_run_command(office, database_url, monkeypatch):
    office.start("deadline_task", group="reporters", due="2025-08-08")
    monkeypatch.setenv("DATABASE_URL", database_url)
    result = CliRunner().invoke(main, ["remind", "--dry-run", "--at", "2025-08-05T08:00"], standalone_mode=False)
    assert result.exception is None, result.output
    assert result.output.splitlines() == [
        "05/08/2025 08:00  before:3     lan <lan@sonla.gov.vn>  Báo cáo kết quả (hạn 08/08/2025)",
        "1 nhắc việc sẽ được ghi vào hộp thư đi lúc 05/08/2025 08:00",
    ]
    bad = CliRunner().invoke(main, ["remind", "--dry-run", "--at", "5/8/2025"])
    assert bad.exit_code == 2 and "is not a date and time such as 2025-08-05T08:00" in bad.output
    assert outbox_rows(office) == 0


def test_calendar_and_policy_commands(office, database_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    runner = CliRunner()
    assert runner.invoke(main, ["calendar", "2025-08-11", "day_off", "--note", "Nghỉ bù"],
                         standalone_mode=False).output == "11/08/2025  day_off  Nghỉ bù\n"
    assert runner.invoke(main, ["calendar", "16/08/2025", "working"], standalone_mode=False).output == (
        "11/08/2025  day_off  Nghỉ bù\n16/08/2025  working\n")
    assert runner.invoke(main, ["calendar", "2025-08-16", "clear"], standalone_mode=False).output == (
        "11/08/2025  day_off  Nghỉ bù\n")
    assert runner.invoke(main, ["calendar", "2025-02-30", "working"]).exit_code == 2
    assert runner.invoke(main, ["calendar", "2025-08-12"]).exit_code == 2
    office.start("deadline_task", group="reporters", due="2025-08-08")
    assert planned(office, 2025, 8, 12, 8) == [("lan", "overdue")]  # 11/8 is off now: 1 working day overdue

    result = runner.invoke(main, ["reminder-policy", "KH-02", "--reminders", "1", "--escalate-to", "none"],
                           standalone_mode=False)
    assert result.output == "đã lưu cách nhắc việc của KH-02\n"
    refused = runner.invoke(main, ["reminder-policy", "KH-03", "--reminders", "soon"])
    assert refused.exit_code != 0 and isinstance(refused.exception, ReminderRuleError)
    with office.engine.context.db.connect() as conn:
        assert conn.execute(select(ReminderSetting.business_key, ReminderSetting.reminders,
                                   ReminderSetting.escalate_to)).all() == [("KH-02", "1", "none")]
