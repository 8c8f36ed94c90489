"""The CPU-time and memory limits of a deployment's scripts: stored, inherited, looked up per step.

An office whose rule really needs a longer computation asks its administrator, who raises the
limit of that deployment, and only of it; a designer cannot (deploying is not administering).
A new version of a process keeps the limits its previous version had, so redeploying a
corrected diagram does not silently take an agreed limit back.
"""
from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass

from sqlalchemy import select

from engine.runtime import EngineContext
from engine.errors import InvalidArgumentError, NotFoundError
from engine.persistence import Deployment, HistoryEvent, ProcessDefinition
from engine.scripts import ScriptLimits

CPU_RANGE = (0.1, 60.0)
MEMORY_RANGE_MB = (32, 4096)
# Every worker of a multi-process server reads limits changed elsewhere within this time.
_CACHE_SECONDS = 5.0


@dataclass(frozen=True)
class DeploymentLimits:
    deployment_id: str
    cpu_seconds: float | None  # None: the service's default
    memory_mb: int | None
    effective: ScriptLimits


def _checked_cpu(value) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidArgumentError(f"cpuSeconds must be a number of seconds, not {value!r}")
    if not CPU_RANGE[0] <= value <= CPU_RANGE[1]:
        raise InvalidArgumentError(f"cpuSeconds must be between {CPU_RANGE[0]:g} and {CPU_RANGE[1]:g} seconds, "
                                   f"not {value:g}")
    return float(value)


def _checked_memory(value) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgumentError(f"memoryMb must be a whole number of megabytes, not {value!r}")
    if not MEMORY_RANGE_MB[0] <= value <= MEMORY_RANGE_MB[1]:
        raise InvalidArgumentError(f"memoryMb must be between {MEMORY_RANGE_MB[0]} and {MEMORY_RANGE_MB[1]} MB, "
                                   f"not {value}")
    return value


class ScriptLimitsService:
    def __init__(self, ctx: EngineContext) -> None:
        self._ctx = ctx
        self._cache: dict[str, tuple[float, ScriptLimits]] = {}

    @property
    def defaults(self) -> ScriptLimits:
        config = self._ctx.config
        return ScriptLimits(config.script_cpu_seconds, config.script_memory_mb)

    def _effective(self, cpu_seconds: float | None, memory_mb: int | None) -> ScriptLimits:
        defaults = self.defaults
        return ScriptLimits(defaults.cpu_seconds if cpu_seconds is None else cpu_seconds,
                            defaults.memory_mb if memory_mb is None else memory_mb)

    def for_definition(self, definition_id: str) -> ScriptLimits:
        """The limits in force for an instance of this process definition (cached briefly)."""
        cached = self._cache.get(definition_id)
        if cached is not None and time.monotonic() - cached[0] < _CACHE_SECONDS:
            return cached[1]
        with self._ctx.db.connect() as conn:
            row = conn.execute(select(Deployment.script_cpu_seconds, Deployment.script_memory_mb)
                               .join(ProcessDefinition, ProcessDefinition.deployment_id == Deployment.id)
                               .where(ProcessDefinition.id == definition_id)).first()
        limits = self._effective(*row) if row is not None else self.defaults
        self._cache[definition_id] = (time.monotonic(), limits)
        return limits

    def get(self, deployment_id: str) -> DeploymentLimits:
        with self._ctx.sessions() as session:
            deployment = session.get(Deployment, deployment_id)
            if deployment is None:
                raise NotFoundError(f"deployment '{deployment_id}' does not exist")
            return self._describe(deployment)

    def _describe(self, deployment: Deployment) -> DeploymentLimits:
        return DeploymentLimits(deployment.id, deployment.script_cpu_seconds, deployment.script_memory_mb,
                                self._effective(deployment.script_cpu_seconds, deployment.script_memory_mb))

    def set(self, deployment_id: str, *, cpu_seconds: float | None, memory_mb: int | None,
            actor: str | None = None) -> DeploymentLimits:
        """Sets both limits (None: back to the default); a value out of range changes nothing."""
        cpu_seconds, memory_mb = _checked_cpu(cpu_seconds), _checked_memory(memory_mb)
        with self._ctx.sessions.begin() as session:
            deployment = session.get(Deployment, deployment_id)
            if deployment is None:
                raise NotFoundError(f"deployment '{deployment_id}' does not exist")
            before = {"cpuSeconds": deployment.script_cpu_seconds, "memoryMb": deployment.script_memory_mb}
            deployment.script_cpu_seconds, deployment.script_memory_mb = cpu_seconds, memory_mb
            session.add(HistoryEvent(time=self._ctx.now(), event_type="script_limits", actor=actor,
                                     data_json=json.dumps({"deployment": deployment_id, "before": before,
                                                           "after": {"cpuSeconds": cpu_seconds,
                                                                     "memoryMb": memory_mb}})))
            described = self._describe(deployment)
        self._cache.clear()
        return described


def inherited_limits(session, process_keys: list[str]) -> tuple[float | None, int | None]:
    """The limits of the deployment that holds the latest version of any of these processes."""
    if not process_keys:
        return None, None
    row = session.execute(
        select(Deployment.script_cpu_seconds, Deployment.script_memory_mb)
        .join(ProcessDefinition, ProcessDefinition.deployment_id == Deployment.id)
        .where(ProcessDefinition.key.in_(process_keys))
        .order_by(ProcessDefinition.created_at.desc(), ProcessDefinition.version.desc()).limit(1)).first()
    return (row[0], row[1]) if row is not None else (None, None)
