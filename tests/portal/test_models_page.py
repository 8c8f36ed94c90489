"""The models page: designers only; definitions and versions, a version's diagram and what changed,
uploading a new version with the deployment's own checks, and refused files that store nothing."""
from __future__ import annotations

import html
import io
import json
import re

import pytest

from tests.portal.conftest import BPMN_DIR

GUIDANCE_DUE = 'camunda:candidateGroups="tchcqt" camunda:dueDate="${guidanceDate}"'


def stored(portal) -> tuple[int, int, int]:
    repository = portal.engine.repository
    return (len(repository.list_definitions(limit=None)), len(repository.list_decision_definitions()),
            len(repository.list_deployments()))


def upload(client, *files, csrf=True):
    return client.post("/models", {"files": [(io.BytesIO(content), name) for name, content in files]},
                       content_type="multipart/form-data", csrf=csrf)


@pytest.mark.parametrize("language, words", [
    ("vi", ["Mô hình quy trình và bảng quyết định", "Tải lên phiên bản mới", "Bảng quyết định (DMN)"]),
    ("en", ["Process models and decision tables", "Upload a new version", "Decision tables (DMN)"]),
])
def test_designer_lists_models_and_versions_in_both_languages(portal, language, words):
    client = portal.login("designer")
    client.post("/language", {"language": language})
    page = client.get("/models").get_data(as_text=True)
    assert all(word in page for word in words)
    for key in ("campaign", "unit_evaluation", "eligibility"):
        assert f'data-key="{key}"' in page
    assert 'href="/models"' in client.get("/inbox").get_data(as_text=True)  # the navigation link


def test_only_designers_see_and_upload_models(portal):
    definition = portal.engine.repository.latest_definition("campaign")
    client = portal.login("head_a")
    for url in ("/models", f"/models/{definition.id}", f"/models/{definition.id}/model.xml"):
        assert client.get(url).status_code == 403, url
    before = stored(portal)
    assert upload(client, ("campaign.bpmn", b"<x/>")).status_code == 403
    assert stored(portal) == before
    assert 'href="/models"' not in client.get("/inbox").get_data(as_text=True)


def test_upload_a_new_version_and_see_what_changed(portal):
    client = portal.login("designer")
    changed = (BPMN_DIR / "campaign.bpmn").read_text(encoding="utf-8").replace(
        GUIDANCE_DUE, 'camunda:candidateGroups="tchcqt" camunda:dueDate="${unitReportDate}"')
    response = upload(client, ("campaign.bpmn", changed.encode()))
    assert response.status_code == 302
    second = portal.engine.repository.latest_definition("campaign")
    assert second.version == 2 and response.headers["Location"].endswith(f"/models/{second.id}")
    page = client.get(f"/models/{second.id}").get_data(as_text=True)
    assert "Đã triển khai campaign phiên bản 2." in page
    assert 'data-element="Task_guidance" data-kind="changed"' in page
    assert "camunda:dueDate" in page and "${guidanceDate}" in page and "${unitReportDate}" in page
    spec = json.loads(html.unescape(re.search(r"""data-diagram='([^']*)'""", page).group(1)))
    assert spec["markers"] == {"added": [], "changed": ["Task_guidance"]}
    assert spec["xml"] == f"/models/{second.id}/model.xml"
    xml = client.get(spec["xml"])
    assert xml.status_code == 200 and b"${unitReportDate}" in xml.data
    # Running instances stay on version 1.
    assert portal.engine.runtime.get_instance(portal.campaign_id).definition_id != second.id


def test_first_version_and_a_decision_table(portal):
    client = portal.login("designer")
    first = portal.engine.repository.latest_definition("campaign")
    client.post("/language", {"language": "en"})
    assert "This is the first version." in client.get(f"/models/{first.id}").get_data(as_text=True)
    decision = portal.engine.repository.list_decision_definitions(key="eligibility")[0]
    page = client.get(f"/models/{decision.id}").get_data(as_text=True)
    assert "data-diagram" not in page and "eligibility" in page
    assert client.get("/models/no-such-definition").status_code == 404


@pytest.mark.parametrize("name, content, message", [
    ("campaign.bpmn", b"<bpmn:definitions", "not well-formed XML"),
    ("notes.txt", b"hello", "unsupported file type"),
    ("broken.bpmn", (BPMN_DIR / "campaign.bpmn").read_bytes().replace(b"${guidanceDate}", b"${guidanceDate", 1),
     "Task_guidance"),
])
def test_a_refused_file_shows_the_engine_error_and_stores_nothing(portal, name, content, message):
    client = portal.login("designer")
    before = stored(portal)
    response = upload(client, (name, content))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="deploy-problems"' in page and message in page and name in page
    assert stored(portal) == before


def test_no_file_unchanged_file_and_missing_csrf(portal):
    client = portal.login("designer")
    before = stored(portal)
    assert upload(client).status_code == 400
    assert upload(client, ("campaign.bpmn", (BPMN_DIR / "campaign.bpmn").read_bytes()), csrf=False).status_code == 400
    unchanged = upload(client, ("campaign.bpmn", (BPMN_DIR / "campaign.bpmn").read_bytes()))
    assert unchanged.status_code == 302
    assert "không tạo phiên bản mới" in client.get("/models").get_data(as_text=True)
    assert stored(portal) == before
