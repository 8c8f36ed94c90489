"""Task service: query open human tasks, claim, unclaim, assign, complete with form validation."""
from __future__ import annotations

import json
from functools import lru_cache
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Mapping
from uuid import UUID

from sqlalchemy import and_, bindparam, exists, func, or_, select, update
from SpiffWorkflow.util.task import TaskState

from engine.runtime import (
    CallerBusyError, EngineContext, require_active, Involvement, offered_to, VariableError, change_variables,
    check_variables,
)
from engine.errors import ConflictError, InvalidStateError, NotFoundError, SuspendedEntityError
from engine.handlers import CHECK_PROPERTY, TaskCheckContext
from engine.forms import Form, parsed_form, validate_submission
from engine.persistence import (
    InstanceRef, history_rows, insert_history, HistoryEvent, ProcessInstance, Task, TaskCandidate, PreparedStatement,
)

TASK = Task.__table__
TASK_COLUMNS = tuple(column.key for column in TASK.columns)
CALLER_RETRIES = 5
INSTANCE = ProcessInstance.__table__
# The task and its instance in one read (the instance's columns last, as EngineContext.loaded takes them).
SELECT_FOR_COMPLETION = PreparedStatement(
    select(TASK.c.element_id, TASK.c.name, TASK.c.form_json, *INSTANCE.c)
    .join_from(TASK, INSTANCE, INSTANCE.c.id == TASK.c.instance_id).where(TASK.c.id == bindparam("id")))
SELECT_CANDIDATES = PreparedStatement(select(TaskCandidate.task_id, TaskCandidate.kind, TaskCandidate.value)
                                      .where(TaskCandidate.task_id == bindparam("task_id")))
# Filters given as one value each: a query of only these runs as a statement built once per shape.
SCALAR_FILTERS = ("instance_id", "definition_key", "business_key", "assignee", "candidate_group",
                  "candidate_user", "due_before", "due_after", "follow_up_before")
SORTABLE = {"due": Task.due_at, "created": Task.created_at, "priority": Task.priority, "name": Task.name,
            "followUp": Task.follow_up_at, "id": Task.id}


@dataclass
class TaskQuery:
    instance_id: str | None = None
    definition_key: str | None = None
    business_key: str | None = None
    assignee: str | None = None
    candidate_group: str | None = None
    candidate_groups: list[str] | None = None
    candidate_user: str | None = None
    # Tasks assigned to the user, or offered to them or to one of their groups.
    involving: Involvement | None = None
    unassigned: bool = False
    suspended: bool | None = None  # True: only tasks of suspended instances; False: only the others
    due_before: datetime | None = None
    due_after: datetime | None = None
    follow_up_before: datetime | None = None
    instance_ids: list[str] | None = None
    sort_by: str = "due"
    descending: bool = False
    first: int = 0
    limit: int | None = 100


@dataclass(frozen=True)
class TaskView:
    """An open task: the columns of the task table as attributes, plus its candidates."""

    row: Any
    candidate_groups: tuple[str, ...]
    candidate_users: tuple[str, ...]

    @property
    def form(self) -> Form | None:
        return parsed_form(self.row.form_json) if self.row.form_json else None

    @property
    def properties(self) -> dict[str, str]:
        return json.loads(self.row.properties_json) if self.row.properties_json else {}

    def __getattr__(self, name):
        return getattr(self.row, name)


class TaskRow(dict):
    """A task row read by a prepared statement, with its columns as attributes like a Core row."""

    def __getattr__(self, name: str):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def _given(value) -> bool:
    """A filter is set unless None or empty; a bound parameter (a prepared shape) counts as set."""
    return value is not None and not (isinstance(value, str) and value == "")


def _order(sort_by: str, descending: bool) -> tuple:
    column = SORTABLE[sort_by]
    order = column.desc() if descending else column.asc()
    if sort_by in ("due", "followUp"):
        # Tasks without a deadline last; ascending by due date, that is the order of the index
        # ix_task_due_at_id, which an inbox's first page then reads without sorting.
        return order.nulls_last(), Task.id
    return order, Task.id


def _group_only(query: TaskQuery) -> bool:
    """Whether the query asks only for the tasks offered to one group (sorting and paging aside)."""
    return _given(query.candidate_group) and replace(
        query, sort_by="due", descending=False, first=0, limit=None) == TaskQuery(
        candidate_group=query.candidate_group, limit=None)


def _scalar_values(query: TaskQuery) -> dict[str, Any]:
    values = {name: getattr(query, name) for name in SCALAR_FILTERS}
    values.update(first=query.first, limit=query.limit)
    return values


class TaskService:
    def __init__(self, ctx: EngineContext) -> None:
        self._ctx = ctx

    # -- query -----------------------------------------------------------------------------

    def list(self, query: TaskQuery | None = None) -> list[TaskView]:
        query = query or TaskQuery()
        if query.sort_by not in SORTABLE:
            raise ValueError(f"cannot sort tasks by '{query.sort_by}'; use one of {', '.join(SORTABLE)}")
        prepared = self._prepared_list(query)
        with self._ctx.reading() as conn:
            if prepared is not None:
                rows = [TaskRow(zip(TASK_COLUMNS, row)) for row in prepared.rows(conn, _scalar_values(query))]
            else:
                statement = self._where(select(TASK), query).order_by(*_order(query.sort_by, query.descending))
                rows = list(conn.execute(statement.offset(query.first).limit(query.limit)))
            return self._views(conn, rows)

    @staticmethod
    @lru_cache(maxsize=256)
    def _shape(filters: tuple[str, ...], unassigned: bool, sort_by: str, descending: bool,
               paged: bool, limited: bool) -> PreparedStatement:
        query = TaskQuery(unassigned=unassigned, **{name: bindparam(name) for name in filters})
        statement = TaskService._where(select(TASK), query).order_by(*_order(sort_by, descending))
        if paged:
            statement = statement.offset(bindparam("first"))
        if limited:
            statement = statement.limit(bindparam("limit"))
        return PreparedStatement(statement)

    def _prepared_list(self, query: TaskQuery) -> PreparedStatement | None:
        """The common queries (an instance's tasks, a user's or a group's) skip building SQL."""
        if (query.involving is not None or query.instance_ids is not None or query.candidate_groups
                or query.suspended is not None):
            return None
        filters = tuple(name for name in SCALAR_FILTERS if _given(getattr(query, name)))
        return self._shape(filters, query.unassigned, query.sort_by, query.descending,
                           bool(query.first), query.limit is not None)

    def count(self, query: TaskQuery | None = None) -> int:
        query = query or TaskQuery()
        if _group_only(query):
            # Every candidate row belongs to an open task: a group's tasks are counted from the
            # index of candidates alone, not by joining 100,000 tasks to them.
            # (DISTINCT in a subquery: hashed, where count(DISTINCT ...) sorts the ids.)
            statement = select(func.count()).select_from(select(TaskCandidate.task_id).where(
                TaskCandidate.kind == "group", TaskCandidate.value == query.candidate_group).distinct().subquery())
        else:
            statement = self._where(select(func.count()).select_from(Task), query)
        with self._ctx.reading() as conn:
            return conn.scalar(statement)

    def get(self, task_id: str) -> TaskView:
        # The task and its candidates in one statement, so one snapshot: read in two, a completion
        # committed between them showed the task without its candidates (and refused its user).
        kind, value = TaskCandidate.kind.label("candidate_kind"), TaskCandidate.value.label("candidate_value")
        with self._ctx.reading() as conn:
            found = conn.execute(select(TASK, kind, value)
                                 .select_from(TASK.outerjoin(TaskCandidate, TaskCandidate.task_id == TASK.c.id))
                                 .where(TASK.c.id == task_id)).all()
        if not found:
            raise NotFoundError(f"task '{task_id}' does not exist or is already completed")
        return TaskView(found[0], tuple(r.candidate_value for r in found if r.candidate_kind == "group"),
                        tuple(r.candidate_value for r in found if r.candidate_kind == "user"))

    def form_variables(self, task_id: str) -> dict[str, Any]:
        """The current values of the task's form fields (or all variables when it has no form)."""
        view = self.get(task_id)
        with self._ctx.db.connect() as conn:
            spiff_task = self._ctx.load(conn, view.instance_id).workflow.get_task_from_id(UUID(task_id))
        form = view.form
        if form is None:
            return dict(spiff_task.data)
        return {field.id: spiff_task.data.get(field.id, field.default) for field in form.fields}

    @staticmethod
    def _where(statement, q: TaskQuery):
        def candidate(kind: str, values: list[str]):
            return exists().where(TaskCandidate.task_id == Task.id, TaskCandidate.kind == kind,
                                  TaskCandidate.value.in_(values))

        filters = []
        if _given(q.instance_id):
            filters.append(Task.instance_id == q.instance_id)
        if q.instance_ids is not None:
            filters.append(Task.instance_id.in_(q.instance_ids))
        if _given(q.definition_key):
            filters.append(Task.definition_key == q.definition_key)
        if _given(q.business_key):
            filters.append(Task.business_key == q.business_key)
        if _given(q.assignee):
            filters.append(Task.assignee == q.assignee)
        if q.unassigned:
            filters.append(Task.assignee.is_(None))
        if q.suspended is not None:
            filters.append(Task.suspended.is_(q.suspended))
        if _given(q.candidate_group):
            filters.append(candidate("group", [q.candidate_group]))
        if q.candidate_groups:
            filters.append(candidate("group", q.candidate_groups))
        if _given(q.candidate_user):
            filters.append(candidate("user", [q.candidate_user]))
        if q.involving is not None:
            filters.append(offered_to(q.involving))
        if _given(q.due_before):
            filters.append(Task.due_at < q.due_before)
        if _given(q.due_after):
            filters.append(Task.due_at > q.due_after)
        if _given(q.follow_up_before):
            filters.append(Task.follow_up_at < q.follow_up_before)
        return statement.where(*filters)

    @staticmethod
    def _views(conn, rows: list) -> list[TaskView]:
        if not rows:
            return []
        if len(rows) == 1:
            links = SELECT_CANDIDATES.rows(conn, {"task_id": rows[0].id})
        else:
            links = conn.execute(select(TaskCandidate.task_id, TaskCandidate.kind, TaskCandidate.value)
                                 .where(TaskCandidate.task_id.in_([r.id for r in rows]))).all()
        groups: dict[str, list[str]] = {}
        users: dict[str, list[str]] = {}
        for task_id, kind, value in links:
            (groups if kind == "group" else users).setdefault(task_id, []).append(value)
        return [TaskView(r, tuple(groups.get(r.id, ())), tuple(users.get(r.id, ()))) for r in rows]

    # -- assignment ------------------------------------------------------------------------

    def claim(self, task_id: str, user: str) -> None:
        """Takes an unassigned task (or one already yours); someone else's claim is a conflict."""
        self._set_assignee(task_id, user, "claim", actor=user,
                           only_if=and_(or_(Task.assignee.is_(None), Task.assignee == user), Task.suspended.is_(False)))

    def unclaim(self, task_id: str, actor: str | None = None) -> None:
        self._set_assignee(task_id, None, "unclaim", actor=actor)

    def set_assignee(self, task_id: str, user: str | None, actor: str | None = None) -> None:
        self._set_assignee(task_id, user, "assign", actor=actor)

    def _set_assignee(self, task_id: str, user: str | None, event: str, actor: str | None, only_if=None) -> None:
        if user is not None and (not isinstance(user, str) or not user or len(user) > 64):
            raise VariableError("an assignee is a user name of 1 to 64 characters")
        with self._ctx.sessions.begin() as session:
            statement = update(Task).where(Task.id == task_id).values(assignee=user)
            if only_if is not None:
                statement = statement.where(only_if)
            if session.execute(statement.execution_options(synchronize_session=False)).rowcount != 1:
                row = session.get(Task, task_id)
                if row is None:
                    raise NotFoundError(f"task '{task_id}' does not exist or is already completed")
                if row.suspended:
                    raise SuspendedEntityError(f"claiming task '{task_id}' is refused: process instance "
                                               f"'{row.instance_id}' is suspended")
                raise ConflictError(f"task '{task_id}' is already claimed by {row.assignee}")
            row = session.get(Task, task_id)
            instance = session.get(ProcessInstance, row.instance_id)
            ref = InstanceRef(instance.id, instance.definition_id, instance.definition_key, instance.business_key)
            insert_history(session, history_rows(
                [{"event_type": event, "element_id": row.element_id, "element_name": row.name,
                  "data": {"assignee": user}}],
                now=self._ctx.now(), actor=actor, instance=ref, task_id=task_id))

    # -- variables -------------------------------------------------------------------------

    def set_variables(self, task_id: str, modifications: Mapping[str, Any] | None = None,
                      deletions: list[str] | None = None, actor: str | None = None) -> None:
        """Changes the variables of the task's instance (tasks have no local variables here)."""
        view = self.get(task_id)
        change_variables(self._ctx, view.instance_id, modifications, deletions, actor=actor, task_id=task_id)

    # -- completion ------------------------------------------------------------------------

    def complete(self, task_id: str, variables: Mapping[str, Any] | None = None, actor: str | None = None) -> None:
        """Validates the submission against the task's form, completes the task and runs on.

        Bad input raises FormValidationError / VariableError before anything is written; a
        concurrent completion of the same task raises ConflictError. When the step ends a called
        instance whose caller is being changed by someone else, the whole step is tried again.
        """
        for attempt in range(CALLER_RETRIES):
            try:
                return self._complete(task_id, variables, actor)
            except CallerBusyError:
                if attempt == CALLER_RETRIES - 1:
                    raise
            except ConflictError as err:
                # A concurrent step may have changed the instance rather than this task: the
                # client asked about the task, so the answer names it.
                if task_id in str(err):
                    raise
                raise ConflictError(f"task '{task_id}' was not completed: {err}") from err

    def _complete(self, task_id: str, variables: Mapping[str, Any] | None, actor: str | None) -> None:
        with self._ctx.db.begin() as conn:
            found = SELECT_FOR_COMPLETION.rows(conn, {"id": task_id})
            if not found:
                self._raise_missing(conn, task_id)
            row = TaskRow(zip(("element_id", "name", "form_json"), found[0]))
            loaded = self._ctx.loaded(found[0])
            require_active(loaded.row, f"completing task '{task_id}'")
            spiff_task = loaded.workflow.get_task_from_id(UUID(task_id))
            if spiff_task is None or spiff_task.state != TaskState.READY:
                raise ConflictError(f"task '{task_id}' is no longer open")
            values = self._validated(row.form_json, spiff_task, variables or {})
            self._run_checks(loaded, spiff_task, values)
            spiff_task.set_data(**values)
            self._ctx.advance_and_save(
                conn, loaded, actor=actor, task_id=task_id, step=spiff_task.run,
                events=[{"event_type": "complete", "element_id": row.element_id, "element_name": row.name,
                         "data": values or None}])

    @staticmethod
    def _validated(form_json: str | None, spiff_task, submitted: Mapping[str, Any]) -> dict[str, Any]:
        if form_json:
            form = parsed_form(form_json)
            return check_variables(validate_submission(form, submitted, current=spiff_task.data))
        return check_variables(submitted)

    def completion(self, task_id: str) -> tuple[str, str | None] | None:
        """(instance id, who) of a task that was completed, or None if it never was."""
        with self._ctx.db.connect() as conn:
            found = conn.execute(select(HistoryEvent.instance_id, HistoryEvent.actor).where(
                HistoryEvent.task_id == task_id, HistoryEvent.event_type == "complete").limit(1)).first()
        return None if found is None else (found[0], found[1])

    def _run_checks(self, loaded, spiff_task, values: Mapping[str, Any]) -> None:
        spec = spiff_task.task_spec
        properties = dict((getattr(spec, "extensions", None) or {}).get("properties", {}))
        names = [n.strip() for n in (properties.get(CHECK_PROPERTY) or "").split(",") if n.strip()]
        for name in names:
            check = self._ctx.handlers.get_check(name)
            if check is None:
                # Refusing is safer than letting a rule the designer asked for pass unchecked.
                raise InvalidStateError(f"task '{spec.name}' asks for the completion check '{name}', "
                                        "which is not registered")
            check(TaskCheckContext(
                instance_id=loaded.row.id, business_key=loaded.row.business_key,
                definition_key=loaded.row.definition_key, element_id=spec.name,
                variables=dict(spiff_task.data), values=dict(values), properties=properties))

    @staticmethod
    def _raise_missing(conn, task_id: str):
        completion = conn.execute(select(HistoryEvent.actor).where(
            HistoryEvent.task_id == task_id, HistoryEvent.event_type == "complete").limit(1)).first()
        if completion is not None:
            by = f" by {completion.actor}" if completion.actor else ""
            raise ConflictError(f"task '{task_id}' was already completed{by}")
        raise NotFoundError(f"task '{task_id}' does not exist")
