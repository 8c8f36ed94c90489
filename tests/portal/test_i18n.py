"""Both languages on every page of the portal's core: complete catalogs, NFC text, office dates."""
from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from engine.persistence.models import UserAccount
from tests.portal.conftest import UNIT_A
from tests.portal.test_task_page import _to_nomination, _to_vote
from web.portal.i18n import catalog_problems, catalogs

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates" / "portal"


def test_catalogs_are_complete_and_nfc():
    assert catalog_problems() == []
    assert catalogs()["vi"]["inbox.title"] == "Hộp công việc" and catalogs()["en"]["inbox.title"] == "Inbox"


def test_templates_are_nfc():
    for path in TEMPLATES.glob("*.html"):
        assert unicodedata.is_normalized("NFC", path.read_text(encoding="utf-8")), path.name


def _pages(portal):
    """(user, url) of each page of the portal's core, in the states worth seeing."""
    _to_vote(portal)
    attachments = portal.engine.attachments
    attachments.add(portal.units[UNIT_A], "Tờ trình.pdf", b"%PDF-1.4 test", actor="head_a")
    return [
        (None, "/login"),
        ("head_a", "/"),
        ("officer", "/?due=overdue"),
        ("council", f"/tasks/{portal.task('Task_vote').id}"),
        ("head_a", "/tasks/no-such-task"),
    ]


@pytest.mark.parametrize("language, expected", [("vi", "Hộp công việc"), ("en", "Inbox")])
def test_every_page_renders_in_both_languages(portal, language, expected):
    # The app runs with TESTING on: a missing key raises instead of falling back, so a 200 proves none.
    for user, url in _pages(portal):
        client = portal.login(user) if user else portal.client()
        client.post("/language", {"language": language, "next": url})
        response = client.get(url)
        html = response.get_data(as_text=True)
        assert response.status_code in (200, 404), (url, response.status_code)
        assert f'<html lang="{language}">' in html
        assert unicodedata.is_normalized("NFC", html), url
        if user:
            assert expected in html


def test_generated_and_list_forms_in_english(portal):
    _to_nomination(portal)
    client = portal.login("head_a")
    client.post("/language", {"language": "en"})
    task = portal.task("Task_nominate", UNIT_A)
    html = client.post(f"/tasks/{task.id}/complete", {"unitResults": ""}).get_data(as_text=True)
    assert "This field is required." in html and "Add row" in html and "Certificate of merit" in html
    with portal.engine.context.sessions() as session:
        assert session.get(UserAccount, "head_a").language == "en"
    # The choice follows the user to their next session.
    again = portal.login("head_a").get("/").get_data(as_text=True)
    assert '<html lang="en">' in again and "Tasks I hold" in again


def test_dates_in_the_office_time_zone(portal):
    html = portal.login("officer").get("/").get_data(as_text=True)
    # Due at the end of 30/6 in Hanoi, stored as 16:59:59 UTC.
    assert "30/06/2025 23:59" in html


def test_language_switch_refuses_unknown_languages(portal):
    client = portal.login("head_a")
    assert client.post("/language", {"language": "fr"}).status_code == 400
    assert client.post("/language", {"language": "en", "next": "https://evil.example"}).headers["Location"] == "/inbox"
    with portal.engine.context.sessions() as session:
        assert session.get(UserAccount, "head_a").language == "en"
