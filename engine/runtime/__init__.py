"""Runtime service: starting and advancing instances (the executor and the instance context),
variables, called instances, timer starts, external tasks, progress and involvement."""
from __future__ import annotations

from engine.lazy_exports import lazy_exports

__getattr__, __all__ = lazy_exports(__name__, {
    "RuntimeService": "service",
    "InstanceQuery": "service",
    "EngineContext": "context",
    "Executor": "execution",
    "ExternalTaskService": "external_tasks",
    "TopicRequest": "external_tasks",
    "Involvement": "involvement",
    "InstanceProgress": "progress",
    "VariableError": "variables",
})
