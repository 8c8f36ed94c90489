"""What the council's pages compute before drawing: the pass rule in words and numbers, the
quorum as a count of members, whether a row passes, and lists grouped by form of award."""
from __future__ import annotations

from web.portal.award_groups import by_award
from web.portal.list_rows import Submission
from web.portal.votes_form import VotesForm, describe_rule

RULE = {"basis": "present", "threshold": 0.5, "quorum": 0.667, "members": 7}


def test_the_rule_is_said_with_the_quorum_as_a_number_of_members():
    assert describe_rule(RULE) == {"basis": "present", "atLeast": False, "threshold": "50", "quorum": "66.7",
                                   "members": 7, "needed": 5}  # 4/7 = 57 % < 66.7 % ≤ 5/7
    assert describe_rule({**RULE, "quorum": 0.5, "members": 8, "basis": "members", "atLeast": True})["needed"] == 4
    assert describe_rule({**RULE, "threshold": "x"}) is None and describe_rule({**RULE, "members": None}) is None


def test_each_row_says_whether_it_passes_once_it_can_be_judged():
    form = VotesForm([{"nomineeId": "a"}, {"nomineeId": "b"}, {"nomineeId": "c"}], RULE)
    typed = Submission([{"for": "3"}, {"for": "2"}, {"for": ""}], {"present": "4"})
    assert [form.row_passes(typed, i) for i in range(3)] == [True, False, None]  # 2 of 4 is not more than half
    assert form.quorum_state(typed) is False and form.quorum_state(Submission([], {"present": "5"})) is True
    assert form.row_passes(Submission([{"for": "9"}], {"present": "4"}), 0) is None  # more ballots than present
    at_least = VotesForm([{"nomineeId": "a"}], {**RULE, "atLeast": True})
    assert at_least.row_passes(Submission([{"for": "2"}], {"present": "4"}), 0) is True


def test_lists_are_grouped_by_award_in_the_plans_order_collectives_first():
    entries = [{"nomineeId": "1", "award": "giay_khen", "kind": "individual", "fullName": "Nguyễn Thị Lan"},
               {"nomineeId": "2", "award": "bang_khen", "kind": "individual", "fullName": "Lê Văn An"},
               {"nomineeId": "3", "award": "giay_khen", "kind": "collective", "fullName": "Phòng Tổng hợp"},
               {"nomineeId": "4", "award": "buc_truong", "kind": "collective", "fullName": "Phòng Kinh tế"},
               {"nomineeId": "5", "award": "giay_khen", "kind": "individual", "fullName": "Trần Văn An"}]
    groups = by_award(entries)
    assert [g["award"] for g in groups] == ["buc_truong", "bang_khen", "giay_khen"]
    assert [e["nomineeId"] for e in groups[2]["entries"]] == ["3", "5", "1"]  # collective; An < Lan
    assert by_award([]) == []
