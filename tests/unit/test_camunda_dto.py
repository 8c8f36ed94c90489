"""Camunda typed variables and REST bodies, read back by the real Python clients.

Every DTO is sent through json (as on the wire) and then handed to the parsers of pycamunda
and of the camunda external-task client: their load() methods index the dicts directly, so a
missing key or a date in a shape they cannot parse fails here, not in a user's script.
"""
from __future__ import annotations

import json
import types
import unicodedata
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pycamunda
import pycamunda.base
import pycamunda.decisiondef
import pycamunda.deployment
import pycamunda.externaltask
import pycamunda.processdef
import pycamunda.processinst
import pycamunda.task
import pytest
import requests
from camunda.external_task.external_task import ExternalTask as ClientExternalTask
from camunda.utils.response_utils import get_response_error_message
from camunda.variables.variables import Variables

from engine.persistence.models import (
    DecisionDefinition,
    Deployment,
    ExternalTask,
    HistoryEvent,
    ProcessDefinition,
    ProcessInstance,
    Task,
)
from engine.tasks.service import TaskView
from web.rest.dto import (
    decision_definition_dto,
    deployment_dto,
    error_dto,
    external_task_dto,
    history_activity_instance_dto,
    history_activity_instances,
    history_process_instance_dto,
    history_task_dto,
    process_definition_dto,
    process_instance_dto,
    task_dto,
)
from web.rest.typed_values import TypedValueError, format_datetime, from_typed, parse_datetime, to_typed

BASE = "http://localhost:5000/engine-rest"
UTC = timezone.utc
ICT = timezone(timedelta(hours=7))
T0 = datetime(2025, 6, 30, 10, 0, tzinfo=UTC)  # 17:00 in Hanoi
NFD_NAME = unicodedata.normalize("NFD", "Nguyễn Thị Hồng Nhung")
NFC_NAME = unicodedata.normalize("NFC", "Nguyễn Thị Hồng Nhung")


@pytest.fixture(autouse=True)
def hanoi(monkeypatch):
    monkeypatch.setenv("THIDUA_TIMEZONE", "Asia/Ho_Chi_Minh")


def wire(body):
    """What a client receives: the body through JSON and back."""
    return json.loads(json.dumps(body))


# =============================================================================================
# typed values


@pytest.mark.parametrize("typed, plain", [
    ({"value": "Hà Nội", "type": "String", "valueInfo": {}}, "Hà Nội"),
    ({"value": True, "type": "Boolean", "valueInfo": {}}, True),
    ({"value": False, "type": "Boolean"}, False),
    ({"value": "true", "type": "Boolean"}, True),
    ({"value": "false", "type": "Boolean"}, False),
    ({"value": 42, "type": "Integer", "valueInfo": {}}, 42),
    ({"value": 2**31 - 1, "type": "Integer"}, 2**31 - 1),
    ({"value": -2**31, "type": "Integer"}, -2**31),
    ({"value": 7.0, "type": "Integer"}, 7),
    ({"value": "15", "type": "Integer"}, 15),
    ({"value": 2**40, "type": "Long"}, 2**40),
    ({"value": 2**63 - 1, "type": "Long"}, 2**63 - 1),
    ({"value": -2**63, "type": "Long"}, -2**63),
    ({"value": 32767, "type": "Short"}, 32767),
    ({"value": -32768, "type": "Short"}, -32768),
    ({"value": 9.5, "type": "Double"}, 9.5),
    ({"value": 9, "type": "Double"}, 9.0),
    ({"value": "2025-06-30T17:00:00.000+0700", "type": "Date", "valueInfo": {}}, T0),
    ({"value": '{"a": [1, 2], "b": null}', "type": "Json", "valueInfo": {}}, {"a": [1, 2], "b": None}),
    ({"value": {"a": 1}, "type": "Json"}, {"a": 1}),
    ({"value": [1, "x"], "type": "Json"}, [1, "x"]),
    ({"value": '{"a": 1}', "type": "Object",
      "valueInfo": {"serializationDataFormat": "application/json", "objectTypeName": "java.util.HashMap"}}, {"a": 1}),
    ({"value": None, "type": "Null", "valueInfo": {}}, None),
    ({"type": "Null"}, None),
    ({"value": None, "type": "String"}, None),  # Camunda allows a null value of any type
    ({"value": "x", "type": "string"}, "x"),  # Camunda lower-cases the first letter of type names
    # no type: inferred from the JSON value
    ({"value": "abc"}, "abc"),
    ({"value": True}, True),
    ({"value": 12}, 12),
    ({"value": 2**40}, 2**40),
    ({"value": 1.25}, 1.25),
    ({"value": None}, None),
    ({"value": {"k": [1]}}, {"k": [1]}),
    ({"value": [1, 2]}, [1, 2]),
    ({"value": 3, "type": None, "valueInfo": None}, 3),  # as pycamunda's add_variable sends it
])
def test_from_typed_reads_every_type(typed, plain):
    result = from_typed({"x": typed})["x"]
    assert result == plain
    assert type(result) is type(plain)


def test_from_typed_none_and_empty():
    assert from_typed(None) == {}
    assert from_typed({}) == {}


@pytest.mark.parametrize("value", [
    "2025-06-30T17:00:00.000+0700",  # Camunda's own format
    "2025-06-30T17:00:00.000+07:00",
    "2025-06-30T17:00:00+0700",
    "2025-06-30T17:00:00+07:00",
    "2025-06-30T10:00:00.000Z",
    "2025-06-30T10:00:00Z",
    "2025-06-30T10:00:00.000+0000",
    "2025-06-30T05:00:00.000-0500",
    "2025-06-30T17:00:00",  # no offset: the office's time zone
    "2025-06-30T17:00:00.000",
    "2025-06-30T17:00:00.000 0700",  # "+" not encoded in a query string, decoded as a space
])
def test_parse_datetime_accepts_camunda_and_iso_forms(value):
    parsed = parse_datetime(value)
    assert parsed.tzinfo is not None
    assert parsed == T0


def test_parse_datetime_keeps_milliseconds_and_microseconds():
    assert parse_datetime("2025-06-30T17:00:00.123+0700").microsecond == 123000
    assert parse_datetime("2025-06-30T17:00:00.123456+07:00").microsecond == 123456
    assert parse_datetime("2025-06-30T10:00:00.123456789Z").microsecond == 123456


@pytest.mark.parametrize("value", [
    "2025-06-30", "30/06/2025 17:00", "2025-13-01T00:00:00.000+0700", "2025-02-30T00:00:00Z",
    "2025-06-30T25:00:00Z", "2025-06-30T17:00:00.000+2500", "soon", "", "2025-06-30 17:00:00+0700",
])
def test_parse_datetime_rejects_other_shapes(value):
    with pytest.raises(TypedValueError):
        parse_datetime(value)


def test_format_datetime_is_camundas_format_in_the_office_zone():
    assert format_datetime(T0) == "2025-06-30T17:00:00.000+0700"
    assert format_datetime(datetime(2025, 8, 8, 16, 59, 59, 999999, tzinfo=UTC)) == "2025-08-08T23:59:59.999+0700"
    assert format_datetime(datetime(2025, 6, 30, 10, 0)) == "2025-06-30T17:00:00.000+0700"  # naive = UTC
    assert format_datetime(None) is None


def test_format_datetime_follows_thidua_timezone(monkeypatch):
    monkeypatch.setenv("THIDUA_TIMEZONE", "Europe/Berlin")
    assert format_datetime(T0) == "2025-06-30T12:00:00.000+0200"
    monkeypatch.setenv("THIDUA_TIMEZONE", "UTC")
    assert format_datetime(T0) == "2025-06-30T10:00:00.000+0000"


def test_pycamunda_reads_formatted_dates_and_we_read_pycamundas():
    for moment in (T0, datetime(2025, 1, 1, 0, 0, 0, 1000, tzinfo=UTC), datetime(2024, 2, 29, 23, 59, 59, tzinfo=ICT)):
        text = format_datetime(moment)
        assert pycamunda.base.from_isoformat(text) == moment
        assert parse_datetime(text) == moment
        assert parse_datetime(pycamunda.base.isoformat(moment)) == moment


def test_round_trip_of_every_plain_type():
    values = {
        "ten": "Trần Văn Ánh",
        "dong_y": True,
        "diem": 85,
        "lon": 2**40,
        "ty_le": 0.75,
        "han": datetime(2025, 8, 8, 16, 59, 59, tzinfo=UTC),
        "ho_so": {"don_vi": "Phòng Tổ chức", "so_nguoi": 12, "ds": ["A", "B"]},
        "danh_sach": [1, 2, 3],
        "trong": None,
    }
    typed = to_typed(values)
    assert {name: entry["type"] for name, entry in typed.items()} == {
        "ten": "String", "dong_y": "Boolean", "diem": "Integer", "lon": "Long", "ty_le": "Double",
        "han": "Date", "ho_so": "Json", "danh_sach": "Json", "trong": "Null"}
    assert all(entry["valueInfo"] == {} for entry in typed.values())
    assert from_typed(wire(typed)) == values


def test_to_typed_details():
    typed = to_typed({
        "int_max": 2**31 - 1, "int_over": 2**31, "long_min": -2**63, "huge": 2**70,
        "ngay": date(2025, 8, 8), "naive": datetime(2025, 6, 30, 10, 0), "so_tien": Decimal("1.5"),
        "ho_so": {"ten": "Lê Thị Hoa", "han": datetime(2025, 6, 30, 10, 0, tzinfo=UTC)},
        "khac": types.SimpleNamespace, "bo": (1, 2),
    })
    assert typed["int_max"] == {"value": 2**31 - 1, "type": "Integer", "valueInfo": {}}
    assert typed["int_over"]["type"] == "Long"
    assert typed["long_min"]["type"] == "Long"
    assert typed["huge"] == {"value": str(2**70), "type": "String", "valueInfo": {}}
    assert typed["ngay"] == {"value": "2025-08-08T00:00:00.000+0700", "type": "Date", "valueInfo": {}}
    assert typed["naive"]["value"] == "2025-06-30T17:00:00.000+0700"
    assert typed["so_tien"] == {"value": 1.5, "type": "Double", "valueInfo": {}}
    assert typed["ho_so"]["type"] == "Json"
    assert "Lê Thị Hoa" in typed["ho_so"]["value"]  # ensure_ascii=False
    assert json.loads(typed["ho_so"]["value"]) == {"ten": "Lê Thị Hoa", "han": "2025-06-30T17:00:00.000+0700"}
    assert typed["khac"]["type"] == "String" and typed["khac"]["value"] == str(types.SimpleNamespace)
    assert typed["bo"] == {"value": "[1, 2]", "type": "Json", "valueInfo": {}}


def test_to_typed_date_follows_thidua_timezone(monkeypatch):
    monkeypatch.setenv("THIDUA_TIMEZONE", "Europe/Berlin")
    assert to_typed({"d": date(2025, 8, 8)})["d"]["value"] == "2025-08-08T00:00:00.000+0200"


def test_vietnamese_text_comes_out_in_nfc():
    assert NFD_NAME != NFC_NAME
    result = from_typed({
        "ten": {"value": NFD_NAME, "type": "String"},
        "ho_so": {"value": json.dumps({"ten": NFD_NAME, NFD_NAME: [NFD_NAME]}), "type": "Json"},
        "khong_kieu": {"value": NFD_NAME},
        unicodedata.normalize("NFD", "điểm_ưu_tiên"): {"value": 1, "type": "Integer"},
    })
    assert result["ten"] == NFC_NAME
    assert result["ho_so"] == {"ten": NFC_NAME, NFC_NAME: [NFC_NAME]}
    assert result["khong_kieu"] == NFC_NAME
    assert result["điểm_ưu_tiên"] == 1


@pytest.mark.parametrize("entry, message", [
    ({"value": "abc", "type": "Integer"}, "variable 'x': value 'abc' is not an Integer"),
    ({"value": 2**31, "type": "Integer"}, "variable 'x': value 2147483648 is out of range for an Integer"),
    ({"value": -2**31 - 1, "type": "Integer"}, "out of range for an Integer"),
    ({"value": 2**63, "type": "Long"}, "variable 'x': value 9223372036854775808 is out of range for a Long"),
    ({"value": 32768, "type": "Short"}, "out of range for a Short"),
    ({"value": -32769, "type": "Short"}, "out of range for a Short"),
    ({"value": True, "type": "Integer"}, "variable 'x': value True is not an Integer"),
    ({"value": False, "type": "Long"}, "is not a Long"),
    ({"value": 1.5, "type": "Integer"}, "variable 'x': value 1.5 is not an Integer (it has a fraction)"),
    ({"value": "1.5", "type": "Long"}, "is not a Long"),
    ({"value": True, "type": "Double"}, "is not a Double"),
    ({"value": "nhiều", "type": "Double"}, "variable 'x': value 'nhiều' is not a Double"),
    ({"value": "NaN", "type": "Double"}, "is not a finite Double"),
    ({"value": "yes", "type": "Boolean"}, "variable 'x': value 'yes' is not a Boolean"),
    ({"value": 1, "type": "Boolean"}, "is not a Boolean"),
    ({"value": "True", "type": "Boolean"}, "is not a Boolean"),
    ({"value": 5, "type": "String"}, "variable 'x': value 5 is not a String"),
    ({"value": "30/06/2025", "type": "Date"}, "variable 'x': '30/06/2025' is not a date"),
    ({"value": 1751277600000, "type": "Date"}, "is not a Date text"),
    ({"value": "{not json", "type": "Json"}, "variable 'x': value is not valid JSON"),
    ({"value": "rO0ABXNy", "type": "Object",
      "valueInfo": {"serializationDataFormat": "application/x-java-serialized-object"}}, "application/json"),
    ({"value": "{}", "type": "Object", "valueInfo": {}}, "variable 'x': Object values are only accepted"),
    ({"value": "abc", "type": "Bytes"}, "variable 'x': type 'Bytes' is not supported"),
    ({"value": "abc", "type": "File"}, "type 'File' is not supported"),
    ({"value": "abc", "type": "Money"}, "variable 'x': unknown type 'Money'"),
    ({"value": "abc", "type": 3}, "variable 'x': type 3 is not a string"),
    ({"value": "abc", "type": "String", "valueInfo": "x"}, "valueInfo must be an object"),
    ({"value": 2**64}, "out of range for a Long"),
])
def test_from_typed_errors_name_the_variable_and_the_problem(entry, message):
    with pytest.raises(TypedValueError) as caught:
        from_typed({"x": entry})
    assert message in str(caught.value)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("variables, message", [
    ({"x": 5}, "variable 'x': expected an object with 'value' and 'type'"),
    ({"x": "Hà Nội"}, "variable 'x': expected an object"),
    ({"x": [1]}, "variable 'x': expected an object"),
    ({1: {"value": 1}}, "variable name 1 is not a string"),
    (["x"], "variables must be a JSON object"),
])
def test_from_typed_rejects_malformed_maps(variables, message):
    with pytest.raises(TypedValueError, match=message):
        from_typed(variables)


def test_to_typed_rejects_non_text_names():
    with pytest.raises(TypedValueError):
        to_typed({1: "x"})


def test_reads_what_the_real_clients_send():
    # camunda-external-task-client-python3 sends {"value": v} without a type
    sent = wire(Variables.format({"diem": 80, "ghi_chu": NFD_NAME, "dat": True, "ho_so": {"a": [1]},
                                  "typed": {"value": 3, "type": "Short"}}))
    assert from_typed(sent) == {"diem": 80, "ghi_chu": NFC_NAME, "dat": True, "ho_so": {"a": [1]}, "typed": 3}
    # pycamunda sends type/valueInfo as null unless given; dates as pycamunda.base.isoformat text
    start = pycamunda.processdef.StartInstance(url=BASE, key="khen_thuong", business_key="KH-05")
    start.add_variable("diem", 80)
    start.add_variable("han", pycamunda.base.isoformat(T0), type_="Date")
    start.add_variable("ho_so", json.dumps({"ten": "Lan"}), type_="Json")
    start.add_variable("ty_le", 0.5, type_="Double", value_info={})
    body = wire(start.body_parameters())
    assert from_typed(body["variables"]) == {"diem": 80, "han": T0, "ho_so": {"ten": "Lan"}, "ty_le": 0.5}


# =============================================================================================
# stand-ins built in memory (no database)


def make_deployment():
    return Deployment(id="dep-1", name="Khen thưởng 2025", source="Camunda Modeler", tenant_id=None,
                      deployed_at=T0, deployed_by="lan")


def make_definition(version=3):
    return ProcessDefinition(id=f"khen_thuong:{version}:0b7e", key="khen_thuong", version=version,
                             name="Đề nghị khen thưởng", deployment_id="dep-1", resource_id="res-1",
                             content_hash="h", created_at=T0, spec_json="{}")


def make_decision():
    return DecisionDefinition(id="xep_loai:1:77aa", key="xep_loai", version=1, name="Xếp loại",
                              deployment_id="dep-1", resource_id="res-2", content_hash="h", created_at=T0)


def make_instance(status="active", ended_at=None, **overrides):
    values = dict(id="inst-1", definition_id="khen_thuong:3:0b7e", definition_key="khen_thuong",
                  business_key="KH-05", status=status, incident_message=None, incident_element_id=None,
                  state="{}", revision=1, started_at=T0, started_by="lan", ended_at=ended_at, next_timer_at=None)
    values.update(overrides)
    return ProcessInstance(**values)


def make_task_view(**overrides):
    values = dict(id="task-1", instance_id="inst-1", definition_id="khen_thuong:3:0b7e",
                  definition_key="khen_thuong", business_key="KH-05", element_id="tham_dinh",
                  name="Thẩm định hồ sơ", assignee="lan", priority=60,
                  due_at=datetime(2025, 8, 8, 16, 59, 59, tzinfo=UTC), follow_up_at=None,
                  created_at=T0, form_key="embedded:app:forms/tham-dinh.html", form_ref=None,
                  form_json=None, properties_json=None)
    values.update(overrides)
    return TaskView(Task(**values), ("tchcqt",), ())


def event(event_id, minutes, event_type, *, task_id=None, element_id=None, element_name=None, data=None,
          instance_id="inst-1", actor=None):
    return HistoryEvent(id=event_id, time=T0 + timedelta(minutes=minutes), event_type=event_type, actor=actor,
                        definition_id="khen_thuong:3:0b7e", instance_id=instance_id, task_id=task_id,
                        element_id=element_id, element_name=element_name,
                        data_json=json.dumps(data, ensure_ascii=False) if data else None)


def parses(text):
    """A date field a client can read (None stays None)."""
    return None if text is None else pycamunda.base.from_isoformat(text)


# =============================================================================================
# repository DTOs

DEPLOYMENT_KEYS = {"links", "id", "name", "source", "deploymentTime", "tenantId", "deployedProcessDefinitions",
                   "deployedCaseDefinitions", "deployedDecisionDefinitions", "deployedDecisionRequirementsDefinitions"}
PROCESS_DEFINITION_KEYS = {"id", "key", "category", "description", "name", "version", "resource", "deploymentId",
                           "diagram", "suspended", "tenantId", "versionTag", "historyTimeToLive",
                           "startableInTasklist"}
DECISION_DEFINITION_KEYS = {"id", "key", "category", "name", "version", "resource", "deploymentId",
                            "decisionRequirementsDefinitionId", "decisionRequirementsDefinitionKey", "tenantId",
                            "versionTag", "historyTimeToLive"}


def test_deployment_dto_is_read_by_pycamunda():
    dto = wire(deployment_dto(make_deployment(), BASE + "/"))
    assert set(dto) == DEPLOYMENT_KEYS
    assert dto["links"] == [{"method": "GET", "href": f"{BASE}/deployment/dep-1", "rel": "self"}]
    assert dto["deploymentTime"] == "2025-06-30T17:00:00.000+0700"
    assert dto["deployedProcessDefinitions"] is None and dto["deployedDecisionDefinitions"] is None
    plain = pycamunda.deployment.Deployment.load(dto)
    assert (plain.id_, plain.name, plain.source, plain.tenant_id) == ("dep-1", "Khen thưởng 2025",
                                                                      "Camunda Modeler", None)
    assert plain.deployment_time == T0
    full = pycamunda.deployment.DeploymentWithDefinitions.load(dto)
    assert full.deployed_process_definitions is None
    assert full.links[0].href == f"{BASE}/deployment/dep-1"


def test_deployment_with_definitions_is_read_by_pycamunda():
    definition, decision = make_definition(), make_decision()
    dto = wire(deployment_dto(make_deployment(), BASE, deployed_processes=[(definition, "khen_thuong.bpmn")],
                              deployed_decisions=[decision], resource_names={"res-2": "xep_loai.dmn"}))
    assert set(dto["deployedProcessDefinitions"]) == {definition.id}
    assert set(dto["deployedProcessDefinitions"][definition.id]) == PROCESS_DEFINITION_KEYS
    assert set(dto["deployedDecisionDefinitions"][decision.id]) == DECISION_DEFINITION_KEYS
    loaded = pycamunda.deployment.DeploymentWithDefinitions.load(dto)
    process = loaded.deployed_process_definitions[definition.id]
    assert (process.key, process.version, process.resource, process.deployment_id) == (
        "khen_thuong", 3, "khen_thuong.bpmn", "dep-1")
    assert loaded.deployed_decision_definitions[decision.id].resource == "xep_loai.dmn"
    assert loaded.deployment_time == T0
    # empty lists are "none deployed": null, as Camunda returns
    assert deployment_dto(make_deployment(), BASE, deployed_processes=[])["deployedProcessDefinitions"] is None


def test_process_definition_dto_is_read_by_pycamunda_and_the_camunda_client():
    dto = wire(process_definition_dto(make_definition(), "khen_thuong.bpmn"))
    assert set(dto) == PROCESS_DEFINITION_KEYS
    assert dto["suspended"] is False and dto["startableInTasklist"] is True
    loaded = pycamunda.processdef.ProcessDefinition.load(dto)
    assert (loaded.id_, loaded.key, loaded.name, loaded.version, loaded.resource) == (
        "khen_thuong:3:0b7e", "khen_thuong", "Đề nghị khen thưởng", 3, "khen_thuong.bpmn")
    assert loaded.suspended is False
    # ProcessDefinitionClient.start_process_by_version reads [0]["id"] and [0]["version"]
    assert (dto["id"], dto["version"]) == ("khen_thuong:3:0b7e", 3)


def test_decision_definition_dto_is_read_by_pycamunda():
    dto = wire(decision_definition_dto(make_decision(), "xep_loai.dmn"))
    assert set(dto) == DECISION_DEFINITION_KEYS
    loaded = pycamunda.decisiondef.DecisionDefinition.load(dto)
    assert (loaded.id_, loaded.key, loaded.version, loaded.resource, loaded.deployment_id) == (
        "xep_loai:1:77aa", "xep_loai", 1, "xep_loai.dmn", "dep-1")


# =============================================================================================
# runtime DTOs

PROCESS_INSTANCE_KEYS = {"links", "id", "definitionId", "definitionKey", "businessKey", "caseInstanceId", "ended",
                         "suspended", "tenantId"}
TASK_KEYS = {"id", "name", "assignee", "owner", "created", "lastUpdated", "due", "followUp", "delegationState",
             "description", "executionId", "parentTaskId", "priority", "processDefinitionId", "processInstanceId",
             "taskDefinitionKey", "caseExecutionId", "caseInstanceId", "caseDefinitionId", "suspended", "formKey",
             "camundaFormRef", "tenantId", "taskState"}
LOCKED_EXTERNAL_TASK_KEYS = {"activityId", "activityInstanceId", "errorMessage", "errorDetails", "executionId", "id",
                             "lockExpirationTime", "createTime", "processDefinitionId", "processDefinitionKey",
                             "processDefinitionVersionTag", "processInstanceId", "retries", "suspended", "workerId",
                             "topicName", "tenantId", "variables", "priority", "businessKey", "extensionProperties"}


def test_process_instance_dto_is_read_by_pycamunda():
    dto = wire(process_instance_dto(make_instance(), BASE))
    assert set(dto) == PROCESS_INSTANCE_KEYS
    assert dto["links"] == [{"method": "GET", "href": f"{BASE}/process-instance/inst-1", "rel": "self"}]
    assert (dto["ended"], dto["suspended"], dto["definitionKey"]) == (False, False, "khen_thuong")
    loaded = pycamunda.processinst.ProcessInstance.load(dto)
    assert (loaded.id_, loaded.definition_id, loaded.business_key, loaded.suspended) == (
        "inst-1", "khen_thuong:3:0b7e", "KH-05", False)
    assert loaded.links[0].rel == "self" and loaded.variables is None


def test_process_instance_with_variables_is_read_by_pycamunda():
    instance = make_instance(status="completed", ended_at=T0)
    dto = wire(process_instance_dto(instance, BASE, variables={"diem": 85, "ten": "Lan", "han": T0}))
    assert dto["ended"] is True
    loaded = pycamunda.processinst.ProcessInstance.load(dto)
    assert {name: (v.type_, v.value) for name, v in loaded.variables.items()} == {
        "diem": ("Integer", 85), "ten": ("String", "Lan"), "han": ("Date", "2025-06-30T17:00:00.000+0700")}


def test_task_dto_is_read_by_pycamunda():
    dto = wire(task_dto(make_task_view()))
    assert set(dto) == TASK_KEYS
    assert dto["created"] == "2025-06-30T17:00:00.000+0700"
    assert dto["due"] == "2025-08-08T23:59:59.000+0700"
    assert (dto["executionId"], dto["camundaFormRef"], dto["suspended"]) == ("inst-1", None, False)
    loaded = pycamunda.task.Task.load(dto)
    assert (loaded.id_, loaded.name, loaded.assignee, loaded.priority, loaded.task_definition_key) == (
        "task-1", "Thẩm định hồ sơ", "lan", 60, "tham_dinh")
    assert (loaded.process_instance_id, loaded.process_definition_id, loaded.form_key) == (
        "inst-1", "khen_thuong:3:0b7e", "embedded:app:forms/tham-dinh.html")
    assert loaded.created == T0
    assert loaded.due == datetime(2025, 8, 8, 16, 59, 59, tzinfo=UTC)
    assert loaded.follow_up is None


def test_task_dto_camunda_form_ref_and_defaults():
    view = make_task_view(form_key=None, form_ref="tham-dinh-form", assignee=None, due_at=None,
                          follow_up_at=T0 + timedelta(days=1), priority=None)
    dto = wire(task_dto(view))
    assert dto["camundaFormRef"] == {"key": "tham-dinh-form", "binding": "latest", "version": None}
    assert dto["formKey"] is None and dto["assignee"] is None and dto["priority"] == 50
    loaded = pycamunda.task.Task.load(dto)
    assert loaded.due is None and loaded.follow_up == T0 + timedelta(days=1)


def make_external_task(**overrides):
    values = dict(id="ext-1", instance_id="inst-1", element_id="gui_thong_bao", topic="gui-email", retries=None,
                  error_message=None, created_at=T0)
    values.update(overrides)
    return ExternalTask(**values)


def test_external_task_dto_is_read_by_pycamunda():
    dto = wire(external_task_dto(make_external_task(), make_instance(), {"diem": 85, "ten": NFC_NAME},
                                 worker_id="worker-7", lock_expiration_time=T0 + timedelta(minutes=5)))
    assert set(dto) == LOCKED_EXTERNAL_TASK_KEYS
    assert dto["activityInstanceId"] == "gui_thong_bao:ext-1"
    assert dto["executionId"] == "inst-1" and dto["extensionProperties"] == {}
    loaded = pycamunda.externaltask.ExternalTask.load(dto)
    assert (loaded.id_, loaded.topic_name, loaded.worker_id, loaded.activity_id) == (
        "ext-1", "gui-email", "worker-7", "gui_thong_bao")
    assert (loaded.process_definition_key, loaded.business_key, loaded.retries) == ("khen_thuong", "KH-05", None)
    assert loaded.lock_expiration_time == T0 + timedelta(minutes=5)
    assert loaded.variables["diem"].type_ == "Integer" and loaded.variables["diem"].value == 85
    assert loaded.variables["ten"].value_info == {}


def test_external_task_dto_is_run_by_the_camunda_external_task_client():
    dto = wire(external_task_dto(
        make_external_task(retries=2, error_message="SMTP down"), make_instance(),
        to_typed({"diem": 85, "ho_so": {"ten": "Lan"}}),  # already typed entries pass through
        worker_id="worker-7", extension_properties={"mau_thu": "thong-bao.html"}))
    assert dto["variables"]["diem"] == {"value": 85, "type": "Integer", "valueInfo": {}}
    assert dto["variables"]["ho_so"]["type"] == "Json"
    # what ExternalTaskWorker._parse_response builds from each element of the fetchAndLock array
    task = ClientExternalTask(dto)
    assert (task.get_task_id(), task.get_topic_name(), task.get_worker_id()) == ("ext-1", "gui-email", "worker-7")
    assert (task.get_activity_id(), task.get_process_instance_id()) == ("gui_thong_bao", "inst-1")
    assert (task.get_business_key(), task.get_tenant_id()) == ("KH-05", None)
    assert task.get_variable("diem") == 85
    assert task.get_variable("diem", with_meta=True)["type"] == "Integer"
    assert json.loads(task.get_variable("ho_so")) == {"ten": "Lan"}
    assert task.get_variables()["diem"] == 85
    assert task.get_extension_property("mau_thu") == "thong-bao.html"
    assert task.failure("again", "details", max_retries=3, retry_timeout=1000).retries == 1
    assert task.complete({"da_gui": True}).is_success()


def test_external_task_dto_reads_lock_columns_when_the_row_has_them():
    row = types.SimpleNamespace(id="ext-2", instance_id="inst-1", element_id="ky_so", topic="ky-so", retries=3,
                                error_message="timeout", error_details="trace", created_at=T0,
                                worker_id="w-1", lock_expires_at=T0 + timedelta(seconds=30))
    dto = wire(external_task_dto(row, make_instance()))
    assert (dto["workerId"], dto["lockExpirationTime"], dto["errorDetails"]) == (
        "w-1", "2025-06-30T17:00:30.000+0700", "trace")
    assert dto["variables"] == {}
    assert ClientExternalTask(dto).failure("x", "y", max_retries=9, retry_timeout=0).retries == 2
    assert pycamunda.externaltask.ExternalTask.load(dto).error_details == "trace"


# =============================================================================================
# history DTOs

HISTORIC_PROCESS_INSTANCE_KEYS = {
    "id", "businessKey", "processDefinitionId", "processDefinitionKey", "processDefinitionName",
    "processDefinitionVersion", "startTime", "endTime", "removalTime", "durationInMillis", "startUserId",
    "startActivityId", "deleteReason", "rootProcessInstanceId", "superProcessInstanceId", "superCaseInstanceId",
    "caseInstanceId", "tenantId", "state", "restartedProcessInstanceId"}
HISTORIC_TASK_KEYS = {
    "id", "processDefinitionKey", "processDefinitionId", "processInstanceId", "executionId", "caseDefinitionKey",
    "caseDefinitionId", "caseInstanceId", "caseExecutionId", "activityInstanceId", "name", "description",
    "deleteReason", "owner", "assignee", "startTime", "endTime", "duration", "taskDefinitionKey", "priority", "due",
    "parentTaskId", "followUp", "tenantId", "removalTime", "rootProcessInstanceId", "taskState"}
HISTORIC_ACTIVITY_KEYS = {
    "id", "parentActivityInstanceId", "activityId", "activityName", "activityType", "processDefinitionKey",
    "processDefinitionId", "processInstanceId", "executionId", "taskId", "calledProcessInstanceId",
    "calledCaseInstanceId", "assignee", "startTime", "endTime", "durationInMillis", "canceled", "completeScope",
    "tenantId", "removalTime", "rootProcessInstanceId"}


@pytest.mark.parametrize("status, state", [("active", "ACTIVE"), ("incident", "ACTIVE"), ("completed", "COMPLETED"),
                                           ("deleted", "EXTERNALLY_TERMINATED")])
def test_history_process_instance_dto(status, state):
    ended = T0 + timedelta(hours=2) if status in ("completed", "deleted") else None
    dto = wire(history_process_instance_dto(make_instance(status=status, ended_at=ended), make_definition(),
                                            start_activity_id="StartEvent_1"))
    assert set(dto) == HISTORIC_PROCESS_INSTANCE_KEYS
    assert dto["state"] == state
    assert (dto["processDefinitionName"], dto["processDefinitionVersion"], dto["processDefinitionKey"]) == (
        "Đề nghị khen thưởng", 3, "khen_thuong")
    assert (dto["startUserId"], dto["rootProcessInstanceId"], dto["startActivityId"]) == (
        "lan", "inst-1", "StartEvent_1")
    assert parses(dto["startTime"]) == T0
    if ended:
        assert parses(dto["endTime"]) == ended and dto["durationInMillis"] == 7_200_000
    else:
        assert dto["endTime"] is None and dto["durationInMillis"] is None


def test_history_process_instance_dto_without_definition():
    dto = history_process_instance_dto(make_instance(definition_key=None), None)
    assert dto["processDefinitionName"] is None and dto["processDefinitionVersion"] is None
    assert dto["processDefinitionKey"] == "khen_thuong"  # from the definition id


def task_events():
    return [
        event(1, 0, "task_created", task_id="task-1", element_id="tham_dinh", element_name="Thẩm định hồ sơ",
              data={"assignee": None, "candidateGroups": ["tchcqt"], "due": "2025-08-08T16:59:59+00:00"}),
        event(2, 5, "claim", task_id="task-1", element_id="tham_dinh", element_name="Thẩm định hồ sơ",
              data={"assignee": "lan"}, actor="lan"),
        event(3, 6, "unclaim", task_id="task-1", element_id="tham_dinh", data={"assignee": None}),
        event(4, 7, "assign", task_id="task-1", element_id="tham_dinh", data={"assignee": "hoa"}),
    ]


def test_history_task_dto_of_a_completed_task():
    events = task_events() + [
        event(5, 90, "complete", task_id="task-1", element_id="tham_dinh", element_name="Thẩm định hồ sơ",
              data={"diem": 85}, actor="hoa"),
        # same step, stamped with the completed task's id by the engine: not task events
        event(6, 90, "service_task", task_id="task-1", element_id="gui_thong_bao", data={"topic": "gui-email"}),
        event(7, 90, "end", task_id="task-1"),
    ]
    dto = wire(history_task_dto(list(reversed(events)), make_instance(status="completed", ended_at=T0)))
    assert set(dto) == HISTORIC_TASK_KEYS
    assert (dto["id"], dto["name"], dto["taskDefinitionKey"], dto["assignee"]) == (
        "task-1", "Thẩm định hồ sơ", "tham_dinh", "hoa")
    assert (dto["deleteReason"], dto["duration"], dto["taskState"]) == ("completed", 90 * 60_000, "Completed")
    assert (dto["processInstanceId"], dto["executionId"], dto["rootProcessInstanceId"]) == ("inst-1",) * 3
    assert dto["activityInstanceId"] == "tham_dinh:task-1"
    assert (dto["processDefinitionKey"], dto["priority"]) == ("khen_thuong", 50)
    assert parses(dto["startTime"]) == T0
    assert parses(dto["endTime"]) == T0 + timedelta(minutes=90)
    assert dto["due"] == "2025-08-08T23:59:59.000+0700"


def test_history_task_dto_of_a_cancelled_and_of_an_open_task():
    cancelled = history_task_dto(task_events() + [event(9, 30, "task_cancelled", task_id="task-1")], make_instance())
    assert (cancelled["deleteReason"], cancelled["taskState"], cancelled["duration"]) == ("deleted", "Deleted",
                                                                                          30 * 60_000)
    view = make_task_view(assignee="hoa", priority=70, follow_up_at=T0 + timedelta(days=2))
    still_open = wire(history_task_dto(task_events(), make_instance(), task=view))
    assert (still_open["endTime"], still_open["deleteReason"], still_open["taskState"]) == (None, None, "Updated")
    assert (still_open["priority"], still_open["assignee"]) == (70, "hoa")
    assert parses(still_open["followUp"]) == T0 + timedelta(days=2)
    # the instance was deleted: no instance row, no task event closing the task
    gone = history_task_dto(task_events()[:1], None, deleted_at=T0 + timedelta(hours=1))
    assert (gone["processInstanceId"], gone["processDefinitionKey"], gone["deleteReason"]) == (
        "inst-1", "khen_thuong", "deleted")
    assert gone["taskState"] == "Deleted" and gone["duration"] == 3_600_000


def instance_events():
    return [
        event(-2, 0, "start", data={"ten": "Lan"}),
        event(-1, 0, "service_task", element_id="lay_so", element_name="Lấy số", data={"topic": "so-hieu", "so": 5}),
        *task_events(),
        event(5, 90, "complete", task_id="task-1", element_id="tham_dinh", element_name="Thẩm định hồ sơ"),
        event(6, 90, "task_created", task_id="task-2", element_id="phe_duyet", element_name="Phê duyệt",
              data={"assignee": "giam_doc"}),
        event(7, 90, "task_created", task_id="task-3", element_id="nhac_viec", element_name="Nhắc việc"),
        event(8, 120, "task_cancelled", task_id="task-3"),
        event(9, 150, "complete", task_id="task-2", element_id="phe_duyet"),
        event(10, 151, "service_task", task_id="ext-1", element_id="gui_thong_bao",
              data={"topic": "gui-email", "worker": "w-1"}),
        event(11, 151, "end", task_id="ext-1"),
    ]


def test_history_activity_instances_of_a_completed_instance():
    instance = make_instance(status="completed", ended_at=T0 + timedelta(minutes=151))
    dtos = wire(history_activity_instances(instance_events(), instance, start_activity=("StartEvent_1", "Bắt đầu"),
                                           end_activity=("EndEvent_1", "Kết thúc"),
                                           activity_types={"lay_so": "scriptTask"}))
    assert all(set(d) == HISTORIC_ACTIVITY_KEYS for d in dtos)
    summary = [(d["activityId"], d["activityType"], d["canceled"], d["assignee"]) for d in dtos]
    assert summary == [
        ("StartEvent_1", "startEvent", False, None),
        ("lay_so", "scriptTask", False, None),
        ("tham_dinh", "userTask", False, "hoa"),
        ("phe_duyet", "userTask", False, "giam_doc"),
        ("nhac_viec", "userTask", True, None),
        ("gui_thong_bao", "serviceTask", False, None),
        ("EndEvent_1", "noneEndEvent", False, None),
    ]
    by_id = {d["activityId"]: d for d in dtos}
    assert by_id["tham_dinh"]["id"] == "tham_dinh:task-1" and by_id["tham_dinh"]["taskId"] == "task-1"
    assert by_id["tham_dinh"]["durationInMillis"] == 90 * 60_000
    assert by_id["gui_thong_bao"]["id"] == "gui_thong_bao:ext-1"
    assert by_id["EndEvent_1"]["completeScope"] is True
    assert by_id["lay_so"]["durationInMillis"] == 0
    assert len({d["id"] for d in dtos}) == len(dtos)
    for d in dtos:
        assert (d["parentActivityInstanceId"], d["processInstanceId"], d["executionId"]) == ("inst-1",) * 3
        assert d["processDefinitionKey"] == "khen_thuong"
        assert parses(d["startTime"]) is not None and parses(d["endTime"]) is not None


def test_history_activity_instances_of_a_running_instance():
    instance = make_instance(status="incident", incident_element_id="tinh_diem")
    events = instance_events()[:8] + [event(20, 100, "incident", element_id="tinh_diem", data={"message": "x"})]
    dtos = history_activity_instances(events, instance, external_tasks=[make_external_task()])
    summary = [(d["activityId"], d["activityType"], d["endTime"]) for d in dtos]
    assert summary == [
        ("lay_so", "serviceTask", "2025-06-30T17:00:00.000+0700"),  # no start_activity: no start event listed
        ("tham_dinh", "userTask", "2025-06-30T18:30:00.000+0700"),
        ("gui_thong_bao", "serviceTask", None),  # the open external task (created at T0)
        ("phe_duyet", "userTask", None),
        ("tinh_diem", "serviceTask", None),
    ]
    assert dtos[2]["id"] == "gui_thong_bao:ext-1"
    # the instance is deleted: what is open ends canceled
    deleted = history_activity_instances(instance_events()[:8] + [event(30, 200, "delete", data={"reason": "sai"})],
                                         instance)
    assert [(d["activityId"], d["canceled"]) for d in deleted] == [
        ("lay_so", False), ("tham_dinh", False), ("phe_duyet", True)]


def test_history_activity_instance_dto_single():
    dto = wire(history_activity_instance_dto(make_instance(), activity_id="Gateway_1", activity_type="exclusiveGateway",
                                             start_time=T0, end_time=T0))
    assert set(dto) == HISTORIC_ACTIVITY_KEYS
    assert dto["id"] == "Gateway_1:inst-1" and dto["durationInMillis"] == 0 and dto["canceled"] is False


# =============================================================================================
# errors


def test_error_dto_is_read_by_both_clients():
    dto = wire(error_dto("InvalidRequestException", "variable 'x': value 'abc' is not an Integer"))
    assert dto == {"type": "InvalidRequestException", "message": "variable 'x': value 'abc' is not an Integer",
                   "code": None}
    assert get_response_error_message(400, dto) == (
        "received 400 : InvalidRequestException : variable 'x': value 'abc' is not an Integer")
    response = requests.models.Response()
    response.status_code = 404
    response._content = json.dumps(error_dto("RestException", "task 'x' does not exist", 0)).encode()
    with pytest.raises(pycamunda.NotFound, match="task 'x' does not exist"):
        pycamunda.base._raise_for_status(response)
