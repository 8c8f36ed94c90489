"""The instance page as office staff read it, on SQLite and PostgreSQL, over one campaign driven to the
units' appraisal: Phòng Tổng hợp accepted (its instance finished), Phòng Kinh tế returned with a reason.
Labels instead of code names, dates dd/mm/yyyy, Có/Không, lists as tables, the history as a timeline
with the decisions in it, and the raw JSON only in the designers' and admins' technical view."""
from __future__ import annotations

import html
import re
import unicodedata

import pytest

from tests.portal.conftest import UNIT_A, UNIT_B

LAN = {"id": "nom-lan", "kind": "individual", "userId": "lan", "fullName": "Nguyễn Thị Lan", "award": "bang_khen",
       "achievements": "Tham mưu tổ chức thành công lễ kỷ niệm"}
AN = {"id": "nom-an", "kind": "individual", "userId": "an", "fullName": "Lê Văn An", "award": "giay_khen",
      "achievements": "Hoàn thành tốt nhiệm vụ"}
REASON = "Thiếu minh chứng cho thành tích đã nêu"
# Code names a reader must not meet outside the technical view.
CODE_NAMES = ("checkedNominees", "deployedOn", "fullName", "nomineeId", "bang_khen", "giay_khen", "unitResults",
              "campaignEndsAt", "individual", "headGroup", "achievementReport", "appraisals", "userId")


@pytest.fixture(scope="module")
def office(module_portal_any_db):
    portal = module_portal_any_db
    heads = {UNIT_A: "head_a", UNIT_B: "head_b"}
    for unit, head in heads.items():
        portal.complete("Task_deploy_plan", {"deployedOn": "2025-06-10"}, unit=unit, actor=head)
    portal.end_campaign_period()
    for unit, nominee in ((UNIT_A, LAN), (UNIT_B, AN)):
        portal.complete("Task_nominate", {"nominees": [nominee], "unitResults": "Hoàn thành xuất sắc"},
                        unit=unit, actor=heads[unit])
        portal.complete("Task_achievement_report", {"achievementReport": "Báo cáo thành tích năm 2025."},
                        unit=unit, actor=nominee["userId"])
        portal.complete("Task_submit", {"reportedOn": "2025-08-07"}, unit=unit, actor=heads[unit])
    portal.appraise(UNIT_A)
    portal.appraise(UNIT_B, returns={"nom-an": REASON})
    return portal


def page_of(portal, user: str, unit: str, language: str = "vi") -> str:
    client = portal.login(user)
    if language != "vi":
        client.post("/language", {"language": language})
    response = client.get(f"/instances/{portal.units[unit]}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def readable_text(page: str) -> str:
    """What a reader sees outside the technical view: no scripts, styles or attributes."""
    page = page[page.find("<main"):] if "<main" in page else page
    page = re.sub(r'<details class="mt-3 small" id="technical-view">.*?</details>', "", page, flags=re.S)
    page = re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def history(page: str) -> str:
    return readable_text(re.search(r'<ol class="timeline[^"]*" id="history">.*?</ol>', page, re.S).group(0))


def test_the_finished_instance_reads_in_labels_dates_and_yes_no(office):
    assert office.engine.runtime.get_instance(office.units[UNIT_A]).status == "completed"
    page = page_of(office, "head_a", UNIT_A)
    assert unicodedata.is_normalized("NFC", page)
    text = readable_text(page)
    for label in ("Ngày triển khai", "Số kế hoạch", "Danh sách đề nghị của đơn vị", "Kết quả xét điều kiện",
                  "Họ và tên", "Hình thức khen thưởng", "Đủ điều kiện", "Thời điểm kết thúc thi đua"):
        assert label in text, label
    assert "Bằng khen của Chủ tịch UBND tỉnh" in text and "Cá nhân" in text
    assert "10/06/2025" in text and "05/08/2025 23:59" in text and "06/08/2025 08:00" in text
    assert "2025-06-10" not in text and "2025-08-05T" not in text
    assert re.search(r"<td>\s*Có\s*</td>", page)  # eligible, in the checked list's table
    for code in CODE_NAMES:
        assert code not in text, code
    # Lists of records are tables with a head row of labels; the long lists fold away.
    assert '<details class="variable-group small mb-2" data-variable="checkedNominees">' in page
    assert 'id="technical-view"' not in page and "&#34;checkedNominees&#34;" not in page


def test_the_timeline_tells_who_did_what_and_the_appraisal_with_its_reason(office):
    returned = history(page_of(office, "head_b", UNIT_B))
    assert "Phạm Thu Hà" in returned and "Thẩm định hồ sơ đề nghị của đơn vị" in returned
    assert re.search(r"Lê Văn An\s+Trả lại đơn vị\s+" + REASON, returned), returned
    assert "Trần Thị Bình" in returned and "Bình xét, đề xuất khen thưởng" in returned
    assert "Ngày triển khai: 10/06/2025" in re.sub(r"\s+", " ", returned)
    accepted = history(page_of(office, "officer", UNIT_A))
    assert re.search(r"Nguyễn Thị Lan\s+Chấp nhận", accepted) and "Kết thúc" in accepted


def test_in_english_yes_no_and_labels_follow_the_language(office):
    text = readable_text(page_of(office, "head_a", UNIT_A, "en"))
    assert "Full name" in text and "Eligible" in text and "Accepted" in text
    assert re.search(r">\s*Yes\s*<", page_of(office, "head_a", UNIT_A, "en"))
    assert "Individual" in text and "History" in text


def test_a_staff_member_sees_no_other_submissions_in_the_timeline(office):
    page = page_of(office, "lan", UNIT_A)
    text = readable_text(page)
    assert "Danh sách đề nghị của đơn vị" not in text and "Thẩm định từng đề nghị" not in text
    assert "Báo cáo thành tích năm 2025." in history(page)  # what she submitted herself
    assert 'id="technical-view"' not in page


@pytest.mark.parametrize("user, technical", [("head_a", False), ("officer", False), ("admin", True)])
def test_the_technical_view_is_for_designers_and_admins_only(office, user, technical):
    page = page_of(office, user, UNIT_A)
    assert ('<details class="mt-3 small" id="technical-view">' in page) == technical
    if technical:
        view = re.search(r'id="technical-view">.*?</details>', page, re.S).group(0)
        assert "&#34;checkedNominees&#34;" in view
        assert "Task_appraise" in view and "<script" not in view


def test_values_that_fit_no_shape_still_read(office):
    from web.portal.variable_view import scalar_text, shown, shown_variables
    with office.app.test_request_context():
        assert scalar_text("2025-13-45") == "2025-13-45"  # looks like a date, is not one
        assert scalar_text("") == "—" and scalar_text(False) == "Không"
        assert shown("tags", ["a", 2, None]).value == "a, 2, —"
        assert shown("mixed", [{"fullName": "A"}, 3]).kind == "text"
        assert shown("empty", []).value == "—"
        nested = shown("passRule", {"basis": "present", "threshold": 0.5, "extra": {"x": 1}})
        assert nested.kind == "record" and [e.label for e in nested.value] == ["Cách tính", "Tỷ lệ đạt", "extra"]
        assert nested.value[0].value == "Trên số có mặt" and nested.value[2].kind == "record"
        assert shown("note", "x" * 200).kind == "long" and shown("note", "a\nb").kind == "long"
        short, grouped = shown_variables({"unknownCode": "v", "headGroup": "head:x", "unit": "u"}, {})
        assert [(s.label, s.value) for s in short] == [("unknownCode", "v")] and grouped == []
        text = "Tie\u0302\u0301ng Vie\u0323\u0302t"  # decomposed, as some editors save it
        assert scalar_text(text) == unicodedata.normalize("NFC", text) == "Tiếng Việt"


def test_the_campaign_instance_names_the_council_its_votes_and_members(portal):
    from tests.portal.test_council_pages import _decided
    _decided(portal)
    page = portal.login("officer").get(f"/instances/{portal.campaign_id}").get_data(as_text=True)
    text = re.sub(r"\s+", " ", readable_text(page))
    meeting = re.sub(r"\s+", " ", history(page))
    assert "Hội đồng TĐKT biểu quyết" in meeting and "Ngày họp Hội đồng: 15/08/2025" in meeting
    assert "Thành viên có mặt: Nguyễn Văn Hùng, Phạm Thu Hà, Trần Thị Bình" in meeting
    assert "Tán thành Không tán thành Không biểu quyết" in meeting and "Nguyễn Thị Lan 3 0 0" in meeting
    assert "Chủ tịch Hội đồng" in text and "Đủ số thành viên dự họp Có" in text
    for code in ("tong_hop:nom-lan", "presentMembers", "staffId", "chair", "_issues", "head_a", "awardees"):
        assert code not in text, code
