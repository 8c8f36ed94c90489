"""Process instance migration: moves running instances to another version of their process.

All or nothing: the plan and every instance are checked first (each instance is even rebuilt on
the new version, in memory), and only when nothing fails are the instances written, all in one
transaction. A migrated instance keeps its id, variables, open human tasks (their ids, assignee,
candidates and due date) and waiting timers; it then runs the new version's elements, including
the DMN tables the new version was deployed with.

Called instances are separate instances of their own process: a plan moves the instances it
lists (or that its query finds) and no others; a called process that changed too needs its own plan.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import Connection, delete, select, update

from engine.errors import InvalidArgumentError, NotFoundError
from engine.persistence import (
    EventSubscription, ExternalTask, Incident, InstanceRef, Outcome, ProcessDefinition, ProcessInstance, Resource, Task,
    dump_state, history_rows, insert_history, load_state, save_instance, sync_event_subscriptions,
)
from engine.specs import ExternalServiceTask
from engine.runtime.context import EngineContext, LoadedInstance
from engine.runtime.execution import next_timer_due, process_variables
from engine.runtime.migration_plan import (
    InstanceReport, MigrationPlan, MigrationReport, VersionModel, generated_plan, instruction_reports,
    required_variables, version_model,
)
from engine.runtime.migration_rebuild import rebuild, unmapped_active
from engine.runtime.service import start_form_json
from engine.runtime.variable_changes import set_on_workflow
from engine.runtime.variables import check_variables

INSTANCE, TASK, EXTERNAL = ProcessInstance.__table__, Task.__table__, ExternalTask.__table__
INCIDENT, SUBSCRIPTION = Incident.__table__, EventSubscription.__table__
PLAN_INVALID = "MigrationPlanValidationException"
INSTANCE_INVALID = "MigratingProcessInstanceValidationException"


class MigrationValidationError(InvalidArgumentError):
    """The plan, or one of the instances, cannot migrate; nothing was changed. `kind` is Camunda's
    exception name, `report` says every reason."""

    def __init__(self, kind: str, message: str, report: MigrationReport) -> None:
        super().__init__(message)
        self.kind, self.report = kind, report


@dataclass
class _Checked:
    report: MigrationReport
    rebuilt: list[tuple[LoadedInstance, dict[str, str]]]


class MigrationService:
    def __init__(self, ctx: EngineContext) -> None:
        self._ctx = ctx

    def generate_migration_plan(self, source_definition_id: str, target_definition_id: str,
                                update_event_triggers: bool = False, variables: dict | None = None) -> MigrationPlan:
        """Maps each element of the source version to the target's element with the same id."""
        with self._ctx.db.connect() as conn:
            source, target = self._model(conn, source_definition_id), self._model(conn, target_definition_id)
        return generated_plan(source, target, update_event_triggers, check_variables(variables))

    def validate_migration_plan(self, plan: MigrationPlan, instance_ids: list[str] | None = None) -> MigrationReport:
        """The report of the plan and of the instances (by default every running instance of the
        source version): instructions, active elements without a target, required variables."""
        with self._ctx.db.connect() as conn:
            if instance_ids is None:
                instance_ids = list(conn.scalars(select(INSTANCE.c.id).where(
                    INSTANCE.c.definition_id == plan.source_definition_id, INSTANCE.c.status != "completed")
                    .order_by(INSTANCE.c.started_at, INSTANCE.c.id)))
            return self._check(conn, plan, instance_ids).report

    def execute_migration(self, plan: MigrationPlan, instance_ids: list[str], *, actor: str | None = None) -> int:
        """Migrates every listed instance, or none (MigrationValidationError); returns how many."""
        if not instance_ids:
            raise InvalidArgumentError("process instance ids is empty")
        with self._ctx.db.begin() as conn:
            checked = self._check(conn, plan, list(dict.fromkeys(instance_ids)))
            if not checked.report.plan_valid:
                raise MigrationValidationError(PLAN_INVALID, _summary("Migration plan", checked.report), checked.report)
            if not checked.report.valid:
                raise MigrationValidationError(INSTANCE_INVALID, _summary("Migrating process instances",
                                                                          checked.report), checked.report)
            target_key = conn.scalar(select(ProcessDefinition.key)
                                     .where(ProcessDefinition.id == plan.target_definition_id))
            for loaded, renamed in checked.rebuilt:
                self._save(conn, plan, target_key, loaded, renamed, actor)
        return len(checked.rebuilt)

    # -- checks ----------------------------------------------------------------------------

    def _model(self, conn: Connection, definition_id: str) -> VersionModel:
        content = conn.scalar(select(Resource.content)
                              .join(ProcessDefinition, ProcessDefinition.resource_id == Resource.id)
                              .where(ProcessDefinition.id == definition_id))
        if content is None:
            raise NotFoundError(f"process definition '{definition_id}' does not exist")
        spec, subprocess_specs = self._ctx.specs.get(definition_id)
        return version_model(definition_id, spec, subprocess_specs, content.decode("utf-8", "replace"),
                             start_form_json(spec))

    def _check(self, conn: Connection, plan: MigrationPlan, instance_ids: list[str]) -> _Checked:
        check_variables(plan.variables)
        source, target = self._model(conn, plan.source_definition_id), self._model(conn, plan.target_definition_id)
        report = MigrationReport(instruction_reports(plan, source, target), {}, [])
        if not report.plan_valid:
            return _Checked(report, [])
        required = {name: why for name, why in required_variables(source, target).items() if name not in plan.variables}
        new_spec, new_subprocess_specs = self._ctx.specs.get(plan.target_definition_id)
        rebuilt = []
        for instance_id in instance_ids:
            failures, loaded = [], None
            try:
                loaded = self._ctx.load(conn, instance_id)
            except NotFoundError as err:
                failures.append(str(err))
            if loaded is not None:
                failures += self._instance_failures(plan, loaded, new_spec, new_subprocess_specs)
                variables = process_variables(loaded.workflow)
                for name, why in required.items():
                    if name not in variables:
                        report.variable_reports.setdefault(name, []).append(
                            f"process instance {instance_id} lacks the variable '{name}' ({why} in "
                            f"{plan.target_definition_id}); give it in the plan's variables")
            if not failures and loaded is not None:
                try:
                    renamed = self._rebuilt(plan, loaded, new_spec, new_subprocess_specs)
                    rebuilt.append((loaded, renamed))
                except Exception as err:  # SpiffWorkflow's own refusal: the instance cannot take this version
                    failures.append(f"the state of process instance {instance_id} cannot be moved onto "
                                    f"{plan.target_definition_id}: {err}")
            report.instance_reports.append(InstanceReport(instance_id, failures))
        return _Checked(report, rebuilt)

    @staticmethod
    def _instance_failures(plan: MigrationPlan, loaded: LoadedInstance, new_spec, new_subprocess_specs) -> list[str]:
        row = loaded.row
        if row.definition_id != plan.source_definition_id:
            return [f"process instance {row.id} is an instance of {row.definition_id}, "
                    f"not of the plan's source {plan.source_definition_id}"]
        if row.status == "completed":
            return [f"process instance {row.id} has ended"]
        return [f"active element '{a.element_id}' ({a.state.lower()}"
                + (f", in '{a.scope}'" if a.scope else "") + f") of process instance {row.id} has no target in "
                f"{plan.target_definition_id}: map it with an instruction"
                for a in unmapped_active(loaded.workflow, plan.mapping(), new_spec, new_subprocess_specs)]

    def _rebuilt(self, plan: MigrationPlan, loaded: LoadedInstance, new_spec, new_subprocess_specs) -> dict[str, str]:
        workflow = loaded.workflow
        with self._ctx.clocked():  # an updated timer counts from now on the engine's clock
            renamed = rebuild(workflow, plan.mapping(), new_spec, new_subprocess_specs, plan.update_triggers())
        if plan.variables:
            set_on_workflow(workflow, plan.variables)
        # What the next step will load: it must read back on the new version.
        loaded.workflow = load_state(dump_state(workflow), new_spec, new_subprocess_specs, self._ctx.script_engine)
        return renamed

    # -- writing ---------------------------------------------------------------------------

    def _save(self, conn: Connection, plan: MigrationPlan, target_key: str, loaded: LoadedInstance,
              renamed: dict[str, str], actor: str | None) -> None:
        row, workflow, now = loaded.row, loaded.workflow, self._ctx.now()
        instance = InstanceRef(row.id, plan.target_definition_id, target_key, row.business_key, row.parent_instance_id)
        mapping = plan.mapping()
        outcome = Outcome(row.status, incident_message=row.incident_message,
                          incident_element_id=mapping.get(row.incident_element_id, row.incident_element_id),
                          next_timer_at=next_timer_due(workflow) if row.status == "active" else row.next_timer_at)
        save_instance(conn, instance, row.revision, dump_state(workflow), outcome, now=now)
        conn.execute(update(INSTANCE).where(INSTANCE.c.id == row.id)
                     .values(definition_id=plan.target_definition_id, definition_key=target_key))
        for task in workflow.get_tasks(state=TaskState.READY | TaskState.STARTED):
            if str(task.id) in loaded.open_task_ids:
                self._update_task_row(conn, instance, task)
            elif isinstance(task.task_spec, ExternalServiceTask):
                # A waiting external task is offered under the new version's element and topic.
                spec = task.task_spec
                conn.execute(update(EXTERNAL).where(EXTERNAL.c.id == str(task.id)).values(
                    element_id=spec.bpmn_id, **({"topic": spec.topic} if spec.topic else {})))
        self._move_incidents_and_subscriptions(conn, instance, workflow, mapping, now)
        insert_history(conn, history_rows([{"event_type": "migrate", "data": {
            "from": row.definition_id, "to": plan.target_definition_id,
            "renamed": {task_id: element for task_id, element in renamed.items()} or None,
            "variables": sorted(plan.variables) or None}}], now=now, actor=actor, instance=instance))

    @staticmethod
    def _move_incidents_and_subscriptions(conn: Connection, instance: InstanceRef, workflow, mapping: dict[str, str],
                                          now) -> None:
        """Open incidents and the events the instance waits for now name the new version and its elements."""
        for incident_id, activity in conn.execute(select(INCIDENT.c.id, INCIDENT.c.activity_id).where(
                INCIDENT.c.instance_id == instance.id, INCIDENT.c.resolved_at.is_(None))).all():
            conn.execute(update(INCIDENT).where(INCIDENT.c.id == incident_id).values(
                definition_id=instance.definition_id, activity_id=mapping.get(activity, activity)))
        conn.execute(delete(SUBSCRIPTION).where(SUBSCRIPTION.c.instance_id == instance.id))
        sync_event_subscriptions(conn, instance, workflow, now)

    @staticmethod
    def _update_task_row(conn: Connection, instance: InstanceRef, task) -> None:
        """The task keeps its id, assignee, candidates and dates; its element and form are the new version's."""
        spec = task.task_spec
        extensions = spec.extensions or {}
        conn.execute(update(TASK).where(TASK.c.id == str(task.id)).values(
            definition_id=instance.definition_id, definition_key=instance.definition_key, element_id=spec.bpmn_id,
            name=spec.bpmn_name, form_key=extensions.get("formKey"), form_ref=extensions.get("formRef"),
            form_json=json.dumps(extensions["formData"], ensure_ascii=False) if "formData" in extensions else None,
            properties_json=json.dumps(extensions.get("properties") or {}, ensure_ascii=False)))


def _summary(what: str, report: MigrationReport) -> str:
    failures = [f for r in report.instruction_reports for f in r.failures]
    failures += [f for r in report.instance_reports for f in r.failures]
    failures += [f for reasons in report.variable_reports.values() for f in reasons]
    shown = "; ".join(failures[:10]) + (f"; and {len(failures) - 10} more" if len(failures) > 10 else "")
    return f"{what} is not valid: {shown}"
