"""ThiDua Flow's generic BPMN engine on SpiffWorkflow: never imports web/ or workflows/."""
from __future__ import annotations

import importlib

# Loaded on first use, so that a process needing one module (the script worker imports only the
# sandbox) does not pay for the database layer and the whole engine at start-up.
_EXPORTS = {
    "EngineConfig": "engine.config",
    "HandlerRegistry": "engine.handlers",
    "ServiceTaskContext": "engine.handlers",
    "ProcessEngine": "engine.process_engine",
    "TaskQuery": "engine.tasks",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'engine' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
