"""Camunda-style expressions (JUEL, FEEL, ISO-8601 and Quartz cron timers) translated into Python source.

SpiffWorkflow evaluates every gateway condition, timer and DMN cell as a Python
expression against the task data, while process designers write them the way
Camunda 7 expects. Translating at deploy time turns a designer's mistake into a
deploy error with a readable message instead of a failure half-way through a process.

The generated code is deliberately plain: names, literals, operators and calls to the
helpers in HELPER_NAMES. It never reads an attribute and never names anything starting
with '_', so it also runs under RestrictedPython. Every translation is compiled and
checked against that whitelist before it is returned.

Columns in error messages are 1-based positions in the text as given. For an
expression that ends too early, the column is that of the last character read.
"""
from __future__ import annotations

from engine.expressions.cron import looks_like_cron, next_cron_time
from engine.expressions.cron_timer import CronCycleTimerEventDefinition
from engine.expressions.feel import feel_expression_to_python, feel_unary_tests_to_python
from engine.expressions.helpers import expression_helpers
from engine.expressions.juel import is_juel, juel_to_python
from engine.expressions.source import HELPER_NAMES, ExpressionError
from engine.expressions.timers import timer_to_python, validate_iso_duration

__all__ = [
    "CronCycleTimerEventDefinition",
    "HELPER_NAMES",
    "ExpressionError",
    "expression_helpers",
    "feel_expression_to_python",
    "feel_unary_tests_to_python",
    "is_juel",
    "juel_to_python",
    "looks_like_cron",
    "next_cron_time",
    "timer_to_python",
    "validate_iso_duration",
]
