"""Portal sessions: a new one at sign-in, an end after THIDUA_SESSION_IDLE_MINUTES without a
request, and an end everywhere when the password changes. On SQLite and PostgreSQL."""
from __future__ import annotations

import re
import shutil
from datetime import timedelta

import pytest

from tests.conftest import FakeClock
from tests.portal.conftest import PASSWORD, START, make_portal
from web.portal.session_guard import idle_minutes_from_env

EXPIRED = "Phiên làm việc đã kết thúc"


@pytest.fixture
def idle_clock(portal_any_db) -> FakeClock:
    """The clock sessions measure idle time by (wall-clock time in service), moved by the test."""
    clock = FakeClock(START)
    portal_any_db.app.config["THIDUA_SESSION_CLOCK"] = clock
    return clock


def session_cookie(client) -> str | None:
    cookie = client.client.get_cookie("session")
    return cookie.value if cookie else None


def signed_out_with_notice(client, path: str = "/inbox") -> bool:
    response = client.get(path)
    if response.status_code != 302 or "/login?next=" not in response.headers["Location"]:
        return False
    return EXPIRED in client.get(response.headers["Location"]).get_data(as_text=True)


def test_signing_in_starts_a_new_session(portal_any_db):
    portal = portal_any_db
    client = portal.client()
    before_token = client.csrf_token()  # an anonymous session, with its CSRF token
    with client.client.session_transaction() as planted:
        planted["unit_override"] = "kinh_te"  # what a fixation attack would plant before sign-in
    before_cookie = session_cookie(client)
    response = client.post("/login", {"username": "lan", "password": PASSWORD})
    assert response.status_code == 302
    assert session_cookie(client) != before_cookie
    with client.client.session_transaction() as fresh:
        assert "unit_override" not in fresh and fresh["_user_id"] == "lan"
        assert fresh.get("csrf_token") is None  # the old token went with the old session
    # A form carrying the token from before sign-in is refused; the page's new token works.
    assert client.post("/language", {"language": "en", "csrf_token": before_token}, csrf=False).status_code == 400
    client.user, client._token = "lan", None
    assert client.post("/language", {"language": "en", "next": "/inbox"}).status_code == 302


def test_a_session_ends_after_the_idle_time(portal_any_db, idle_clock):
    portal = portal_any_db
    client = portal.login("lan")
    for _ in range(3):  # used every 29 minutes, it stays open well past 30 minutes
        idle_clock.now += timedelta(minutes=29)
        assert client.get("/inbox").status_code == 200
    idle_clock.now += timedelta(minutes=30, seconds=1)
    assert signed_out_with_notice(client)
    assert client.get("/inbox").status_code == 302  # signed out for good, not just once
    # An htmx request is told where to go instead of getting the sign-in page swapped in.
    other = portal.login("head_a")
    idle_clock.now += timedelta(minutes=31)
    response = other.get("/inbox", headers={"HX-Request": "true"})
    assert response.status_code == 401 and response.headers["HX-Redirect"].startswith("/login?next=")
    assert portal.login("lan").get("/inbox").status_code == 200  # signing in again works


def test_the_idle_time_is_configurable(portal_template, tmp_path, monkeypatch):
    monkeypatch.setenv("THIDUA_SESSION_IDLE_MINUTES", "5")
    path = tmp_path / "portal.db"
    shutil.copy(portal_template, path)
    portal = make_portal(f"sqlite:///{path}", tmp_path)
    try:
        assert portal.app.config["THIDUA_SESSION_IDLE_MINUTES"] == 5
        clock = portal.app.config["THIDUA_SESSION_CLOCK"] = FakeClock(START)
        client = portal.login("lan")
        clock.now += timedelta(minutes=4)
        assert client.get("/inbox").status_code == 200
        clock.now += timedelta(minutes=5, seconds=1)
        assert signed_out_with_notice(client)
    finally:
        portal.engine.close()


@pytest.mark.parametrize("value", ["0", "-3", "nửa giờ", ""])
def test_a_wrong_idle_time_is_named(monkeypatch, value):
    monkeypatch.setenv("THIDUA_SESSION_IDLE_MINUTES", value)
    with pytest.raises(ValueError, match="THIDUA_SESSION_IDLE_MINUTES must be a whole number"):
        idle_minutes_from_env()
    monkeypatch.delenv("THIDUA_SESSION_IDLE_MINUTES")
    assert idle_minutes_from_env() == 30


def test_a_new_password_ends_every_session_of_the_account(portal_any_db):
    portal = portal_any_db
    portal.clock.now += timedelta(days=40)  # business time does not end sessions; a new password does
    laptop, phone, neighbour = portal.login("lan"), portal.login("lan"), portal.login("head_a")
    admin = portal.login("admin")
    page = admin.post("/admin/users/lan/password").get_data(as_text=True)
    new_password = re.search(r'id="new-password">.*?<code class="fs-5">([^<]+)</code>', page, re.S).group(1)
    assert signed_out_with_notice(laptop) and signed_out_with_notice(phone)
    assert neighbour.get("/inbox").status_code == 200 and admin.get("/admin/users").status_code == 200
    assert portal.login("lan", new_password).get("/inbox").status_code == 200
    # The same when the password is set outside the portal (`thidua user` or the engine API).
    again = portal.login("lan", new_password)
    portal.engine.identity.set_password("lan", "mật-khẩu-mới-2025")
    assert signed_out_with_notice(again)
    assert portal.client().post("/login", {"username": "lan", "password": new_password}).status_code == 401


def test_a_deactivated_account_is_signed_out_at_once(portal_any_db):
    portal = portal_any_db
    client = portal.login("lan")
    portal.engine.identity.set_active("lan", False)
    assert client.get("/inbox").status_code == 302
    portal.engine.identity.set_active("lan", True)
    assert client.get("/inbox").status_code == 302  # reactivating does not bring the old session back
