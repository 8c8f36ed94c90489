"""Signing in: passwords, the database-kept rate limit, session cookies, CSRF, sign-out."""
from __future__ import annotations

from datetime import timedelta

from engine.persistence.models import LoginThrottle, UserAccount
from tests.portal.conftest import PASSWORD


def _failures(portal, name: str):
    with portal.engine.context.sessions() as session:
        row = session.get(UserAccount, name) or session.get(LoginThrottle, name)
        return (row.failed_logins, row.login_blocked_until) if row else None


def test_sign_in_lands_in_the_inbox_with_a_secure_enough_cookie(portal):
    client = portal.client()
    page = client.get("/inbox")
    assert page.status_code == 302 and "/login?next=/inbox" in page.headers["Location"]
    response = client.post("/login", {"username": "head_a", "password": PASSWORD, "next": "/inbox"})
    assert response.status_code == 302 and response.headers["Location"] == "/inbox"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    inbox = client.get("/inbox")
    assert inbox.status_code == 200 and "Nguyễn Văn Hùng" in inbox.get_data(as_text=True)
    for page in (inbox, client.get("/login"), client.get("/tasks/khong-co")):
        assert page.headers["X-Frame-Options"] == "DENY" and page.headers["X-Content-Type-Options"] == "nosniff"
        assert page.headers["Referrer-Policy"] == "same-origin"


def test_cookie_is_secure_outside_testing_and_loopback(portal):
    portal.app.testing = False
    try:
        client = portal.app.test_client()
        response = client.get("/login", base_url="https://thidua.sonla.gov.vn")
        assert "Secure" in response.headers["Set-Cookie"]
        response = client.get("/login", base_url="http://127.0.0.1:5000")
        assert "Secure" not in response.headers["Set-Cookie"]
    finally:
        portal.app.testing = True


def test_wrong_password_and_unknown_user_look_the_same(portal):
    client = portal.client()
    wrong = client.post("/login", {"username": "head_a", "password": "sai-mật-khẩu"})
    unknown = client.post("/login", {"username": "nobody", "password": "sai-mật-khẩu"})
    assert wrong.status_code == unknown.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in wrong.get_data(as_text=True)
    # Equal but for the name typed and the CSRF token (which is timestamped to the second).
    assert wrong.get_data(as_text=True).replace("head_a", "nobody").replace(CSRF(wrong), "TOKEN") \
        == unknown.get_data(as_text=True).replace(CSRF(unknown), "TOKEN")
    assert _failures(portal, "head_a") == (1, None)
    assert _failures(portal, "nobody") == (1, None)


def CSRF(response) -> str:
    import re
    return re.search(r'name="csrf-token" content="([^"]+)"', response.get_data(as_text=True)).group(1)


def test_empty_form_is_refused_without_counting(portal):
    response = portal.client().post("/login", {"username": "head_a", "password": ""})
    assert response.status_code == 400
    assert _failures(portal, "head_a") == (0, None)


def test_ten_wrong_passwords_block_the_account_even_for_the_right_one(portal):
    client = portal.client()
    for _ in range(9):
        assert client.post("/login", {"username": "lan", "password": "đoán-mò-123"}).status_code == 401
    tenth = client.post("/login", {"username": "lan", "password": "đoán-mò-123"})
    assert tenth.status_code == 429
    assert "Đăng nhập sai quá nhiều lần" in tenth.get_data(as_text=True)
    right = client.post("/login", {"username": "lan", "password": PASSWORD})
    assert right.status_code == 429  # the 11th try, with the right password, is refused too
    assert client.get("/inbox").status_code == 302
    # Another web worker sees the same block: it is in the database.
    with portal.engine.context.sessions() as session:
        assert session.get(UserAccount, "lan").login_blocked_until == portal.clock.now + timedelta(minutes=15)
    portal.clock.now += timedelta(minutes=16)
    assert client.post("/login", {"username": "lan", "password": PASSWORD}).status_code == 302
    assert _failures(portal, "lan") == (0, None)


def test_unknown_names_are_throttled_too(portal):
    client = portal.client()
    for _ in range(10):
        response = client.post("/login", {"username": "khong-co-ai", "password": "đoán-mò-123"})
    assert response.status_code == 429
    assert "Đăng nhập sai quá nhiều lần" in response.get_data(as_text=True)


def test_post_without_csrf_token_is_refused(portal):
    client = portal.login("head_a")
    task = portal.task("Task_deploy_plan", "tong_hop")
    response = client.post(f"/tasks/{task.id}/claim", csrf=False)
    assert response.status_code == 400
    assert portal.engine.tasks.get(task.id).assignee is None
    login = portal.client().post("/login", {"username": "head_a", "password": PASSWORD}, csrf=False)
    assert login.status_code == 400
    # An htmx request sends the token in a header instead.
    response = client.client.post(f"/tasks/{task.id}/claim", headers={"X-CSRFToken": client.csrf_token()})
    assert response.status_code == 302 and portal.engine.tasks.get(task.id).assignee == "head_a"


def test_rest_api_keeps_its_own_auth_without_csrf(portal):
    import base64
    client = portal.app.test_client()
    token = base64.b64encode(f"head_a:{PASSWORD}".encode()).decode()
    task = portal.task("Task_deploy_plan", "tong_hop")
    response = client.post(f"/engine-rest/task/{task.id}/claim", json={"userId": "head_a"},
                           headers={"Authorization": f"Basic {token}"})
    assert response.status_code == 204
    assert client.get("/engine-rest/task").status_code == 401


def test_sign_out_and_deactivated_account(portal):
    client = portal.login("an")
    assert client.get("/inbox").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/inbox").status_code == 302
    client = portal.login("an")
    portal.engine.identity.set_active("an", False)
    assert client.get("/inbox").status_code == 302  # signed out at the next click


def test_no_open_redirect_after_sign_in(portal):
    response = portal.client().post("/login", {"username": "an", "password": PASSWORD,
                                               "next": "https://evil.example/"})
    assert response.headers["Location"] == "/inbox"
    response = portal.client().post("/login", {"username": "an", "password": PASSWORD, "next": "//evil.example"})
    assert response.headers["Location"] == "/inbox"


def test_missing_front_end_libraries_are_announced(portal, tmp_path):
    from web.assets import FILES, copy_assets

    assert len(copy_assets(node_modules=tmp_path / "empty", vendor=tmp_path / "v1")) == len(FILES) + 1
    assert copy_assets(vendor=tmp_path / "v2") == []  # from this checkout's node_modules
    assert (tmp_path / "v2" / "form-js" / "form-viewer.js").stat().st_size > 10_000
    portal.app.config["THIDUA_MISSING_VENDOR"] = ["bootstrap/bootstrap.min.css"]
    html = portal.client().get("/login").get_data(as_text=True)
    assert 'id="missing-vendor"' in html and "make install" in html


def test_secret_key_from_the_environment_or_kept_in_the_instance_folder(tmp_path, monkeypatch):
    from flask import Flask

    from web.portal.auth import secret_key

    app = Flask("web.app", instance_path=str(tmp_path / "instance"))
    monkeypatch.delenv("THIDUA_SECRET_KEY", raising=False)
    first = secret_key(app)
    assert len(first) >= 48 and secret_key(app) == first  # kept across restarts
    assert oct((tmp_path / "instance" / "secret_key").stat().st_mode & 0o777) == "0o600"
    monkeypatch.setenv("THIDUA_SECRET_KEY", "từ-môi-trường")
    assert secret_key(app) == "từ-môi-trường"
