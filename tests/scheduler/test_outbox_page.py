"""The admin's outbox page: the reminder mail by status, and the resend button (admins only)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from engine.persistence.models import UserAccount
from engine.persistence.models_mail import OutboxMail
from tests.portal.conftest import OFFICE_TZ, portal, portal_any_db, portal_template  # noqa: F401  (fixtures)


def due_reminder(portal):
    """The officer of TCHCQT is reminded of the guidance on its due day (pending in the outbox)."""
    with portal.engine.context.db.begin() as conn:
        conn.execute(update(UserAccount).where(UserAccount.id == "officer").values(email="ha@sonla.gov.vn"))
    portal.clock.now = datetime(2025, 6, 30, 8, 0, tzinfo=OFFICE_TZ)
    (decided,) = portal.engine.reminders.decide()
    return decided


def failed_reminder(portal) -> OutboxMail:
    """The reminder of `due_reminder`, and the mail failed."""
    decided = due_reminder(portal)
    with portal.engine.context.db.begin() as conn:
        conn.execute(update(OutboxMail.__table__).values(status="failed", attempts=8,
                                                         last_error="ConnectionRefusedError: [Errno 111]"))
    (mail,) = portal.engine.outbox.list()
    assert (mail.recipient, mail.kind) == ("officer", "due") == (decided.recipient, decided.kind)
    return mail


def test_the_admin_sees_the_outbox_and_resends(portal):
    mail = failed_reminder(portal)
    admin = portal.login("admin")
    page = admin.get("/admin/outbox/").get_data(as_text=True)
    assert "Hộp thư đi: thư nhắc việc" in page
    assert f'data-mail="{mail.id}" data-status="failed"' in page
    assert "Phạm Thu Hà" in page and "ha@sonla.gov.vn" in page
    assert "Hướng dẫn hồ sơ đề nghị khen thưởng" in page and "Ngày đến hạn" in page and "Gửi lỗi" in page
    assert "ConnectionRefusedError" in page
    assert 'href="/admin/outbox/"' in admin.get("/inbox").get_data(as_text=True)  # in the admin's menu
    assert 'href="/admin/outbox/"' not in portal.login("officer").get("/inbox").get_data(as_text=True)
    assert 'id="outbox-empty"' in admin.get("/admin/outbox/?status=sent").get_data(as_text=True)

    response = admin.post(f"/admin/outbox/{mail.id}/resend", {"status": "failed"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/outbox/?status=failed")
    (again,) = portal.engine.outbox.list()
    assert (again.status, again.attempts, again.last_error) == ("pending", 0, None)
    assert "sẽ được gửi lại" in admin.get("/admin/outbox/").get_data(as_text=True)


def test_bad_requests_change_nothing(portal):
    mail = failed_reminder(portal)
    admin = portal.login("admin")
    assert admin.post(f"/admin/outbox/{mail.id}/resend", csrf=False).status_code == 400
    assert admin.post("/admin/outbox/999999/resend").status_code == 404
    assert admin.get("/admin/outbox/?status=lost").status_code == 404
    for user in ("officer", "chief", "head_a"):
        client = portal.login(user)
        assert client.get("/admin/outbox/").status_code == 403
        assert client.post(f"/admin/outbox/{mail.id}/resend").status_code == 403
    assert [(m.status, m.attempts) for m in portal.engine.outbox.list()] == [("failed", 8)]
