"""What every engine service shares, and the one place an instance is loaded, advanced and saved.

The hot path (start, load, save) works on a Core connection rather than an ORM session: the
unit of work and identity map cost more than a workflow step.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable
from uuid import UUID, uuid4

from SpiffWorkflow.bpmn.specs.defaults import StartEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import Connection, Engine, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import engine_clock
from engine.config import EngineConfig
from engine.errors import ConflictError, InvalidStateError, NotFoundError, SuspendedEntityError
from engine.runtime.execution import CalledProcessError, Executor, complete_call, process_variables
from engine.handlers import HandlerRegistry
from engine.specs import evaluated_decisions
from engine.persistence import (
    InstanceRecord, InstanceRef, Outcome, history_rows, insert_history, insert_instance, open_incident, pipelined,
    queue_save_instance, sync_event_subscriptions, sync_external_tasks, sync_tasks,
)
from engine.persistence import record_task_decisions
from engine.persistence import ProcessDefinition, ProcessInstance, PreparedStatement, dump_state, load_state, SpecCache
from engine.specs import fire_start_event, lone_event_start, thrown_signals

INSTANCE, DEFINITION = ProcessInstance.__table__, ProcessDefinition.__table__
# An instance started with this variable belongs to that office unit (who may see it follows).
UNIT_VARIABLE = "unit"
SELECT_INSTANCE = PreparedStatement(select(INSTANCE).where(INSTANCE.c.id == bindparam("id")))
INSTANCE_COLUMNS = SELECT_INSTANCE.column_names
DEFINITION_SUSPENDED = PreparedStatement(select(DEFINITION.c.suspended).where(DEFINITION.c.id == bindparam("id")))
LATEST_DEFINITION = PreparedStatement(select(DEFINITION.c.id, DEFINITION.c.suspended)
                                      .where(DEFINITION.c.key == bindparam("key"))
                                      .order_by(DEFINITION.c.version.desc()).limit(1))


@dataclass
class LoadedInstance:
    row: InstanceRecord
    workflow: BpmnWorkflow
    # Human tasks open when loaded: exactly the task rows stored for it (kept in step by saves).
    open_task_ids: set[str]

    @property
    def ref(self) -> InstanceRef:
        return InstanceRef(self.row.id, self.row.definition_id, self.row.definition_key, self.row.business_key,
                           self.row.parent_instance_id)


@dataclass
class EngineContext:
    config: EngineConfig
    db: Engine
    sessions: sessionmaker[Session]
    specs: SpecCache
    handlers: HandlerRegistry
    script_engine: object
    executor: Executor
    # (connection, signal name, throwing instance id, actor): engine/runtime/signals.py installs it.
    signal_broadcaster: Callable[[Connection, str, str, "str | None"], None] | None = None

    def now(self):
        return self.config.clock()

    def reading(self) -> Connection:
        """A connection for reads only. On PostgreSQL it runs without a transaction, which saves
        the BEGIN and ROLLBACK round trips around the reads, and the DEALLOCATE ALL psycopg sends
        after a rollback (it would throw away the statements it prepared); each statement reads
        a snapshot of its own, as it does in a READ COMMITTED transaction anyway."""
        reads = self.__dict__.get("_reads")
        if reads is None:
            autocommit = self.db.dialect.name == "postgresql"
            reads = self.__dict__["_reads"] = (self.db.execution_options(isolation_level="AUTOCOMMIT")
                                               if autocommit else self.db)
        return reads.connect()

    def clocked(self):
        """Completing a task lets SpiffWorkflow look at the next timer at once: on our clock."""
        return engine_clock(self.config.clock, self.config.timezone)

    def create_instance(self, conn: Connection, definition_id: str, definition_key: str, variables: dict,
                        business_key: str | None, actor: str | None, *,
                        prepare: Callable[[BpmnWorkflow], None] | None = None,
                        events: list[dict] | None = None, suspended: bool | None = None) -> InstanceRecord:
        """`prepare` changes the new workflow before it runs (a message start fires its start event);
        `events` go to the history after the start; `suspended`, the definition's flag when the
        caller has just read it (else it is read here)."""
        return self._create(conn, definition_id, definition_key, variables, business_key, actor,
                            prepare=prepare, extra_events=events, suspended=suspended)[0]

    def _create(self, conn: Connection, definition_id: str, definition_key: str, variables: dict,
                business_key: str | None, actor: str | None,
                parent: tuple[str, str] | None = None, prepare: Callable[[BpmnWorkflow], None] | None = None,
                extra_events: list[dict] | None = None,
                suspended: bool | None = None) -> tuple[InstanceRecord, BpmnWorkflow]:
        if suspended is None:
            suspended = any(found[0] for found in DEFINITION_SUSPENDED.rows(conn, {"id": definition_id}))
        if suspended:
            raise SuspendedEntityError(f"process definition '{definition_id}' is suspended: it starts no instance "
                                       "until it is activated")
        spec, subprocess_specs = self.specs.get(definition_id)
        initiator = initiator_variable(spec)
        if initiator is not None:
            # As Camunda 7: the starting user's id, null when none is known (a timer start).
            variables = {**variables, initiator: actor}
        workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=self.script_engine)
        # Process variables start as the data of the start task, which every later task inherits.
        for task in workflow.get_tasks(state=TaskState.READY):
            task.set_data(**variables)
        if prepare is None and lone_event_start(spec) is not None:
            fire_start_event(workflow, lone_event_start(spec))  # started by key or id: through it
        elif prepare is not None:
            prepare(workflow)
        instance = InstanceRef(str(uuid4()), definition_id, definition_key, business_key, parent[0] if parent else None)
        outcome = self.executor.advance(workflow, instance, start_child=self._child_starter(conn, instance, actor))
        now = self.now()
        unit = variables.get(UNIT_VARIABLE)
        with pipelined(conn):  # the step's rows in one round trip
            row = insert_instance(conn, instance, dump_state(workflow), outcome, now=now, actor=actor,
                                  unit=unit if isinstance(unit, str) and unit else None, parent=parent)
            open_incident(conn, instance, outcome, now=now)
            events = [{"event_type": "start", "data": variables or None}, *(extra_events or ()), *outcome.events]
            events += sync_tasks(conn, instance, outcome, now=now, known_task_ids=set())
            if outcome.status == "completed":
                events.append({"event_type": "end"})
            insert_history(conn, history_rows(events, now=now, actor=actor, instance=instance))
        sync_external_tasks(conn, instance, workflow, outcome, self.handlers, now)
        sync_event_subscriptions(conn, instance, workflow, now)
        self._broadcast_thrown_signals(conn, workflow, instance.id, actor)
        record_task_decisions(conn, evaluated_decisions(workflow), now=now, instance=instance, actor=actor)
        return row, workflow

    @staticmethod
    def latest_definition_id(conn: Connection, key: str) -> str | None:
        found = LATEST_DEFINITION.rows(conn, {"key": key})
        return found[0][0] if found else None

    @staticmethod
    def latest_definition(conn: Connection, key: str) -> tuple[str, bool] | None:
        """The latest version's id and whether it is suspended, in the one query a start needs."""
        found = LATEST_DEFINITION.rows(conn, {"key": key})
        return (found[0][0], bool(found[0][1])) if found else None

    def _child_starter(self, conn: Connection, caller: InstanceRef, actor: str | None):
        """Starts, inside the caller's transaction, the instance a call activity calls."""
        # A multi-instance call starts hundreds of instances of one process: its latest version
        # is read once for the step, not once per instance.
        definitions: dict[str, str | None] = {}

        def start_child(task, key: str, variables: dict, business_key: str | None):
            if key not in definitions:
                definitions[key] = self.latest_definition_id(conn, key)
            definition_id = definitions[key]
            if definition_id is None:
                raise CalledProcessError(f"call activity '{task.task_spec.bpmn_id}' calls process '{key}', "
                                         "which is not deployed", task.task_spec.bpmn_id, str(task.id))
            try:
                row, workflow = self._create(conn, definition_id, key, variables, business_key, actor,
                                             parent=(caller.id, str(task.id)))
            except SuspendedEntityError as err:
                raise CalledProcessError(f"call activity '{task.task_spec.bpmn_id}' calls process '{key}': {err}",
                                         task.task_spec.bpmn_id, str(task.id)) from err
            return row.id, (process_variables(workflow) if row.status == "completed" else None)
        return start_child

    def _resume_caller(self, conn: Connection, called: InstanceRecord, workflow: BpmnWorkflow,
                       actor: str | None) -> None:
        """The called instance ended: its call activity in the caller ends too, in this transaction."""
        caller = self.load(conn, called.parent_instance_id)
        if caller.row.suspended:
            # As in Camunda, the called instance cannot end into a suspended caller: its step waits.
            raise SuspendedEntityError(f"process instance '{called.id}' cannot end: the instance that called it, "
                                       f"'{caller.row.id}', is suspended")
        task = caller.workflow.get_task_from_id(UUID(called.parent_task_id))
        if caller.row.status != "active" or task is None or task.state != TaskState.STARTED:
            return  # the caller moved on (cancelled, deleted, stopped): nothing waits for this result
        variables = process_variables(workflow)
        try:
            self.advance_and_save(conn, caller, actor=actor, events=[{
                "event_type": "call_ended", "element_id": task.task_spec.bpmn_id,
                "element_name": task.task_spec.bpmn_name, "data": {"instance": called.id}}],
                step=lambda: complete_call(task, variables))
        except ConflictError as err:
            raise CallerBusyError(str(err)) from err

    def _broadcast_thrown_signals(self, conn: Connection, workflow: BpmnWorkflow, instance_id: str,
                                  actor: str | None) -> None:
        """A signal thrown in this step reaches the other instances and starts processes, in this
        transaction, once the thrower's step is written."""
        for name in thrown_signals(workflow):
            if self.signal_broadcaster is not None:
                self.signal_broadcaster(conn, name, instance_id, actor)

    def load(self, conn: Connection, instance_id: str) -> LoadedInstance:
        found = SELECT_INSTANCE.rows(conn, {"id": instance_id})
        if not found:
            raise NotFoundError(f"process instance '{instance_id}' does not exist")
        return self.loaded(found[0])

    def loaded(self, values: tuple) -> LoadedInstance:
        """The instance of a row read with the columns of SELECT_INSTANCE (or ending with them)."""
        row = InstanceRecord(**dict(zip(INSTANCE_COLUMNS, values[-len(INSTANCE_COLUMNS):])))
        spec, subprocess_specs = self.specs.get(row.definition_id)
        workflow = load_state(row.state, spec, subprocess_specs, self.script_engine)
        return LoadedInstance(row, workflow, open_human_task_ids(workflow))

    def advance_and_save(self, conn: Connection, loaded: LoadedInstance, *, actor: str | None,
                         events: list[dict], task_id: str | None = None, fire_timers: bool = False,
                         step=None) -> Outcome:
        """Runs the engine after a change to the loaded workflow, then writes state, tasks and history.

        The UPDATE is guarded by the revision read with the row, so of two concurrent changes
        to one instance exactly one is saved; the other gets ConflictError and writes nothing.
        """
        instance, workflow, known = loaded.ref, loaded.workflow, loaded.open_task_ids
        outcome = self.executor.advance(workflow, instance, known, fire_timers=fire_timers,
                                        start_child=self._child_starter(conn, instance, actor), step=step)
        now = self.now()
        saved = None
        try:
            with pipelined(conn) as held_back:  # the step's rows in one round trip
                saved = queue_save_instance(conn, instance, loaded.row.revision, dump_state(workflow), outcome,
                                            now=now)
                if not held_back:
                    saved()
                open_incident(conn, instance, outcome, now=now)
                events = [*events, *outcome.events]
                events += sync_tasks(conn, instance, outcome, now=now, known_task_ids=known,
                                     completed_task_id=task_id)
                if outcome.status == "completed":
                    events.append({"event_type": "end"})
                insert_history(conn, history_rows(events, now=now, actor=actor, instance=instance, task_id=task_id))
        except IntegrityError:
            if saved is not None:
                saved()  # someone else saved first: their rows explain the error, so say that
            raise
        saved()
        sync_external_tasks(conn, instance, workflow, outcome, self.handlers, now)
        sync_event_subscriptions(conn, instance, workflow, now)
        self._broadcast_thrown_signals(conn, workflow, instance.id, actor)
        record_task_decisions(conn, evaluated_decisions(workflow), now=now, instance=instance, actor=actor)
        if outcome.status == "completed" and loaded.row.parent_instance_id:
            self._resume_caller(conn, loaded.row, workflow, actor)
        return outcome


class CallerBusyError(ConflictError):
    """The calling instance changed at the same moment; the whole step can simply be tried again."""


def initiator_variable(spec) -> str | None:
    """The variable named by the start event's camunda:initiator, remembered on the (cached,
    shared) spec: starting is a hot path."""
    remembered = spec.__dict__.get("thidua_initiator", ...)
    if remembered is ...:
        remembered = next((t.extensions["initiator"] for t in spec.task_specs.values()
                           if isinstance(t, StartEvent) and (getattr(t, "extensions", None) or {}).get("initiator")),
                          None)
        spec.thidua_initiator = remembered
    return remembered


def open_human_task_ids(workflow: BpmnWorkflow) -> set[str]:
    return {str(t.id) for t in workflow.get_tasks(state=TaskState.READY) if t.task_spec.manual}


def require_active(row: InstanceRecord, what: str = "this step") -> None:
    """Refuses to move an ended, suspended or stopped instance; `what` names the refused step."""
    if row.status == "completed":
        raise InvalidStateError(f"process instance {row.id} has already ended")
    if row.suspended:
        raise SuspendedEntityError(f"{what} is refused: process instance '{row.id}' is suspended")
    if row.status == "incident":
        raise InvalidStateError(f"process instance {row.id} is stopped by an incident: {row.incident_message}")
