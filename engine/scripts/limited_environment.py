"""The script environment the engine runs: restricted as in engine/scripts/sandbox.py, and limited.

Scripts, and expressions that could loop or grow (engine/scripts/bounded_code.py), run in a worker
process under the limits in force for the step (the deployment's, set around each advance by
engine/runtime/execution.py); plain conditions and DMN cells are evaluated here.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine

from engine.scripts.bounded_code import runs_in_bounded_time
from engine.expressions import expression_helpers
from engine.scripts.sandbox import RestrictedEnvironment
from engine.scripts.runner import ScriptLimitError, ScriptLimits, ScriptRunner, shared_runner

_limits: ContextVar[ScriptLimits | None] = ContextVar("script_limits", default=None)


@contextmanager
def limits_in_force(limits: ScriptLimits) -> Iterator[None]:
    token = _limits.set(limits)
    try:
        yield
    finally:
        _limits.reset(token)


class LimitedEnvironment(RestrictedEnvironment):
    def __init__(self, now: Callable[[], datetime] | None, default_limits: ScriptLimits,
                 runner: ScriptRunner | None = None) -> None:
        super().__init__(expression_helpers(now=now))
        self._now = now or (lambda: datetime.now(timezone.utc))
        self._default_limits = default_limits
        self._runner = runner

    @property
    def runner(self) -> ScriptRunner:
        return self._runner or shared_runner()

    def _remote(self, mode: str, source: str, context: Mapping[str, Any],
                external_context: Mapping[str, Any] | None) -> Any:
        data = {k: v for k, v in context.items() if k != "__builtins__"}
        return self.runner.run(mode, source, data, external_context, _limits.get() or self._default_limits,
                               self._now(), os.environ.get("THIDUA_TIMEZONE"))

    def evaluate(self, expression: str, context: dict[str, Any], external_context: Mapping[str, Any] | None = None) -> Any:
        if runs_in_bounded_time(expression):
            return super().evaluate(expression, context, external_context)
        return self._remote("eval", expression.strip(), context, external_context)

    def execute(self, script: str, context: dict[str, Any], external_context: Mapping[str, Any] | None = None) -> bool:
        result = self._remote("exec", script, context, external_context)
        context.clear()
        context.update(result)
        return True


class LimitedScriptEngine(PythonScriptEngine):
    def create_task_exec_exception(self, task, script, err):
        if isinstance(err, ScriptLimitError):
            # The limit is the whole story; SpiffWorkflow would prefix the class name to it.
            return WorkflowTaskException(str(err), task=task, exception=err)
        return super().create_task_exec_exception(task, script, err)

    def get_error_line_number_and_content(self, script, err):
        # A script that failed in the worker has no frame here; the worker sent its line.
        line = getattr(err, "script_line", None)
        if line:
            lines = script.splitlines()
            return line, lines[line - 1] if 0 < line <= len(lines) else ""
        return super().get_error_line_number_and_content(script, err)


def create_limited_script_engine(now: Callable[[], datetime] | None, default_limits: ScriptLimits,
                                 runner: ScriptRunner | None = None) -> LimitedScriptEngine:
    return LimitedScriptEngine(environment=LimitedEnvironment(now, default_limits, runner))
