"""The instance page: current steps, history with names and office times, the variables each person
may see, attachments, and the diagram XML behind a permission check."""
from __future__ import annotations

import re

import pytest

from tests.portal.conftest import UNIT_A, UNIT_B


def variables_shown(page: str) -> set[str]:
    return set(re.findall(r' data-variable="([^"]+)"', page))


def history(page: str) -> str:
    return re.search(r'<ol class="timeline list-unstyled" id="history">.*?</ol>', page, re.S).group(0)


@pytest.mark.parametrize("language, words", [
    ("vi", ["Lịch sử xử lý", "Bắt đầu", "Hoàn thành", "Thông tin", "Tệp đính kèm"]),
    ("en", ["History", "Started", "Completed", "Information", "Attachments"]),
])
def test_history_with_names_and_office_times_in_both_languages(portal, language, words):
    portal.clock.now = portal.clock.now.replace(hour=14, minute=35)
    portal.complete("Task_deploy_plan", {"deployedOn": "2025-06-10"}, unit=UNIT_A, actor="head_a")
    client = portal.login("officer")
    client.post("/language", {"language": language})
    response = client.get(f"/instances/{portal.units[UNIT_A]}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert all(word in page for word in words)
    rows = history(page)
    # The call started the unit's instance at 08:00 on 6/6 (office time), by the Chief of Office.
    assert "06/06/2025 08:00" in rows and "Trần Bình Minh" in rows
    assert "06/06/2025 14:35" in rows and "Nguyễn Văn Hùng" in rows
    assert "Triển khai kế hoạch đến cán bộ, công chức" in rows
    assert 'data-element="Timer_campaign_end"' in page  # the current step
    assert f'href="/campaigns/{portal.campaign_id}?instance={portal.units[UNIT_A]}"' in page
    assert "Phòng Tổng hợp" in page


def test_office_roles_and_the_unit_head_see_every_variable_but_internal_ones(portal):
    portal.complete("Task_deploy_plan", {"deployedOn": "2025-06-10"}, unit=UNIT_A, actor="head_a")
    for user in ("officer", "head_a"):
        page = portal.login(user).get(f"/instances/{portal.units[UNIT_A]}").get_data(as_text=True)
        shown = variables_shown(page)
        assert {"deployedOn", "planNumber", "unitName", "unitReportDate"} <= shown, user
        assert "headGroup" not in shown
        assert 'id="variables-limited"' not in page
        assert "10/06/2025" in page  # a date variable, as the office writes it
        assert "05/08/2025 23:59" in page  # campaignEndsAt, a date and time
        assert "Ngày triển khai" in page and "Số kế hoạch" in page  # the form fields' labels


def test_a_staff_member_sees_the_general_data_and_own_input_only(portal):
    portal.complete("Task_deploy_plan", {"deployedOn": "2025-06-10"}, unit=UNIT_A, actor="head_a")
    page = portal.login("lan").get(f"/instances/{portal.units[UNIT_A]}").get_data(as_text=True)
    shown = variables_shown(page)
    assert {"planNumber", "campaignName", "unitReportDate"} <= shown
    assert "deployedOn" not in shown and "headGroup" not in shown
    assert 'id="variables-limited"' in page


def test_another_unit_gets_not_found_for_the_page_and_the_diagram(portal):
    client = portal.login("head_b")
    assert client.get(f"/instances/{portal.units[UNIT_A]}").status_code == 404
    assert client.get(f"/instances/{portal.units[UNIT_A]}/diagram.bpmn").status_code == 404
    assert client.get("/instances/no-such-instance").status_code == 404
    # The campaign's own instance is the office's, not a unit's.
    assert client.get(f"/instances/{portal.campaign_id}").status_code == 404
    assert client.get(f"/instances/{portal.units[UNIT_B]}").status_code == 200
    diagram = client.get(f"/instances/{portal.units[UNIT_B]}/diagram.bpmn")
    assert diagram.status_code == 200 and b"Task_deploy_plan" in diagram.data


def test_diagram_spec_marks_current_and_done_steps(portal):
    portal.complete("Task_deploy_plan", {"deployedOn": "2025-06-10"}, unit=UNIT_A, actor="head_a")
    page = portal.login("head_a").get(f"/instances/{portal.units[UNIT_A]}").get_data(as_text=True)
    spec = re.search(r"""data-diagram='([^']*)'""", page).group(1)
    assert "Timer_campaign_end" in spec and "Task_deploy_plan" in spec
    assert f"/instances/{portal.units[UNIT_A]}/diagram.bpmn" in spec


def test_attachments_are_listed(portal):
    portal.engine.attachments.add(portal.units[UNIT_A], "Biên bản họp bình xét.pdf", b"%PDF-1.4 test",
                                  actor="head_a")
    page = portal.login("head_a").get(f"/instances/{portal.units[UNIT_A]}").get_data(as_text=True)
    table = re.search(r'id="attachments">.*?</table>', page, re.S).group(0)
    assert "Biên bản họp bình xét.pdf" in table and "Nguyễn Văn Hùng" in table
    # Linked to the attachments page's download (checked there again) once that route exists.
    assert ("<a href=" in table) == ("attachments.download" in portal.app.view_functions)
    empty = portal.login("head_b").get(f"/instances/{portal.units[UNIT_B]}").get_data(as_text=True)
    assert "Chưa có tệp đính kèm." in empty


def test_values_as_people_read_them(portal):
    from web.portal.variable_view import scalar_text, shown
    appraisal = {"id": "appraisal", "options": [{"id": "accept", "name": "Chấp nhận"}]}
    with portal.app.test_request_context():
        assert scalar_text("accept", "appraisal", appraisal) == "Chấp nhận"
        assert scalar_text("2025-08-10") == "10/08/2025"
        assert scalar_text("2025-08-05T23:59:59+07:00") == "05/08/2025 23:59"
        assert scalar_text(True) == "Có" and scalar_text(None) == "—" and scalar_text(3) == "3"
        assert scalar_text("2025-08-10 là hạn") == "2025-08-10 là hạn"
        listed = shown("nominees", [{"fullName": "Nguyễn Thị Lan", "award": "bang_khen", "userId": "lan"}])
        assert listed.kind == "table" and listed.label == "Danh sách đề nghị của đơn vị"
        assert listed.value["columns"] == ["Họ và tên", "Hình thức khen thưởng"]  # userId is technical
        assert [cell.value for cell in listed.value["rows"][0]] == ["Nguyễn Thị Lan", "Bằng khen của Chủ tịch UBND tỉnh"]
