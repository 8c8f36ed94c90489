"""Repository service: deploy BPMN/DMN files as versioned definitions, and read them back."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Iterable
from uuid import uuid4

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from engine.runtime import (
    EngineContext, as_plain_start_events, plan_timer_starts, replace_timer_starts, set_definitions_suspended,
)
from engine.repository.decision_table import DecisionTable, TableDiff, diff_tables, read_table
from engine.repository.dmn_evaluation import DecisionOutcome, evaluate_file
from engine.errors import ConflictError, DeploymentError, NotFoundError, Problem
from engine.repository.model_diff import ModelDiff, diff_models
from engine.persistence import (
    DecisionDefinition, Deployment, HistoryEvent, ProcessDefinition, ProcessInstance, Resource,
)
from engine.repository.flow_order import flow_order
from engine.repository.parsing import ModelFile, Progress, parse_deployment
from engine.management import inherited_limits
from engine.persistence import decision_rows, dump_specs, insert_decisions, replace_start_subscriptions

MODEL_SUFFIXES = (".bpmn", ".bpmn20.xml", ".dmn", ".dmn11.xml")
FORM_SUFFIX = ".form"


@dataclass
class DeploymentResult:
    """`deployment` is None when every file was already deployed unchanged (duplicate filtering);
    `existing` is then the deployment that holds them, as Camunda answers."""

    deployment: Deployment | None
    processes: list[ProcessDefinition] = field(default_factory=list)
    decisions: list[DecisionDefinition] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    existing: Deployment | None = None
    # Accepted all the same: call activities whose called process is not deployed yet.
    warnings: list = field(default_factory=list)


def content_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


class RepositoryService:
    def __init__(self, ctx: EngineContext) -> None:
        self._ctx = ctx
        # A version's diagram never changes: its flow order is read from the database and parsed once.
        self._flow_orders: dict[str, tuple[str, ...]] = {}

    # -- deploy ----------------------------------------------------------------------------

    def deploy(self, files: Iterable[ModelFile | tuple[str, bytes]], *, name: str | None = None,
               source: str | None = None, tenant_id: str | None = None, actor: str | None = None,
               duplicate_filtering: bool = True, progress: Progress | None = None) -> DeploymentResult:
        """Parses and checks every file first; stores all of it, or nothing. `progress` (a batch's,
        engine/management/batches.py) hears of each file checked and each process built, then of storing."""
        files = [f if isinstance(f, ModelFile) else ModelFile(PurePath(f[0]).name, f[1]) for f in files]
        self._check_files(files)
        models = [f for f in files if not f.name.endswith(FORM_SUFFIX)]
        parsed = parse_deployment(models, self._resolve, self._ctx.config.max_model_bytes,
                                  self._ctx.handlers.property_checks(), progress)
        if progress is not None:
            progress(2 * len(models), 2 * len(models) + 1, "saving", None)
        hashes = {f.name: content_hash(f.content) for f in files}
        timer_starts = self._timer_starts(parsed, files)
        try:
            with self._ctx.sessions.begin() as session:
                result = self._store(session, files, parsed, hashes, name, source, tenant_id, actor,
                                     duplicate_filtering, timer_starts)
        except IntegrityError:
            raise ConflictError("another deployment of the same definitions happened at the same time; "
                                "deploy again") from None
        result.warnings = list(parsed.warnings)
        return result

    def _check_files(self, files: list[ModelFile]) -> None:
        problems = []
        names = [f.name for f in files]
        if not files:
            problems.append(Problem("deployment", "no files were given"))
        for duplicate in sorted({n for n in names if names.count(n) > 1}):
            problems.append(Problem(duplicate, "the same file name is given twice"))
        for f in files:
            if f.name.endswith(FORM_SUFFIX):
                try:
                    json.loads(f.content)
                except ValueError as err:
                    problems.append(Problem(f.name, f"not a Camunda form (invalid JSON: {err})"))
            elif not f.name.endswith(MODEL_SUFFIXES):
                problems.append(Problem(f.name, "unsupported file type; deploy .bpmn, .dmn or .form files"))
        if problems:
            raise DeploymentError(problems)

    def _timer_starts(self, parsed, files: list[ModelFile]):
        """Timer start events are computed at deployment, on the engine's clock (a duration counts from now)."""
        environment = self._ctx.script_engine.environment
        with self._ctx.clocked():
            plans = plan_timer_starts(parsed.processes, {f.name: f.content for f in files},
                                      lambda expression: environment.evaluate(expression, {}), self._ctx.now(),
                                      self._ctx.config.timezone)
        as_plain_start_events(parsed.processes)
        return plans

    def _store(self, session, files, parsed, hashes, name, source, tenant_id, actor, duplicate_filtering,
               timer_starts):
        now = self._ctx.now()
        unchanged: list = []
        new_processes = self._new_versions(session, ProcessDefinition, parsed.processes, hashes,
                                           duplicate_filtering, unchanged)
        new_decisions = self._new_versions(session, DecisionDefinition, parsed.decisions, hashes,
                                           duplicate_filtering, unchanged)
        forms_changed = [f for f in files if f.name.endswith(FORM_SUFFIX)
                         and not (duplicate_filtering and self._form_unchanged(session, f.name, hashes[f.name]))]
        if not new_processes and not new_decisions and not forms_changed:
            existing = session.get(Deployment, unchanged[0].deployment_id) if unchanged else None
            return DeploymentResult(None, unchanged=[d.key for d in unchanged], existing=existing)

        cpu_seconds, memory_mb = inherited_limits(session, [p.key for p, _ in new_processes])
        deployment = Deployment(id=str(uuid4()), name=name or ", ".join(f.name for f in files), source=source,
                                tenant_id=tenant_id, deployed_at=now, deployed_by=actor,
                                script_cpu_seconds=cpu_seconds, script_memory_mb=memory_mb)
        session.add(deployment)
        resources = {f.name: Resource(id=str(uuid4()), deployment_id=deployment.id, name=f.name,
                                      content=f.content, content_hash=hashes[f.name]) for f in files}
        session.add_all(resources.values())
        session.flush()
        created_processes = [ProcessDefinition(
            id=f"{p.key}:{version}:{uuid4()}", key=p.key, version=version, name=p.name,
            deployment_id=deployment.id, resource_id=resources[p.file_name].id,
            content_hash=hashes[p.file_name], spec_json=dump_specs(p.spec, p.subprocess_specs), created_at=now,
        ) for p, version in new_processes]
        created_decisions = [DecisionDefinition(
            id=f"{d.key}:{version}:{uuid4()}", key=d.key, version=version, name=d.name,
            deployment_id=deployment.id, resource_id=resources[d.file_name].id,
            content_hash=hashes[d.file_name], created_at=now,
        ) for d, version in new_decisions]
        session.add_all(created_processes + created_decisions)
        replace_timer_starts(session, created_processes, timer_starts)
        replace_start_subscriptions(session, created_processes, {p.key: p.spec for p, _ in new_processes}, now)
        session.add(HistoryEvent(time=now, event_type="deploy", actor=actor, data_json=json.dumps({
            "deployment": deployment.id, "files": [f.name for f in files],
            "processes": {d.key: d.version for d in created_processes},
            "decisions": {d.key: d.version for d in created_decisions}, "unchanged": [d.key for d in unchanged],
        }, ensure_ascii=False)))
        return DeploymentResult(deployment, created_processes, created_decisions, [d.key for d in unchanged])

    def _new_versions(self, session, model, parsed_items, hashes, duplicate_filtering, unchanged: list) -> list:
        """(item, version) for each item whose file differs from its latest version's file;
        the latest versions of the others are appended to `unchanged`."""
        versions = []
        for item in parsed_items:
            latest = self._latest(session, model, item.key)
            if duplicate_filtering and latest is not None and latest.content_hash == hashes[item.file_name]:
                unchanged.append(latest)
            else:
                versions.append((item, (latest.version if latest else 0) + 1))
        return versions

    @staticmethod
    def _form_unchanged(session, name: str, digest: str) -> bool:
        latest = session.scalars(select(Resource.content_hash).join(Deployment).where(Resource.name == name)
                                 .order_by(Deployment.deployed_at.desc()).limit(1)).first()
        return latest == digest

    @staticmethod
    def _latest(session, model, key: str):
        return session.scalars(select(model).where(model.key == key).order_by(model.version.desc()).limit(1)).first()

    def _resolve(self, kind: str, key: str) -> ModelFile | None:
        model = ProcessDefinition if kind == "process" else DecisionDefinition
        with self._ctx.sessions() as session:
            latest = self._latest(session, model, key)
            if latest is None:
                return None
            resource = session.get(Resource, latest.resource_id)
            return ModelFile(resource.name, resource.content)

    # -- read ------------------------------------------------------------------------------

    def list_definitions(self, *, key: str | None = None, latest_only: bool = False,
                         first: int = 0, limit: int | None = 100) -> list[ProcessDefinition]:
        statement = select(ProcessDefinition)
        if key:
            statement = statement.where(ProcessDefinition.key == key)
        if latest_only:
            newest = (select(ProcessDefinition.key, func.max(ProcessDefinition.version).label("version"))
                      .group_by(ProcessDefinition.key).subquery())
            statement = statement.join(newest, (ProcessDefinition.key == newest.c.key)
                                       & (ProcessDefinition.version == newest.c.version))
        statement = statement.order_by(ProcessDefinition.key, ProcessDefinition.version).offset(first).limit(limit)
        with self._ctx.sessions() as session:
            return list(session.scalars(statement))

    def get_definition(self, definition_id: str) -> ProcessDefinition:
        with self._ctx.sessions() as session:
            definition = session.get(ProcessDefinition, definition_id)
        if definition is None:
            raise NotFoundError(f"process definition '{definition_id}' does not exist")
        return definition

    def latest_definition(self, key: str) -> ProcessDefinition:
        with self._ctx.sessions() as session:
            definition = self._latest(session, ProcessDefinition, key)
        if definition is None:
            raise NotFoundError(f"no process definition with key '{key}' is deployed")
        return definition

    def definition_xml(self, definition_id: str) -> bytes:
        resource_id = self.get_definition(definition_id).resource_id
        with self._ctx.sessions() as session:
            return session.get(Resource, resource_id).content

    def flow_order(self, definition_id: str) -> list[str]:
        """The process's element ids in the order its sequence flows meet them (engine/repository/flow_order.py)."""
        if definition_id not in self._flow_orders:
            definition = self.get_definition(definition_id)
            self._flow_orders[definition_id] = tuple(flow_order(self.definition_xml(definition_id), definition.key,
                                                                self._ctx.config.max_model_bytes))
        return list(self._flow_orders[definition_id])

    # -- suspension (Camunda's suspended process definitions) ---------------------------------

    def suspend_definition(self, definition_id: str, include_instances: bool = False,
                           actor: str | None = None) -> None:
        """A suspended definition starts no instance; with `include_instances` its running ones are suspended too."""
        set_definitions_suspended(self._ctx, definition_id=definition_id, suspended=True,
                                  include_instances=include_instances, actor=actor)

    def activate_definition(self, definition_id: str, include_instances: bool = False,
                            actor: str | None = None) -> None:
        set_definitions_suspended(self._ctx, definition_id=definition_id, suspended=False,
                                  include_instances=include_instances, actor=actor)

    def suspend_definitions_by_key(self, key: str, include_instances: bool = False,
                                   actor: str | None = None) -> list[str]:
        """Every version of `key`, as Camunda's suspension by key; returns their ids."""
        return set_definitions_suspended(self._ctx, key=key, suspended=True, include_instances=include_instances,
                                         actor=actor)

    def activate_definitions_by_key(self, key: str, include_instances: bool = False,
                                    actor: str | None = None) -> list[str]:
        return set_definitions_suspended(self._ctx, key=key, suspended=False, include_instances=include_instances,
                                         actor=actor)

    def list_decision_definitions(self, *, key: str | None = None) -> list[DecisionDefinition]:
        statement = select(DecisionDefinition).order_by(DecisionDefinition.key, DecisionDefinition.version)
        if key:
            statement = statement.where(DecisionDefinition.key == key)
        with self._ctx.sessions() as session:
            return list(session.scalars(statement))

    def get_model(self, definition_id: str) -> ProcessDefinition | DecisionDefinition:
        """A process or decision definition by id."""
        with self._ctx.sessions() as session:
            definition = session.get(ProcessDefinition, definition_id) or session.get(DecisionDefinition,
                                                                                      definition_id)
        if definition is None:
            raise NotFoundError(f"definition '{definition_id}' does not exist")
        return definition

    def model_xml(self, definition_id: str) -> bytes:
        """The file a process or decision definition was deployed from."""
        resource_id = self.get_model(definition_id).resource_id
        with self._ctx.sessions() as session:
            return session.get(Resource, resource_id).content

    def previous_version(self, definition_id: str) -> ProcessDefinition | DecisionDefinition | None:
        definition = self.get_model(definition_id)
        model = type(definition)
        with self._ctx.sessions() as session:
            return session.scalars(select(model).where(model.key == definition.key,
                                                       model.version < definition.version)
                                   .order_by(model.version.desc()).limit(1)).first()

    def form_fields(self, definition_id: str) -> dict[str, dict]:
        """Every camunda:formField of a process (start event and user tasks) by id: label, type, options."""
        spec, subprocess_specs = self._ctx.specs.get(definition_id)
        fields: dict[str, dict] = {}
        for each in (spec, *subprocess_specs.values()):
            for task_spec in each.task_specs.values():
                for form_field in (getattr(task_spec, "extensions", None) or {}).get("formData") or []:
                    fields.setdefault(form_field["id"], form_field)
        return fields

    def diff(self, before_id: str, after_id: str) -> ModelDiff:
        """What changed from one definition's model to another's (elements, attributes, flows)."""
        return diff_models(self.model_xml(before_id), self.model_xml(after_id),
                           max_bytes=self._ctx.config.max_model_bytes, before_name=before_id, after_name=after_id)

    def decision_table(self, definition_id: str) -> DecisionTable | None:
        """A decision definition's table (columns and rules); None when its decision is not a table."""
        definition = self.get_model(definition_id)
        return read_table(self.model_xml(definition_id), definition.key, file_name=definition_id,
                          max_bytes=self._ctx.config.max_model_bytes)

    def table_diff(self, before_id: str, after_id: str) -> TableDiff | None:
        """The rows added, removed and changed from one decision table's version to another's;
        None when either decision is not a table."""
        before, after = self.decision_table(before_id), self.decision_table(after_id)
        return diff_tables(before, after) if before is not None and after is not None else None

    def evaluate_decision(self, variables: dict, *, key: str | None = None, definition_id: str | None = None,
                          actor: str | None = None) -> DecisionOutcome:
        """A decision definition (by id, or the latest version of `key`) evaluated with `variables`,
        its required decisions first (engine/repository/dmn_evaluation.py); each evaluated decision
        goes into the DMN history with `actor` as the evaluating user."""
        with self._ctx.sessions() as session:
            if definition_id is not None:
                definition = session.get(DecisionDefinition, definition_id)
                missing = f"No matching decision definition with id: {definition_id}"
            else:
                definition = self._latest(session, DecisionDefinition, key)
                missing = f"No matching decision definition with key: {key} and no tenant-id"
        if definition is None:  # Camunda's messages, which clients may match
            raise NotFoundError(missing)
        environment = self._ctx.script_engine.environment
        with self._ctx.clocked():
            outcome = evaluate_file(self.model_xml(definition.id), definition.id, definition.key, variables,
                                    lambda expression, context: environment.evaluate(expression, context),
                                    self._ctx.config.max_model_bytes)
        with self._ctx.sessions.begin() as session:
            # The required decisions are the file's, deployed with the evaluated one.
            siblings = dict(session.execute(select(DecisionDefinition.key, DecisionDefinition.id).where(
                DecisionDefinition.deployment_id == definition.deployment_id)).all())
            insert_decisions(session, decision_rows(outcome.evaluations, now=self._ctx.now(), definition_ids={
                **siblings, definition.key: definition.id}, context={"user_id": actor}))
        return outcome

    def get_deployment(self, deployment_id: str) -> Deployment:
        with self._ctx.sessions() as session:
            deployment = session.get(Deployment, deployment_id)
        if deployment is None:
            raise NotFoundError(f"deployment '{deployment_id}' does not exist")
        return deployment

    def delete_deployment(self, deployment_id: str, *, cascade: bool = False, actor: str | None = None) -> None:
        """Removes a deployment and its definitions; refused while its instances run, unless cascade."""
        with self._ctx.sessions.begin() as session:
            if session.get(Deployment, deployment_id) is None:
                raise NotFoundError(f"deployment '{deployment_id}' does not exist")
            definition_ids = select(ProcessDefinition.id).where(ProcessDefinition.deployment_id == deployment_id)
            instances = select(ProcessInstance.id).where(ProcessInstance.definition_id.in_(definition_ids))
            running = session.scalar(select(func.count()).select_from(instances.where(
                ProcessInstance.status != "completed").subquery()))
            if running and not cascade:
                raise ConflictError(f"deployment '{deployment_id}' has {running} running process instance(s); "
                                    "delete with cascade to remove them too")
            session.execute(delete(ProcessInstance).where(ProcessInstance.id.in_(instances)))
            session.execute(delete(Deployment).where(Deployment.id == deployment_id))
            session.add(HistoryEvent(time=self._ctx.now(), event_type="undeploy", actor=actor,
                                     data_json=json.dumps({"deployment": deployment_id, "cascade": cascade})))

    def resource_names(self, resource_ids: list[str]) -> dict[str, str]:
        with self._ctx.sessions() as session:
            return dict(session.execute(select(Resource.id, Resource.name).where(Resource.id.in_(resource_ids))).all())

    def list_deployments(self) -> list[Deployment]:
        with self._ctx.sessions() as session:
            return list(session.scalars(select(Deployment).order_by(Deployment.deployed_at)))
