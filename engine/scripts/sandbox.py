"""Restricted execution of BPMN scripts and expressions on top of RestrictedPython.

SpiffWorkflow's default environment runs any Python, and swapping ``__builtins__``
is no sandbox (``().__class__.__base__.__subclasses__()`` reaches every class).
RestrictedPython rewrites the code so that every attribute read, item access,
iteration and write goes through a guard defined here; names starting with ``_``
are refused at compile time and dynamic ones at run time.

Limits that this module does NOT enforce: CPU time and memory (``while True: pass``,
``10 ** 10 ** 10``). Run workflow steps under a time/memory limit if scripts are untrusted.
"""
from __future__ import annotations

import ast
import builtins
import copy
import functools
import operator
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timedelta
from types import CodeType, TracebackType
from typing import Any, NoReturn

from RestrictedPython import (
    RestrictingNodeTransformer,
    compile_restricted_eval,
    compile_restricted_exec,
    safe_builtins,
)
from RestrictedPython.Guards import (
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr_raise,
)
from RestrictedPython.transformer import INSPECT_ATTRIBUTES
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

# SpiffWorkflow finds the failing line of a script by looking for this file name in the traceback.
_FILENAME = "<string>"
_COMPILE_CACHE_SIZE = 2048


class ScriptPolicyError(Exception):
    """A script or expression did something the sandbox refuses."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        self.reason = reason
        self.line = line
        super().__init__(self._describe())

    def _describe(self) -> str:
        return self.reason if self.line is None else f"line {self.line}: {self.reason}"

    def _locate(self, line: int | None) -> None:
        if self.line is None and line is not None:
            self.line = line
            self.args = (self._describe(),)


# Every violation raised while a script runs is recorded here, so a script cannot
# silence one with try/except and carry on as if nothing happened.
_violations: ContextVar[list[ScriptPolicyError] | None] = ContextVar("sandbox_violations", default=None)


def _deny(reason: str) -> NoReturn:
    error = ScriptPolicyError(reason)
    recorded = _violations.get()
    if recorded is not None:
        recorded.append(error)
    raise error


@contextmanager
def _recording_violations() -> Iterator[list[ScriptPolicyError]]:
    recorded: list[ScriptPolicyError] = []
    token = _violations.set(recorded)
    try:
        yield recorded
    finally:
        _violations.reset(token)


# --- compilation -----------------------------------------------------------------------------

class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's policy, minus the statements a workflow script never needs."""

    def visit_Import(self, node: ast.Import) -> ast.AST:
        self.error(node, "import statements are not allowed.")
        return node

    def visit_ImportFrom(self, node: ast.ImportFrom) -> ast.AST:
        self.error(node, "import statements are not allowed.")
        return node

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        # RestrictedPython would need a __metaclass__ hook; classes are out of scope for scripts.
        self.error(node, "class definitions are not allowed.")
        return node


_ERROR_LINE = re.compile(r"Line (\d+): (.*)", re.DOTALL)


def _policy_error(errors: tuple[str, ...]) -> ScriptPolicyError:
    located = [_ERROR_LINE.fullmatch(error) for error in errors]
    first_line = int(located[0].group(1)) if located[0] else None
    parts = []
    for error, match in zip(errors, located):
        if match is None:
            parts.append(error)
        elif int(match.group(1)) == first_line:
            parts.append(match.group(2))
        else:
            parts.append(f"line {match.group(1)}: {match.group(2)}")
    return ScriptPolicyError("; ".join(parts), first_line)


@functools.lru_cache(maxsize=_COMPILE_CACHE_SIZE)
def _compile(source: str, mode: str) -> CodeType:
    # Parsing first keeps real syntax errors as SyntaxError with a line number
    # (RestrictedPython would flatten them into a message without one).
    tree = ast.parse(source, _FILENAME, mode)
    compiler = compile_restricted_exec if mode == "exec" else compile_restricted_eval
    result = compiler(tree, filename=_FILENAME, policy=_Policy)
    if result.errors:
        raise _policy_error(result.errors)
    return result.code


def check_script_syntax(script: str) -> None:
    """Plain Python syntax check for deploy time; raises SyntaxError carrying ``lineno``."""
    ast.parse(script, _FILENAME, "exec")


def check_script(script: str) -> None:
    """Deploy-time check of a script or Python condition: its syntax (SyntaxError) and the sandbox's
    compile-time policy (ScriptPolicyError: imports, class definitions, names and attributes
    starting with "_"). What this refuses could never run, so it is a deployment error rather than
    an incident in every instance; what only shows at run time (``getattr`` with a computed name)
    is still stopped there."""
    check_script_syntax(script)
    _compile(script, "exec")


# --- guards ----------------------------------------------------------------------------------

def _guarded_getattr(obj: Any, name: str, *default: Any) -> Any:
    if not isinstance(name, str):
        raise TypeError("attribute name must be a string")
    if name.startswith("_") or name in INSPECT_ATTRIBUTES:
        _deny(f"access to attribute {name!r} is not allowed")
    try:
        # The *_raise variant: a missing attribute is an AttributeError as in Python,
        # where plain safer_getattr would quietly return None.
        return safer_getattr_raise(obj, name, *default)
    except NotImplementedError as error:  # str.format and string.Formatter reach any attribute
        _deny(str(error))


class _ReadOnlyProxy:
    """What ``_write_`` hands back for anything but a dict or list: every write is refused."""

    __slots__ = ("_type_name",)

    def __init__(self, obj: Any) -> None:
        object.__setattr__(self, "_type_name", type(obj).__name__)

    def _refuse(self, *_: Any) -> NoReturn:
        _deny(f"scripts may not modify {object.__getattribute__(self, '_type_name')} objects")

    __setattr__ = __delattr__ = __setitem__ = __delitem__ = _refuse


_WRITABLE_TYPES = (dict, list)


def _guarded_write(obj: Any) -> Any:
    # Exact types: a subclass could define __setitem__/__setattr__ with side effects.
    return obj if type(obj) in _WRITABLE_TYPES else _ReadOnlyProxy(obj)


_INPLACE_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "+=": operator.iadd,
    "-=": operator.isub,
    "*=": operator.imul,
    "/=": operator.itruediv,
    "//=": operator.ifloordiv,
    "%=": operator.imod,
    "**=": operator.ipow,
    "<<=": operator.ilshift,
    ">>=": operator.irshift,
    "&=": operator.iand,
    "|=": operator.ior,
    "^=": operator.ixor,
}


def _inplace(op: str, target: Any, value: Any) -> Any:
    function = _INPLACE_OPERATORS.get(op)
    if function is None:
        _deny(f"operator {op} is not allowed")
    return function(target, value)


def _getitem(obj: Any, key: Any) -> Any:
    return obj[key]


def _apply(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return function(*args, **kwargs)


class _DiscardedPrint:
    """``print`` is accepted and its output dropped: a script has no console, and failing
    a process instance over a leftover debugging print would be worse."""

    def __init__(self, _getattr_: Any = None) -> None:
        pass

    def _call_print(self, *objects: Any, **kwargs: Any) -> None:
        pass

    def __call__(self) -> str:
        return ""


def _denied_builtin(name: str) -> Callable[..., NoReturn]:
    def denied(*_: Any, **__: Any) -> NoReturn:
        _deny(f"{name}() is not allowed in scripts")

    denied.__name__ = name
    return denied


_EXTRA_BUILTINS = (
    "len", "min", "max", "sum", "sorted", "any", "all", "abs", "round", "range", "enumerate",
    "zip", "list", "dict", "set", "tuple", "str", "int", "float", "bool", "isinstance",
    "map", "filter", "reversed",
)
# Present as stubs so a script gets a policy error naming the function, not a NameError.
_DENIED_BUILTINS = (
    "open", "eval", "exec", "compile", "type", "vars", "globals", "locals", "dir",
    "setattr", "delattr", "input", "breakpoint", "help", "memoryview", "bytearray", "object",
    "super", "classmethod", "staticmethod", "property", "exit", "quit", "__build_class__",
)
# SystemExit & co. slip past SpiffWorkflow's `except Exception` and would take down the worker;
# safe_builtins' own `_getattr_` is replaced by the guard in _GUARDS.
_DROPPED_BUILTINS = ("BaseException", "SystemExit", "KeyboardInterrupt", "GeneratorExit", "_getattr_")


# C code that imports on a script's behalf (date.today() needs `time`, datetime.strptime
# `_strptime`) goes through the frame's __builtins__["__import__"]. Scripts themselves cannot
# reach it: `import` is refused at compile time and `__import__` is an underscore name.
_INTERNAL_IMPORTS = frozenset({"time", "_strptime"})


def _internal_import(name: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0) -> Any:
    if level != 0 or name not in _INTERNAL_IMPORTS:
        _deny(f"import of module {name!r} is not allowed")
    return builtins.__import__(name, globals, locals, fromlist, level)


def _build_builtins() -> dict[str, Any]:
    allowed = {name: value for name, value in safe_builtins.items() if name not in _DROPPED_BUILTINS}
    allowed.update((name, getattr(builtins, name)) for name in _EXTRA_BUILTINS)
    allowed.update((name, _denied_builtin(name)) for name in _DENIED_BUILTINS)
    allowed["getattr"] = _guarded_getattr
    allowed["__import__"] = _internal_import
    # As builtins rather than globals, task data named `date` simply shadows the class.
    allowed.update(datetime=datetime, date=date, timedelta=timedelta)
    return allowed


_GUARDS: dict[str, Any] = {
    "__builtins__": _build_builtins(),
    "_getattr_": _guarded_getattr,
    "_getitem_": _getitem,
    "_getiter_": iter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": _guarded_write,
    "_inplacevar_": _inplace,
    "_apply_": _apply,
    "_print_": _DiscardedPrint,
}


# --- environment -----------------------------------------------------------------------------

_MISSING = object()


def _script_line(traceback: TracebackType | None) -> int | None:
    line = None
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == _FILENAME:
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line


def _run(code: CodeType, namespace: dict[str, Any]) -> Any:
    with _recording_violations() as violations:
        try:
            result = eval(code, namespace)  # noqa: S307 - restricted code, guarded namespace
        except ScriptPolicyError as error:
            error._locate(_script_line(error.__traceback__))
            raise
        if violations:
            swallowed = violations[0]
            swallowed._locate(_script_line(swallowed.__traceback__))
            raise swallowed
    return result


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """SpiffWorkflow script environment that runs scripts and expressions under RestrictedPython."""

    def __init__(self, helpers: Mapping[str, Callable[..., Any]] | None = None) -> None:
        helpers = dict(helpers or {})
        for name, helper in helpers.items():
            if not name.isidentifier() or name.startswith("_"):
                raise ValueError(f"helper name {name!r} must be an identifier not starting with '_'")
            if not callable(helper):
                raise TypeError(f"helper {name!r} is not callable")
        super().__init__(helpers)

    def evaluate(self, expression: str, context: dict[str, Any], external_context: Mapping[str, Any] | None = None) -> Any:
        # BPMN condition bodies usually carry the XML's indentation and newlines.
        code = _compile(expression.strip(), "eval")
        # Same precedence as SpiffWorkflow's TaskDataEnvironment: task data over external
        # context over helpers; the guards always win.
        namespace = {**self.globals, **(external_context or {}), **context, **_GUARDS}
        return _run(code, namespace)

    def execute(self, script: str, context: dict[str, Any], external_context: Mapping[str, Any] | None = None) -> bool:
        code = _compile(script, "exec")
        predefined = {**self.globals, **(external_context or {})}
        self._refuse_shadowed_names(context, predefined)
        # Work on a copy so a script that fails halfway leaves the task data as it was.
        data = copy.deepcopy({k: v for k, v in context.items() if k != "__builtins__"})
        namespace = {**data, **predefined, **_GUARDS}
        _run(code, namespace)
        self._refuse_rebound_names(namespace, predefined)
        result = {
            name: value for name, value in namespace.items()
            if name not in predefined and name not in _GUARDS and not callable(value)
        }
        for name in [name for name in context if name not in result]:
            del context[name]
        context.update(result)
        return True

    @staticmethod
    def _refuse_shadowed_names(context: Mapping[str, Any], predefined: Mapping[str, Any]) -> None:
        clashes = sorted(set(context) & (set(predefined) | (set(_GUARDS) - {"__builtins__"})))
        if clashes:
            raise ScriptPolicyError(
                f"task data {', '.join(map(repr, clashes))} would hide predefined function(s); "
                f"rename the variable or form field")

    @staticmethod
    def _refuse_rebound_names(namespace: Mapping[str, Any], predefined: Mapping[str, Any]) -> None:
        rebound = sorted(name for name, value in predefined.items() if namespace.get(name, _MISSING) is not value)
        if rebound:
            raise ScriptPolicyError(
                f"the script assigns to or deletes predefined function(s) {', '.join(map(repr, rebound))}")


def create_script_engine(helpers: Mapping[str, Callable[..., Any]] | None = None) -> PythonScriptEngine:
    return PythonScriptEngine(environment=RestrictedEnvironment(helpers))
