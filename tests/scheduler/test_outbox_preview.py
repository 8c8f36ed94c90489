"""The outbox page shows each mail as it goes out (headers with names, the HTML body in a sandboxed
frame) and, without SMTP_HOST, says that mail is kept, not sent; on SQLite and PostgreSQL."""
from __future__ import annotations

import json
from html.parser import HTMLParser

from sqlalchemy import update

from engine.mail.sender import OutboxSender, SmtpSettings
from engine.persistence.models_mail import OutboxMail
from tests.portal.conftest import portal_any_db, portal_template  # noqa: F401  (fixtures)
from tests.scheduler.test_outbox_page import due_reminder
from web.composition import mail_texts

SMTP_OFF_VI = "Chưa cấu hình máy chủ gửi thư (SMTP_HOST): thư được giữ lại trong hộp thư đi, không gửi đi."
SMTP_OFF_EN = "No SMTP server is configured (SMTP_HOST): messages are kept in the outbox, not sent."
# A task name with markup, as a careless model could carry: it must stay inside the sandboxed frame.
MARKUP_TASK = 'Hướng dẫn <img src=x onerror="alert(1)"> hồ sơ'
# The reminder texts turn angle brackets into look-alike quotes (workflows/reminder_texts.py).
SHOWN_TASK = 'Hướng dẫn ‹img src=x onerror="alert(1)"› hồ sơ'


class Page(HTMLParser):
    """Every start tag with its attributes, and the text of the preview's header fields."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.headers: dict[str, str] = {}
        self._header: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._header = dict(attrs).get("data-header")

    def handle_data(self, data):
        if self._header:
            self.headers[self._header] = self.headers.get(self._header, "") + data

    def handle_endtag(self, tag):
        self._header = None


def test_without_smtp_every_mail_is_kept_and_readable(portal_any_db):
    portal = portal_any_db
    smtp = portal.engine.context.config.smtp
    smtp.clear()
    mail = due_reminder(portal)
    with portal.engine.context.db.begin() as conn:
        payload = json.loads(conn.scalar(OutboxMail.__table__.select().with_only_columns(OutboxMail.payload_json)))
        conn.execute(update(OutboxMail.__table__).values(
            payload_json=json.dumps({**payload, "task": MARKUP_TASK}, ensure_ascii=False)))
    admin = portal.login("admin")
    response = admin.get("/admin/outbox/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and SMTP_OFF_VI in html
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]  # the policy is unchanged
    assert 'srcdoc="&lt;div&gt;' in html  # escaped as an attribute: the page itself carries no mail markup
    page = Page(html)
    assert page.headers == {"from": "(chưa cấu hình SMTP_SENDER)", "to": "Phạm Thu Hà <ha@sonla.gov.vn>",
                            "subject": f"[Nhắc việc] Hôm nay đến hạn: {SHOWN_TASK} – hạn 30/06/2025"}
    (frame,) = [attrs for tag, attrs in page.tags if tag == "iframe"]
    assert frame["sandbox"] == ""  # no allow-scripts, no allow-same-origin
    body = frame["srcdoc"]
    assert body.startswith("<div>") and body.endswith("</div>") and SHOWN_TASK in body
    assert "Phạm Thu Hà" in body and "/tasks/" in body  # the mail's HTML as a reader gets it, only in srcdoc
    # Outside the frame no tag of the mail exists: no <img>, no handler, no inline script.
    assert not [tag for tag, attrs in page.tags if tag == "img" or any(name.startswith("on") for name in attrs)]
    assert all(attrs.get("src") for tag, attrs in page.tags if tag == "script")
    assert [m.status for m in portal.engine.outbox.list()] == ["pending"] and mail.recipient == "officer"

    admin.post("/language", {"language": "en", "next": "/admin/outbox/"})
    english = admin.get("/admin/outbox/").get_data(as_text=True)
    assert SMTP_OFF_EN in english and "(SMTP_SENDER not configured)" in english


def test_the_preview_is_the_mail_the_smtp_server_receives(portal_any_db, smtp_server):
    portal = portal_any_db
    smtp = portal.engine.context.config.smtp
    smtp.clear()
    smtp.update(smtp_server.env)
    due_reminder(portal)
    page = Page(portal.login("admin").get("/admin/outbox/").get_data(as_text=True))
    assert not [attrs for tag, attrs in page.tags if attrs.get("id") == "outbox-smtp-off"]
    (frame,) = [attrs for tag, attrs in page.tags if tag == "iframe"]

    sender = OutboxSender(portal.engine.context, SmtpSettings.from_env(smtp), mail_texts())
    assert sender.send_due().sent == 1
    (received,) = smtp_server.take()
    assert page.headers == {"from": str(received.message["From"]), "to": str(received.message["To"]),
                            "subject": received.subject}
    assert page.headers["from"] == "Văn phòng UBND tỉnh <thidua@sonla.gov.vn>"
    assert page.headers["to"] == "Phạm Thu Hà <ha@sonla.gov.vn>"
    assert frame["srcdoc"] == received.message.get_body(preferencelist=("html",)).get_content()


def test_a_mail_whose_data_makes_no_preview_is_still_listed(portal_any_db):
    """A row written by an older version (or by hand) with a payload the texts cannot read: the page
    lists it, says so, and the other rows keep their previews."""
    portal = portal_any_db
    portal.engine.context.config.smtp.clear()
    due_reminder(portal)
    with portal.engine.context.db.begin() as conn:
        row = conn.execute(OutboxMail.__table__.select()).mappings().one()
        conn.execute(OutboxMail.__table__.insert().values(
            {**{k: v for k, v in row.items() if k != "id"}, "payload_json": "{}", "recipient": "head_a"}))
    response = portal.login("admin").get("/admin/outbox/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.count("Không dựng được bản xem trước của thư này") == 1
    assert html.count("<iframe") == 1  # the readable row keeps its preview
