"""Bad input, through the REST API and the portal: the right status, a clear message in the caller's
language, and nothing stored — no row in any table, no file in the attachment store.

The tables are bad_input_rest.py and bad_input_portal.py; the engine, databases and files are
real, on SQLite and PostgreSQL. The script CPU and memory limits have their own tests
(test_script_limits.py, test_script_limits_http.py).
"""
from __future__ import annotations

import html

import pytest

from tests.portal.conftest import portal_any_db, portal_template  # noqa: F401 - fixtures
from tests.reliability.bad_input_portal import CASES as PORTAL_CASES
from tests.reliability.bad_input_rest import CASES as REST_CASES
from tests.reliability.bad_input_support import build_office, changes, snapshot

# How many distinct bad inputs the suite sends; the README quotes these numbers.
MINIMUM_CASES = 40


@pytest.fixture
def office(portal_any_db, tmp_path):  # noqa: F811
    built = build_office(portal_any_db)
    built.secret = tmp_path / "secret.txt"
    built.secret.write_text("TOP SECRET")
    campaign = built.engine.runtime.get_instance(portal_any_db.campaign_id)
    built.deployment_id = built.engine.repository.get_definition(campaign.definition_id).deployment_id
    return built


def test_the_tables_are_distinct_and_large_enough():
    # The same mistake through the API and through a page is two cases: two ways in, two answers.
    names = [f"REST {c.name}" for c in REST_CASES] + [f"portal {c.name}" for c in PORTAL_CASES]
    assert len(names) == len(set(names)), "two cases of a table share a name"
    print(f"bad input: {len(REST_CASES)} REST cases, {len(PORTAL_CASES)} portal cases (each in Vietnamese and "
          f"English), {len(names)} in all")
    assert len(names) >= MINIMUM_CASES


def rest_problem(case, response, before, after) -> str | None:
    body = response.get_json(silent=True) or {}
    if response.status_code != case.status:
        return f"status {response.status_code}, expected {case.status}: {body or response.get_data(as_text=True)[:300]}"
    if body.get("type") != case.type or not isinstance(body.get("message"), str) or not body["message"]:
        return f"body {body}, expected type {case.type} with a message"
    missing = [words for words in case.says if words not in body["message"]]
    leaked = [words for words in case.never_says if words in body["message"]]
    if missing or leaked:
        return f"message {body['message']!r} lacks {missing} or says {leaked}"
    stored = changes(before, after)
    return f"stored {stored}" if stored else None


@pytest.mark.parametrize("case", REST_CASES, ids=[c.name for c in REST_CASES])
def test_rest(office, case):
    client = office.portal.app.test_client()
    method, url, kwargs = case.build(office)
    before = snapshot(office.engine)
    response = client.open(url, method=method, headers=office.auth(case.user), **kwargs)
    problem = rest_problem(case, response, before, snapshot(office.engine))
    assert problem is None, problem


def page_text(response, client) -> str:
    """The page the user ends up reading: after a redirect, the page it leads to (with its flash)."""
    if response.status_code in (302, 303):
        response = client.get(response.headers["Location"])
    return html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("case", PORTAL_CASES, ids=[c.name for c in PORTAL_CASES])
def test_portal(office, case, language):
    client = office.portal.login(case.user) if case.user else office.portal.client()
    assert client.post("/language", {"language": language}).status_code == 302
    method, url, kwargs = case.build(office)
    before = snapshot(office.engine)
    if method == "GET":
        response = client.get(url, **kwargs)
    else:
        response = client.post(url, kwargs.pop("data", {}), **kwargs)
    status = response.status_code
    after = snapshot(office.engine)
    text = page_text(response, client)
    assert status == case.status, f"status {status}, expected {case.status}: {text[-1500:]}"
    expected, other = case.message(language), case.message("en" if language == "vi" else "vi")
    assert expected in text, f"{language} message {expected!r} not on the page: {text[-2000:]}"
    if other != expected:
        assert other not in text, f"the {language} page shows the other language's message {other!r}"
    for words in case.also_says:
        words = words[language] if isinstance(words, dict) else words  # said in the reader's language
        assert words in text, words
    for words in case.never_says:
        assert words not in text, words
    stored = changes(before, after)
    assert stored == case.stores, f"stored {stored}"
    if case.check is not None:
        case.check(office)
