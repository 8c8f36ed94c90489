"""Runtime service: start process instances, read them and their variables, fire due timers."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping

from SpiffWorkflow.bpmn.specs.defaults import StartEvent
from sqlalchemy import Connection, func, select

from engine.runtime.activities import Activity, definition_activities
from engine.runtime.context import EngineContext
from engine.errors import ConflictError, NotFoundError, SuspendedEntityError
from engine.persistence import ProcessDefinition, ProcessInstance
from engine.runtime.deletion import delete_instance
from engine.runtime.execution import process_variables
from engine.runtime import incidents, retries as retries_module
from engine.runtime.incidents import FailedJob, IncidentQuery
from engine.runtime.involvement import Involvement, takes_part_in
from engine.runtime.event_subscriptions import (EventSubscriptionQuery, count_event_subscriptions,
                                                list_event_subscriptions)
from engine.runtime.messages import CorrelationResult, correlate_message
from engine.runtime.signals import broadcast_signal, install_signal_broadcaster
from engine.runtime.progress import GroupProgress, InstanceProgress, called_progress, instance_progress
from engine.forms import parsed_form, validate_submission
from engine.runtime.timer_starts import fire_due_timer_starts
from engine.runtime.modification import modify_instance
from engine.runtime.suspension import set_instance_suspended
from engine.runtime.variable_changes import change_variables
from engine.runtime.variables import check_business_key, check_variables

DEFINITION = ProcessDefinition.__table__


@dataclass
class InstanceQuery:
    definition_key: str | None = None
    definition_id: str | None = None
    business_key: str | None = None
    status: str | None = None
    running: bool = False  # active or stopped by an incident, not ended
    instance_ids: list[str] | None = None
    parent_instance_id: str | None = None  # the instances this one started by its call activities
    suspended: bool | None = None  # True: only suspended instances; False: only those not suspended
    involving: Involvement | None = None
    first: int = 0
    limit: int | None = 100


class RuntimeService:
    def __init__(self, ctx: EngineContext) -> None:
        self._ctx = ctx
        install_signal_broadcaster(ctx)

    # -- start -----------------------------------------------------------------------------

    def start_process_by_key(self, key: str, variables: Mapping[str, Any] | None = None,
                             business_key: str | None = None, actor: str | None = None) -> ProcessInstance:
        """Starts the latest version of the process `key`."""
        checked, business_key = check_variables(variables), check_business_key(business_key)
        with self._ctx.db.begin() as conn:
            latest = self._ctx.latest_definition(conn, key)
            if latest is None:
                raise NotFoundError(f"no process definition with key '{key}' is deployed")
            definition_id, suspended = latest
            checked = self._with_start_form(definition_id, checked)
            return self._ctx.create_instance(conn, definition_id, key, checked, business_key, actor,
                                             suspended=suspended)

    def start_process_by_id(self, definition_id: str, variables: Mapping[str, Any] | None = None,
                            business_key: str | None = None, actor: str | None = None) -> ProcessInstance:
        checked, business_key = check_variables(variables), check_business_key(business_key)
        with self._ctx.db.begin() as conn:
            key = conn.scalar(select(DEFINITION.c.key).where(DEFINITION.c.id == definition_id))
            if key is None:
                raise NotFoundError(f"process definition '{definition_id}' does not exist")
            checked = self._with_start_form(definition_id, checked)
            return self._ctx.create_instance(conn, definition_id, key, checked, business_key, actor)

    def _with_start_form(self, definition_id: str, variables: dict) -> dict:
        """Checks and converts the start form's fields (other variables pass as they are)."""
        form_json = start_form_json(self._ctx.specs.get(definition_id)[0])
        if form_json is None:
            return variables
        form = parsed_form(form_json)
        extra = frozenset(variables) - {field.id for field in form.fields}
        return {**variables, **check_variables(validate_submission(form, variables, allow_extra=extra))}

    # -- messages and signals --------------------------------------------------------------

    def correlate_message(self, name: str, business_key: str | None = None,
                          correlation_keys: Mapping[str, Any] | None = None,
                          process_variables: Mapping[str, Any] | None = None, all: bool = False,  # noqa: A002
                          instance_id: str | None = None, actor: str | None = None,
                          involving: Involvement | None = None) -> list[CorrelationResult]:
        """Delivers a message as Camunda's POST /message (engine/runtime/messages.py); `involving`
        limits it to the instances that person may see."""
        return correlate_message(self._ctx, name, business_key=business_key, correlation_keys=correlation_keys,
                                 process_variables_=process_variables, all_=all, instance_id=instance_id,
                                 actor=actor, involving=involving)

    def broadcast_signal(self, name: str, variables: Mapping[str, Any] | None = None, actor: str | None = None,
                         involving: Involvement | None = None) -> int:
        """Every element waiting for the signal catches it and its start events start processes."""
        return broadcast_signal(self._ctx, name, variables, actor=actor, involving=involving)

    def list_event_subscriptions(self, query: EventSubscriptionQuery) -> list:
        """The messages and signals instances wait for, and the start events they would fire."""
        return list_event_subscriptions(self._ctx, query)

    def count_event_subscriptions(self, query: EventSubscriptionQuery) -> int:
        return count_event_subscriptions(self._ctx, query)

    # -- read ------------------------------------------------------------------------------

    def get_instance(self, instance_id: str) -> ProcessInstance:
        with self._ctx.sessions() as session:
            row = session.get(ProcessInstance, instance_id)
        if row is None:
            raise NotFoundError(f"process instance '{instance_id}' does not exist")
        return row

    def list_instances(self, query: InstanceQuery | None = None) -> list[ProcessInstance]:
        query = query or InstanceQuery()
        statement = (self._where(select(ProcessInstance), query)
                     .order_by(ProcessInstance.started_at, ProcessInstance.id).offset(query.first).limit(query.limit))
        with self._ctx.sessions() as session:
            return list(session.scalars(statement))

    def count_instances(self, query: InstanceQuery | None = None) -> int:
        query = query or InstanceQuery()
        with self._ctx.sessions() as session:
            return session.scalar(self._where(select(func.count()).select_from(ProcessInstance), query))

    def takes_part(self, instance_id: str, involvement: Involvement) -> bool:
        return self.count_instances(InstanceQuery(instance_ids=[instance_id], involving=involvement)) == 1

    @staticmethod
    def _where(statement, q: InstanceQuery):
        filters = []
        if q.definition_key:
            filters.append(ProcessInstance.definition_key == q.definition_key)
        if q.definition_id:
            filters.append(ProcessInstance.definition_id == q.definition_id)
        if q.business_key:
            filters.append(ProcessInstance.business_key == q.business_key)
        if q.status:
            filters.append(ProcessInstance.status == q.status)
        if q.running:
            filters.append(ProcessInstance.status != "completed")
        if q.instance_ids is not None:
            filters.append(ProcessInstance.id.in_(q.instance_ids))
        if q.parent_instance_id:
            filters.append(ProcessInstance.parent_instance_id == q.parent_instance_id)
        if q.suspended is not None:
            filters.append(ProcessInstance.suspended.is_(q.suspended))
        if q.involving is not None:
            filters.append(takes_part_in(q.involving))
        return statement.where(*filters)

    def progress(self, instance_id: str) -> InstanceProgress:
        """The elements active now (tasks, timers, external tasks, called instances, incident) and done."""
        return instance_progress(self._ctx, instance_id)

    def activities(self, definition_id: str) -> list[Activity]:
        """The version's tasks, call activities and subprocesses with their names (no events, no gateways)."""
        return definition_activities(self._ctx, definition_id)

    def called_progress(self, parent_instance_id: str, with_completed: bool = False) -> GroupProgress:
        """The progress of every instance this one called, with the count at each element (heatmap)."""
        return called_progress(self._ctx, parent_instance_id, with_completed)

    def get_variables(self, instance_id: str) -> dict[str, Any]:
        """The variables as the most recently finished step left them."""
        with self._ctx.db.connect() as conn:
            return process_variables(self._ctx.load(conn, instance_id).workflow)

    # -- change ----------------------------------------------------------------------------

    def set_variables(self, instance_id: str, modifications: Mapping[str, Any] | None = None,
                      deletions: list[str] | None = None, actor: str | None = None) -> None:
        """Sets and deletes variables of a running instance; each change is in the history."""
        change_variables(self._ctx, instance_id, modifications, deletions, actor=actor)

    def suspend_instance(self, instance_id: str, actor: str | None = None) -> None:
        """Suspends a running instance: its tasks, external tasks, timers and reminders wait."""
        set_instance_suspended(self._ctx, instance_id, True, actor)

    def activate_instance(self, instance_id: str, actor: str | None = None) -> None:
        """Lets a suspended instance go on; a timer that fell due meanwhile fires at the next pass."""
        set_instance_suspended(self._ctx, instance_id, False, actor)

    def modify_instance(self, instance_id: str, instructions: list[Mapping[str, Any]], actor: str | None = None,
                        annotation: str | None = None, **flags: bool) -> None:
        """Cancels active activities and starts others (Camunda's process instance modification):
        `cancel`, `startBeforeActivity`, `startAfterActivity`, each with an `activityId`. `flags`
        (skip_custom_listeners, skip_io_mappings) are recorded in the history."""
        modify_instance(self._ctx, instance_id, instructions, actor=actor, annotation=annotation, **flags)

    def delete_instance(self, instance_id: str, actor: str | None = None, reason: str | None = None,
                        cascade: bool = False) -> None:
        """Deletes the instance and the instances its call activities started. An instance that a
        call activity started leaves its caller in an incident, or with `cascade` takes it along."""
        delete_instance(self._ctx, instance_id, actor=actor, reason=reason, cascade=cascade)

    # -- incidents and retries (operators) --------------------------------------------------

    def list_incidents(self, query: IncidentQuery | None = None) -> list:
        """Open incidents (Camunda's runtime view), filtered and sorted as `query` says."""
        return incidents.list_incidents(self._ctx, query or IncidentQuery())

    def count_incidents(self, query: IncidentQuery | None = None) -> int:
        return incidents.count_incidents(self._ctx, query or IncidentQuery())

    def get_incident(self, incident_id: str):
        return incidents.get_incident(self._ctx, incident_id)

    def set_incident_annotation(self, incident_id: str, text: str | None, actor: str | None = None) -> None:
        """Sets, or with None clears, an open incident's annotation; in the history with the actor."""
        incidents.set_annotation(self._ctx, incident_id, text, actor)

    def list_failed_jobs(self, *, instance_id: str | None = None, definition_id: str | None = None,
                         first: int = 0, limit: int | None = None) -> list[FailedJob]:
        return incidents.failed_jobs(self._ctx, instance_id=instance_id, definition_id=definition_id,
                                     first=first, limit=limit)

    def get_failed_job(self, job_id: str) -> FailedJob:
        return incidents.get_failed_job(self._ctx, job_id)

    def set_job_retries(self, job_id: str, retries: int, actor: str | None = None) -> None:
        """Retries > 0: the failed step runs again (only it) and the instance continues."""
        retries_module.set_job_retries(self._ctx, job_id, retries, actor)

    def set_external_task_retries(self, task_id: str, retries: int, actor: str | None = None) -> None:
        """Retries > 0: the external task is offered to workers again and its incident resolved."""
        retries_module.set_external_task_retries(self._ctx, task_id, retries, actor)

    def fire_due_timers(self, now: datetime | None = None, limit: int = 100) -> int:
        """Advances every instance whose next timer is due; returns how many were advanced.

        Two callers racing for one instance are safe: the loser's save raises ConflictError and
        it moves on, so a timer fires once.
        """
        now = now or self._ctx.now()
        with self._ctx.sessions() as session:
            due = list(session.scalars(
                select(ProcessInstance.id).where(ProcessInstance.status == "active",
                                                 ProcessInstance.next_timer_at <= now,
                                                 ProcessInstance.suspended.is_(False))
                .order_by(ProcessInstance.next_timer_at).limit(limit)))
        fired = 0
        for instance_id in due:
            try:
                with self._ctx.db.begin() as conn:
                    fired += self._fire(conn, instance_id, now)
            except (ConflictError, SuspendedEntityError):
                continue  # changed meanwhile, or it would end into a suspended caller: the next pass
        return fired

    def fire_due_timer_starts(self, now: datetime | None = None, limit: int = 100) -> int:
        """Starts an instance for each due timer start event of a deployed process; returns how many."""
        return fire_due_timer_starts(self._ctx, now or self._ctx.now(), limit)

    def _fire(self, conn: Connection, instance_id: str, now: datetime) -> int:
        loaded = self._ctx.load(conn, instance_id)
        row = loaded.row
        if row.status != "active" or row.suspended or row.next_timer_at is None or row.next_timer_at > now:
            return 0
        self._ctx.advance_and_save(conn, loaded, actor=None,
                                   events=[{"event_type": "timer", "data": {"due": row.next_timer_at.isoformat()}}],
                                   fire_timers=True)
        return 1


def start_form_json(spec) -> str | None:
    """The start event's form, remembered on the (cached, shared) spec: starting is a hot path."""
    remembered = spec.__dict__.get("thidua_start_form", ...)
    if remembered is ...:
        form = next((t.extensions["formData"] for t in spec.task_specs.values()
                     if isinstance(t, StartEvent) and (getattr(t, "extensions", None) or {}).get("formData")), None)
        remembered = None if form is None else json.dumps(form, ensure_ascii=False)
        spec.thidua_start_form = remembered
    return remembered
