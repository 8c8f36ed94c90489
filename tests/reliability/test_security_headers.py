"""Every response carries the protective headers; HSTS only over HTTPS, where browsers heed it."""
from __future__ import annotations

import base64

import pytest

from tests.portal.conftest import PASSWORD
from web.portal.security_headers import CONTENT_SECURITY_POLICY

PAGES = ("/login", "/inbox", "/campaigns/", "/admin/users", "/models/", "/tasks/khong-co", "/health",
         "/engine-rest/version", "/engine-rest/task", "/static/portal/portal.js")


def directives(policy: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in policy.split(";")) if d}


def test_the_policy_runs_only_the_portal_s_own_script_files():
    policy = directives(CONTENT_SECURITY_POLICY)
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no other host
    assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_the_headers(portal, path):
    client = portal.login("admin")
    response = client.get(path, headers={"Authorization": "Basic " + base64.b64encode(f"admin:{PASSWORD}".encode()).decode()}
                          if path.startswith("/engine-rest") else {})
    assert response.status_code in (200, 302, 404), response.status_code
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP: a browser would ignore it


def test_hsts_over_https_only(portal):
    client = portal.app.test_client()
    secure = client.get("/login", base_url="https://thidua.sonla.gov.vn")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert secure.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "Strict-Transport-Security" not in client.get("/login", base_url="http://thidua.sonla.gov.vn").headers


def test_a_downloaded_file_keeps_its_own_sandbox_policy(portal):
    instance_id = portal.units["tong_hop"]
    stored = portal.engine.attachments.add(instance_id, "to-trinh.pdf", b"%PDF-1.4\n%%EOF\n", actor="head_a")
    download = portal.login("head_a").get(f"/attachments/{stored.id}")
    assert download.status_code == 200
    assert download.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
