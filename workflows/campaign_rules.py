"""Pure rules of the campaign process (bpmn/campaign.bpmn): consolidating the units' nominations,
tallying the council's vote under the campaign's pass rule, and wording the announcement.

Nothing here knows a date, a threshold or a quorum: they come with the campaign's variables.
"""
from __future__ import annotations

from datetime import date, datetime
from fractions import Fraction
from typing import Any, Iterable, Mapping

from workflows.vietnamese import fold, nfc, person_sort_key, text_sort_key

# Routes of the eligibility decision (bpmn/eligibility.dmn) that go before the council.
COUNCIL_ROUTES = ("council", "chairman_discretion")

AWARD_NAMES = {
    "buc_truong": "Bức trướng của UBND tỉnh",
    "bang_khen": "Bằng khen của Chủ tịch UBND tỉnh",
    "giay_khen": "Giấy khen của Chánh Văn phòng",
}
# Who confers which award: the Chief of Office signs Giấy khen; the others go to the Chairman.
CHIEF_AWARDS = ("giay_khen",)

REJECTED_REASON = "Không đủ số phiếu tán thành"
NOT_VOTED_REASON = "Hội đồng chưa biểu quyết"

def sort_people(names: Iterable[str]) -> list[str]:
    return sorted(names, key=person_sort_key)


def candidate_sort_key(candidate: Mapping[str, Any]) -> tuple:
    """Collectives first (by name), then individuals Vietnamese-style."""
    name = candidate.get("fullName") or ""
    if candidate.get("kind") == "individual":
        return (1, person_sort_key(name))
    return (0, text_sort_key(name))


# --- consolidation ------------------------------------------------------------------------

def candidate_id(unit: str, nominee: Mapping[str, Any]) -> str:
    """A nominee's id is only unique within its unit: the campaign prefixes the unit's code."""
    return f"{unit}:{nominee['id']}"


def consolidate(unit_results: Iterable[Mapping[str, Any]]) -> dict[str, list[dict]]:
    """The council's list (`candidates`) from the units' results, and the nominees left off it
    (`notEligible`), each with the reason the eligibility decision gave."""
    candidates, not_eligible = [], []
    for result in unit_results:
        for nominee in result.get("nominees") or []:
            entry = {
                "nomineeId": candidate_id(result["unit"], nominee),
                "unit": result["unit"],
                "unitName": result.get("unitName"),
                "kind": nominee.get("kind"),
                "userId": nominee.get("userId"),
                "fullName": nfc(nominee.get("fullName") or ""),
                "award": nominee.get("award"),
                "eligible": bool(nominee.get("eligible")),
                "route": nominee.get("route"),
                "reason": nominee.get("reason"),
                # What the appraiser noted when accepting, and a collective's checked criteria.
                "appraisalNote": nominee.get("appraisalNote"),
                "criteria": nominee.get("criteria"),
            }
            (candidates if entry["route"] in COUNCIL_ROUTES else not_eligible).append(entry)
    return {"candidates": sorted(candidates, key=candidate_sort_key),
            "notEligible": sorted(not_eligible, key=candidate_sort_key)}


# --- the council's vote -------------------------------------------------------------------

class VoteError(ValueError):
    """The vote or the pass rule is inconsistent: the service task fails and becomes an incident."""


def _fraction(value: Any, name: str) -> Fraction:
    try:
        result = Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        raise VoteError(f"passRule.{name} must be a number, not {value!r}") from None
    if not 0 <= result <= 1:
        raise VoteError(f"passRule.{name} must be between 0 and 1, not {value!r}")
    return result


def _count(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise VoteError(f"{name} must be a whole number ≥ 0, not {value!r}")
    return value


def quorum_reached(pass_rule: Mapping[str, Any], present: int) -> bool:
    members = _count(pass_rule.get("members"), "passRule.members")
    present = _count(present, "present")
    if present > members:
        raise VoteError(f"{present} members present, but the council has {members}")
    quorum = _fraction(pass_rule.get("quorum", 0), "quorum")
    return members > 0 and Fraction(present, members) >= quorum


def passes(pass_rule: Mapping[str, Any], present: int, votes_for: int) -> bool:
    """`threshold` of the basis (`present` or all `members`) must vote for: strictly more than it,
    or at least it when the rule says `"atLeast": true`."""
    basis = pass_rule.get("basis", "present")
    if basis not in ("present", "members"):
        raise VoteError(f"passRule.basis must be 'present' or 'members', not {basis!r}")
    base = present if basis == "present" else _count(pass_rule.get("members"), "passRule.members")
    threshold = _fraction(pass_rule.get("threshold"), "threshold")
    if base == 0:
        return False
    share = Fraction(votes_for, base)
    return share >= threshold if pass_rule.get("atLeast") else share > threshold


def tally(candidates: Iterable[Mapping[str, Any]], votes: Iterable[Mapping[str, Any]], present: int,
          pass_rule: Mapping[str, Any]) -> dict[str, Any]:
    """Applies the campaign's pass rule to each candidate's vote.

    Returns `quorumReached`; when it is, `awardees` (passed, each with its award and its votes) and
    `rejected` (with the reason); when it is not, nobody is decided and both lists are empty."""
    candidates = list(candidates)
    if not quorum_reached(pass_rule, present):
        return {"quorumReached": False, "awardees": [], "rejected": []}
    by_id = {c["nomineeId"]: c for c in candidates}
    counted: dict[str, dict] = {}
    for vote in votes:
        nominee_id = vote.get("nomineeId")
        if nominee_id not in by_id:
            raise VoteError(f"a vote for {nominee_id!r}, who is not on the council's list")
        if nominee_id in counted:
            raise VoteError(f"two votes for {nominee_id!r}")
        tallies = {k: _count(vote.get(k, 0), f"votes[{nominee_id}].{k}") for k in ("for", "against", "abstain")}
        if sum(tallies.values()) > present:
            raise VoteError(f"{sum(tallies.values())} ballots for {nominee_id!r}, but {present} members present")
        counted[nominee_id] = tallies
    awardees, rejected = [], []
    for candidate in candidates:
        tallies = counted.get(candidate["nomineeId"])
        if tallies is None:
            rejected.append({**candidate, "reason": NOT_VOTED_REASON})
        elif passes(pass_rule, present, tallies["for"]):
            awardees.append({**candidate, "votes": tallies})
        else:
            rejected.append({**candidate, "votes": tallies, "reason": REJECTED_REASON})
    return {"quorumReached": True, "awardees": awardees, "rejected": rejected}


# --- the announcement ---------------------------------------------------------------------

def _vn_date(value: Any) -> str:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str) and value:
        value = date.fromisoformat(value[:10])
    return value.strftime("%d/%m/%Y") if isinstance(value, date) else ""


def _decision(number: str, when: str) -> str:
    if not number:
        return ""
    return f" (Quyết định số {number}" + (f" ngày {when})" if when else ")")


def announcement(campaign_name: str, plan_number: str, awarded: Iterable[Mapping[str, Any]]) -> str:
    """The text announcing the results, listing what was awarded by award (in the order of
    AWARD_NAMES), then by the decision that gave it: each entry carries its `decisionNumber` and
    `decisionDate`, since the Chairman may decide nominees in separate decisions."""
    awarded = list(awarded)
    lines = [f"Kết quả khen thưởng {campaign_name} (Kế hoạch số {plan_number}):"]
    for award, award_name in AWARD_NAMES.items():
        decisions: dict[tuple, list] = {}
        for entry in (a for a in awarded if a.get("award") == award):
            decisions.setdefault((entry.get("decisionNumber") or "", _vn_date(entry.get("decisionDate"))), []).append(entry)
        for (number, day), group in sorted(decisions.items()):
            lines.append(f"{award_name}{_decision(number, day)}:")
            for index, awardee in enumerate(sorted(group, key=candidate_sort_key), start=1):
                unit = awardee.get("unitName") or awardee.get("unit")
                # A person or a sub-team is named with its unit; a unit proposed as itself is its own name.
                suffix = f" – {unit}" if unit and nfc(awardee.get("fullName") or "") != nfc(unit) else ""
                lines.append(f"  {index}. {awardee.get('fullName')}{suffix}")
    if len(lines) == 1:
        lines.append("Không có tập thể, cá nhân được khen thưởng.")
    return nfc("\n".join(lines))
