"""engine/repository/model_diff.py: what changed between two versions of a model, from the stored XML."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import DeploymentError
from engine.repository.model_diff import diff_models
from tests.conftest import fixture_bytes

BPMN_DIR = Path(__file__).resolve().parents[1] / "bpmn"


def changes_of(diff, element_id) -> dict:
    change = next(c for c in diff.elements + diff.flows if c.id == element_id)
    return {p.name: (p.before, p.after) for p in change.changes}


def edited(text: str, *replacements: tuple[str, str]) -> bytes:
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    return text.encode()


def test_added_task_and_rerouted_flow():
    diff = diff_models(fixture_bytes("approval.bpmn"), fixture_bytes("approval_v2.bpmn"))
    assert [(c.id, c.type, c.name, c.kind) for c in diff.elements] == [
        ("Task_sign", "userTask", "Ký quyết định", "added")]
    assert [(c.id, c.kind) for c in diff.flows] == [("Flow_2", "changed"), ("Flow_3", "added")]
    assert changes_of(diff, "Flow_2") == {"targetRef": ("EndEvent_1", "Task_sign")}
    assert diff.marked("added") == ["Task_sign", "Flow_3"] and diff.marked("changed") == ["Flow_2"]
    # Backwards, the same change reads as a removal.
    back = diff_models(fixture_bytes("approval_v2.bpmn"), fixture_bytes("approval.bpmn"))
    assert back.marked("removed") == ["Task_sign", "Flow_3"]


def test_due_date_groups_form_fields_condition_and_timer_are_changes_of_their_element():
    campaign = (BPMN_DIR / "campaign.bpmn").read_text(encoding="utf-8")
    after = edited(
        campaign,
        ('camunda:candidateGroups="tchcqt" camunda:dueDate="${guidanceDate}"',
         'camunda:candidateGroups="tchcqt, chief" camunda:dueDate="${unitReportDate}"'),
        ('<camunda:formField id="guidanceIssuedOn" label="Ngày ban hành văn bản hướng dẫn" type="date">',
         '<camunda:formField id="guidanceDate2" label="Ngày hướng dẫn" type="date"/>\n'
         '<camunda:formField id="guidanceIssuedOn" label="Ngày ban hành hướng dẫn" type="date">'),
        ("${not quorumReached}", "${quorumReached == false}"),
    )
    diff = diff_models((BPMN_DIR / "campaign.bpmn").read_bytes(), after)
    assert [c.id for c in diff.elements] == ["Task_guidance"]
    guidance = changes_of(diff, "Task_guidance")
    assert guidance["camunda:candidateGroups"] == ("tchcqt", "tchcqt, chief")
    assert guidance["camunda:dueDate"] == ("${guidanceDate}", "${unitReportDate}")
    assert guidance["camunda:formData/camunda:formField[guidanceIssuedOn]@label"] == (
        "Ngày ban hành văn bản hướng dẫn", "Ngày ban hành hướng dẫn")
    assert guidance["camunda:formData/camunda:formField[guidanceDate2]@type"] == (None, "date")
    [flow] = diff.flows
    assert flow.kind == "changed" and list(changes_of(diff, flow.id).values()) == [
        ("${not quorumReached}", "${quorumReached == false}")]

    unit = (BPMN_DIR / "unit_evaluation.bpmn").read_text(encoding="utf-8")
    timer = diff_models(unit.encode(), edited(unit, ("${campaignEndsAt}</bpmn:timeDate>",
                                                     "P30D</bpmn:timeDate>")))
    assert changes_of(timer, "Timer_campaign_end") == {"timerEventDefinition/timeDate": ("${campaignEndsAt}", "P30D")}


def test_layout_only_changes_nothing():
    campaign = (BPMN_DIR / "campaign.bpmn").read_text(encoding="utf-8")
    moved = campaign.replace('<dc:Bounds x="', '<dc:Bounds x="1', 1)
    assert moved != campaign
    assert diff_models(campaign.encode(), moved.encode()).unchanged


def test_removed_element_and_decision_rule_change():
    dmn = (BPMN_DIR / "eligibility.dmn").read_text(encoding="utf-8")
    diff = diff_models(dmn.encode(), edited(dmn, ("<text>&lt; 10</text>", "<text>&lt; 15</text>")))
    [rule] = diff.elements
    assert rule.type == "rule" and rule.kind == "changed"
    assert [(c.before, c.after) for c in rule.changes] == [("< 10", "< 15")]

    approval = fixture_bytes("approval_v2.bpmn").decode()
    without_form = edited(approval, ('<camunda:constraint name="required" />', ""))
    change = changes_of(diff_models(approval.encode(), without_form), "Task_review")
    assert list(change) == ["camunda:formData/camunda:formField[score]/camunda:validation/camunda:constraint[required]"]


def test_malformed_xml_is_a_deployment_error_naming_the_file():
    with pytest.raises(DeploymentError) as refused:
        diff_models(fixture_bytes("approval.bpmn"), b"<bpmn:definitions", after_name="v2.bpmn")
    assert refused.value.problems[0].file == "v2.bpmn"


def test_repository_diff_between_deployed_versions(engine):
    first = engine.repository.deploy([("approval.bpmn", fixture_bytes("approval.bpmn"))]).processes[0]
    second = engine.repository.deploy([("approval.bpmn", fixture_bytes("approval_v2.bpmn"))]).processes[0]
    assert engine.repository.previous_version(second.id).id == first.id
    assert engine.repository.previous_version(first.id) is None
    diff = engine.repository.diff(first.id, second.id)
    assert diff.marked("added") == ["Task_sign", "Flow_3"]

    dmn = fixture_bytes("rules_check.dmn")
    decision = engine.repository.deploy([("rules_check.dmn", dmn)]).decisions[0]
    assert engine.repository.model_xml(decision.id) == dmn
    assert engine.repository.previous_version(decision.id) is None
    assert [d.id for d in engine.repository.list_decision_definitions()] == [decision.id]


ENUM_MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
  <bpmn:process id="enum_form" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="decide" name="Quyết định">
      <bpmn:extensionElements><camunda:formData>
        <camunda:formField id="result" label="Kết quả" type="enum">
          <camunda:value id="accept" name="Chấp nhận" /><camunda:value id="return" name="Trả lại đơn vị" />
        </camunda:formField>
      </camunda:formData></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="decide" />
    <bpmn:sequenceFlow id="f2" sourceRef="decide" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""


def test_form_fields_of_a_process_with_labels_and_options(engine):
    engine.repository.deploy([(name, (BPMN_DIR / name).read_bytes())
                              for name in ("eligibility.dmn", "unit_evaluation.bpmn", "campaign.bpmn")])
    unit = engine.repository.form_fields(engine.repository.latest_definition("unit_evaluation").id)
    assert unit["deployedOn"]["label"] == "Ngày triển khai" and unit["deployedOn"]["type"] == "date"
    # Fields inside the nominees' loop count too; the appraisal has its own page (thidua:appraisal).
    assert unit["achievementReport"]["label"] == "Báo cáo thành tích" and "appraisal" not in unit
    engine.repository.deploy([("enum.bpmn", ENUM_MODEL.encode())])
    enum = engine.repository.form_fields(engine.repository.latest_definition("enum_form").id)
    assert {o["id"]: o["name"] for o in enum["result"]["options"]} == {"accept": "Chấp nhận",
                                                                       "return": "Trả lại đơn vị"}
    campaign = engine.repository.form_fields(engine.repository.latest_definition("campaign").id)
    assert campaign["planNumber"]["label"] == "Số kế hoạch"  # the start event's form
