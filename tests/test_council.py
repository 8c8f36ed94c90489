"""The council as data (workflows/council.py) and its meeting in bpmn/campaign.bpmn: the roster taken
when the meeting opens, the members present, the quorum over the council's size that day, and the
list that cannot go to the council empty. Both databases, through the engine's own completion."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.forms.submission import FormValidationError
from tests.test_campaign import (  # noqa: F401  (fixtures)
    AN, LAN, MEETING, NOMINATIONS, VARIABLES, Campaign, campaign_engine, clock, refused, run_units, snapshot)
from workflows.council import Council, CouncilError, meeting_rule, sync_group
from workflows.models import CouncilMember
from workflows.staff_directory import Staff, StaffDirectory

PEOPLE = [  # id, name, unit, active
    ("minhtb", "Trần Bình Minh", "lanh_dao", True),
    ("hatp", "Phạm Thu Hà", "tchcqt", True),
    ("hungnv", "Nguyễn Văn Hùng", "tong_hop", True),
    ("cuongdm", "Đỗ Mạnh Cường", "kinh_te", True),
    ("anhhd", "Hoàng Đức Anh", "tong_hop", True),
    ("cudl", "Lê Văn Cũ", "tong_hop", False),
]
COUNCIL = [("hungnv", "member"), ("minhtb", "chair"), ("cuongdm", "member"), ("hatp", "secretary")]


@pytest.fixture
def council(campaign_engine) -> Council:
    directory = StaffDirectory(campaign_engine.context.db)
    for code in ("lanh_dao", "tchcqt", "tong_hop", "kinh_te"):
        directory.upsert_unit(code, code.replace("_", " ").title(), "phong")
    directory.save([Staff(i, name, unit, date(2005, 1, 1), active=active) for i, name, unit, active in PEOPLE])
    return Council(campaign_engine.context.db)


def rows(engine) -> int:
    with Session(engine.context.db) as session:
        return session.scalar(select(func.count()).select_from(CouncilMember))


# --- the council as data ----------------------------------------------------------------------

def test_the_council_is_listed_chair_secretary_then_members_by_given_name(council):
    seats = council.set_members(COUNCIL)
    # Cường < Hùng: members by given name, after the chair and the secretary.
    assert [(s.staff_id, s.role) for s in seats] == [("minhtb", "chair"), ("hatp", "secretary"),
                                                     ("cuongdm", "member"), ("hungnv", "member")]
    assert [s.full_name for s in council.members()] == ["Trần Bình Minh", "Phạm Thu Hà", "Đỗ Mạnh Cường",
                                                        "Nguyễn Văn Hùng"]
    # Setting it again replaces it, as a new appointing decision does.
    assert [s.staff_id for s in council.set_members([("hungnv", "chair")])] == ["hungnv"]


@pytest.mark.parametrize("assignments, expected", [
    ([], "ít nhất một thành viên"),
    ([("hatp", "member")], "đúng một Chủ tịch (đang có 0)"),
    ([("minhtb", "chair"), ("hatp", "chair")], "exactly one chair (2 given)"),
    ([("minhtb", "chair"), ("hatp", "secretary"), ("hungnv", "secretary")], "nhiều nhất một Ủy viên thư ký"),
    ([("minhtb", "chair"), ("nobody", "member")], "Không có cán bộ 'nobody'"),
    ([("minhtb", "chair"), ("cudl", "member")], "Lê Văn Cũ không còn công tác"),
    ([("minhtb", "chair"), ("hatp", "boss")], "'boss' is not a council role"),
    ([("minhtb", "chair"), ("hatp", "member"), ("hatp", "secretary")], "Phạm Thu Hà được ghi hai lần"),
], ids=["empty", "no-chair", "two-chairs", "two-secretaries", "unknown", "inactive", "bad-role", "twice"])
def test_a_bad_council_is_refused_in_both_languages_and_changes_nothing(campaign_engine, council, assignments,
                                                                       expected):
    council.set_members(COUNCIL)
    with pytest.raises(CouncilError) as refused_council:
        council.set_members(assignments)
    assert any(expected in problem for problem in refused_council.value.problems), refused_council.value.problems
    assert all(" / " in problem for problem in refused_council.value.problems)  # Vietnamese / English
    assert rows(campaign_engine) == 4 and [s.staff_id for s in council.members()][0] == "minhtb"


def test_the_council_group_follows_the_council(campaign_engine, council):
    identity = campaign_engine.identity
    identity.ensure_group("council", "Hội đồng TĐKT", "role")
    for user_id, name, _, _ in PEOPLE[:5]:
        identity.create_user(user_id, name, groups=["council"] if user_id == "anhhd" else [])
    assert sync_group(identity, council.set_members(COUNCIL)) == []
    assert identity.members("council") == ["cuongdm", "hatp", "hungnv", "minhtb"]  # anhhd left it
    assert sync_group(identity, council.set_members([("minhtb", "chair"), ("anhhd", "member")])) == []
    assert identity.members("council") == ["anhhd", "minhtb"]


def test_the_meeting_rule_counts_the_council_of_the_day():
    rule = {"basis": "present", "threshold": 0.5, "quorum": 0.667, "members": 7}
    assert meeting_rule(rule, [{"staffId": "a"}, {"staffId": "b"}, {"staffId": "c"}]) == {**rule, "members": 3}
    assert meeting_rule(rule, []) == rule  # no council recorded: the campaign's count stands


# --- the meeting ------------------------------------------------------------------------------

def votes_for(campaign, ballots: int) -> list[dict]:
    return [{"nomineeId": c["nomineeId"], "for": ballots, "against": 0, "abstain": 0}
            for c in campaign.variables()["candidates"]]


def test_the_meeting_takes_the_council_as_it_is_that_day(campaign_engine, clock, council):
    council.set_members(COUNCIL)  # 4 members; the campaign's passRule still says 7
    campaign = Campaign(campaign_engine, clock)
    run_units(campaign, NOMINATIONS)
    campaign.to_council()
    variables = campaign.variables()
    assert [m["staffId"] for m in variables["council"]] == ["minhtb", "hatp", "cuongdm", "hungnv"]
    assert variables["council"][0] == {"staffId": "minhtb", "fullName": "Trần Bình Minh", "role": "chair",
                                       "unit": "lanh_dao"}
    assert variables["meetingRule"] == {**VARIABLES["passRule"], "members": 4}
    assert variables["passRule"] == VARIABLES["passRule"]  # the campaign's setting is kept as it was
    # 2 of 4 is below the quorum of 0.667: the council meets again, with the council of that day.
    campaign.complete("Task_vote", {"meetingDate": MEETING, "presentMembers": ["minhtb", "hatp"], "present": 2,
                                    "votes": votes_for(campaign, 2)})
    assert campaign.variables()["quorumReached"] is False
    council.set_members(COUNCIL[1:])  # a member left the council: 3 members now
    assert campaign.variables()["meetingRule"]["members"] == 4  # taken when the meeting opened
    campaign.complete("Task_vote", {"meetingDate": MEETING, "presentMembers": ["minhtb", "hatp"], "present": 2,
                                    "votes": votes_for(campaign, 2)})
    assert campaign.variables()["meetingRule"]["members"] == 3
    campaign.complete("Task_vote", {"meetingDate": MEETING, "presentMembers": ["minhtb", "hatp", "cuongdm"],
                                    "present": 3, "votes": votes_for(campaign, 3)})
    variables = campaign.variables()
    assert variables["quorumReached"] is True and variables["presentMembers"] == ["minhtb", "hatp", "cuongdm"]
    assert {a["nomineeId"]: a["votes"]["for"] for a in variables["awardees"]} == {
        "tong_hop:nom-tong_hop": 3, "kinh_te:nom-an": 3, "tong_hop:nom-lan": 3}


@pytest.mark.parametrize("values, expected", [
    ({"presentMembers": ["minhtb", "ghost"], "present": 2}, [("presentMembers", "unknown_member")]),
    ({"presentMembers": ["minhtb", "minhtb"], "present": 2}, [("presentMembers", "member_twice")]),
    ({"presentMembers": ["minhtb", "hatp", "hungnv"], "present": 2}, [("present", "present_mismatch")]),
    ({"presentMembers": None, "present": 3}, [("presentMembers", "present_members")]),
    ({"presentMembers": ["minhtb", "hatp", "hungnv", "cuongdm"], "present": 5}, [("present", "more_than_members")]),
    ({"presentMembers": ["minhtb", "hatp", "hungnv"], "present": 3, "ballots": 4}, [("votes-0-for", "ballots_over_present")]),
], ids=["unknown-member", "member-twice", "count-differs", "nobody-named", "present-over-members", "ballots-over-present"])
def test_an_impossible_meeting_is_refused_in_both_languages_and_changes_nothing(campaign_engine, clock, council,
                                                                               values, expected):
    council.set_members(COUNCIL)
    campaign = Campaign(campaign_engine, clock)
    run_units(campaign, NOMINATIONS)
    campaign.to_council()
    values = dict(values)  # the parameters are shared by both databases' runs
    ballots = values.pop("ballots", values["present"])
    errors = refused(campaign, "Task_vote", {"meetingDate": MEETING, "votes": votes_for(campaign, ballots), **values})
    assert [(field, code) for field, code, _ in errors][:1] == expected
    assert all(" / " in message for _, _, message in errors)
    assert campaign.open_tasks() == ["Task_vote"] and campaign.status() == "active"


def test_an_empty_list_cannot_go_to_the_council_and_nothing_changes(campaign_engine, clock, council):
    campaign = Campaign(campaign_engine, clock)
    run_units(campaign, {"tong_hop": [], "kinh_te": []})
    assert campaign.variables()["candidates"] == []
    [(field, code, message)] = refused(campaign, "Task_submit_council",
                                       {"submittedOn": "2025-08-10"})
    assert (field, code) == ("candidates", "no_candidates")
    assert message == ("Danh sách đề nghị trống: không có người, tập thể nào để trình Hội đồng. / "
                       "The list is empty: there is nobody to submit to the council.")
    assert campaign.open_tasks() == ["Task_submit_council"]


def test_with_candidates_the_list_goes_to_the_council(campaign_engine, clock, council):
    campaign = Campaign(campaign_engine, clock)
    run_units(campaign, {"tong_hop": [LAN], "kinh_te": [AN]})
    before = snapshot(campaign)
    campaign.to_council()
    assert snapshot(campaign) != before and campaign.open_tasks() == ["Task_vote"]
    assert campaign.variables()["council"] == []  # no council recorded: the campaign's passRule applies
    with pytest.raises(FormValidationError):
        campaign.complete("Task_vote", {"meetingDate": MEETING, "present": 8, "votes": votes_for(campaign, 8)})
