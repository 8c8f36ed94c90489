"""workflows/campaign_rules.py: the pure rules behind the campaign's service tasks."""
from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from workflows import campaign_rules as rules

RULE = {"basis": "present", "threshold": 0.5, "quorum": 0.667, "members": 7}


# --- Vietnamese names ---------------------------------------------------------------------

def test_people_sort_by_given_name_then_middle_then_family_name():
    names = ["Nguyễn Thị Lan", "Trần Văn An", "Lê Thị Lan", "Phạm Minh", "Đỗ Văn Bình", "Hoàng Anh"]
    assert rules.sort_people(names) == [
        "Trần Văn An", "Hoàng Anh", "Đỗ Văn Bình", "Lê Thị Lan", "Nguyễn Thị Lan", "Phạm Minh"]


def test_sort_follows_the_vietnamese_alphabet():
    # u < ư and d < đ are different letters: Đ names come after every D name and before E, not
    # after Z as code points would put them.
    assert rules.sort_people(["Lê Văn Dũng", "Lê Văn Yên", "Lê Văn Dương", "Lê Văn Đức", "Lê Văn Em"]) == [
        "Lê Văn Dũng", "Lê Văn Dương", "Lê Văn Đức", "Lê Văn Em", "Lê Văn Yên"]
    assert rules.fold("Đặng Thị Ánh") == "dang thi anh"


def test_equal_folded_names_follow_vietnamese_letter_and_tone_order():
    # a < ă < â; tones: none < huyền < hỏi < ngã < sắc < nặng; d < đ.
    assert rules.sort_people(["Lê Tấn", "Lê Tân", "Lê Tăn", "Lê Tan"]) == ["Lê Tan", "Lê Tăn", "Lê Tân", "Lê Tấn"]
    assert rules.sort_people(["Lê Ma", "Lê Mạ", "Lê Má", "Lê Mà"]) == ["Lê Ma", "Lê Mà", "Lê Má", "Lê Mạ"]
    assert rules.sort_people(["Lê Đa", "Lê Da"]) == ["Lê Da", "Lê Đa"]


def test_decomposed_input_sorts_like_composed():
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Ánh")
    assert rules.person_sort_key(nfd)[:2] == rules.person_sort_key("Nguyễn Thị Ánh")[:2]


# --- consolidation ------------------------------------------------------------------------

def nominee(id_, kind, name, award, route="council", reason="Đủ điều kiện"):
    return {"id": id_, "kind": kind, "fullName": name, "award": award, "eligible": route == "council",
            "route": route, "reasonCode": "x", "reason": reason, "userId": id_}


def test_consolidate_keeps_council_and_chairman_cases_with_reasons_sorted():
    results = [
        {"unit": "tong_hop", "unitName": "Phòng Tổng hợp", "nominees": [
            nominee("lan", "individual", "Nguyễn Thị Lan", "bang_khen"),
            nominee("th", "collective", "Phòng Tổng hợp", "giay_khen")]},
        {"unit": "kinh_te", "unitName": "Phòng Kinh tế", "nominees": [
            nominee("minh", "individual", "Trần Văn Minh", "bang_khen", "chairman_discretion",
                    "Chưa đủ 10 năm công tác tại Văn phòng"),
            nominee("an", "individual", "Lê Văn An", "buc_truong", "not_eligible", "Bức trướng chỉ dành cho tập thể")]},
    ]
    out = rules.consolidate(results)
    assert [c["nomineeId"] for c in out["candidates"]] == ["tong_hop:th", "tong_hop:lan", "kinh_te:minh"]
    minh = out["candidates"][2]
    assert minh == {"nomineeId": "kinh_te:minh", "unit": "kinh_te", "unitName": "Phòng Kinh tế",
                    "kind": "individual", "userId": "minh", "fullName": "Trần Văn Minh", "award": "bang_khen",
                    "eligible": False, "route": "chairman_discretion", "reason": "Chưa đủ 10 năm công tác tại Văn phòng",
                    "appraisalNote": None, "criteria": None}
    assert [(c["nomineeId"], c["reason"]) for c in out["notEligible"]] == [
        ("kinh_te:an", "Bức trướng chỉ dành cho tập thể")]


def test_consolidate_of_nothing():
    assert rules.consolidate([]) == {"candidates": [], "notEligible": []}


# --- the pass rule ------------------------------------------------------------------------

def cand(id_, award="giay_khen"):
    return {"nomineeId": id_, "kind": "individual", "fullName": id_, "award": award}


def vote(id_, for_, against=0, abstain=0):
    return {"nomineeId": id_, "for": for_, "against": against, "abstain": abstain}


def test_threshold_over_members_present():
    out = rules.tally([cand("a"), cand("b", "bang_khen")], [vote("a", 4, 1), vote("b", 2, 3)], 5, RULE)
    assert out["quorumReached"] is True
    assert [(a["nomineeId"], a["award"], a["votes"]["for"]) for a in out["awardees"]] == [("a", "giay_khen", 4)]
    assert [(r["nomineeId"], r["reason"]) for r in out["rejected"]] == [("b", "Không đủ số phiếu tán thành")]


def test_threshold_over_all_members_is_stricter_than_over_those_present():
    # 3 of 5 present is 60 %, but 3 of 7 members is 43 %.
    assert rules.passes({**RULE, "basis": "present"}, 5, 3) is True
    assert rules.passes({**RULE, "basis": "members"}, 5, 3) is False
    assert rules.passes({**RULE, "basis": "members"}, 5, 4) is True


def test_a_tie_is_not_a_majority_unless_the_rule_says_at_least():
    assert rules.passes(RULE, 6, 3) is False
    assert rules.passes({**RULE, "atLeast": True}, 6, 3) is True
    assert rules.passes({**RULE, "threshold": 0.7, "atLeast": True}, 10, 7) is True  # exact: no float error


def test_quorum_not_reached_decides_nobody():
    out = rules.tally([cand("a")], [vote("a", 4)], 4, RULE)  # 4 of 7 < 2/3
    assert out == {"quorumReached": False, "awardees": [], "rejected": []}
    assert rules.quorum_reached(RULE, 5) is True
    assert rules.quorum_reached({**RULE, "quorum": 0}, 0) is True


def test_a_candidate_without_a_vote_is_not_awarded():
    out = rules.tally([cand("a"), cand("b")], [vote("a", 5)], 5, RULE)
    assert [r["reason"] for r in out["rejected"]] == ["Hội đồng chưa biểu quyết"]


@pytest.mark.parametrize("votes, present, rule, message", [
    ([vote("zz", 5)], 5, RULE, "not on the council's list"),
    ([vote("a", 5), vote("a", 5)], 5, RULE, "two votes"),
    ([vote("a", 4, 2)], 5, RULE, "6 ballots"),
    ([vote("a", 5)], 8, RULE, "the council has 7"),
    ([vote("a", -1)], 5, RULE, "whole number"),
    ([vote("a", 5)], 5, {**RULE, "basis": "everyone"}, "basis"),
    ([vote("a", 5)], 5, {**RULE, "threshold": 50}, "between 0 and 1"),
])
def test_inconsistent_votes_or_rules_are_errors(votes, present, rule, message):
    with pytest.raises(rules.VoteError, match=message):
        rules.tally([cand("a")], votes, present, rule)


# --- the announcement ---------------------------------------------------------------------

def test_announcement_lists_awardees_by_award_with_the_decisions():
    chief, chairman = {"decisionNumber": "125/QĐ-VPUB", "decisionDate": date(2025, 8, 20)}, \
        {"decisionNumber": "1520/QĐ-UBND", "decisionDate": "2025-08-25"}
    awarded = [
        {"kind": "individual", "fullName": "Nguyễn Thị Lan", "award": "giay_khen", "unitName": "Phòng Tổng hợp", **chief},
        {"kind": "collective", "fullName": "Phòng Kinh tế", "award": "buc_truong", "unitName": "Phòng Kinh tế",
         **chairman},
        {"kind": "individual", "fullName": "Lê Văn An", "award": "giay_khen", "unitName": "Phòng Kinh tế", **chief},
    ]
    text = rules.announcement("Đợt thi đua đặc biệt", "05/KH-VPUB", awarded)
    assert text.splitlines() == [
        "Kết quả khen thưởng Đợt thi đua đặc biệt (Kế hoạch số 05/KH-VPUB):",
        "Bức trướng của UBND tỉnh (Quyết định số 1520/QĐ-UBND ngày 25/08/2025):",
        "  1. Phòng Kinh tế",
        "Giấy khen của Chánh Văn phòng (Quyết định số 125/QĐ-VPUB ngày 20/08/2025):",
        "  1. Lê Văn An – Phòng Kinh tế",
        "  2. Nguyễn Thị Lan – Phòng Tổng hợp",
    ]
    assert unicodedata.is_normalized("NFC", text)


def test_announcement_without_awardees():
    assert rules.announcement("Đợt", "05/KH-VPUB", []).endswith("Không có tập thể, cá nhân được khen thưởng.")
