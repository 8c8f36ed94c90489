"""bpmn/eligibility.dmn, driven through real process instances of tests/fixtures/eligibility_check.bpmn.

The Bằng khen rule for an individual (DOMAIN.md): at least 10 years at the Office, no discipline in
those 10 years, every yearly rating "good" or better; otherwise the case goes to the Chairman's
discretion with the reason of the first failing condition (years, then discipline, then rating).

"Exactly 10 years since the discipline" counts as clean: yearsSinceDiscipline is in whole years
completed, so 10 means the action is at least 10 full years old, i.e. before the 10-year window.
"""
from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from engine.errors import DeploymentError, NotFoundError
from tests.conftest import fixture_bytes
from workflows.pending_cases import CASE_TEXTS, case_text

DMN = Path(__file__).parent.parent / "bpmn" / "eligibility.dmn"

REASONS = {
    "ok": "Đủ điều kiện",
    "years_below_10": "Chưa đủ 10 năm công tác tại Văn phòng",
    "discipline_within_10": "Bị kỷ luật trong 10 năm gần đây",
    "rating_below_good": "Có năm xếp loại dưới mức Hoàn thành tốt nhiệm vụ",
    "collective_only": "Bức trướng chỉ dành cho tập thể",
    "unknown_case": "Đối tượng hoặc hình thức khen thưởng không hợp lệ",
    "years_missing": "Thiếu thông tin số năm công tác tại Văn phòng",
}
COUNCIL = (True, "council", "ok")
DISCRETION = "chairman_discretion"


def deploy(engine, dmn: bytes | None = None):
    return engine.repository.deploy([("eligibility_check.bpmn", fixture_bytes("eligibility_check.bpmn")),
                                     ("eligibility.dmn", DMN.read_bytes() if dmn is None else dmn)])


def nominee(kind="individual", award="bang_khen", years=12, discipline=None, rating="good", missing=None,
            pending=None, same=None) -> dict:
    """A nominee who meets every Bằng khen condition, unless told otherwise."""
    return {"nomineeKind": kind, "award": award, "yearsAtOffice": years,
            "yearsSinceDiscipline": discipline, "worstRatingLast10": rating, "missingRatingYears": missing,
            "pendingCase": pending, "pendingCaseText": case_text(pending) if pending else None,
            "sameAwardInCampaign": same}


def decide(engine, variables: dict) -> dict:
    instance = engine.runtime.start_process_by_key("eligibility_check", variables)
    assert instance.status == "completed", instance
    return engine.runtime.get_variables(instance.id)


@pytest.mark.parametrize("variables, expected", [
    # years at the Office: 10 is enough
    pytest.param(nominee(years=9), (False, DISCRETION, "years_below_10"), id="years-9"),
    pytest.param(nominee(years=10), COUNCIL, id="years-10"),
    pytest.param(nominee(years=11), COUNCIL, id="years-11"),
    # years since the latest discipline (None: never disciplined); exactly 10 is outside the window
    pytest.param(nominee(discipline=0), (False, DISCRETION, "discipline_within_10"), id="discipline-this-year"),
    pytest.param(nominee(discipline=9), (False, DISCRETION, "discipline_within_10"), id="discipline-9"),
    pytest.param(nominee(discipline=10), COUNCIL, id="discipline-exactly-10"),
    pytest.param(nominee(discipline=11), COUNCIL, id="discipline-11"),
    pytest.param(nominee(discipline=None), COUNCIL, id="discipline-none"),
    # the worst yearly rating of the last 10 years
    pytest.param(nominee(rating="excellent"), COUNCIL, id="rating-excellent"),
    pytest.param(nominee(rating="good"), COUNCIL, id="rating-good"),
    pytest.param(nominee(rating="completed"), (False, DISCRETION, "rating_below_good"), id="rating-completed"),
    pytest.param(nominee(rating="not_completed"), (False, DISCRETION, "rating_below_good"),
                 id="rating-not-completed"),
    # the first failing condition gives the reason: years, then discipline, then rating
    pytest.param(nominee(years=8, discipline=3), (False, DISCRETION, "years_below_10"), id="first-years"),
    pytest.param(nominee(years=8, discipline=3, rating="not_completed"), (False, DISCRETION, "years_below_10"),
                 id="first-years-of-three"),
    pytest.param(nominee(years=15, discipline=3, rating="completed"), (False, DISCRETION, "discipline_within_10"),
                 id="first-discipline"),
    # Bức trướng is for collectives only
    pytest.param(nominee(award="buc_truong"), (False, "not_eligible", "collective_only"), id="banner-individual"),
    pytest.param(nominee(kind="collective", award="buc_truong", years=None), COUNCIL, id="banner-collective"),
    # Giấy khen and collectives go to the council: their criteria are judged by people
    pytest.param(nominee(award="giay_khen", years=2, discipline=1, rating="completed"), COUNCIL,
                 id="giay-khen-2-years-recent-discipline"),
    pytest.param(nominee(kind="collective", years=1, discipline=0, rating="not_completed"), COUNCIL,
                 id="collective-bang-khen"),
    pytest.param({"nomineeKind": "collective", "award": "giay_khen"}, COUNCIL, id="collective-without-person-data"),
    # a value the table does not know is reported, not left without a result
    pytest.param(nominee(award="bang-khen"), (False, "not_eligible", "unknown_case"), id="unknown-award"),
])
def test_eligibility(engine, variables, expected):
    deploy(engine)
    result = decide(engine, variables)
    eligible, route, code = expected
    assert (result["eligible"], result["route"], result["reasonCode"]) == (eligible, route, code)
    assert result["reason"] == REASONS[code]
    assert unicodedata.is_normalized("NFC", result["reason"])


@pytest.mark.parametrize("variables, reason", [
    pytest.param(nominee(missing="2019"), "Thiếu kết quả đánh giá năm 2019", id="one-year-missing"),
    pytest.param(nominee(rating=None, missing="2015, 2016"), "Thiếu kết quả đánh giá năm 2015, 2016",
                 id="no-rating-at-all"),
    # a gap is reported before any other condition: nothing is decided on an incomplete record
    pytest.param(nominee(years=8, rating="completed", missing="2020"), "Thiếu kết quả đánh giá năm 2020",
                 id="missing-before-years"),
])
def test_a_missing_rating_is_not_eligible_with_the_year(engine, variables, reason):
    deploy(engine)
    result = decide(engine, variables)
    assert (result["eligible"], result["route"], result["reasonCode"]) == (False, "not_eligible", "rating_missing")
    assert result["reason"] == reason
    assert unicodedata.is_normalized("NFC", result["reason"])


@pytest.mark.parametrize("kind, reason", [
    ("discipline_review", "Không xét khen thưởng: đang bị xem xét kỷ luật"),
    ("investigation", "Không xét khen thưởng: đang bị điều tra"),
    ("inspection", "Không xét khen thưởng: đang bị thanh tra, kiểm tra"),
    ("complaint", "Không xét khen thưởng: đang có khiếu nại chưa được giải quyết"),
    ("denunciation", "Không xét khen thưởng: đang có tố cáo chưa được giải quyết"),
])
def test_an_open_case_blocks_the_nomination_before_any_other_rule(engine, kind, reason):
    assert set(CASE_TEXTS) == {"discipline_review", "investigation", "inspection", "complaint", "denunciation"}
    deploy(engine)
    # Whatever the award and however good the record, and before a missing rating or short service.
    for variables in (nominee(pending=kind), nominee(award="giay_khen", pending=kind),
                      nominee(years=3, missing="2019", pending=kind), nominee(award="buc_truong", pending=kind)):
        result = decide(engine, variables)
        assert (result["eligible"], result["route"], result["reasonCode"]) == (False, "blocked", "pending_case")
        assert result["reason"] == reason and unicodedata.is_normalized("NFC", result["reason"])


def test_a_collective_is_not_blocked_by_personal_facts(engine):
    deploy(engine)
    # A collective's facts are None; even a stray value is not read for it.
    result = decide(engine, nominee(kind="collective", award="giay_khen", pending="complaint"))
    assert (result["eligible"], result["route"], result["reasonCode"]) == COUNCIL


@pytest.mark.parametrize("award, reason", [
    ("bang_khen", "Đã được tặng Bằng khen của Chủ tịch UBND tỉnh trong đợt thi đua này"),
    ("giay_khen", "Đã được tặng Giấy khen của Chánh Văn phòng trong đợt thi đua này"),
])
def test_the_same_award_twice_in_one_campaign_is_not_eligible(engine, award, reason):
    deploy(engine)
    result = decide(engine, nominee(award=award, same=True))
    assert (result["eligible"], result["route"], result["reasonCode"]) == (False, "not_eligible",
                                                                            "same_award_in_campaign")
    assert result["reason"] == reason
    # Not yet awarded (False), or no campaign to compare with (None): the usual rules decide.
    for same in (False, None):
        assert (decide(engine, nominee(award=award, same=same))["route"]) == "council"
    # An open case weighs more than the history.
    assert decide(engine, nominee(award=award, same=True, pending="inspection"))["route"] == "blocked"


def test_missing_years_at_the_office_is_not_eligible(engine):
    deploy(engine)
    result = decide(engine, nominee(years=None))
    assert (result["eligible"], result["route"], result["reasonCode"]) == (False, "not_eligible", "years_missing")
    assert result["reason"] == REASONS["years_missing"]


def test_deployed_as_decision_eligibility(engine):
    result = deploy(engine)
    assert [d.key for d in result.decisions] == ["eligibility"]
    assert [p.key for p in result.processes] == ["eligibility_check"]
    text = DMN.read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", text)
    assert 'hitPolicy="FIRST"' in text and 'name="Điều kiện khen thưởng"' in text


@pytest.mark.parametrize("typo", ["=> 10", ">= 10 năm", "≥ 10", "[10.."],
                         ids=["arrow", "unit-word", "math-sign", "open-interval"])
def test_mistyped_cell_is_refused_at_deployment(engine, typo):
    text = DMN.read_text(encoding="utf-8")
    cell = "<text>&gt;= 10</text>"  # the years cell of Rule_ok
    assert text.count(cell) == 1
    bad = text.replace(cell, f"<text>{typo.replace('>', '&gt;')}</text>").encode()
    with pytest.raises(DeploymentError) as caught:
        deploy(engine, bad)
    [problem] = caught.value.problems
    assert (problem.file, problem.element_id) == ("eligibility.dmn", "In_ok_yearsAtOffice")
    assert problem.line == text[:text.index('<inputEntry id="In_ok_yearsAtOffice">')].count("\n") + 1
    assert "eligibility.dmn" in str(caught.value) and "In_ok_yearsAtOffice" in str(caught.value)
    assert typo in str(caught.value)
    with pytest.raises(NotFoundError):  # nothing was stored, not even the process
        engine.runtime.start_process_by_key("eligibility_check", nominee())


def test_unknown_name_in_a_cell_fails_the_instance_not_the_deployment(engine):
    """`>= ten` is valid FEEL (a comparison with a variable named ten), so deployment cannot refuse it;
    the first instance that reaches the cell stops with an incident naming the expression."""
    text = DMN.read_text(encoding="utf-8").replace("<text>&gt;= 10</text>", "<text>&gt;= ten</text>")
    deploy(engine, text.encode())
    instance = engine.runtime.start_process_by_key("eligibility_check", nominee())
    assert instance.status == "incident"
    assert ">= ten" in instance.incident_message
