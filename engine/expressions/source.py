"""Shared pieces of the translators: the designer-facing error, the helper names, and building
and verifying the Python source that JUEL and FEEL are translated into."""
from __future__ import annotations

import ast
import unicodedata
from dataclasses import dataclass
from typing import Any

class ExpressionError(ValueError):
    """A designer-facing error: str(err) is a full sentence naming the expression.

    Raised as ``ExpressionError.invalid(expression, reason, column)``. A plain
    ``ExpressionError(message)`` also works for callers that build their own sentence.
    """

    expression: str
    reason: str
    column: int | None

    def __init__(self, message: str, *, expression: str = "", reason: str | None = None,
                 column: int | None = None) -> None:
        super().__init__(message)
        self.expression = expression
        self.reason = message if reason is None else reason
        self.column = column

    @classmethod
    def invalid(cls, expression: str, reason: str, column: int | None = None) -> ExpressionError:
        message = f"Invalid expression '{expression}': {reason}"
        if column is not None:
            message += f" (column {column})"
        return cls(message, expression=expression, reason=reason, column=column)


HELPER_NAMES: frozenset[str] = frozenset(
    {"juel_prop", "juel_empty", "juel_now", "timer_iso", "feel_date", "feel_datetime"}
)


def _is_private(name: str) -> bool:
    # NFKC first: Python folds e.g. a full-width low line to '_' in identifiers.
    return unicodedata.normalize("NFKC", name).startswith("_")


_NO_VALUE = object()
# Python refuses more than 200 nested parentheses; stay well below.
_MAX_DEPTH = 100
_PLACEHOLDER_MARK = "?"


@dataclass(frozen=True)
class _Expr:
    source: str
    depth: int = 0                   # parenthesis nesting of `source`
    value: Any = _NO_VALUE           # the constant, when the expression is a literal
    placeholder: bool = False        # uses the DMN input value
    grouped: bool = False            # `source` is enclosed in its own parentheses

    @property
    def is_literal(self) -> bool:
        return self.value is not _NO_VALUE


_PLACEHOLDER = _Expr(_PLACEHOLDER_MARK, placeholder=True)


def _py_str(value: str) -> str:
    """A Python string literal whose text contains no quote character and no '?'.

    SpiffWorkflow replaces the DMN placeholder '?' with a regex that only skips quoted text
    when quotes pair up simply; escaping quotes and '?' keeps every literal opaque to it.
    """
    parts = []
    for char in value:
        if char == "\\":
            parts.append("\\\\")
        elif char in "'\"?":
            parts.append(f"\\x{ord(char):02x}")
        elif char.isprintable():
            parts.append(char)
        else:
            parts.append(repr(char)[1:-1])
    return "'" + "".join(parts) + "'"


def _literal(value: Any) -> _Expr:
    source = _py_str(value) if isinstance(value, str) else repr(value)
    return _Expr(source, value=value)


def _group(source: str, *operands: _Expr) -> _Expr:
    return _Expr(f"({source})", depth=1 + max((o.depth for o in operands), default=0),
                 placeholder=any(o.placeholder for o in operands), grouped=True)


def _is_singleton(expr: _Expr) -> bool:
    return expr.is_literal and (expr.value is None or expr.value is True or expr.value is False)


def _binary(left: _Expr, operator: str, right: _Expr) -> _Expr:
    if operator in ("==", "!=") and _uses_identity(left, right):
        operator = "is" if operator == "==" else "is not"
    return _group(f"{left.source} {operator} {right.source}", left, right)


def _null_safe(test: _Expr) -> _Expr:
    """In FEEL a comparison with null is null, so the rule does not match; Python would raise."""
    return _group(f"({_PLACEHOLDER.source} is not None and {test.source})", _PLACEHOLDER, test)


def _uses_identity(left: _Expr, right: _Expr) -> bool:
    # `x is None` rather than `x == None`, and `x is True` so that 1 does not match true.
    # Not when the other side is a str or number literal: Python warns about `1 is None`.
    def plain_literal(expr: _Expr) -> bool:
        return expr.is_literal and not _is_singleton(expr)
    return ((_is_singleton(left) and not plain_literal(right))
            or (_is_singleton(right) and not plain_literal(left)))


def _unary(operator: str, operand: _Expr) -> _Expr:
    source = f"not {operand.source}" if operator == "not" else f"{operator}{operand.source}"
    return _group(source, operand)


def _call(function: str, *arguments: _Expr) -> _Expr:
    return _Expr(f"{function}({', '.join(a.source for a in arguments)})",
                 depth=1 + max((a.depth for a in arguments), default=0),
                 placeholder=any(a.placeholder for a in arguments))


_SAFE_NODES = (
    ast.Expression, ast.BoolOp, ast.BinOp, ast.UnaryOp, ast.Compare, ast.IfExp, ast.Call, ast.Name,
    ast.Constant, ast.Load, ast.And, ast.Or, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Mod, ast.Not,
    ast.USub, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Is, ast.IsNot,
)


def _verified(expression: str, source: str, depth: int = 0) -> str:
    """Returns `source` after proving it compiles and uses only whitelisted constructs."""
    if depth > _MAX_DEPTH:
        raise ExpressionError.invalid(expression, "the expression is too long or too deeply nested")
    try:
        tree = ast.parse(source, mode="eval")
        compile(tree, "<expression>", "eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise ExpressionError.invalid(
            expression, f"internal error: the translation {source!r} does not compile ({exc})") from exc
    for node in ast.walk(tree):
        if not isinstance(node, _SAFE_NODES):
            problem = f"uses {type(node).__name__}"
        elif isinstance(node, ast.Name) and node.id.startswith("_"):
            problem = f"uses the name {node.id!r}"
        elif isinstance(node, ast.Call) and (not isinstance(node.func, ast.Name) or node.keywords
                                             or node.func.id not in HELPER_NAMES):
            problem = "calls something other than a helper"
        else:
            continue
        raise ExpressionError.invalid(expression, f"internal error: the translation {source!r} {problem}")
    return source


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit - 3] + "..."
