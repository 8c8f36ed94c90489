"""Which expressions may run in the service process, without the script worker's limits.

A gateway condition or a DMN cell is evaluated many times per step; a round trip to the
script worker for each would cost more than the step. Most are like `approved == True` or
`years >= 10`: no loop, no call that loops, no operator that multiplies a size. Such an
expression does work proportional to its own length times the size of the data it reads, so it
cannot hang or exhaust memory, and it runs here. Anything else (a loop, a comprehension, `*`,
`**`, `%`, `<<`, an f-string, a call to anything but a few constant-cost functions) and every
script goes to the worker. Statements are never classified as bounded: `s += s` doubles a
string per line.
"""
from __future__ import annotations

import ast
import functools

from engine.expressions import HELPER_NAMES

_NODES = (
    ast.Expression, ast.Name, ast.Load, ast.Constant, ast.Attribute, ast.Subscript, ast.Slice,
    ast.Compare, ast.BoolOp, ast.UnaryOp, ast.BinOp, ast.IfExp, ast.Tuple, ast.List, ast.Set, ast.Dict,
    ast.Call, ast.keyword,
    ast.And, ast.Or, ast.Not, ast.USub, ast.UAdd, ast.Invert,
    ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Is, ast.IsNot, ast.In, ast.NotIn,
)
# Each makes a result at most as large as its operands together.
_OPERATORS = (ast.Add, ast.Sub, ast.Div, ast.FloorDiv, ast.BitAnd, ast.BitOr, ast.BitXor)
# Functions whose cost is linear in their arguments and which build nothing larger than them.
_CALLABLE = HELPER_NAMES | {"len", "abs", "bool", "str", "int", "float", "isinstance"}


def _bounded_node(node: ast.AST) -> bool:
    if isinstance(node, ast.BinOp):
        return isinstance(node.op, _OPERATORS)
    if isinstance(node, ast.Call):
        return (isinstance(node.func, ast.Name) and node.func.id in _CALLABLE
                and all(keyword.arg is not None for keyword in node.keywords))
    return isinstance(node, _NODES) or isinstance(node, _OPERATORS)


@functools.lru_cache(maxsize=4096)
def runs_in_bounded_time(expression: str) -> bool:
    """True when `expression` (Python, as evaluated) needs no CPU or memory limit."""
    try:
        tree = ast.parse(expression.strip(), "<string>", "eval")
    except SyntaxError:
        return True  # compiling it in-process raises the same SyntaxError, with its line
    return all(_bounded_node(node) for node in ast.walk(tree))
