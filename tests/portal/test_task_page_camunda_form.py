"""Camunda Forms (`camunda:formRef`): drawn by the form-js viewer, validated again on the server."""
from __future__ import annotations

import json

import pytest

from engine import TaskQuery
from engine.tasks.camunda_forms import validate_form_submission
from engine.forms.submission import FormValidationError
from tests.live import chromium
from tests.portal.conftest import PASSWORD, UNIT_A, UNIT_B

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                  id="Definitions_dossier" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="dossier_check" name="Kiểm tra hồ sơ" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="StartEvent_1" targetRef="Task_check" />
    <bpmn:userTask id="Task_check" name="Kiểm tra hồ sơ khen thưởng" camunda:formRef="dossier_form"
                   camunda:formRefBinding="latest" camunda:candidateGroups="${headGroup}">
      <bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="F2" sourceRef="Task_check" targetRef="EndEvent_1" />
    <bpmn:endEvent id="EndEvent_1"><bpmn:incoming>F2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
""".encode()
SCHEMA = {
    "id": "dossier_form", "type": "default", "schemaVersion": 16,
    "components": [
        {"type": "text", "text": "# Hồ sơ đề nghị khen thưởng"},
        {"type": "textfield", "key": "proposalNumber", "label": "Số tờ trình",
         "validate": {"required": True, "maxLength": 30, "pattern": "[0-9]+/TTr-[A-Z]+"}},
        {"type": "number", "key": "pages", "label": "Số trang", "validate": {"min": 1, "max": 500}},
        {"type": "select", "key": "award", "label": "Hình thức",
         "values": [{"label": "Giấy khen", "value": "giay_khen"}, {"label": "Bằng khen", "value": "bang_khen"}]},
        {"type": "group", "label": "Xác nhận", "components": [
            {"type": "checkbox", "key": "complete", "label": "Hồ sơ đầy đủ", "validate": {"required": True}}]},
    ],
}


@pytest.fixture
def dossier(portal):
    portal.engine.repository.deploy([("dossier_check.bpmn", BPMN),
                                     ("dossier.form", json.dumps(SCHEMA, ensure_ascii=False).encode())])
    for unit in (UNIT_A, UNIT_B):
        portal.engine.runtime.start_process_by_key("dossier_check", {"unit": unit, "headGroup": f"head:{unit}"},
                                                   actor="chief")

    def task(unit):
        tasks = [t for t in portal.engine.tasks.list(TaskQuery(definition_key="dossier_check"))
                 if portal.engine.runtime.get_instance(t.instance_id).unit == unit]
        return tasks[0] if tasks else None
    return task


def test_validation_rules():
    good = {"proposalNumber": "98/TTr-VPUB", "pages": "12", "award": "giay_khen", "complete": True}
    assert validate_form_submission(SCHEMA, good) == {**good, "pages": 12}
    cases = {"proposalNumber": ("98-VPUB", "pattern"), "pages": (0, "min"), "award": ("buc_truong", "enum"),
             "complete": (False, "required")}
    for key, (value, code) in cases.items():
        with pytest.raises(FormValidationError) as raised:
            validate_form_submission(SCHEMA, {**good, key: value})
        assert [(e.field, e.code) for e in raised.value.errors] == [(key, code)]
    with pytest.raises(FormValidationError) as raised:
        validate_form_submission(SCHEMA, {**good, "isAdmin": True, "pages": "nhiều"})
    assert {(e.field, e.code) for e in raised.value.errors} == {("pages", "type"), ("isAdmin", "unknown")}


def test_server_validates_the_camunda_form_again(portal, dossier):
    client = portal.login("head_a")
    task = dossier(UNIT_A)
    html = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert 'id="camunda-form"' in html and "vendor/form-js/form-viewer.js" in html
    assert json.loads(html.split("data-schema='")[1].split("'")[0])["id"] == "dossier_form"
    bad = {"proposalNumber": "", "pages": 900, "award": "giay_khen", "complete": True}
    refused = client.post(f"/tasks/{task.id}/complete", {"camundaForm": json.dumps(bad)})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "<strong>Số tờ trình</strong>: Vui lòng nhập thông tin này." in html
    assert "<strong>Số trang</strong>: Giá trị tối đa là 500." in html
    assert '"pages": 900' in html  # what was sent is shown again
    assert client.post(f"/tasks/{task.id}/complete", {"camundaForm": "not json"}).status_code == 422
    assert client.post(f"/tasks/{task.id}/complete", {}).status_code == 422
    assert portal.engine.tasks.get(task.id).id == task.id  # nothing was completed
    good = {"proposalNumber": "98/TTr-VPUB", "pages": 12, "award": "bang_khen", "complete": True}
    assert client.post(f"/tasks/{task.id}/complete", {"camundaForm": json.dumps(good)}).status_code == 302
    variables = portal.engine.runtime.get_variables(task.instance_id)
    assert {k: variables[k] for k in good} == good
    assert client.get(f"/tasks/{dossier(UNIT_B).id}").status_code == 404


def test_form_js_viewer_draws_and_submits_the_form_in_chromium(portal, dossier, live_portal):
    task = dossier(UNIT_A)
    with chromium() as browser:
        page = browser.new_page()
        page.goto(f"{live_portal}/login")
        page.fill("#username", "head_a")
        page.fill("#password", PASSWORD)
        page.click("#login-submit")
        page.wait_for_url(f"{live_portal}/inbox")
        page.goto(f"{live_portal}/tasks/{task.id}")
        page.wait_for_selector("#camunda-form[data-ready=true]", timeout=10_000)
        page.get_by_label("Số tờ trình").fill("98/TTr-VPUB")
        page.get_by_label("Số trang").fill("12")
        page.get_by_label("Hồ sơ đầy đủ").check()
        page.click("#complete-task")
        page.wait_for_url(f"{live_portal}/inbox", timeout=10_000)
    variables = portal.engine.runtime.get_variables(task.instance_id)
    assert variables["proposalNumber"] == "98/TTr-VPUB" and variables["pages"] == 12 and variables["complete"] is True
