"""Sending the outbox to a real SMTP server: digests for those who chose them, the admin's resend,
bad SMTP settings (SMTP down, then each reminder once: tests/reliability/test_mail_and_time.py)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from engine.mail.sender import MailConfigError, OutboxSender, SmtpSettings
from engine.mail.message import address, compose
from web.cli import run
from workflows.reminder_texts import CampaignReminderTexts


def test_a_digest_for_those_who_chose_it(office):
    """lan (digest) and binh (immediate) each have two tasks due on Friday 8/8."""
    for group in ("reporters", "reporters", "reviewers", "reviewers"):
        office.start("deadline_task", group=group, due="2025-08-08")
    office.at(2025, 8, 8, 8, 0)
    mails = office.tick()
    to_lan = [m for m in mails if m.recipients == ["lan@sonla.gov.vn"]]
    to_binh = [m for m in mails if m.recipients == ["binh@sonla.gov.vn"]]
    assert len(mails) == 3 and len(to_lan) == 1 and len(to_binh) == 2
    assert to_lan[0].subject == "[Nhắc việc] 2 công việc cần xử lý"
    text = to_lan[0].text
    assert text.count("Hôm nay đến hạn: Báo cáo kết quả – hạn 08/08/2025") == 2
    assert text.count("https://thidua.example.vn/tasks/") == 2
    assert "2 tasks need your attention." in text
    assert "<br>" not in text


def test_giving_up_and_the_admins_resend(office):
    sender = OutboxSender(office.engine.context, SmtpSettings.from_env(office.server.env), CampaignReminderTexts(),
                          max_attempts=2, backoff=timedelta(minutes=1))
    office.start("deadline_task", group="reviewers", due="2025-08-08")
    office.server.down()
    office.at(2025, 8, 8, 8, 0)
    office.engine.reminders.decide()
    sender.send_due()
    office.at(2025, 8, 8, 8, 1)
    assert sender.send_due().failed == 1
    (mail,) = office.engine.outbox.list(status="failed")
    assert mail.attempts == 2
    office.at(2025, 8, 8, 9, 0)
    assert sender.send_due().failed == 0  # given up: no more attempts
    office.server.up()
    office.engine.outbox.resend(mail.id)
    assert sender.send_due().sent == 1
    assert [m.subject for m in office.server.take()] == [
        "[Nhắc việc] Hôm nay đến hạn: Báo cáo kết quả – hạn 08/08/2025"]
    assert office.engine.outbox.counts()["sent"] == 1


def test_sender_and_recipient_carry_their_vietnamese_names(office):
    """The names reach a mail reader as written; on the wire they are RFC 2047 encoded words
    (ASCII headers), and the SMTP envelope holds the bare address."""
    office.engine.identity.ensure_group("thu_ky", "Thư ký", "role")
    office.engine.identity.create_user("hungnv", "Nguyễn Văn Hùng", email="hungnv@sonla.gov.vn", groups=["thu_ky"])
    office.engine.reminders.set_reminder_mode("hungnv", "immediate")
    office.start("deadline_task", group="thu_ky", due="2025-08-08")
    office.at(2025, 8, 8, 8, 0)
    (mail,) = office.tick()
    assert mail.recipients == ["hungnv@sonla.gov.vn"]
    assert str(mail.message["From"]) == "Văn phòng UBND tỉnh <thidua@sonla.gov.vn>"
    assert str(mail.message["To"]) == "Nguyễn Văn Hùng <hungnv@sonla.gov.vn>"
    assert mail.message["To"].addresses[0].display_name == "Nguyễn Văn Hùng"
    headers = mail.raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    headers.decode("ascii")  # no raw UTF-8 in any header
    assert b"To: =?utf-8?b?" in headers and b"<hungnv@sonla.gov.vn>" in headers
    assert mail.subject == "[Nhắc việc] Hôm nay đến hạn: Báo cáo kết quả – hạn 08/08/2025"


def test_names_in_headers_survive_quotes_commas_and_blanks():
    from email.headerregistry import HeaderRegistry
    parse = HeaderRegistry()
    for name in ('Trần "Bình", Phó phòng', "Lê Văn An"):
        header = parse("To", address("an@sonla.gov.vn", name))
        assert header.addresses[0].display_name == name and header.addresses[0].addr_spec == "an@sonla.gov.vn"
    assert address("vanthu@sonla.gov.vn", "  ") == address("vanthu@sonla.gov.vn", None) == "vanthu@sonla.gov.vn"
    with pytest.raises(ValueError, match="at least one reminder"):
        compose(CampaignReminderTexts(), [], "an@sonla.gov.vn")


@pytest.mark.parametrize("env, message", [
    ({"SMTP_PORT": "twenty-five"}, "SMTP_PORT='twenty-five' is not a port number"),
    ({"SMTP_PORT": "70000"}, "SMTP_PORT='70000' is not a port number"),
    ({"SMTP_TLS": "maybe"}, "SMTP_TLS='maybe' is not understood: use starttls, ssl or off"),
    ({"SMTP_USER": "thidua@sonla.gov.vn"}, "SMTP_USER is set but SMTP_PASSWORD is not"),
    ({"SMTP_SENDER": "văn phòng"}, "SMTP_SENDER must be an e-mail address"),
    ({"SMTP_USER": "khac@sonla.gov.vn", "SMTP_PASSWORD": "x"}, "must be the address SMTP_USER"),
])
def test_bad_smtp_settings_are_named(env, message):
    base = {"SMTP_HOST": "mail.sonla.gov.vn", "SMTP_SENDER": "thidua@sonla.gov.vn"}
    with pytest.raises(MailConfigError, match=message.replace("(", r"\(")):
        SmtpSettings.from_env({**base, **env})


def test_smtp_settings():
    assert SmtpSettings.from_env({}) is None  # mail is off
    settings = SmtpSettings.from_env({"SMTP_HOST": "mailpit", "SMTP_TLS": "off",
                                      "SMTP_SENDER": "Văn phòng <thidua@sonla.gov.vn>"})
    assert (settings.port, settings.security, settings.user, settings.sender, settings.sender_name) == (
        25, "off", None, "thidua@sonla.gov.vn", "Văn phòng")
    assert SmtpSettings.from_env({"SMTP_HOST": "h", "SMTP_TLS": "ssl", "SMTP_USER": "a@b.vn",
                                  "SMTP_PASSWORD": "p"}).port == 465


def test_the_remind_command_refuses_bad_smtp_settings(office, database_url, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", "abc")
    monkeypatch.setattr("sys.argv", ["thidua", "remind"])
    with pytest.raises(SystemExit) as exited:
        run()
    assert exited.value.code == 1
    assert "error: SMTP_PORT='abc' is not a port number (1-65535)" in capsys.readouterr().err
