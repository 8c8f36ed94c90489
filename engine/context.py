"""What every engine service shares, and the one place an instance is loaded, advanced and saved."""
from __future__ import annotations

from dataclasses import dataclass
from uuid import uuid4

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from engine.config import EngineConfig
from engine.errors import InvalidStateError, NotFoundError
from engine.execution import Executor, InstanceRef, Outcome
from engine.handlers import HandlerRegistry
from engine.instance_store import history_rows, insert_history, insert_instance, save_instance, sync_tasks
from engine.models import ProcessDefinition, ProcessInstance, Task
from engine.serializer import dump_state, load_state
from engine.spec_cache import SpecCache


@dataclass
class EngineContext:
    config: EngineConfig
    db: Engine
    sessions: sessionmaker[Session]
    specs: SpecCache
    handlers: HandlerRegistry
    script_engine: object
    executor: Executor

    def now(self):
        return self.config.clock()

    # -- instances -------------------------------------------------------------------------

    def create_instance(self, session: Session, definition: ProcessDefinition, variables: dict,
                        business_key: str | None, actor: str | None) -> tuple[InstanceRef, Outcome]:
        spec, subprocess_specs = self.specs.get(definition.id)
        workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=self.script_engine)
        # The start task's data is where SpiffWorkflow's process variables begin.
        workflow.task_tree.data.update(variables)
        for task in workflow.get_tasks():
            task.data.update(variables)
        instance = InstanceRef(str(uuid4()), definition.id, definition.key, business_key)
        outcome = self.executor.advance(workflow, instance)
        now = self.now()
        insert_instance(session, instance, dump_state(workflow), outcome, now=now, actor=actor)
        events = [{"event_type": "start", "data": variables or None}, *outcome.events]
        events += sync_tasks(session, instance, workflow, outcome, self.handlers, now=now, known_task_ids=set())
        if outcome.status == "completed":
            events.append({"event_type": "end"})
        insert_history(session, history_rows(events, now=now, actor=actor, instance=instance))
        return instance, outcome

    def load(self, session: Session, instance_id: str) -> tuple[ProcessInstance, BpmnWorkflow]:
        row = session.get(ProcessInstance, instance_id)
        if row is None:
            raise NotFoundError(f"process instance '{instance_id}' does not exist")
        spec, subprocess_specs = self.specs.get(row.definition_id)
        return row, load_state(row.state, spec, subprocess_specs, self.script_engine)

    def advance_and_save(self, session: Session, row: ProcessInstance, workflow: BpmnWorkflow, *,
                         actor: str | None, events: list[dict], task_id: str | None = None,
                         fire_timers: bool = False) -> Outcome:
        """Runs the engine after a change to `workflow`, then writes state, tasks and history.

        The UPDATE is guarded by the revision read with the row, so of two concurrent changes
        to one instance exactly one is saved; the other gets ConflictError and writes nothing.
        """
        instance = InstanceRef(row.id, row.definition_id, row.definition_key, row.business_key)
        known = set(session.scalars(select(Task.id).where(Task.instance_id == row.id)))
        outcome = self.executor.advance(workflow, instance, known, fire_timers=fire_timers)
        now = self.now()
        save_instance(session, instance, row.revision, dump_state(workflow), outcome, now=now)
        events = [*events, *outcome.events]
        events += sync_tasks(session, instance, workflow, outcome, self.handlers, now=now, known_task_ids=known,
                             completed_task_id=task_id)
        if outcome.status == "completed":
            events.append({"event_type": "end"})
        insert_history(session, history_rows(events, now=now, actor=actor, instance=instance, task_id=task_id))
        return outcome


def require_active(row: ProcessInstance) -> None:
    if row.status == "completed":
        raise InvalidStateError(f"process instance {row.id} has already ended")
    if row.status == "incident":
        raise InvalidStateError(f"process instance {row.id} is stopped by an incident: {row.incident_message}")
