"""Drives a loaded workflow forward: engine steps, service-task handlers, incidents, timers."""
from __future__ import annotations

import json
import logging
import traceback
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.util.task import TaskState

from engine.clock import engine_clock
from engine.config import EngineConfig
from engine.handlers import HandlerRegistry, ServiceTaskContext
from engine.scripts import limits_in_force, ScriptLimits
from engine.persistence import InstanceRef, NewHumanTask, Outcome
from engine.specs import CalledProcessTask, ExternalServiceTask, spec_has
from engine.runtime.task_attributes import evaluate_task_attributes

log = logging.getLogger(__name__)

TIMER_TICK = timedelta(microseconds=1)
# Internal data of a service task: the attempts its handler gets on an operator's retry.
RETRY_ATTEMPTS = "thidua_retry_attempts"
TIMER_EVENT_TYPES = ("TimeDateEventDefinition", "DurationTimerEventDefinition", "CycleTimerEventDefinition",
                     "CronCycleTimerEventDefinition")


class Executor:
    def __init__(self, handlers: HandlerRegistry, config: EngineConfig,
                 limits_for: Callable[[str], ScriptLimits] | None = None) -> None:
        self.handlers = handlers
        self.config = config
        # definition id -> the script limits of its deployment
        self.limits_for = limits_for or (lambda _: ScriptLimits(config.script_cpu_seconds, config.script_memory_mb))

    def advance(self, workflow, instance: InstanceRef, known_task_ids: set[str] = frozenset(),
                fire_timers: bool = False, start_child: StartChild | None = None,
                step: Callable[[], object] | None = None) -> Outcome:
        """Runs everything that needs no human, then describes the human tasks now open.

        Attributes are evaluated only for tasks not seen before, so that a due date given as a
        duration keeps counting from the task's creation. `start_child` starts the instance a
        call activity calls (the caller owns the database transaction). `step` (completing a user
        task, re-arming a failed one) runs first: what it sets off, such as a timer whose
        expression fails, ends in an incident like any other engine step.
        """
        events: list[dict] = []
        with engine_clock(self.config.clock, self.config.timezone), limits_in_force(self.limits_for(instance.definition_id)):
            return self._advance(workflow, instance, known_task_ids, fire_timers, start_child, events, step)

    def _advance(self, workflow, instance, known_task_ids, fire_timers, start_child, events, step) -> Outcome:
        try:
            if step is not None:
                step()
            if fire_timers:
                # SpiffWorkflow fires a timer once its time is strictly past (`due < now`); a timer
                # is due AT its time, which is when the scheduler wakes: look a tick later.
                with engine_clock(lambda: self.config.clock() + TIMER_TICK):
                    workflow.refresh_timers()
            workflow.do_engine_steps()
            while ((spec_has(workflow, ExternalServiceTask) and self._run_one_service_task(workflow, instance, events))
                   or (start_child and spec_has(workflow, CalledProcessTask)
                       and self._start_called_processes(workflow, instance, start_child, events))):
                workflow.do_engine_steps()
            open_tasks = [t for t in workflow.get_tasks(state=TaskState.READY) if t.task_spec.manual]
            now = self.config.clock()
            new_tasks = [NewHumanTask(t, evaluate_task_attributes(t, now, self.config.timezone))
                         for t in open_tasks if str(t.id) not in known_task_ids]
        except (_HandlerGaveUp, CalledProcessError) as failed:
            return self._incident(str(failed), failed.element_id, events, failed.task_id, _trace(failed.cause))
        except SpiffWorkflowException as err:
            task = getattr(err, "task", None)
            return self._incident(_describe(err), _element_of(err), events,
                                  str(task.id) if task is not None else None, _trace(err))
        except (TypeError, ValueError) as err:
            # A task attribute that evaluated to something unusable, e.g. a dueDate of "soon".
            return self._incident(f"could not evaluate a task attribute: {err}", None, events, None, _trace(err))
        status = "completed" if workflow.is_completed() else "active"
        next_timer_at = None if status == "completed" else next_timer_due(workflow)
        return Outcome(status, next_timer_at=next_timer_at, waiting_json=waiting_events_json(workflow)
                       if next_timer_at is not None else None,
                       events=events, open_task_ids={str(t.id) for t in open_tasks}, new_tasks=new_tasks)

    def _incident(self, message: str, element_id: str | None, events: list[dict], job_id: str | None,
                  stack_trace: str | None) -> Outcome:
        """The step stops; `job_id` (the workflow task that failed) is what a retry runs again."""
        events.append({"event_type": "incident", "element_id": element_id, "data": {"message": message}})
        return Outcome("incident", incident_message=message, incident_element_id=element_id,
                       next_timer_at=None, events=events, incident_job_id=job_id, incident_stack_trace=stack_trace)

    def _run_one_service_task(self, workflow, instance: InstanceRef, events: list[dict]) -> bool:
        for task in workflow.get_tasks(state=TaskState.STARTED):
            spec = task.task_spec
            if not isinstance(spec, ExternalServiceTask):
                continue
            handler = self.handlers.get(spec.topic)
            if handler is None:
                continue  # waits for an external worker
            context = ServiceTaskContext(
                instance_id=instance.id, business_key=instance.business_key,
                definition_key=instance.definition_key, element_id=spec.bpmn_id, topic=spec.topic,
                variables=dict(task.data), properties=dict((spec.extensions or {}).get("properties", {})),
                element_name=spec.bpmn_name, parent_instance_id=instance.parent_instance_id,
                now=self.config.clock().astimezone(self.config.timezone),
            )
            # An operator's retry sets how many attempts the handler gets this time (Camunda's job retries).
            attempts = task.internal_data.pop(RETRY_ATTEMPTS, None) or self.config.service_task_attempts
            result = self._call_with_retries(handler, context, events, str(task.id), attempts)
            if result:
                task.set_data(**dict(result))
            task.complete()
            events.append({"event_type": "service_task", "element_id": spec.bpmn_id,
                           "element_name": spec.bpmn_name, "data": {"topic": spec.topic, **dict(result or {})}})
            return True
        return False

    def _start_called_processes(self, workflow, instance: InstanceRef, start_child: StartChild,
                                events: list[dict]) -> bool:
        """Starts an instance for each call activity now waiting; True when one already ended."""
        ended = False
        for task in workflow.get_tasks(state=TaskState.STARTED):
            spec = task.task_spec
            if not isinstance(spec, CalledProcessTask) or "child_instance" in task.internal_data:
                continue
            extensions = spec.extensions
            variables = map_variables(extensions["in"], task.data,
                                      lambda e, task=task: workflow.script_engine.evaluate(task, e))
            business_key = instance.business_key if extensions["businessKey"] else None
            child_id, final_variables = start_child(task, spec.called_element, variables, business_key)
            task.internal_data["child_instance"] = child_id
            events.append({"event_type": "call", "element_id": spec.bpmn_id, "element_name": spec.bpmn_name,
                           "data": {"process": spec.called_element, "instance": child_id}})
            if final_variables is not None:
                complete_call(task, final_variables)
                ended = True
        return ended

    def _call_with_retries(self, handler, context: ServiceTaskContext, events: list[dict], task_id: str,
                           attempts: int):
        for attempt in range(1, attempts + 1):
            try:
                return handler(context)
            except Exception as err:  # a handler is foreign code: any failure counts as one attempt
                log.warning("service task %s (topic %s) attempt %d failed: %s",
                            context.element_id, context.topic, attempt, err)
                events.append({"event_type": "service_task_failed", "element_id": context.element_id,
                               "data": {"topic": context.topic, "attempt": attempt, "error": repr(err)}})
                last_error = err
        raise _HandlerGaveUp(
            f"service task '{context.element_id}' (topic '{context.topic}') failed {attempts} times: {last_error}",
            context.element_id, task_id, last_error)


# (waiting task, called process key, variables, business key) -> (child instance id, its final
# variables when it already ended, else None)
StartChild = Callable[[object, str, dict, "str | None"], tuple[str, "dict | None"]]


def process_variables(workflow) -> dict[str, Any]:
    task = workflow.last_task or workflow.task_tree
    data = dict(workflow.data)
    data.pop("data_objects", None)
    data.update(task.data)
    return data


def map_variables(mappings: list[dict], source: dict, evaluate: Callable[[str], object]) -> dict:
    """Applies camunda:in / camunda:out mappings: all variables, source -> target, or expression -> target."""
    mapped: dict = {}
    for mapping in mappings:
        if mapping.get("all"):
            mapped.update(source)
        elif mapping.get("expression"):
            mapped[mapping["target"]] = evaluate(mapping["expression"])
        elif mapping["source"] in source:
            mapped[mapping["target"]] = source[mapping["source"]]
    return mapped


def complete_call(task, child_variables: dict) -> None:
    """Ends a waiting call activity with what its camunda:out mappings take from the called instance."""
    environment = task.workflow.script_engine.environment
    task.set_data(**map_variables(task.task_spec.extensions["out"], child_variables,
                                  lambda expression: environment.evaluate(expression, dict(child_variables))))
    task.complete()


class CalledProcessError(Exception):
    """A call activity could not start its process (e.g. the called process is not deployed)."""

    def __init__(self, message: str, element_id: str, task_id: str | None = None) -> None:
        super().__init__(message)
        self.element_id, self.task_id, self.cause = element_id, task_id, self


class _HandlerGaveUp(Exception):
    def __init__(self, message: str, element_id: str, task_id: str, cause: BaseException) -> None:
        super().__init__(message)
        self.element_id, self.task_id, self.cause = element_id, task_id, cause


def _trace(err: BaseException) -> str:
    return "".join(traceback.format_exception(err))


def next_timer_due(workflow) -> datetime | None:
    due = []
    for event in workflow.waiting_events():
        if event.event_type not in TIMER_EVENT_TYPES or event.value is None:
            continue
        value = event.value["next"] if isinstance(event.value, dict) else event.value
        try:
            due.append(TimerEventDefinition.get_datetime(value))
        except (TypeError, ValueError):
            # A timer whose value is not a datetime yet is evaluated on the next refresh.
            due.append(datetime.now(timezone.utc))
    return min(due) if due else None


def waiting_events(workflow) -> list[str]:
    """The element ids of the timers and other catch events the workflow waits on."""
    return [t.task_spec.bpmn_id for t in workflow.get_tasks(state=TaskState.WAITING)
            if getattr(t.task_spec, "event_definition", None) is not None]


def waiting_events_json(workflow) -> str:
    return json.dumps(waiting_events(workflow))


def _element_of(err: SpiffWorkflowException) -> str | None:
    task = getattr(err, "task", None)
    if task is not None:
        return getattr(task.task_spec, "bpmn_id", None) or task.task_spec.name
    return None


def _describe(err: SpiffWorkflowException) -> str:
    message = str(err)
    cause = getattr(err, "exception", None)
    if cause is not None and str(cause) and str(cause) not in message:
        message = f"{message}: {cause}"
    notes = getattr(err, "notes", None) or getattr(err, "__notes__", None) or []
    extra = [n for n in notes if n not in message]
    return "; ".join([message, *extra]) if extra else message
