"""Task data as JSON: the types a workflow may hold (dates, decimals, UUIDs, durations), nothing else.

The instance serializer stores task data with these converters; the script worker's answers are
read back with them alone, so a worker can hand the service data and never objects.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from SpiffWorkflow.bpmn.serializer.helpers import DefaultRegistry


def register_data_types(registry: DefaultRegistry) -> DefaultRegistry:
    # Form dates are kept as dates in task data so that expressions can compare them.
    registry.register(date, lambda v: {"value": v.isoformat()}, lambda v: date.fromisoformat(v["value"]))
    registry.register(Decimal, lambda v: {"value": str(v)}, lambda v: Decimal(v["value"]))
    return registry


_DATA = register_data_types(DefaultRegistry())


def encode_data(value: Any) -> Any:
    return _DATA.convert(value)


def decode_data(value: Any) -> Any:
    return _DATA.restore(value)
