"""An output column's typeRef applied to a rule's output value, as Camunda 7's DMN engine does
(its data type transformers): a value that cannot be converted fails the evaluation with a
message naming the column, the type and the value."""
from __future__ import annotations

import math
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Callable

INTEGER_RANGE = (-2**31, 2**31 - 1)
LONG_RANGE = (-2**63, 2**63 - 1)
# The variable type Camunda's REST API shows for an output of each typeRef.
VARIABLE_TYPES = {"string": "String", "integer": "Integer", "long": "Long", "double": "Double",
                  "boolean": "Boolean", "date": "Date"}


class OutputTypeError(ValueError):
    pass


def _whole(low: int, high: int) -> Callable[[Any], int]:
    def convert(value: Any) -> int:
        if isinstance(value, bool):
            raise OutputTypeError
        if isinstance(value, str):
            value = int(value.strip())
        elif isinstance(value, (float, Decimal)):
            if not math.isfinite(value) or value != int(value):
                raise OutputTypeError
            value = int(value)
        elif not isinstance(value, int):
            raise OutputTypeError
        if not low <= value <= high:
            raise OutputTypeError
        return value
    return convert


def _double(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        raise OutputTypeError
    return float(value.strip() if isinstance(value, str) else value)


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise OutputTypeError


def _date(value: Any) -> datetime | date:
    if isinstance(value, (datetime, date)):
        return value
    if isinstance(value, str):
        # Camunda's format is yyyy-MM-dd'T'HH:mm:ss; a plain date is the start of that day.
        text = value.strip()
        parsed = datetime.fromisoformat(text)
        return parsed if "T" in text or " " in text else datetime.combine(parsed.date(), time(0, 0))
    raise OutputTypeError


def _string(value: Any) -> str:
    if isinstance(value, (dict, list, tuple, set)):
        raise OutputTypeError
    return value if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)


CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "string": _string, "integer": _whole(*INTEGER_RANGE), "long": _whole(*LONG_RANGE), "double": _double,
    "boolean": _boolean, "date": _date,
}


def convert_output(value: Any, type_ref: str) -> Any:
    """`value` as `type_ref` requires; None stays None and an unknown or empty typeRef keeps the value.
    Raises OutputTypeError (with Camunda's wording) when the value cannot be converted."""
    converter = CONVERTERS.get((type_ref or "").strip().lower())
    if value is None or converter is None:
        return value
    try:
        return converter(value)
    except (OutputTypeError, ValueError, TypeError, OverflowError):
        raise OutputTypeError(f"Invalid value '{value}' for clause with type '{type_ref}'") from None


def decision_variable_type(type_ref: str) -> str | None:
    """The REST variable type of an output of this typeRef (None: from the value)."""
    return VARIABLE_TYPES.get((type_ref or "").strip().lower())
