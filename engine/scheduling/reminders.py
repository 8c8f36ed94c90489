"""The reminder policy: which reminders an open task is owed at a moment, written to the outbox.

Before the deadline: the given working days before it (default 7, 3 and 1) and the morning of
the day (0). Overdue: every working day to whoever holds or is offered the task, and once to
each escalation group after its number of working days overdue (EngineConfig.escalate_to: the
service building the engine gives its own, e.g. a group of the instance's unit after 1 day and an
office-wide group after 3; none by default). A deadline on a day off runs to the next working day, and
reminders count from there. Offsets come from the task's `camunda:properties` (`reminders`,
`escalateTo`), else the settings of the instance's business key, else the service's defaults.

Deciding writes the outbox rows in one transaction; the table's unique key makes a reminder
decided twice (a restart, a second worker, a re-run) a row written once.
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import Connection, select
from sqlalchemy.dialects import postgresql, sqlite

from engine.runtime import EngineContext, process_variables
from engine.errors import NotFoundError
from engine.handlers import ServiceTaskContext
from engine.persistence import (
    Membership, ProcessInstance, Task, TaskCandidate, UserAccount, OutboxMail, ReminderSetting,
)
from engine.scheduling.reminder_rules import (
    ESCALATE_TO, REMIND_TASK, REMINDERS, UNIT_PLACEHOLDER, Escalation, ReminderRuleError, parse_escalations,
    parse_offsets,
)
from engine.scheduling.working_days import WorkingCalendar, effective_deadline, load_calendar

OUTBOX, INSTANCE = OutboxMail.__table__, ProcessInstance.__table__
REMINDER_MODES = ("digest", "immediate")
# A reminder not decided within this time after its moment (the service was down) is skipped:
# a "7 days before" mail a week late helps nobody. Escalations are never skipped.
# No reminder is for a moment before its task existed.
DECISION_WINDOW = timedelta(hours=20)


@dataclass(frozen=True)
class PlannedReminder:
    task_id: str
    instance_id: str | None
    business_key: str | None
    kind: str
    remind_at: datetime
    due_at: datetime | None
    recipient: str
    email: str
    payload: dict = field(compare=False)

    def row(self, now: datetime) -> dict:
        # Field by field: dataclasses.asdict would deep-copy every payload first.
        values = {name: getattr(self, name) for name in ROW_FIELDS}
        return {**values, "payload_json": json.dumps(self.payload, ensure_ascii=False), "status": "pending",
                "attempts": 0, "next_attempt_at": now, "created_at": now}


ROW_FIELDS = ("task_id", "instance_id", "business_key", "kind", "remind_at", "due_at", "recipient", "email")
# Task ids per IN list: well below SQLite's limit of bound parameters.
CHUNK = 5000


@dataclass(frozen=True)
class _Moment:
    kind: str
    at: datetime
    escalate_to: str | None = None  # a group; None reminds the task's own people
    overdue_days: int = 0


@dataclass(frozen=True)
class Policy:
    offsets: tuple[int, ...]
    escalations: tuple[Escalation, ...]


class ReminderService:
    def __init__(self, ctx: EngineContext) -> None:
        self._ctx = ctx
        self.default_policy = Policy(parse_offsets(ctx.config.reminders), parse_escalations(ctx.config.escalate_to or "none"))
        # Process variables the mails quote (set by the service building the engine).
        self.mail_variables: tuple[str, ...] = ()

    # -- decide ----------------------------------------------------------------------------

    def decide(self, now: datetime | None = None) -> list[PlannedReminder]:
        """Writes the reminders due at `now` that are not in the outbox yet; returns them."""
        now = now or self._ctx.now()
        with self._ctx.db.begin() as conn:
            return self._insert(conn, self._plan(conn, now), now)  # planned: only what is not written yet

    def dry_run(self, at: datetime) -> list[PlannedReminder]:
        """What `decide(at)` would write, writing nothing."""
        with self._ctx.db.connect() as conn:
            return self._not_written(conn, self._plan(conn, at))

    def remind_task_now(self, instance_id: str, element_id: str, kind: str) -> list[PlannedReminder]:
        """A reminder a BPMN timer asks for (a service task after a boundary timer): to the people of
        the open task `element_id` of the instance, at once; once per task, kind and minute."""
        now = self._ctx.now()
        with self._ctx.db.begin() as conn:
            tasks = self._open_tasks(conn, instance_id=instance_id, element_id=element_id)
            if not tasks:
                raise NotFoundError(f"no open task '{element_id}' in instance {instance_id} to remind about")
            at = now.replace(second=0, microsecond=0)
            planned = self._expand(conn, [(task, _Moment(kind, at)) for task in tasks], load_calendar(conn, self._ctx.config.holiday_country))
            return self._write(conn, planned, now)

    def _write(self, conn: Connection, planned: list[PlannedReminder], now: datetime) -> list[PlannedReminder]:
        return self._insert(conn, self._not_written(conn, planned), now)

    @staticmethod
    def _insert(conn: Connection, fresh: list[PlannedReminder], now: datetime) -> list[PlannedReminder]:
        if fresh:
            conn.execute(_insert_ignoring_duplicates(conn), [p.row(now) for p in fresh])
        return fresh

    def timer_handler(self, ctx: ServiceTaskContext) -> None:
        """The `reminder` topic: a service task after a (non-interrupting) boundary timer reminds
        the people of the user task its `remindTask` property names."""
        self.remind_task_now(ctx.instance_id, ctx.properties[REMIND_TASK], kind=f"timer:{ctx.element_id}")

    # -- settings --------------------------------------------------------------------------

    def set_business_key_policy(self, business_key: str, reminders: str | None, escalate_to: str | None) -> None:
        """A business key's own offsets (None keeps the defaults); checked before anything is written."""
        if reminders is not None:
            parse_offsets(reminders)
        if escalate_to is not None:
            parse_escalations(escalate_to)
        with self._ctx.sessions.begin() as session:
            setting = session.get(ReminderSetting, business_key) or ReminderSetting(business_key=business_key)
            setting.reminders, setting.escalate_to, setting.updated_at = reminders, escalate_to, self._ctx.now()
            session.add(setting)

    def set_reminder_mode(self, user_id: str, mode: str) -> None:
        if mode not in REMINDER_MODES:
            raise ReminderRuleError(f"reminder mode must be one of {', '.join(REMINDER_MODES)}, not '{mode}'")
        with self._ctx.sessions.begin() as session:
            user = session.get(UserAccount, user_id)
            if user is None:
                raise NotFoundError(f"user '{user_id}' does not exist")
            user.reminder_mode = mode

    # -- planning --------------------------------------------------------------------------

    def _plan(self, conn: Connection, now: datetime) -> list[PlannedReminder]:
        calendar = load_calendar(conn, self._ctx.config.holiday_country)
        settings = {s.business_key: s for s in conn.execute(select(ReminderSetting)).all()}
        due: list[tuple[object, _Moment]] = []
        # A pass over 100,000 tasks meets a few hundred deadlines and policies: the moments of
        # each pair are worked out once, then kept for each task that existed by then.
        moments: dict[tuple, list[_Moment]] = {}
        for task in self._open_tasks(conn, with_due_date=True):
            policy = self._policy(task, settings.get(task.business_key))
            key = (task.due_at, policy)
            if key not in moments:
                moments[key] = self._moments(task.due_at, policy, calendar, now)
            due += [(task, m) for m in moments[key] if task.created_at <= m.at]
        return self._expand(conn, due, calendar, whole_pass=True)

    def _policy(self, task, setting) -> Policy:
        properties = json.loads(task.properties_json) if task.properties_json else {}
        offsets, escalations = self.default_policy.offsets, self.default_policy.escalations
        if setting is not None and setting.reminders is not None:
            offsets = parse_offsets(setting.reminders)
        if setting is not None and setting.escalate_to is not None:
            escalations = parse_escalations(setting.escalate_to)
        if REMINDERS in properties:
            offsets = parse_offsets(properties[REMINDERS])
        if ESCALATE_TO in properties:
            escalations = parse_escalations(properties[ESCALATE_TO])
        return Policy(offsets, escalations)

    def _moments(self, due_at: datetime, policy: Policy, calendar: WorkingCalendar, now: datetime) -> list[_Moment]:
        """The moments a task due at `due_at` is owed by `now`, by the policy; the caller keeps
        those at or after the task's creation (no reminder is for a moment before it existed)."""
        tz, hour = self._ctx.config.timezone, self._ctx.config.reminder_hour
        due_local = due_at.astimezone(tz)
        due_day = calendar.next_working_day(due_local.date())
        effective_due = datetime.combine(due_day, due_local.timetz())

        def morning(day: date) -> datetime:
            return datetime.combine(day, time(hour), tz).astimezone(timezone.utc)

        def recent(at: datetime) -> bool:
            return at <= now and now - at < DECISION_WINDOW

        moments = []
        for offset in policy.offsets:
            at = morning(calendar.shift_working_days(due_day, -offset))
            if at < effective_due and recent(at):
                moments.append(_Moment("due" if offset == 0 else f"before:{offset}", at))
        if now <= effective_due:
            return moments
        days_overdue, latest = _overdue_days(calendar, due_day, now, morning)
        if days_overdue and recent(latest):
            moments.append(_Moment("overdue", latest, overdue_days=days_overdue))
        for escalation in policy.escalations:
            # After N whole working days overdue: the morning of the (N+1)-th working day after the deadline.
            at = morning(calendar.shift_working_days(due_day, escalation.after_days + 1))
            # Never late (and, by the caller, never for a moment before the task existed: a step
            # opened already overdue is reminded daily; it escalates only for levels reached after).
            if at <= now:
                moments.append(_Moment(f"escalate@{escalation.after_days}", at, escalation.group,
                                       escalation.after_days))
        return moments

    def _expand(self, conn: Connection, due: list[tuple[object, _Moment]], calendar: WorkingCalendar,
                whole_pass: bool = False) -> list[PlannedReminder]:
        """One reminder per moment and person who should hear of it and has an e-mail address.
        For a `whole_pass` over the open tasks with a deadline: those not in the outbox yet
        (dropped before their mail is made), candidates and outbox read for all such tasks at
        once rather than by lists of ids."""
        if not due:
            return []
        candidates = _candidates(conn, None if whole_pass else {task.id for task, _ in due})
        people = _people(conn)
        members = _members(conn)
        addressed = []
        for task, moment in due:
            own = [task.assignee] if task.assignee else _offered_to(candidates[task.id], members)
            if moment.escalate_to is None:
                recipients = own
            else:
                group = moment.escalate_to
                if UNIT_PLACEHOLDER in group:
                    if not task.unit:
                        continue  # an instance of no unit has no unit group to escalate to
                    group = group.replace(UNIT_PLACEHOLDER, task.unit)
                # A member whose own task is late already hears of it every day.
                recipients = sorted(members.get(group, set()) - set(own))
            for user_id in dict.fromkeys(recipients):
                person = people.get(user_id)
                if person is None or not person.email:
                    continue  # inactive, unknown or without an address: nothing to send to
                addressed.append((task, moment, user_id, person))
        if whole_pass:
            written = _written(conn, None)
            addressed = [(task, moment, user_id, person) for task, moment, user_id, person in addressed
                         if (task.id, moment.kind, moment.at, user_id) not in written]
        quoted = self._quoted_variables(conn, {task.instance_id for task, *_ in addressed})
        return [PlannedReminder(task.id, task.instance_id, task.business_key, moment.kind, moment.at, task.due_at,
                                user_id, person.email,
                                self._payload(task, moment, person, quoted.get(task.instance_id, {}), calendar))
                for task, moment, user_id, person in addressed]

    def _payload(self, task, moment: _Moment, person, variables: dict, calendar: WorkingCalendar) -> dict:
        due_day = task.due_at.astimezone(self._ctx.config.timezone).date() if task.due_at else None
        moved = effective_deadline(due_day, calendar) if due_day else None
        return {
            "task": task.name or task.element_id, "element": task.element_id,
            "variables": variables, "businessKey": task.business_key,
            "due": task.due_at.isoformat() if task.due_at else None,
            "dueDate": due_day.isoformat() if due_day else None,
            "workingDueDate": moved.isoformat() if moved else None,
            "kind": moment.kind, "overdueDays": moment.overdue_days, "escalatedTo": moment.escalate_to,
            "recipientName": person.display_name, "unit": task.unit,
            "link": f"{self._ctx.config.portal_url.rstrip('/')}/tasks/{task.id}",
        }

    def _quoted_variables(self, conn: Connection, instance_ids: set[str]) -> dict[str, dict]:
        """The variables the mails quote, per instance: the instances read a chunk at a time."""
        if not self.mail_variables or not instance_ids:
            return {}
        found = {}
        for chunk in _chunks(instance_ids):
            for row in conn.execute(select(INSTANCE).where(INSTANCE.c.id.in_(chunk))):
                variables = process_variables(self._ctx.loaded(tuple(row)).workflow)
                found[row.id] = {name: str(variables[name]) for name in self.mail_variables
                                 if variables.get(name) is not None}
        return found

    @staticmethod
    def _open_tasks(conn: Connection, *, with_due_date: bool = False, instance_id: str | None = None,
                    element_id: str | None = None):
        filters = [ProcessInstance.status == "active", ProcessInstance.suspended.is_(False)]
        if with_due_date:
            filters.append(Task.due_at.is_not(None))
        if instance_id is not None:
            filters += [Task.instance_id == instance_id, Task.element_id == element_id]
        return conn.execute(
            select(Task.id, Task.instance_id, Task.business_key, Task.element_id, Task.name, Task.assignee,
                   Task.due_at, Task.created_at, Task.properties_json, ProcessInstance.unit)
            .join(ProcessInstance, ProcessInstance.id == Task.instance_id).where(*filters)
            .order_by(Task.due_at, Task.id)).all()

    @staticmethod
    def _not_written(conn: Connection, planned: list[PlannedReminder]) -> list[PlannedReminder]:
        planned = list(dict.fromkeys(planned))
        if not planned:
            return []
        written = _written(conn, {p.task_id for p in planned})
        return [p for p in planned if (p.task_id, p.kind, p.remind_at, p.recipient) not in written]


def _overdue_days(calendar: WorkingCalendar, due_day: date, now: datetime, morning) -> tuple[int, datetime | None]:
    """How many working-day mornings have come since the deadline, and the latest of them."""
    count, latest, day = 0, None, due_day
    while True:
        day = calendar.shift_working_days(day, 1)
        at = morning(day)
        if at > now:
            return count, latest
        count, latest = count + 1, at


def _chunks(ids: set[str]):
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start:start + CHUNK]


def _scopes(column, task_ids: set[str] | None):
    """WHERE clauses covering these tasks, a chunk of ids each; with None, every open task with
    a deadline, in one clause."""
    if task_ids is None:
        yield column.in_(select(Task.id).where(Task.due_at.is_not(None)))
        return
    for chunk in _chunks(task_ids):
        yield column.in_(chunk)


def _written(conn: Connection, task_ids: set[str] | None) -> set[tuple]:
    """(task, kind, moment, recipient) of the reminders of these tasks in the outbox."""
    found = set()
    for scope in _scopes(OUTBOX.c.task_id, task_ids):
        found.update(tuple(row) for row in conn.execute(
            select(OUTBOX.c.task_id, OUTBOX.c.kind, OUTBOX.c.remind_at, OUTBOX.c.recipient).where(scope)))
    return found


def _candidates(conn: Connection, task_ids: set[str] | None) -> dict[str, list[tuple[str, str]]]:
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for scope in _scopes(TaskCandidate.task_id, task_ids):
        for task_id, kind, value in conn.execute(select(TaskCandidate.task_id, TaskCandidate.kind,
                                                        TaskCandidate.value).where(scope)):
            found[task_id].append((kind, value))
    return found


def _people(conn: Connection) -> dict:
    return {row.id: row for row in conn.execute(
        select(UserAccount.id, UserAccount.email, UserAccount.display_name).where(UserAccount.active.is_(True)))}


def _members(conn: Connection) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for user_id, group_id in conn.execute(select(Membership.user_id, Membership.group_id)):
        found[group_id].add(user_id)
    return found


def _offered_to(candidates: list[tuple[str, str]], members: dict[str, set[str]]) -> list[str]:
    users = [value for kind, value in candidates if kind == "user"]
    for kind, value in candidates:
        if kind == "group":
            users += sorted(members.get(value, ()))
    return users


def _insert_ignoring_duplicates(conn: Connection):
    """INSERT that skips a reminder another writer decided first (the unique key)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(OUTBOX).on_conflict_do_nothing(
        index_elements=["task_id", "kind", "remind_at", "recipient"])
