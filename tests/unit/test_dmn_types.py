"""An output column's typeRef applied to a value, as Camunda 7's DMN data type transformers do."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from engine.repository import convert_output, decision_variable_type
from engine.repository.dmn_types import OutputTypeError


@pytest.mark.parametrize("value, type_ref, expected", [
    ("5", "integer", 5), (5.0, "integer", 5), (Decimal("3"), "long", 3), (2**40, "long", 2**40),
    (1, "double", 1.0), ("2.5", "double", 2.5), (" true ", "boolean", True), ("FALSE", "boolean", False),
    (True, "string", "true"), (12, "string", "12"), ("2025-01-02T03:04:05", "date", datetime(2025, 1, 2, 3, 4, 5)),
    ("2025-01-02", "date", datetime(2025, 1, 2)), (date(2025, 1, 2), "date", date(2025, 1, 2)),
    (None, "integer", None), ("anything", "", "anything"), ([1], "unknownType", [1]), ("7", "Integer", 7),
])
def test_converts(value, type_ref, expected):
    assert convert_output(value, type_ref) == expected
    assert type(convert_output(value, type_ref)) is type(expected)


@pytest.mark.parametrize("value, type_ref", [
    ("abc", "integer"), (2.5, "integer"), (2**31, "integer"), (2**63, "long"), (True, "integer"), (True, "double"),
    (float("nan"), "long"), ("yes", "boolean"), (1, "boolean"), ("soon", "date"), (5, "date"), ({"a": 1}, "string"),
    ("1e999x", "double"),
])
def test_refuses_in_camundas_words(value, type_ref):
    with pytest.raises(OutputTypeError, match=f"Invalid value '.*' for clause with type '{type_ref}'"):
        convert_output(value, type_ref)


def test_rest_types():
    assert [decision_variable_type(t) for t in ("long", "DOUBLE", "date", "", "number")] == [
        "Long", "Double", "Date", None, None]
