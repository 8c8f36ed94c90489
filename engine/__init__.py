"""ThiDua Flow's generic BPMN engine on SpiffWorkflow: never imports web/ or workflows/.

The services live one package each, as a BPMN engineer expects them (README, "The engine"):
repository, runtime, tasks, history, management, identity, scheduling, mail, on persistence,
forms, scripts and expressions; process_engine.py puts them together as one object.
"""
from __future__ import annotations

from engine.lazy_exports import lazy_exports

__getattr__, __all__ = lazy_exports(__name__, {
    "EngineConfig": "config",
    "HandlerRegistry": "handlers",
    "ServiceTaskContext": "handlers",
    "ProcessEngine": "process_engine",
    "TaskQuery": "tasks.service",
})
