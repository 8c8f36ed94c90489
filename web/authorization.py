"""Who may see and do what: one policy for the portal and the REST API.

Groups are the BPMN candidate groups (roles such as "tchcqt" and units such as "unit:tong_hop").
Office-wide roles follow every unit's work, as the plan asks TCHCQT to monitor and urge units;
everyone else sees the tasks offered to them or their groups, and the instances of their unit
or that they take part in.
"""
from __future__ import annotations

from engine.errors import PermissionDeniedError
from engine.history import event_data
from engine.identity import Principal

OFFICE_WIDE_GROUPS = frozenset({"admin", "chief", "tchcqt"})
DESIGNER_GROUPS = frozenset({"admin", "designer"})
HEAD_GROUPS = frozenset({"unit_head"})


def sees_everything(principal: Principal) -> bool:
    return bool(principal.groups & OFFICE_WIDE_GROUPS)


def may_deploy(principal: Principal) -> bool:
    return bool(principal.groups & DESIGNER_GROUPS)


def require_designer(principal: Principal) -> None:
    if not may_deploy(principal):
        raise PermissionDeniedError(f"user '{principal.user_id}' may not deploy models: only designers deploy")


def require_admin(principal: Principal, what: str) -> str:
    """Operations on the running engine (suspend, move an instance) are for administrators; returns the actor."""
    if "admin" not in principal.groups:
        raise PermissionDeniedError(f"user '{principal.user_id}' may not {what}: only administrators may")
    return principal.user_id


def may_see_task(principal: Principal, task) -> bool:
    return (sees_everything(principal) or task.assignee == principal.user_id
            or principal.user_id in task.candidate_users
            or bool(principal.groups.intersection(task.candidate_groups)))


def may_work_on_task(principal: Principal, task) -> bool:
    """Claim or complete: the assignee, or any candidate while nobody holds the task."""
    if task.assignee is not None:
        return task.assignee == principal.user_id
    return principal.user_id in task.candidate_users or bool(principal.groups.intersection(task.candidate_groups))


def may_assign_tasks(principal: Principal) -> bool:
    """Hand a task to someone else: the office-wide roles that distribute work."""
    return sees_everything(principal)


def sees_all_variables(principal: Principal, instance) -> bool:
    """The office-wide roles and the heads of the instance's unit see the unit's work."""
    if sees_everything(principal):
        return True
    return bool(instance.unit) and principal.unit == instance.unit and bool(
        principal.groups & (HEAD_GROUPS | {f"head:{instance.unit}"}))


def readable_variables(principal: Principal, instance, variables: dict, events: list) -> dict:
    """What of an instance's variables the principal may read, on the instance page and over REST.

    Other participants (a nominee, a staff member) get the start data that is plain text,
    numbers or dates and what they submitted themselves, not the unit's nomination lists or
    other people's reports.
    """
    if sees_all_variables(principal, instance):
        return dict(variables)
    allowed: set[str] = set()
    for event in events:
        data = event_data(event)
        if event.event_type == "start":
            allowed |= {k for k, v in data.items() if isinstance(v, (str, int, float, bool))}
        elif event.event_type == "complete" and event.actor == principal.user_id:
            allowed |= set(data)
    return {k: v for k, v in variables.items() if k in allowed}
