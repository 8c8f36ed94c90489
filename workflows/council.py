"""The Office's Emulation and Commendation Council (Hội đồng TĐKT) as data: who sits on it, in
which role, and the roster a council meeting of a campaign works with.

The council is appointed by the Office's decision, not drawn in a diagram: an administrator sets
it (`thidua council set`), the BPMN candidate group `council` follows it, and each meeting takes
a snapshot of it (`council_roster`, before bpmn/campaign.bpmn's Task_vote) so that the members
present, the quorum and the pass rule are judged against the council as it was that day.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import sessionmaker

from engine.errors import EngineError, NotFoundError
from engine.handlers import ServiceTaskContext
from workflows.vietnamese import person_sort_key
from workflows.models import COUNCIL_ROLES, CouncilMember, StaffMember

GROUP = "council"  # the candidate group of the council's tasks (camunda:candidateGroups="council")
GROUP_NAME = "Hội đồng TĐKT"
TOPIC = "council_roster"
# The order a decision appointing a council lists its members in.
ROLE_ORDER = {"chair": 0, "vice_chair": 1, "secretary": 2, "member": 3}
ROLE_NAMES = {"chair": ("Chủ tịch Hội đồng", "Chair"), "vice_chair": ("Phó Chủ tịch Hội đồng", "Vice chair"),
              "secretary": ("Ủy viên thư ký", "Secretary"), "member": ("Ủy viên", "Member")}

MESSAGES = {
    "empty": ("Hội đồng phải có ít nhất một thành viên.", "The council needs at least one member."),
    "role": ("Vai trò '{role}' của {staff} không hợp lệ (chair, vice_chair, member, secretary).",
             "'{role}' is not a council role for {staff} (chair, vice_chair, member, secretary)."),
    "twice": ("{staff} được ghi hai lần.", "{staff} is given twice."),
    "unknown": ("Không có cán bộ '{staff}' trong danh bạ.", "There is no staff member '{staff}'."),
    "inactive": ("{staff} không còn công tác tại Văn phòng.", "{staff} no longer works at the Office."),
    "one_chair": ("Hội đồng phải có đúng một Chủ tịch (đang có {count}).",
                  "The council needs exactly one chair ({count} given)."),
    "one_secretary": ("Hội đồng có nhiều nhất một Ủy viên thư ký (đang có {count}).",
                      "The council has at most one secretary ({count} given)."),
}


class CouncilError(EngineError, ValueError):
    """Bad council: every problem in Vietnamese and English; nothing was written."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _message(code: str, **params: Any) -> str:
    vi, en = MESSAGES[code]
    return f"{vi.format(**params)} / {en.format(**params)}"


@dataclass(frozen=True)
class Seat:
    staff_id: str
    full_name: str
    role: str
    unit_code: str

    def as_variable(self) -> dict:
        return {"staffId": self.staff_id, "fullName": self.full_name, "role": self.role, "unit": self.unit_code}


def seat_sort_key(seat: Seat) -> tuple:
    return ROLE_ORDER.get(seat.role, 9), person_sort_key(seat.full_name), seat.staff_id


class Council:
    def __init__(self, db: Engine) -> None:
        self._sessions = sessionmaker(db, expire_on_commit=False)

    def members(self) -> list[Seat]:
        """The chair, vice chairs, the secretary, then the members; by given name within a role."""
        statement = select(CouncilMember.staff_id, CouncilMember.role, StaffMember.full_name, StaffMember.unit_code) \
            .join(StaffMember, StaffMember.id == CouncilMember.staff_id)
        with self._sessions() as session:
            seats = [Seat(row.staff_id, row.full_name, row.role, row.unit_code) for row in session.execute(statement)]
        return sorted(seats, key=seat_sort_key)

    def set_members(self, assignments: Iterable[tuple[str, str]]) -> list[Seat]:
        """Replaces the whole council with these (staff id, role) pairs, in one transaction."""
        assignments = list(assignments)
        with self._sessions.begin() as session:
            people = {p.id: p for p in session.scalars(
                select(StaffMember).where(StaffMember.id.in_([s for s, _ in assignments])))}
            problems = council_problems(assignments, people)
            if problems:
                raise CouncilError(problems)
            session.execute(delete(CouncilMember))
            session.add_all(CouncilMember(staff_id=staff_id, role=role) for staff_id, role in assignments)
        return self.members()


def council_problems(assignments: list[tuple[str, str]], people: Mapping[str, StaffMember]) -> list[str]:
    """Everything wrong with a proposed council, in the order given."""
    if not assignments:
        return [_message("empty")]
    problems, seen = [], set()
    for staff_id, role in assignments:
        person = people.get(staff_id)
        name = person.full_name if person is not None else staff_id
        if role not in COUNCIL_ROLES:
            problems.append(_message("role", role=role, staff=name))
        if staff_id in seen:
            problems.append(_message("twice", staff=name))
        seen.add(staff_id)
        if person is None:
            problems.append(_message("unknown", staff=staff_id))
        elif not person.active:
            problems.append(_message("inactive", staff=name))
    chairs = sum(1 for _, role in assignments if role == "chair")
    if chairs != 1:
        problems.append(_message("one_chair", count=chairs))
    secretaries = sum(1 for _, role in assignments if role == "secretary")
    if secretaries > 1:
        problems.append(_message("one_secretary", count=secretaries))
    return problems


def parse_assignment(text: str) -> tuple[str, str]:
    """"USER:ROLE" as the command line takes it."""
    staff_id, _, role = text.partition(":")
    return staff_id.strip(), role.strip()


def sync_group(identity, seats: Iterable[Seat]) -> list[str]:
    """Makes the `council` candidate group hold exactly the council's members; returns the members
    without a portal account (they cannot be offered the council's tasks until they have one)."""
    identity.ensure_group(GROUP, GROUP_NAME, "role")
    wanted = {seat.staff_id for seat in seats}
    for user_id in set(identity.members(GROUP)) - wanted:
        identity.remove_membership(user_id, GROUP)
    without_account = []
    for user_id in sorted(wanted):
        try:
            identity.add_membership(user_id, GROUP)
        except NotFoundError:
            without_account.append(user_id)
    return without_account


# --- the meeting ----------------------------------------------------------------------------

def meeting_rule(pass_rule: Mapping[str, Any] | None, roster: list | None) -> dict:
    """The pass rule as it applies at a meeting: the campaign's basis, threshold, quorum and
    atLeast, over the council's size that day. `passRule.members` is only the fallback of an
    Office that has not recorded its council (an empty roster)."""
    rule = dict(pass_rule or {})
    if roster:
        rule["members"] = len(roster)
    return rule


def make_roster_handler(council: Council) -> Callable[[ServiceTaskContext], dict]:
    def council_roster(ctx: ServiceTaskContext) -> dict:
        """Thành phần Hội đồng dự họp: `council` (the members, each {staffId, fullName, role, unit})
        and `meetingRule` (`passRule` over the council's size at this meeting)."""
        roster = [seat.as_variable() for seat in council.members()]
        return {"council": roster, "meetingRule": meeting_rule(ctx.variables.get("passRule"), roster)}

    return council_roster
