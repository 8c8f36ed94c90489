"""The council's completion checks (bpmn/campaign.bpmn): `council_list` (Task_submit_council: the
list sent to the council is not empty) and `votes` (Task_vote: the meeting date, the members
present and each candidate's ballots must be possible under the meeting's pass rule, or the vote
is refused before the tally could fail on it as an incident).

The meeting's rule is `meetingRule` (the campaign's `passRule` over the council's size that day,
workflows/council.py) and `passRule` where no roster was taken. With a roster (`council`), the
members present are named (`presentMembers`) and `present` is their count.
"""
from __future__ import annotations

from typing import Any, Mapping

from engine.forms import FieldError
from engine.handlers import TaskCheckContext
from workflows.campaign_rules import VoteError, tally
from workflows.date_rules import day_of
from workflows.task_checks import field_error, refuse_if

COUNTS = ("for", "against", "abstain")
MESSAGES = {
    "meeting_date": ("Vui lòng nhập ngày họp Hội đồng (dd/mm/yyyy).", "Enter the date of the council's meeting."),
    "present_count": ("Số thành viên dự họp phải là số nguyên không âm.", "Members present must be a whole number."),
    "more_than_members": ("Số thành viên dự họp ({present}) không được nhiều hơn số thành viên Hội đồng ({members}).",
                          "Members present ({present}) cannot exceed the council's {members} members."),
    "ballots_over_present": ("Tổng số phiếu của {nominee} ({total}) nhiều hơn số thành viên dự họp ({present}).",
                             "{nominee} has {total} ballots, more than the {present} members present."),
    "votes_invalid": ("Kết quả biểu quyết không hợp lệ: {problem}.", "The vote is not valid: {problem}."),
    "present_members": ("Vui lòng đánh dấu các thành viên Hội đồng dự họp.", "Mark the council members present."),
    "unknown_member": ("'{member}' không phải thành viên Hội đồng.", "'{member}' is not a member of the council."),
    "member_twice": ("Thành viên {member} được ghi hai lần.", "Member {member} is given twice."),
    "present_mismatch": ("Số thành viên dự họp ({present}) khác số thành viên được đánh dấu có mặt ({marked}).",
                         "Members present ({present}) differs from the {marked} members marked present."),
    "no_candidates": ("Danh sách đề nghị trống: không có người, tập thể nào để trình Hội đồng.",
                      "The list is empty: there is nobody to submit to the council."),
}


def _error(field: str, code: str, **params: Any) -> FieldError:
    return field_error(field, code, MESSAGES, **params)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def rule_of(variables: Mapping[str, Any]) -> dict:
    """The pass rule of the meeting: the roster's (`meetingRule`), else the campaign's."""
    return dict(variables.get("meetingRule") or variables.get("passRule") or {})


def member_errors(present_members: Any, present: Any, roster: list) -> list[FieldError]:
    """With a roster, the members present are named, each a member once, and counted in `present`."""
    if not isinstance(present_members, list) or not all(isinstance(m, str) for m in present_members):
        return [_error("presentMembers", "present_members")]
    names = {m.get("staffId"): m.get("fullName") or m.get("staffId") for m in roster}
    errors, seen = [], set()
    for member in present_members:
        if member not in names:
            errors.append(_error("presentMembers", "unknown_member", member=member))
        elif member in seen:
            errors.append(_error("presentMembers", "member_twice", member=names[member]))
        seen.add(member)
    if not errors and _whole(present) and present != len(present_members):
        errors.append(_error("present", "present_mismatch", present=present, marked=len(present_members)))
    return errors


def vote_errors(values: dict, candidates: list, pass_rule: dict, roster: list | None = None) -> list[FieldError]:
    errors = []
    if day_of(values.get("meetingDate")) is None:
        errors.append(_error("meetingDate", "meeting_date"))
    present, members = values.get("present"), (pass_rule or {}).get("members")
    if not _whole(present):
        return errors + [_error("present", "present_count")]
    if _whole(members) and present > members:
        return errors + [_error("present", "more_than_members", present=present, members=members)]
    if roster:
        member_problems = member_errors(values.get("presentMembers"), present, roster)
        if member_problems:
            return errors + member_problems
    names = {c.get("nomineeId"): c.get("fullName") or c.get("nomineeId") for c in candidates}
    votes = values.get("votes") if isinstance(values.get("votes"), list) else []
    for index, vote in enumerate(votes):
        counts = [vote.get(k, 0) for k in COUNTS] if isinstance(vote, dict) else []
        if counts and all(_whole(c) for c in counts) and sum(counts) > present:
            errors.append(_error(f"votes-{index}-for", "ballots_over_present", total=sum(counts), present=present,
                                 nominee=names.get(vote.get("nomineeId"), vote.get("nomineeId"))))
    if not errors:
        try:
            tally(candidates, votes, present, pass_rule)
        except (VoteError, AttributeError, TypeError) as err:
            errors.append(_error("votes", "votes_invalid", problem=str(err)))
    return errors


def check_votes(ctx: TaskCheckContext) -> None:
    values = {k: ctx.values.get(k, ctx.variables.get(k)) for k in ("meetingDate", "present", "presentMembers", "votes")}
    refuse_if(vote_errors(values, ctx.variables.get("candidates") or [], rule_of(ctx.variables),
                          ctx.variables.get("council") or []))


def check_council_list(ctx: TaskCheckContext) -> None:
    """Nothing to vote on is not a meeting: an empty list cannot be submitted to the council."""
    if not ctx.variables.get("candidates"):
        refuse_if([_error("candidates", "no_candidates")])


CHECKS = {"votes": check_votes, "council_list": check_council_list}
