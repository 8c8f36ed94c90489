"""A decision table's version page (the table drawn by dmn-js) and the comparison of two deployed
versions of bpmn/eligibility.dmn, rule by rule, on SQLite and PostgreSQL."""
from __future__ import annotations

import html
import json
import re

import pytest

from tests.portal.conftest import BPMN_DIR


def changed_eligibility() -> bytes:
    """eligibility.dmn with Rule_ok asking 15 years, Rule_rating_missing dropped and a rule added
    before Rule_other (a copy of it with its own ids)."""
    text = (BPMN_DIR / "eligibility.dmn").read_text(encoding="utf-8")
    ok_years = '<inputEntry id="In_ok_yearsAtOffice">\n          <text>&gt;= 10</text>'
    assert ok_years in text
    text = text.replace(ok_years, ok_years.replace("&gt;= 10", "&gt;= 15"))
    missing = re.search(r'\s*<rule id="Rule_rating_missing">.*?</rule>', text, re.S)
    text = text.replace(missing.group(0), "")
    other = re.search(r'(\s*)<rule id="Rule_other">.*?</rule>', text, re.S).group(0)
    added = other.replace('"Rule_other"', '"Rule_added"').replace('_other_', '_added_').replace(
        '"unknown_case"', '"added_case"')
    return text.replace(other, added + other).encode("utf-8")


@pytest.fixture(scope="module")
def versions(module_portal_any_db):
    portal = module_portal_any_db
    repository = portal.engine.repository
    first = repository.list_decision_definitions(key="eligibility")[-1]
    second = repository.deploy([("eligibility.dmn", changed_eligibility())]).decisions[0]
    return portal, first, second


def rows(page: str) -> dict[str, str]:
    """rule id -> kind, from the comparison table."""
    body = page.split('id="table-diff"', 1)[1]
    return dict(re.findall(r'data-rule="([^"]+)" data-kind="(\w+)"', body))


def designer_in_vietnamese(portal):
    # The language is the account's choice, kept across sign-ins; another test may have chosen English.
    client = portal.login("designer")
    client.post("/language", {"language": "vi"})
    return client


def test_version_page_draws_the_table_and_links_the_comparison(versions):
    portal, first, second = versions
    client = designer_in_vietnamese(portal)
    page = client.get(f"/models/{second.id}").get_data(as_text=True)
    spec = json.loads(html.unescape(re.search(r"data-decision='([^']+)'", page).group(1)))
    assert spec == {"id": "decision-table", "xml": f"/models/{second.id}/model.xml", "decision": "eligibility"}
    assert "vendor/dmn-js/dmn-viewer.production.min.js" in page and "portal/decision-table.js" in page
    assert "<script>" not in page  # the CSP allows script files only
    assert f'href="/models/{second.id}/compare"' in page
    assert "So sánh với phiên bản trước (phiên bản 1)" in page
    # The first version has nothing before it: no link.
    assert "/compare" not in client.get(f"/models/{first.id}").get_data(as_text=True)


@pytest.mark.parametrize("language, words", [
    ("vi", ["Thêm 1 quy tắc", "Bỏ 1 quy tắc", "Sửa 1 quy tắc", "Điều kiện đầu vào"]),
    ("en", ["Rules added: 1", "Rules removed: 1", "Rules changed: 1", "Inputs"]),
])
def test_comparison_names_added_removed_and_changed_rules(versions, language, words):
    portal, first, second = versions
    client = portal.login("designer")
    client.post("/language", {"language": language})
    response = client.get(f"/models/{second.id}/compare")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert all(word in page for word in words)
    kinds = rows(page)
    assert {rule: kind for rule, kind in kinds.items() if kind != "unchanged"} == {
        "Rule_ok": "changed", "Rule_rating_missing": "removed", "Rule_added": "added"}
    assert len(kinds) == 14 and list(kinds).index("Rule_rating_missing") == list(kinds).index("Rule_years_missing") + 1
    # The changed cell shows the old and the new text; the row's other cells are not marked.
    ok_row = re.search(r'<tr data-rule="Rule_ok".*?</tr>', page, re.S).group(0)
    assert re.findall(r'data-column="([^"]+)" data-changed="1"', ok_row) == ["Input_yearsAtOffice"]
    assert '<del class="text-danger">&gt;= 10</del><br><ins class="text-success">&gt;= 15</ins>' in ok_row
    assert 'class="table-danger text-decoration-line-through"' in re.search(
        r'<tr data-rule="Rule_rating_missing".*?>', page, re.S).group(0)


def test_comparison_with_an_explicit_version_and_with_itself(versions):
    portal, first, second = versions
    client = designer_in_vietnamese(portal)
    backwards = client.get(f"/models/{first.id}/compare?with={second.id}").get_data(as_text=True)
    assert {r: k for r, k in rows(backwards).items() if k != "unchanged"} == {
        "Rule_ok": "changed", "Rule_rating_missing": "added", "Rule_added": "removed"}
    same = client.get(f"/models/{second.id}/compare?with={second.id}").get_data(as_text=True)
    assert set(rows(same).values()) == {"unchanged"} and "Hai phiên bản có cùng các quy tắc." in same


def test_comparison_refuses_what_it_cannot_compare(versions):
    portal, first, second = versions
    client = designer_in_vietnamese(portal)
    process = portal.engine.repository.latest_definition("campaign")
    first_only = client.get(f"/models/{first.id}/compare")
    assert first_only.status_code == 404 and "không có phiên bản trước" in first_only.get_data(as_text=True)
    other_key = client.get(f"/models/{second.id}/compare?with={process.id}")
    assert other_key.status_code == 400 and "cùng một bảng quyết định" in other_key.get_data(as_text=True)
    assert client.get(f"/models/{second.id}/compare?with=no-such-id").status_code == 404
    assert client.get(f"/models/{process.id}/compare").status_code == 404
    assert portal.login("head_a").get(f"/models/{second.id}/compare").status_code == 403
