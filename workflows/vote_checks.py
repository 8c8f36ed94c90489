"""The completion check `votes` of the council's vote (bpmn/campaign.bpmn, Task_vote): the meeting
date, the members present and each candidate's ballots must be possible under the campaign's
pass rule, or the vote is refused before the tally could fail on it as an incident."""
from __future__ import annotations

from typing import Any

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
}


def _error(field: str, code: str, **params: Any) -> FieldError:
    return field_error(field, code, MESSAGES, **params)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def vote_errors(values: dict, candidates: list, pass_rule: dict) -> list[FieldError]:
    errors = []
    if day_of(values.get("meetingDate")) is None:
        errors.append(_error("meetingDate", "meeting_date"))
    present, members = values.get("present"), (pass_rule or {}).get("members")
    if not _whole(present):
        return errors + [_error("present", "present_count")]
    if _whole(members) and present > members:
        return errors + [_error("present", "more_than_members", present=present, members=members)]
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
    values = {k: ctx.values.get(k, ctx.variables.get(k)) for k in ("meetingDate", "present", "votes")}
    refuse_if(vote_errors(values, ctx.variables.get("candidates") or [], ctx.variables.get("passRule") or {}))


CHECKS = {"votes": check_votes}
