"""The instance page's "Đánh giá quyết định (DMN)" section: each decision a business rule task
evaluated, with the inputs it read, the matched rule and its outputs (the eligibility reasons),
in Vietnamese and English, for those who see all of the instance's variables."""
from __future__ import annotations

import re
import unicodedata

import pytest

from tests.conftest import fixture_bytes
from tests.portal.conftest import UNIT_A
from tests.test_eligibility import nominee


def section(page: str) -> str:
    found = re.search(r'<section id="decision-evaluations">.*?</section>', page, re.S)
    assert found, "no decision section"
    return found.group(0)


@pytest.fixture
def checked(portal):
    """An eligibility check of a nominee of unit A who lacks years at the Office."""
    portal.engine.repository.deploy([("eligibility_check.bpmn", fixture_bytes("eligibility_check.bpmn"))])
    return portal.engine.runtime.start_process_by_key(
        "eligibility_check", {**nominee(years=7), "unit": UNIT_A}, actor="chief").id


@pytest.mark.parametrize("language, words", [
    ("vi", ["Đánh giá quyết định (DMN)", "Dữ liệu đầu vào", "Quy tắc", "khớp", "Điều kiện khen thưởng",
            "Số năm công tác tại Văn phòng", "Lý do", "Chưa đủ 10 năm công tác tại Văn phòng", "Không",
            "Cá nhân", "Hoàn thành tốt nhiệm vụ", "Chủ tịch xem xét"]),
    ("en", ["Decision evaluations", "Inputs", "Rule", "matched", "Chưa đủ 10 năm công tác tại Văn phòng", "No",
            "Individual", "Good", "discretion"]),
])
def test_the_eligibility_reasons_are_shown(portal, checked, language, words):
    client = portal.login("officer")
    client.post("/language", {"language": language})
    page = client.get(f"/instances/{checked}").get_data(as_text=True)
    shown = section(page)
    assert unicodedata.is_normalized("NFC", shown)
    for word in words:
        assert word in shown, word
    assert 'data-decision="Điều kiện khen thưởng"' in shown
    # Coded values by their office names; the reason's code steers the process and is left out.
    for code in ("individual", "bang_khen", "years_below_10", "chairman_discretion"):
        assert code not in shown, code
    # The one matched rule of the FIRST table, and the step that evaluated it.
    assert len(re.findall(r'class="small decision-rule"', shown)) == 1
    assert "Kiểm tra điều kiện khen thưởng" in shown


def test_the_unit_head_sees_it_and_a_staff_member_does_not(portal, checked):
    assert "decision-evaluations" in portal.login("head_a").get(f"/instances/{checked}").get_data(as_text=True)
    page = portal.login("lan").get(f"/instances/{checked}")
    assert page.status_code == 200 and "decision-evaluations" not in page.get_data(as_text=True)


def test_no_section_without_evaluations(portal):
    page = portal.login("officer").get(f"/instances/{portal.units[UNIT_A]}").get_data(as_text=True)
    assert "decision-evaluations" not in page
