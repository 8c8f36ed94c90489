"""Vận hành: administrators only; every action is checked, then confirmed on a page of its own,
then run and written into the instance's history; bad values change nothing."""
from __future__ import annotations

import unicodedata

import pytest

from engine.history import event_data
from engine.runtime import InstanceQuery
from tests.portal.conftest import UNIT_A


@pytest.mark.parametrize("user", ["designer", "officer", "head_a", "chief", "lan"])
def test_only_admins_operate(portal, user):
    client = portal.login(user)
    instance_id = portal.units[UNIT_A]
    assert client.get("/operations/").status_code == 403
    assert client.get(f"/operations/instances/{instance_id}").status_code == 403
    refused = client.post(f"/operations/instances/{instance_id}/variable",
                          {"name": "x", "type": "String", "value": "y", "confirmed": "1"})
    assert refused.status_code == 403
    assert "x" not in portal.engine.runtime.get_variables(instance_id)
    deleted = client.post(f"/operations/instances/{instance_id}/delete", {"reason": "r", "confirmed": "1"})
    assert deleted.status_code == 403
    assert portal.engine.runtime.get_instance(instance_id).status == "active"


@pytest.mark.parametrize("language, words", [("vi", ["Vận hành", "Sự cố đang mở", "Tìm phiên bản quy trình"]),
                                             ("en", ["Operations", "Open incidents", "Find a process instance"])])
def test_the_page_in_both_languages_finds_an_instance_by_business_key(portal, language, words):
    client = portal.login("admin")
    client.post("/language", {"language": language})
    page = client.get("/operations/?q=86/KH-VPUB").get_data(as_text=True)
    assert all(w in page for w in words) and unicodedata.is_normalized("NFC", page)
    assert portal.campaign_id in page
    assert client.get(f"/operations/instances/{portal.campaign_id}").status_code == 200
    assert client.get("/operations/instances/no-such-instance").status_code == 404


def test_editing_a_variable_asks_to_confirm_then_records_who_did_it(portal):
    client = portal.login("admin")
    instance_id = portal.units[UNIT_A]
    asked = client.post(f"/operations/instances/{instance_id}/variable",
                        {"name": "headNote", "type": "String", "value": "Đã kiểm tra"})
    assert asked.status_code == 200
    text = asked.get_data(as_text=True)
    assert 'id="operations-confirm"' in text and "headNote" in text and 'name="confirmed" value="1"' in text
    assert "headNote" not in portal.engine.runtime.get_variables(instance_id)  # nothing before the confirmation

    done = client.post(f"/operations/instances/{instance_id}/variable",
                       {"name": "headNote", "type": "String", "value": "Đã kiểm tra", "confirmed": "1"})
    assert done.status_code == 302
    assert portal.engine.runtime.get_variables(instance_id)["headNote"] == "Đã kiểm tra"
    events = portal.engine.history.events(instance_id=instance_id, event_types=["variable_update"])
    assert events and events[-1].actor == "admin"


@pytest.mark.parametrize("form, message", [
    ({"name": "n", "type": "Integer", "value": "mười"}, "Giá trị không hợp lệ"),
    ({"name": "n", "type": "Json", "value": "{broken"}, "không phải JSON hợp lệ"),
    ({"name": "", "type": "String", "value": "x"}, "Hãy nhập tên biến"),
    ({"name": "n", "type": "Pickle", "value": "x"}, "Hãy chọn một kiểu"),
])
def test_a_bad_value_is_refused_before_the_confirmation_and_changes_nothing(portal, form, message):
    client = portal.login("admin")
    instance_id = portal.units[UNIT_A]
    before = portal.engine.runtime.get_variables(instance_id)
    refused = client.post(f"/operations/instances/{instance_id}/variable", {**form, "confirmed": "1"})
    assert refused.status_code == 400 and message in refused.get_data(as_text=True)
    assert portal.engine.runtime.get_variables(instance_id) == before


def test_deleting_needs_a_reason_and_a_confirmation(portal):
    client = portal.login("admin")
    instance_id = portal.units[UNIT_A]
    assert client.post(f"/operations/instances/{instance_id}/delete", {"reason": " ", "confirmed": "1"}).status_code == 400
    asked = client.post(f"/operations/instances/{instance_id}/delete", {"reason": "Đơn vị giải thể"})
    assert asked.status_code == 200 and "Không thể hoàn tác" in asked.get_data(as_text=True)
    assert portal.engine.runtime.get_instance(instance_id)  # still there
    done = client.post(f"/operations/instances/{instance_id}/delete", {"reason": "Đơn vị giải thể", "confirmed": "1"})
    assert done.status_code == 302
    assert not portal.engine.runtime.list_instances(InstanceQuery(instance_ids=[instance_id]))
    deleted = portal.engine.history.events(instance_id=instance_id, event_types=["delete"])
    assert deleted and deleted[0].actor == "admin" and event_data(deleted[0])["reason"] == "Đơn vị giải thể"
