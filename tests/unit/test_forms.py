from __future__ import annotations

import json
import unicodedata
from datetime import date, datetime, timedelta, timezone

import pytest
from lxml import etree
from SpiffWorkflow.camunda.parser import CamundaParser

from engine.forms.submission import (
    FieldError,
    Form,
    FormDefinitionError,
    FormField,
    FormValidationError,
    form_from_spiff,
    form_from_xml,
    validate_submission,
)

CAMUNDA = "http://camunda.org/schema/1.0/bpmn"

# As Camunda Modeler 5 (Camunda Platform 7) writes it.
MODELER_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
    xmlns:modeler="http://camunda.org/schema/modeler/1.0"
    id="Definitions_1" targetNamespace="http://bpmn.io/schema/bpmn"
    exporter="Camunda Modeler" exporterVersion="5.20.0"
    modeler:executionPlatform="Camunda Platform" modeler:executionPlatformVersion="7.20.0">
  <bpmn:process id="de_nghi_khen_thuong" name="Đề nghị khen thưởng" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="nhap_ho_so" name="Nhập hồ sơ" camunda:formKey="">
      <bpmn:extensionElements>
        <camunda:formData>
          <camunda:formField id="ho_ten" label="Họ và tên" type="string">
            <camunda:properties>
              <camunda:property id="placeholder" value="Nguyễn Văn A" />
            </camunda:properties>
            <camunda:validation>
              <camunda:constraint name="required" />
              <camunda:constraint name="minlength" config="3" />
              <camunda:constraint name="maxlength" config="100" />
            </camunda:validation>
          </camunda:formField>
          <camunda:formField id="so_nam_cong_tac" label="Số năm công tác" type="long" defaultValue="1">
            <camunda:validation>
              <camunda:constraint name="min" config="0" />
              <camunda:constraint name="max" config="60" />
            </camunda:validation>
          </camunda:formField>
          <camunda:formField id="dang_vien" label="Đảng viên" type="boolean" defaultValue="false" />
          <camunda:formField id="ngay_de_nghi" label="Ngày đề nghị" type="date" defaultValue="01/01/2025">
            <camunda:validation>
              <camunda:constraint name="min" config="2025-01-01" />
              <camunda:constraint name="max" config="31/12/2025" />
            </camunda:validation>
          </camunda:formField>
          <camunda:formField id="hinh_thuc" label="Hình thức khen thưởng" type="enum" defaultValue="giay_khen">
            <camunda:value id="giay_khen" name="Giấy khen" />
            <camunda:value id="bang_khen" name="Bằng khen" />
          </camunda:formField>
          <camunda:formField id="ma_ho_so" label="Mã hồ sơ" type="string">
            <camunda:validation>
              <camunda:constraint name="readonly" />
            </camunda:validation>
          </camunda:formField>
        </camunda:formData>
      </bpmn:extensionElements>
      <bpmn:incoming>Flow_1</bpmn:incoming>
      <bpmn:outgoing>Flow_2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="EndEvent_1"><bpmn:incoming>Flow_2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="nhap_ho_so" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="nhap_ho_so" targetRef="EndEvent_1" />
  </bpmn:process>
</bpmn:definitions>
"""


def form_data_element(bpmn: str = MODELER_BPMN) -> etree._Element:
    root = etree.fromstring(bpmn.encode())
    return root.find(f".//{{{CAMUNDA}}}formData")


def field_xml(inner: str) -> etree._Element:
    return etree.fromstring(f'<camunda:formData xmlns:camunda="{CAMUNDA}">{inner}</camunda:formData>')


def single(field_type: str, *constraints: tuple[str, str | None], **kwargs) -> Form:
    return Form((FormField("f", "F", field_type, constraints=tuple(constraints), **kwargs),))


def errors_of(form: Form, submitted: dict, current: dict | None = None, **kwargs) -> list[tuple[str, str]]:
    with pytest.raises(FormValidationError) as caught:
        validate_submission(form, submitted, current, **kwargs)
    return [(e.field, e.code) for e in caught.value.errors]


# --- reading definitions ---------------------------------------------------------------------

def test_form_from_modeler_xml():
    form = form_from_xml(form_data_element())
    assert [f.id for f in form.fields] == ["ho_ten", "so_nam_cong_tac", "dang_vien", "ngay_de_nghi", "hinh_thuc", "ma_ho_so"]
    name, years, member, day, kind, code = form.fields
    assert name.label == "Họ và tên" and name.type == "string" and name.default is None
    assert name.required and not name.readonly
    assert name.constraint("minlength") == "3" and name.constraint("max") is None
    assert name.properties == (("placeholder", "Nguyễn Văn A"),)
    assert years.constraints == (("min", "0"), ("max", "60")) and years.default == "1"
    assert member.type == "boolean" and member.default == "false"
    assert day.constraint("max") == "31/12/2025"
    assert kind.options == (("giay_khen", "Giấy khen"), ("bang_khen", "Bằng khen"))
    assert code.readonly and not code.required


def test_form_from_spiff_equals_form_from_xml():
    parser = CamundaParser()
    parser.add_bpmn_str(MODELER_BPMN.encode())
    spiff_form = parser.get_spec("de_nghi_khen_thuong").task_specs["nhap_ho_so"].form
    assert form_from_spiff(spiff_form) == form_from_xml(form_data_element())


def test_json_round_trip():
    form = form_from_xml(form_data_element())
    stored = json.dumps(form.to_json())
    assert Form.from_json(json.loads(stored)) == form
    assert json.loads(stored)[4]["options"][1] == {"id": "bang_khen", "name": "Bằng khen"}


def test_from_json_rejects_malformed_data():
    with pytest.raises(FormDefinitionError):
        Form.from_json([{"label": "no id or type"}])


@pytest.mark.parametrize("inner, fragment", [
    ('<camunda:formField id="a" type="double" />', "type 'double'"),
    ('<camunda:formField id="a" />', "no type"),
    ('<camunda:formField id="a" type="long"><camunda:validation>'
     '<camunda:constraint name="min" config="10" /><camunda:constraint name="max" config="5" />'
     '</camunda:validation></camunda:formField>', "min 10"),
    ('<camunda:formField id="a" type="date"><camunda:validation>'
     '<camunda:constraint name="min" config="2025-06-01" /><camunda:constraint name="max" config="01/01/2025" />'
     '</camunda:validation></camunda:formField>', "min 2025-06-01"),
    ('<camunda:formField id="a" type="string"><camunda:validation>'
     '<camunda:constraint name="minlength" config="5" /><camunda:constraint name="maxlength" config="2" />'
     '</camunda:validation></camunda:formField>', "minlength 5"),
    ('<camunda:formField id="a" type="long"><camunda:validation>'
     '<camunda:constraint name="min" config="ten" /></camunda:validation></camunda:formField>', "whole number"),
    ('<camunda:formField id="a" type="long"><camunda:validation>'
     '<camunda:constraint name="min" config="1.5" /></camunda:validation></camunda:formField>', "whole number"),
    ('<camunda:formField id="a" type="date"><camunda:validation>'
     '<camunda:constraint name="max" config="31/02/2025" /></camunda:validation></camunda:formField>', "max needs a date"),
    ('<camunda:formField id="a" type="string"><camunda:validation>'
     '<camunda:constraint name="minlength" /></camunda:validation></camunda:formField>', "minlength"),
    ('<camunda:formField id="a" type="string"><camunda:validation>'
     '<camunda:constraint name="pattern" config="[0-9]+" /></camunda:validation></camunda:formField>', "'pattern'"),
    ('<camunda:formField id="a" type="string"><camunda:validation>'
     '<camunda:constraint name="min" config="1" /></camunda:validation></camunda:formField>', "long and date"),
    ('<camunda:formField id="a" type="long"><camunda:validation>'
     '<camunda:constraint name="maxlength" config="3" /></camunda:validation></camunda:formField>', "string fields"),
    ('<camunda:formField id="a" type="string"><camunda:validation>'
     '<camunda:constraint name="required" /><camunda:constraint name="required" /></camunda:validation>'
     '</camunda:formField>', "more than once"),
    ('<camunda:formField id="a" type="string" /><camunda:formField id="a" type="long" />', "more than one field"),
    ('<camunda:formField id="a" type="enum" />', "at least one value"),
    ('<camunda:formField id="a" type="enum"><camunda:value id="x" name="X" /><camunda:value id="x" name="Y" />'
     '</camunda:formField>', "unique"),
    ('<camunda:formField id="a" type="long" defaultValue="abc" />', "defaultValue 'abc'"),
    ('<camunda:formField id="a" type="boolean" defaultValue="yes" />', "defaultValue 'yes'"),
    ('<camunda:formField id="a" type="date" defaultValue="2025-02-30" />', "defaultValue '2025-02-30'"),
    ('<camunda:formField id="a" type="enum" defaultValue="z"><camunda:value id="x" name="X" />'
     '</camunda:formField>', "defaultValue 'z'"),
    ('<camunda:formField id="a" type="string" defaultValue="${initiator}" />', "expressions"),
])
def test_definition_errors_name_the_field(inner, fragment):
    with pytest.raises(FormDefinitionError) as caught:
        form_from_xml(field_xml(inner))
    assert "'a'" in str(caught.value)
    assert fragment in str(caught.value)


def test_field_without_id_is_refused():
    with pytest.raises(FormDefinitionError, match="no id"):
        form_from_xml(field_xml('<camunda:formField label="Tên" type="string" />'))


def test_form_from_xml_wants_form_data():
    with pytest.raises(FormDefinitionError):
        form_from_xml(etree.fromstring(f'<camunda:formField xmlns:camunda="{CAMUNDA}" id="a" type="string" />'))


def test_definition_errors_also_apply_to_direct_construction():
    with pytest.raises(FormDefinitionError, match="'f'"):
        FormField("f", "F", "string", constraints=(("max", "3"),))


# --- string ----------------------------------------------------------------------------------

def test_string_is_nfc_normalised_and_not_stripped():
    nfd = unicodedata.normalize("NFD", "  Nguyễn Thị Ánh  ")
    assert nfd != unicodedata.normalize("NFC", nfd)
    values = validate_submission(single("string"), {"f": nfd})
    assert values["f"] == "  Nguyễn Thị Ánh  "
    assert unicodedata.is_normalized("NFC", values["f"])


def test_string_length_counts_characters_after_nfc():
    form = single("string", ("maxlength", "6"))
    nfd = unicodedata.normalize("NFD", "Nguyễn")
    assert len(nfd) > 6
    assert validate_submission(form, {"f": nfd}) == {"f": "Nguyễn"}


@pytest.mark.parametrize("value", [42, True, ["a"], {"a": 1}, "nul\x00byte", "\ud800"])
def test_string_rejects_non_text(value):
    assert errors_of(single("string"), {"f": value}) == [("f", "type")]


def test_minlength_boundary():
    form = single("string", ("minlength", "3"))
    assert errors_of(form, {"f": "ab"}) == [("f", "minlength")]
    assert validate_submission(form, {"f": "abc"}) == {"f": "abc"}
    with pytest.raises(FormValidationError) as caught:
        validate_submission(form, {"f": "ab"})
    assert caught.value.errors[0].params == {"minlength": 3, "length": 2}


def test_maxlength_boundary():
    form = single("string", ("maxlength", "3"))
    assert validate_submission(form, {"f": "abc"}) == {"f": "abc"}
    assert errors_of(form, {"f": "abcd"}) == [("f", "maxlength")]


# --- long ------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    (7, 7), ("42", 42), (" -5 ", -5), ("+8", 8), (3.0, 3), ("0", 0),
    (2**63 - 1, 2**63 - 1), (str(-(2**63)), -(2**63)),
])
def test_long_accepts(value, expected):
    assert validate_submission(single("long"), {"f": value}) == {"f": expected}


@pytest.mark.parametrize("value", [
    True, False, 2.5, float("nan"), float("inf"), "1e3", "1.0", "abc", "1_000", "١٢", "0x10",
    2**63, str(-(2**63) - 1), [1],
])
def test_long_rejects(value):
    assert errors_of(single("long"), {"f": value}) == [("f", "type")]


def test_empty_optional_long_is_none_and_empty_required_long_is_required():
    assert validate_submission(single("long"), {"f": ""}) == {"f": None}
    assert errors_of(single("long", ("required", None)), {"f": " "}) == [("f", "required")]


def test_min_max_boundaries_for_long():
    form = single("long", ("min", "3"), ("max", "10"))
    assert validate_submission(form, {"f": "3"}) == {"f": 3}
    assert validate_submission(form, {"f": 10}) == {"f": 10}
    assert errors_of(form, {"f": 2}) == [("f", "min")]
    assert errors_of(form, {"f": "11"}) == [("f", "max")]
    with pytest.raises(FormValidationError) as caught:
        validate_submission(form, {"f": 11})
    assert caught.value.errors[0].params == {"max": 10}


# --- boolean ---------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    (True, True), (False, False), ("true", True), ("TRUE", True), ("on", True), ("1", True),
    ("false", False), ("False", False), ("0", False), ("", False), (None, False),
])
def test_boolean_accepts(value, expected):
    assert validate_submission(single("boolean"), {"f": value}) == {"f": expected}


@pytest.mark.parametrize("value", ["yes", "off", 1, 0, 2.0, "maybe"])
def test_boolean_rejects(value):
    assert errors_of(single("boolean"), {"f": value}) == [("f", "type")]


def test_absent_checkbox_is_false_even_when_required_or_previously_true():
    form = single("boolean", ("required", None), default="true")
    assert validate_submission(form, {}, {"f": True}) == {"f": False}


# --- date ------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [
    date(2025, 3, 9),
    datetime(2025, 3, 9, 23, 59),
    "2025-03-09",
    "09/03/2025",
    "9/3/2025",
    "2025-03-09T10:15:00",
    "2025-03-09T10:15:00.000+0700",
    "2025-03-09T10:15:00.123+07:00",
    "2025-03-09T23:15:00Z",
    " 2025-03-09 ",
])
def test_date_accepts(value):
    assert validate_submission(single("date"), {"f": value}) == {"f": date(2025, 3, 9)}


def test_rest_timestamp_keeps_its_calendar_date():
    value = datetime(2025, 3, 9, 23, 30, tzinfo=timezone(timedelta(hours=7)))
    assert validate_submission(single("date"), {"f": value}) == {"f": date(2025, 3, 9)}


@pytest.mark.parametrize("value", [
    "31/02/2025", "2025-02-29", "2025-13-01", "00/01/2025", "2025-3-9", "09-03-2025", "2025/03/09",
    "2025-03-09T25:00:00", "2025-03-09T10:15:00+2500", "2025-03-09 10:15:00", "tomorrow", 20250309,
])
def test_date_rejects(value):
    assert errors_of(single("date"), {"f": value}) == [("f", "type")]


def test_date_min_max_boundaries():
    form = single("date", ("min", "01/03/2025"), ("max", "2025-03-31"))
    assert validate_submission(form, {"f": "01/03/2025"}) == {"f": date(2025, 3, 1)}
    assert validate_submission(form, {"f": "2025-03-31"}) == {"f": date(2025, 3, 31)}
    assert errors_of(form, {"f": "28/02/2025"}) == [("f", "min")]
    with pytest.raises(FormValidationError) as caught:
        validate_submission(form, {"f": date(2025, 4, 1)})
    assert (caught.value.errors[0].code, caught.value.errors[0].params) == ("max", {"max": "2025-03-31"})


# --- enum ------------------------------------------------------------------------------------

def test_enum():
    form = single("enum", options=(("giay_khen", "Giấy khen"), ("bang_khen", "Bằng khen")))
    assert validate_submission(form, {"f": "bang_khen"}) == {"f": "bang_khen"}
    assert validate_submission(form, {"f": ""}) == {"f": None}
    assert errors_of(form, {"f": "huan_chuong"}) == [("f", "enum")]
    assert errors_of(form, {"f": 1}) == [("f", "enum")]
    with pytest.raises(FormValidationError) as caught:
        validate_submission(form, {"f": "x"})
    assert caught.value.errors[0].params == {"options": ["giay_khen", "bang_khen"]}


# --- required, defaults, current values, partial -------------------------------------------

@pytest.mark.parametrize("submitted", [{}, {"f": None}, {"f": ""}, {"f": "   "}])
def test_required_string(submitted):
    assert errors_of(single("string", ("required", None)), submitted) == [("f", "required")]


def test_absent_required_field_is_satisfied_by_the_current_value():
    form = single("string", ("required", None))
    assert validate_submission(form, {}, {"f": "đã lưu"}) == {"f": "đã lưu"}
    assert errors_of(form, {"f": ""}, {"f": "đã lưu"}) == [("f", "required")]
    assert errors_of(form, {}, {"f": " "}) == [("f", "required")]


def test_default_does_not_satisfy_a_required_field():
    assert errors_of(single("string", ("required", None), default="x"), {}) == [("f", "required")]


def test_absent_optional_field_takes_current_then_default():
    form = form_from_xml(form_data_element())
    values = validate_submission(form, {"ho_ten": "Lê Văn Bình"}, {"so_nam_cong_tac": 12})
    assert values == {
        "ho_ten": "Lê Văn Bình",
        "so_nam_cong_tac": 12,
        "dang_vien": False,
        "ngay_de_nghi": date(2025, 1, 1),
        "hinh_thuc": "giay_khen",
        "ma_ho_so": None,
    }
    assert validate_submission(single("long"), {}) == {"f": None}


def test_partial_skips_required_but_not_other_checks():
    form = Form((
        FormField("name", "Name", "string", constraints=(("required", None), ("minlength", "3"))),
        FormField("age", "Age", "long", constraints=(("required", None),)),
    ))
    assert validate_submission(form, {"name": ""}, partial=True) == {"name": "", "age": None}
    assert errors_of(form, {"name": "ab", "age": "x"}, partial=True) == [("name", "minlength"), ("age", "type")]


# --- readonly --------------------------------------------------------------------------------

def test_readonly_keeps_current_value_when_not_submitted():
    form = single("string", ("readonly", None), default="mặc định")
    assert validate_submission(form, {}, {"f": "HS-001"}) == {"f": "HS-001"}
    assert validate_submission(form, {}) == {"f": "mặc định"}


def test_readonly_accepts_the_same_value_and_refuses_a_change():
    form = single("date", ("readonly", None))
    assert validate_submission(form, {"f": "01/02/2025"}, {"f": date(2025, 2, 1)}) == {"f": date(2025, 2, 1)}
    assert errors_of(form, {"f": "2025-02-02"}, {"f": date(2025, 2, 1)}) == [("f", "readonly")]
    assert errors_of(form, {"f": "garbage"}, {"f": date(2025, 2, 1)}) == [("f", "readonly")]


def test_readonly_compares_with_default_when_there_is_no_current_value():
    form = single("long", ("readonly", None), default="5")
    assert validate_submission(form, {"f": "5"}) == {"f": 5}
    assert errors_of(form, {"f": 6}) == [("f", "readonly")]


def test_readonly_boolean_absent_is_kept():
    assert validate_submission(single("boolean", ("readonly", None)), {}, {"f": True}) == {"f": True}


# --- unknown keys, multiple errors, purity ------------------------------------------------------

def test_unknown_keys_are_refused_unless_allowed():
    form = single("string")
    assert errors_of(form, {"f": "x", "approved": True}) == [("approved", "unknown")]
    assert validate_submission(form, {"f": "x", "comment": "ok"}, allow_extra=frozenset({"comment"})) == {"f": "x"}


def test_all_errors_are_reported_at_once():
    form = form_from_xml(form_data_element())
    submitted = {
        "ho_ten": "An",
        "so_nam_cong_tac": "61",
        "dang_vien": "maybe",
        "ngay_de_nghi": "31/02/2025",
        "hinh_thuc": "huan_chuong",
        "ma_ho_so": "HS-999",
        "__builtins__": "x",
    }
    with pytest.raises(FormValidationError) as caught:
        validate_submission(form, submitted, {"ma_ho_so": "HS-001"})
    assert [(e.field, e.code) for e in caught.value.errors] == [
        ("ho_ten", "minlength"),
        ("so_nam_cong_tac", "max"),
        ("dang_vien", "type"),
        ("ngay_de_nghi", "type"),
        ("hinh_thuc", "enum"),
        ("ma_ho_so", "readonly"),
        ("__builtins__", "unknown"),
    ]
    text = str(caught.value)
    for field_id in ("ho_ten", "so_nam_cong_tac", "dang_vien", "ngay_de_nghi", "hinh_thuc", "ma_ho_so"):
        assert field_id in text
    assert all(isinstance(e, FieldError) and e.message for e in caught.value.errors)
    json.dumps([e.params for e in caught.value.errors])


def test_inputs_are_not_mutated():
    form = form_from_xml(form_data_element())
    submitted = {"ho_ten": unicodedata.normalize("NFD", "Phạm Thị Hoa"), "so_nam_cong_tac": "3"}
    current = {"ma_ho_so": "HS-1", "other": [1]}
    before = (dict(submitted), json.dumps(current))
    values = validate_submission(form, submitted, current)
    assert (dict(submitted), json.dumps(current)) == before
    assert values is not submitted and values is not current
