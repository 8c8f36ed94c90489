"""`formKey="thidua:votes"`: the council's meeting (bpmn/campaign.bpmn, Task_vote).

The members come from the roster taken when the meeting opened (`council`, workflows/council.py):
one "present" box each; `present` is their count and `presentMembers` their ids. An Office that
has not recorded its council (an empty roster) types the number present, as before. Beside the
tally the meeting's pass rule (`meetingRule`, else the campaign's `passRule`) is said in words,
with the quorum as a number of members, and each row says whether it passes with the ballots
typed. The completion check `votes` (workflows/vote_checks.py) judges the same for REST clients.
"""
from __future__ import annotations

from fractions import Fraction
from math import ceil
from typing import Any, Mapping

from web.portal.i18n import translate
from web.portal.list_rows import ROW_FIELD, ListFormInvalid, Submission, iso_day, posted_rows, text_of, vn_day
from workflows.campaign_rules import VoteError, passes
from workflows.vote_checks import rule_of

COUNTS = ("for", "against", "abstain")


def _count(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) <= 4 else None


def _percent(value: Fraction) -> str:
    return f"{float(value) * 100:.1f}".rstrip("0").rstrip(".")


def describe_rule(rule: Mapping[str, Any]) -> dict | None:
    """The pass rule as the page says it; None when the campaign gave none that can be read."""
    try:
        members = rule.get("members")
        threshold, quorum = Fraction(str(rule.get("threshold"))), Fraction(str(rule.get("quorum", 0)))
    except (ValueError, ZeroDivisionError):
        return None
    if not isinstance(members, int) or isinstance(members, bool) or members < 0:
        return None
    return {"basis": "members" if rule.get("basis") == "members" else "present", "atLeast": bool(rule.get("atLeast")),
            "threshold": _percent(threshold), "quorum": _percent(quorum), "members": members,
            "needed": ceil(quorum * members)}


class VotesForm:
    key = "thidua:votes"
    template = "portal/_form_votes.html"

    def __init__(self, candidates: list[dict], rule: Mapping[str, Any], roster: list[dict] | None = None) -> None:
        self.candidates = list(candidates or [])
        self.rule = dict(rule or {})
        self.roster = list(roster or [])
        members = self.rule.get("members")
        self.members = members if isinstance(members, int) and not isinstance(members, bool) else None
        self.rule_text = describe_rule(self.rule)

    def initial(self, variables: Mapping[str, Any]) -> Submission:
        by_id = {v.get("nomineeId"): v for v in variables.get("votes") or []}
        rows = [{k: str(by_id.get(c["nomineeId"], {}).get(k, "")) for k in COUNTS} for c in self.candidates]
        present = variables.get("present")
        return Submission(rows, {"present": "" if present is None else str(present),
                                 "presentMembers": ",".join(variables.get("presentMembers") or []),
                                 "meetingDate": vn_day(variables.get("meetingDate"))})

    def parse(self, posted: Mapping[str, str]) -> Submission:
        rows = [{k: text_of(row.get(k)) for k in COUNTS} for row in posted_rows(posted, "votes")]
        # Only the ticked boxes are posted: "member-<index>-present", the index into the roster.
        indexes = sorted({int(m.group(2)) for m in (ROW_FIELD.fullmatch(k) for k in posted)
                          if m and m.group(1) == "member" and m.group(3) == "present" and posted[m.group(0)]})
        ticked = [self.roster[i]["staffId"] for i in indexes if i < len(self.roster)]
        fields = {"present": text_of(posted.get("present")), "meetingDate": text_of(posted.get("meetingDate")),
                  "presentMembers": ",".join(ticked)}
        if self.roster:
            fields["present"] = str(len(ticked))
        return Submission(rows, fields)

    def marked(self, submission: Submission) -> list[str]:
        return [m for m in (submission.fields.get("presentMembers") or "").split(",") if m]

    def quorum_state(self, submission: Submission) -> bool | None:
        """Whether the members present make the quorum; None until their number is known."""
        present = _count(submission.fields.get("present") or "")
        if present is None or self.rule_text is None or self.members is None or present > self.members:
            return None
        return self.members > 0 and Fraction(present, self.members) >= Fraction(str(self.rule.get("quorum", 0)))

    def row_passes(self, submission: Submission, index: int) -> bool | None:
        """Whether this candidate passes with the ballots typed; None until they can be judged."""
        present = _count(submission.fields.get("present") or "")
        if present is None or index >= len(submission.rows):
            return None
        votes_for = _count(submission.rows[index].get("for") or "")
        if votes_for is None or votes_for > present:
            return None
        try:
            return passes(self.rule, present, votes_for)
        except (VoteError, TypeError, ValueError):
            return None

    def variables(self, submission: Submission) -> dict[str, Any]:
        errors: dict[str, str] = {}
        present = _count(submission.fields["present"])
        if self.roster and not self.marked(submission):
            errors["presentMembers"] = translate("council.error.no_member_present")
        if present is None:
            errors["present"] = translate("list.error.count")
        elif self.members is not None and present > self.members:
            errors["present"] = translate("list.error.more_than_members", members=self.members)
        if len(submission.rows) != len(self.candidates):
            raise ListFormInvalid({"votes": translate("list.error.every_candidate")})
        votes = []
        for index, (candidate, row) in enumerate(zip(self.candidates, submission.rows)):
            counts = {}
            for name in COUNTS:
                counts[name] = _count(row[name])
                if counts[name] is None:
                    errors[f"votes-{index}-{name}"] = translate("list.error.count")
            if present is not None and None not in counts.values() and sum(counts.values()) != present:
                errors[f"votes-{index}-for"] = translate("list.error.ballots", present=present,
                                                         total=sum(counts.values()))
            votes.append({"nomineeId": candidate["nomineeId"], **counts})
        if errors:
            raise ListFormInvalid(errors)
        values = {"votes": votes, "present": present, "meetingDate": iso_day(submission.fields["meetingDate"]) or None}
        if self.roster:
            values["presentMembers"] = self.marked(submission)
        # The meeting date and the members are judged by the completion checks (`votes`, `dates`).
        return values


def votes_form(variables: Mapping[str, Any]) -> VotesForm:
    return VotesForm(variables.get("candidates") or [], rule_of(variables), variables.get("council") or [])
