"""History service: the audit events of instances and tasks, the DMN history, and their queries.
Events are written with each step (persistence.instance_store); this package reads them."""
from __future__ import annotations

from engine.lazy_exports import lazy_exports

__getattr__, __all__ = lazy_exports(__name__, {
    "HistoryService": "service",
    "event_data": "service",
    "VARIABLE_EVENT_TYPES": "service",
    "DecisionHistoryService": "decisions",
    "DecisionInstanceQuery": "decisions",
    "DecisionRecord": "decisions",
})
