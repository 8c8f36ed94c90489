"""Camunda-style expressions (JUEL, FEEL, ISO-8601 timers) translated into Python source.

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

import ast
import keyword
import math
import os
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sized
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "HELPER_NAMES",
    "ExpressionError",
    "expression_helpers",
    "feel_expression_to_python",
    "feel_unary_tests_to_python",
    "is_juel",
    "juel_to_python",
    "timer_to_python",
    "validate_iso_duration",
]


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

_TIMER_KINDS = ("timeDate", "timeDuration", "timeCycle")
_TIMER_EXPECTATIONS = {
    "timeDate": "a date or date-time such as 2025-06-30T17:00:00+07:00",
    "timeDuration": "an ISO-8601 duration such as PT5M",
    "timeCycle": "an ISO-8601 repeating interval such as R3/PT10M",
}


# --------------------------------------------------------------------------------------
# Run-time helpers: the only functions generated code may call.
# --------------------------------------------------------------------------------------

def _service_zone() -> ZoneInfo:
    # Read on every call, not at import, so the zone follows the environment of the
    # process that evaluates the expression.
    name = os.environ.get("THIDUA_TIMEZONE", "Asia/Ho_Chi_Minh")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"THIDUA_TIMEZONE={name!r} is not a known time zone") from exc


def _is_private(name: str) -> bool:
    # NFKC first: Python folds e.g. a full-width low line to '_' in identifiers.
    return unicodedata.normalize("NFKC", name).startswith("_")


def _juel_prop(obj: Any, key: Any) -> Any:
    """JUEL's ``obj.key`` / ``obj[key]``: a dict key, a list index or a public attribute."""
    if isinstance(key, str) and _is_private(key):
        raise ValueError(f"property names starting with '_' are not allowed: {key!r}")
    if obj is None:
        # As in JUEL, a property of null is null, so a.b.c tolerates missing data.
        return None
    if isinstance(obj, Mapping):
        return obj.get(key)
    if isinstance(obj, (list, tuple)):
        index = _list_index(key)
        # JUEL yields null for an index out of range; Python's negative indexing is not JUEL.
        return obj[index] if 0 <= index < len(obj) else None
    if not isinstance(key, str):
        raise ValueError(f"cannot read property {key!r} of a {type(obj).__name__}")
    value = getattr(obj, key, None)
    if callable(value):
        raise ValueError(f"'{key}' is a method of {type(obj).__name__}; method calls are not supported")
    return value


def _list_index(key: Any) -> int:
    if isinstance(key, bool):
        raise ValueError(f"a list index must be a whole number, not {key!r}")
    if isinstance(key, int):
        return key
    if isinstance(key, float) and key.is_integer():
        return int(key)
    if isinstance(key, str) and key.strip().isascii() and key.strip().isdigit():
        return int(key)
    raise ValueError(f"a list index must be a whole number, not {key!r}")


def _juel_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, Sized):
        return len(value) == 0
    return False


def _make_juel_now(now: Callable[[], datetime] | None) -> Callable[[], datetime]:
    def juel_now() -> datetime:
        current = now() if now is not None else datetime.now(timezone.utc)
        if not isinstance(current, datetime):
            raise ValueError(f"the clock returned {type(current).__name__}, not a datetime")
        if current.tzinfo is None:
            current = current.replace(tzinfo=_service_zone())
        return current
    return juel_now


def _timer_iso(value: Any, kind: str) -> str:
    """The ISO-8601 text SpiffWorkflow expects for a timer, from a date, datetime or str."""
    _check_timer_kind(kind)
    # datetime before date: a datetime is also a date.
    if isinstance(value, datetime):
        if kind != "timeDate":
            raise ValueError(f"a {kind} timer needs {_TIMER_EXPECTATIONS[kind]}, not a datetime")
        if value.tzinfo is None:
            value = value.replace(tzinfo=_service_zone())
        return value.isoformat()
    if isinstance(value, date):
        if kind != "timeDate":
            raise ValueError(f"a {kind} timer needs {_TIMER_EXPECTATIONS[kind]}, not a date")
        return datetime.combine(value, time(), _service_zone()).isoformat()
    if isinstance(value, str):
        try:
            return _check_timer_text(value.strip(), kind, _service_zone())[0]
        except _BadValue as exc:
            raise ValueError(f"Invalid {kind} value {value!r}: {exc}") from None
    raise ValueError(f"a {kind} timer needs {_TIMER_EXPECTATIONS[kind]}, "
                     f"not {type(value).__name__} {value!r}")


def _feel_date(value: Any) -> date:
    if isinstance(value, datetime):
        return (value.astimezone(_service_zone()) if value.tzinfo else value).date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return _parse_date(value.strip())
        except _BadValue as exc:
            raise ValueError(f"date({value!r}): {exc}") from None
    raise ValueError(f"date() needs text such as \"2025-06-30\", not {type(value).__name__}")


def _feel_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=_service_zone())
    if isinstance(value, date):
        return datetime.combine(value, time(), _service_zone())
    if isinstance(value, str):
        try:
            return _parse_feel_datetime(value.strip(), _service_zone())
        except _BadValue as exc:
            raise ValueError(f"date and time({value!r}): {exc}") from None
    raise ValueError(f"date and time() needs text such as \"2025-06-30T17:00:00\", "
                     f"not {type(value).__name__}")


def expression_helpers(now: Callable[[], datetime] | None = None) -> dict[str, Callable[..., Any]]:
    """The helper functions to put into the evaluation globals, keyed by HELPER_NAMES."""
    return {
        "juel_prop": _juel_prop,
        "juel_empty": _juel_empty,
        "juel_now": _make_juel_now(now),
        "timer_iso": _timer_iso,
        "feel_date": _feel_date,
        "feel_datetime": _feel_datetime,
    }


# --------------------------------------------------------------------------------------
# ISO-8601 dates, date-times, durations and repeating intervals.
# --------------------------------------------------------------------------------------

class _BadValue(ValueError):
    """The reason a date, duration or cycle is invalid; callers add the context."""


_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_DATETIME_RE = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:\d{2})?", re.ASCII
)
_N = r"\d+(?:[.,]\d+)?"
_DURATION_RE = re.compile(
    rf"P(?:(?P<years>{_N})Y)?(?:(?P<months>{_N})M)?(?:(?P<days>{_N})D)?"
    rf"(?:(?P<time>T)(?:(?P<hours>{_N})H)?(?:(?P<minutes>{_N})M)?(?:(?P<seconds>{_N})S)?)?",
    re.ASCII | re.IGNORECASE,
)
_WEEKS_RE = re.compile(rf"P(?P<weeks>{_N})W", re.ASCII | re.IGNORECASE)
_CYCLE_RE = re.compile(r"R(?P<count>\d*)/(?P<rest>.+)", re.ASCII | re.IGNORECASE | re.DOTALL)
_UNIT_SECONDS = {
    "years": 365.25 * 86400, "months": 30.44 * 86400, "weeks": 7 * 86400, "days": 86400,
    "hours": 3600, "minutes": 60, "seconds": 1,
}
# SpiffWorkflow walks a duration month by month and adds it to the current time, so an
# absurd length hangs or overflows at run time; refuse it at deploy time instead.
_MAX_DURATION_SECONDS = 1000 * _UNIT_SECONDS["years"]
_DURATION_EXAMPLES = "e.g. PT5M, PT1H30M, P3D or P2W"
_MOMENT_EXAMPLES = "e.g. 2025-06-30 or 2025-06-30T17:00:00+07:00"


def _parse_date(text: str) -> date:
    # date.fromisoformat alone would also take forms like 20250630 or 2025-W26-1.
    if not _DATE_RE.fullmatch(text):
        raise _BadValue("not a valid date (expected YYYY-MM-DD, e.g. 2025-06-30)")
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise _BadValue(f"not a valid date: {exc}") from None


def _parse_datetime(text: str) -> datetime:
    if not _DATETIME_RE.fullmatch(text):
        raise _BadValue(f"not a valid ISO-8601 date-time ({_MOMENT_EXAMPLES})")
    try:
        return datetime.fromisoformat(text)
    except ValueError as exc:
        raise _BadValue(f"not a valid date-time: {exc}") from None


def _parse_feel_datetime(text: str, zone: tzinfo | None) -> datetime:
    """FEEL date-time text, with an optional offset or '@Zone/Id'; naive values get `zone`."""
    moment_text, at, zone_name = text.partition("@")
    moment = _parse_datetime(moment_text)
    if at:
        if moment.tzinfo is not None:
            raise _BadValue("give either a UTC offset or an @zone, not both")
        try:
            return moment.replace(tzinfo=ZoneInfo(zone_name))
        except (ZoneInfoNotFoundError, ValueError):
            raise _BadValue(f"unknown time zone '{zone_name}'") from None
    if moment.tzinfo is None and zone is not None:
        return moment.replace(tzinfo=zone)
    return moment


def _check_duration(text: str) -> None:
    match = _WEEKS_RE.fullmatch(text) or _DURATION_RE.fullmatch(text)
    if match is None:
        raise _BadValue(f"not a valid ISO-8601 duration ({_DURATION_EXAMPLES})")
    groups = match.groupdict()
    parts = [(name, value) for name, value in groups.items() if value is not None and name != "time"]
    if groups.get("time") and not any(name in ("hours", "minutes", "seconds") for name, _ in parts):
        raise _BadValue("'T' in a duration must be followed by hours, minutes or seconds, e.g. PT5M")
    if not parts:
        raise _BadValue(f"a duration needs at least one number and unit ({_DURATION_EXAMPLES})")
    # ISO 8601 (and SpiffWorkflow's parser) allow a fraction only on the smallest unit.
    if any(("." in value or "," in value) for _, value in parts[:-1]):
        raise _BadValue("only the last number of a duration may have a fraction, e.g. PT1H30.5M")
    seconds = sum(float(value.replace(",", ".")) * _UNIT_SECONDS[name] for name, value in parts)
    if seconds > _MAX_DURATION_SECONDS:
        raise _BadValue("the duration is longer than 1000 years")


def _check_moment(text: str, zone: tzinfo | None) -> tuple[str, bool]:
    """Validates a date or date-time; returns (text, whether it had no zone).

    With `zone`, a zone-less value comes back as an ISO date-time in that zone, because
    SpiffWorkflow would otherwise read it in the server's local zone.
    """
    if _DATE_RE.fullmatch(text):
        day = _parse_date(text)
        if zone is None:
            return text, True
        return datetime.combine(day, time(), zone).isoformat(), True
    if not _DATETIME_RE.fullmatch(text):
        raise _BadValue(f"not a valid ISO-8601 date or date-time ({_MOMENT_EXAMPLES})")
    moment = _parse_datetime(text)
    if moment.tzinfo is not None:
        return text, False
    if zone is None:
        return text, True
    return moment.replace(tzinfo=zone).isoformat(), True


def _check_timer_text(text: str, kind: str, zone: tzinfo | None) -> tuple[str, bool]:
    """Validates timer text of `kind`; returns (text, whether it has a zone-less date or time)."""
    if not text:
        raise _BadValue("the timer value is empty")
    if kind == "timeDuration":
        _check_duration(text)
        return text, False
    if kind == "timeDate":
        if text[:1] in "Pp":
            raise _BadValue(f"a timeDate timer needs {_TIMER_EXPECTATIONS['timeDate']}; "
                            "for a delay such as PT5M use a timeDuration timer")
        return _check_moment(text, zone)
    return _check_cycle(text, zone)


def _check_cycle(text: str, zone: tzinfo | None) -> tuple[str, bool]:
    match = _CYCLE_RE.fullmatch(text)
    if match is None:
        if len(text.split()) in (5, 6, 7):
            raise _BadValue("cron expressions are not supported; use an ISO-8601 repeating interval "
                            "such as R3/PT10M or R/P1D")
        raise _BadValue("not a valid ISO-8601 repeating interval (expected e.g. R3/PT10M, R/P1D "
                        "or R5/2025-06-30T08:00:00+07:00/P1D)")
    parts = match["rest"].split("/")
    durations = [part for part in parts if part[:1] in "Pp"]
    if len(parts) > 2 or len(durations) != 1:
        raise _BadValue("a repeating interval needs exactly one duration and at most one start or end, "
                        "e.g. R3/PT10M or R3/2025-06-30T08:00:00+07:00/P1D")
    checked, naive = [], False
    for part in parts:
        if part in durations:
            _check_duration(part)
            checked.append(part)
        else:
            moment, part_naive = _check_moment(part, zone)
            checked.append(moment)
            naive = naive or part_naive
    return text[0] + match["count"] + "/" + "/".join(checked), naive


def _check_timer_kind(kind: str) -> None:
    if kind not in _TIMER_KINDS:
        raise ValueError(f"unknown timer kind {kind!r}; expected one of {', '.join(_TIMER_KINDS)}")


# --------------------------------------------------------------------------------------
# Tokenizer, shared by JUEL and FEEL.
# --------------------------------------------------------------------------------------

_JUEL, _FEEL = "JUEL", "FEEL"

# Longest first so that '<=' wins over '<' and '..' over '.'. Operators neither language
# accepts are still tokens, so that the parser can say what to write instead.
_OPERATORS = ("..", "==", "!=", "<=", ">=", "&&", "||", "->", "<", ">", "=", "!", "+", "-", "*",
              "/", "%", "?", ":", "(", ")", "[", "]", ".", ",", ";", "{", "}", "&", "|")
_NUMBER_RE = re.compile(r"(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_DIGITS = frozenset("0123456789")
_ESCAPES = {
    _JUEL: {"'": "'", '"': '"', "\\": "\\"},
    _FEEL: {"'": "'", '"': '"', "\\": "\\", "n": "\n", "r": "\r", "t": "\t"},
}


@dataclass(frozen=True)
class _Token:
    kind: str    # "name", "number", "string", "op" or "end"
    text: str    # as written
    value: Any   # operator text, decoded string or number; None for names and the end
    start: int   # 0-based offsets into the whole expression text
    end: int


def _continues_name(char: str) -> bool:
    return ("a" + char).isidentifier()


def _tokenize(text: str, start: int, stop: int, dialect: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = start
    while True:
        while pos < stop and text[pos].isspace():
            pos += 1
        if pos >= stop:
            tokens.append(_Token("end", "", None, stop, stop))
            return tokens
        char = text[pos]
        ends_value = bool(tokens) and (tokens[-1].kind in ("name", "number", "string")
                                       or tokens[-1].text in (")", "]"))
        if char in "'\"":
            token = _lex_string(text, pos, stop, dialect)
        elif char in _DIGITS or (char == "." and not ends_value and pos + 1 < stop
                                 and text[pos + 1] in _DIGITS):
            token = _lex_number(text, pos, stop)
        elif char.isidentifier():
            end = pos + 1
            while end < stop and _continues_name(text[end]):
                end += 1
            token = _Token("name", text[pos:end], None, pos, end)
        else:
            operator = next((op for op in _OPERATORS if text.startswith(op, pos, stop)), None)
            if operator is None:
                raise ExpressionError.invalid(text, f"unexpected character '{char}'", pos + 1)
            token = _Token("op", operator, operator, pos, pos + len(operator))
        tokens.append(token)
        pos = token.end


def _lex_string(text: str, start: int, stop: int, dialect: str) -> _Token:
    quote = text[start]
    if dialect == _FEEL and quote == "'":
        raise ExpressionError.invalid(text, 'FEEL strings are written in double quotes, e.g. "A"', start + 1)
    escapes = _ESCAPES[dialect]
    chars = []
    pos = start + 1
    while pos < stop:
        char = text[pos]
        if char == quote:
            # The service stores text in NFC (engine.variables), so literals typed in another
            # normal form, e.g. decomposed Vietnamese from macOS, still compare equal.
            value = unicodedata.normalize("NFC", "".join(chars))
            return _Token("string", text[start:pos + 1], value, start, pos + 1)
        if char == "\\" and pos + 1 < stop:
            escaped = text[pos + 1]
            if escaped not in escapes:
                allowed = " ".join("\\" + key for key in escapes)
                raise ExpressionError.invalid(
                    text, f"unsupported escape '\\{escaped}' in a string (allowed: {allowed})", pos + 1)
            chars.append(escapes[escaped])
            pos += 2
            continue
        chars.append(char)
        pos += 1
    raise ExpressionError.invalid(text, "unterminated string literal", start + 1)


def _lex_number(text: str, start: int, stop: int) -> _Token:
    match = _NUMBER_RE.match(text, start, stop)
    end = match.end()
    if end < stop and _continues_name(text[end]):
        while end < stop and _continues_name(text[end]):
            end += 1
        raise ExpressionError.invalid(text, f"invalid number '{text[start:end]}'", start + 1)
    raw = match.group()
    if any(char in raw for char in ".eE"):
        value: int | float = float(raw)
        if not math.isfinite(value):
            raise ExpressionError.invalid(text, f"number out of range: '{raw}'", start + 1)
    else:
        try:
            value = int(raw)  # also drops leading zeros, which Python source does not allow
        except ValueError:
            raise ExpressionError.invalid(text, "number has too many digits", start + 1) from None
    return _Token("number", raw, value, start, end)


# --------------------------------------------------------------------------------------
# Building Python source.
# --------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------
# Parsers.
# --------------------------------------------------------------------------------------

class _Parser:
    """Token cursor, error reporting and the parts JUEL and FEEL share."""

    MAX_NESTING = 40  # keeps recursion far from Python's limit
    HINTS: dict[str, str] = {}

    def __init__(self, expression: str, tokens: list[_Token]) -> None:
        self.expression = expression
        self.tokens = tokens
        self.pos = 0
        self.nesting = 0

    @property
    def token(self) -> _Token:
        return self.tokens[self.pos]

    def peek(self, offset: int = 1) -> _Token:
        return self.tokens[min(self.pos + offset, len(self.tokens) - 1)]

    def advance(self) -> _Token:
        token = self.tokens[self.pos]
        if token.kind != "end":
            self.pos += 1
        return token

    def at(self, *operators: str, token: _Token | None = None) -> bool:
        token = token or self.token
        return token.kind == "op" and token.value in operators

    def at_word(self, *words: str) -> bool:
        return self.token.kind == "name" and self.token.text in words

    def error(self, reason: str, token: _Token | None = None) -> ExpressionError:
        return ExpressionError.invalid(self.expression, reason, None if token is None else token.start + 1)

    def unexpected(self, expected: str | None = None) -> ExpressionError:
        token = self.token
        suffix = f", expected {expected}" if expected else ""
        if token.kind == "end":
            if self.pos == 0:
                return self.error("the expression is empty")
            previous = self.tokens[self.pos - 1]
            # previous.end is the 1-based column of the last character read.
            return ExpressionError.invalid(
                self.expression, f"unexpected end of expression after '{_shorten(previous.text)}'{suffix}",
                previous.end)
        if token.kind == "op" and token.value in self.HINTS:
            return self.error(self.HINTS[token.value], token)
        return self.error(f"unexpected {_shorten(token.text)!r}{suffix}", token)

    def expect(self, operator: str, expected: str) -> _Token:
        if not self.at(operator):
            raise self.unexpected(expected)
        return self.advance()

    def expect_end(self) -> None:
        if self.token.kind != "end":
            raise self.unexpected()

    @contextmanager
    def nested(self) -> Iterator[None]:
        self.nesting += 1
        try:
            if self.nesting > self.MAX_NESTING:
                raise self.error("the expression is nested too deeply", self.token)
            yield
        finally:
            self.nesting -= 1

    def identifier(self, token: _Token) -> _Expr:
        # Python compares identifiers in NFKC, so every check looks at that form.
        name = unicodedata.normalize("NFKC", token.text)
        if name.startswith("_"):
            raise self.error(f"names starting with '_' are not allowed: '{token.text}'", token)
        if keyword.iskeyword(name):
            raise self.error(f"'{token.text}' is a reserved word in Python and cannot be used as a "
                             "variable name", token)
        if name in HELPER_NAMES:
            raise self.error(f"'{token.text}' is reserved for the expression helpers", token)
        if not name.isidentifier():
            raise self.error(f"'{token.text}' cannot be used as a variable name", token)
        return _Expr(name)

    def property_name(self, token: _Token) -> _Expr:
        # NFC like the keys the service stores; see _lex_string.
        return _literal(unicodedata.normalize("NFC", token.text))

    def member(self, base: _Expr, key: _Expr, key_token: _Token) -> _Expr:
        if base.is_literal:
            raise self.error("a literal value has no properties", key_token)
        if isinstance(key.value, str) and _is_private(key.value):
            raise self.error(f"property names starting with '_' are not allowed: '{key.value}'", key_token)
        return _call("juel_prop", base, key)

    def finish(self, expr: _Expr) -> _Expr:
        self.expect_end()
        return expr


class _JuelParser(_Parser):
    """EL 2.2 precedence, lowest first: ?:, or, and, equality, relational, additive,
    multiplicative, unary (- ! not empty), then . and []."""

    LEVELS = (
        {"||": "or", "or": "or"},
        {"&&": "and", "and": "and"},
        {"==": "==", "eq": "==", "!=": "!=", "ne": "!="},
        {"<": "<", "lt": "<", ">": ">", "gt": ">", "<=": "<=", "le": "<=", ">=": ">=", "ge": ">="},
        {"+": "+", "-": "-"},
        {"*": "*", "/": "/", "div": "/", "%": "%", "mod": "%"},
    )
    OPERATOR_WORDS = frozenset(
        {"and", "or", "not", "eq", "ne", "lt", "gt", "le", "ge", "div", "mod", "empty"})
    FUNCTIONS = frozenset({"now", "dateTime"})
    HINTS = {
        "=": "assignment '=' is not supported; compare with '==' or 'eq'",
        ";": "';' is not supported; write a single expression",
        "->": "lambda expressions are not supported",
        "&": "unexpected '&'; write '&&' or 'and'",
        "|": "unexpected '|'; write '||' or 'or'",
        "..": "unexpected '..'",
    }

    def parse(self) -> _Expr:
        return self.finish(self.expression_())

    def expression_(self) -> _Expr:
        with self.nested():
            return self.ternary()

    def ternary(self) -> _Expr:
        condition = self.binary(0)
        if not self.at("?"):
            return condition
        self.advance()
        when_true = self.expression_()
        self.expect(":", "':' of the conditional 'a ? b : c'")
        when_false = self.expression_()
        return _group(f"{when_true.source} if {condition.source} else {when_false.source}",
                      condition, when_true, when_false)

    def operator_in(self, table: dict[str, str]) -> str | None:
        token = self.token
        if token.kind in ("op", "name") and token.text in table:
            return table[token.text]
        return None

    def binary(self, level: int) -> _Expr:
        if level == len(self.LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while (operator := self.operator_in(self.LEVELS[level])) is not None:
            self.advance()
            left = _binary(left, operator, self.binary(level + 1))
        return left

    def unary(self) -> _Expr:
        if self.at("-", "!") or self.at_word("not", "empty"):
            operator = self.advance().text
            with self.nested():
                operand = self.unary()
            if operator == "empty":
                return _call("juel_empty", operand)
            return _unary("-" if operator == "-" else "not", operand)
        return self.postfix()

    def postfix(self) -> _Expr:
        first = self.token
        expr = self.primary()
        while True:
            if self.at("."):
                self.advance()
                name = self.token
                if name.kind != "name":
                    raise self.unexpected("a property name after '.'")
                self.advance()
                if self.at("("):
                    raise self.method_call_error(first, name)
                expr = self.member(expr, self.property_name(name), name)
            elif self.at("["):
                self.advance()
                key_token = self.token
                key = self.expression_()
                self.expect("]", "']'")
                if self.at("("):
                    raise self.error("method calls are not supported", self.token)
                expr = self.member(expr, key, key_token)
            elif self.at("("):
                raise self.error("only now() and dateTime() can be called", self.token)
            else:
                return expr

    def primary(self) -> _Expr:
        token = self.token
        if token.kind in ("number", "string"):
            self.advance()
            return _literal(token.value)
        if token.kind == "name":
            word = token.text
            if word in ("true", "false", "null"):
                self.advance()
                return _literal({"true": True, "false": False, "null": None}[word])
            if word == "instanceof":
                raise self.error("'instanceof' is not supported", token)
            if word in self.OPERATOR_WORDS:
                raise self.unexpected()
            self.advance()
            if self.at("("):
                return self.function_call(token)
            return self.identifier(token)
        if self.at("("):
            self.advance()
            inner = self.expression_()
            self.expect(")", "')'")
            return inner
        raise self.unexpected()

    def function_call(self, name: _Token) -> _Expr:
        if name.text not in self.FUNCTIONS:
            raise self.error(f"function calls are not supported: '{name.text}'", name)
        self.advance()
        if not self.at(")"):
            raise self.error(f"{name.text}() takes no arguments", self.token)
        self.advance()
        return _call("juel_now")

    def method_call_error(self, first: _Token, method: _Token) -> ExpressionError:
        call = self.expression[first.start:method.end]
        hint = "; read values by name instead, e.g. ${order.total}"
        if method.text in ("getVariable", "getVariableLocal"):
            argument, closing = self.peek(1), self.peek(2)
            variable = "amount"
            if (argument.kind == "string" and self.at(")", token=closing)
                    and argument.value.isidentifier() and not _is_private(argument.value)):
                variable = argument.value
            hint = f"; use the variable name directly, e.g. ${{{variable}}}"
        return self.error(f"method calls are not supported: '{call}(...)'{hint}", method)


class _FeelParser(_Parser):
    """The FEEL subset Camunda 7 designers use in DMN cells.

    Precedence, lowest first: or, and, comparison (non-associative), additive,
    multiplicative, unary minus, then '.' paths.
    """

    COMPARISONS = {"=": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
    UNSUPPORTED_WORDS = frozenset({"if", "then", "else", "for", "return", "some", "every", "satisfies",
                                   "in", "between", "instance", "of", "function"})
    HINTS = {
        "==": "FEEL compares with '=', not '=='",
        "&&": "FEEL writes 'and', not '&&'",
        "||": "FEEL writes 'or', not '||'",
        "!": "FEEL negates with not(...), not '!'",
        "%": "'%' is not supported in FEEL",
        "..": "intervals such as [1..10] are only allowed in DMN input entries",
        "[": "lists, filters and indexing are not supported in FEEL cells",
        ";": "';' is not supported; write a single expression",
        "->": "lambda expressions are not supported",
    }

    def __init__(self, expression: str, tokens: list[_Token], allow_placeholder: bool) -> None:
        super().__init__(expression, tokens)
        self.allow_placeholder = allow_placeholder

    # Plain expressions ------------------------------------------------------------------

    def parse_expression(self) -> _Expr:
        return self.finish(self.expression_())

    def expression_(self) -> _Expr:
        with self.nested():
            return self.disjunction()

    def disjunction(self) -> _Expr:
        left = self.conjunction()
        while self.at_word("or"):
            self.advance()
            left = _binary(left, "or", self.conjunction())
        return left

    def conjunction(self) -> _Expr:
        left = self.comparison()
        while self.at_word("and"):
            self.advance()
            left = _binary(left, "and", self.comparison())
        return left

    def comparison(self) -> _Expr:
        left = self.additive()
        if self.at(*self.COMPARISONS):
            operator = self.COMPARISONS[self.advance().value]
            left = _binary(left, operator, self.additive())
            if self.at(*self.COMPARISONS):
                raise self.error("FEEL comparisons cannot be chained; combine them with 'and'", self.token)
        return left

    def additive(self) -> _Expr:
        left = self.multiplicative()
        while self.at("+", "-"):
            operator = self.advance().value
            left = _binary(left, operator, self.multiplicative())
        return left

    def multiplicative(self) -> _Expr:
        left = self.unary()
        while self.at("*", "/"):
            operator = self.advance().value
            left = _binary(left, operator, self.unary())
        return left

    def unary(self) -> _Expr:
        if self.at("-"):
            self.advance()
            with self.nested():
                return _unary("-", self.unary())
        return self.postfix()

    def postfix(self) -> _Expr:
        expr = self.primary()
        while True:
            if self.at("."):
                self.advance()
                name = self.token
                if name.kind != "name":
                    raise self.unexpected("a property name after '.'")
                self.advance()
                if self.at("("):
                    raise self.error(f"function calls are not supported: '{name.text}'", name)
                expr = self.member(expr, self.property_name(name), name)
            else:
                # '[' is left to the caller: after a value it may close an interval like ]1..10[.
                return expr

    def primary(self) -> _Expr:
        token = self.token
        if token.kind in ("number", "string"):
            self.advance()
            return _literal(token.value)
        if self.at("("):
            self.advance()
            inner = self.expression_()
            self.expect(")", "')'")
            return inner
        if self.at("?"):
            if not self.allow_placeholder:
                raise self.error("'?' stands for the input value and is only allowed in DMN input entries",
                                 token)
            self.advance()
            return _PLACEHOLDER
        if token.kind != "name":
            raise self.unexpected()
        word = token.text
        if word in ("true", "false", "null"):
            self.advance()
            return _literal({"true": True, "false": False, "null": None}[word])
        if word == "not":
            return self.negation()
        if word == "date" and self.peek(1).text == "and" and self.peek(2).text == "time" \
                and self.at("(", token=self.peek(3)):
            self.pos += 3
            return self.conversion("date and time", "feel_datetime",
                                   lambda text: _parse_feel_datetime(text, None))
        if word == "date" and self.at("(", token=self.peek(1)):
            self.pos += 1
            return self.conversion("date", "feel_date", _parse_date)
        if word in ("and", "or"):
            raise self.unexpected()
        if word in self.UNSUPPORTED_WORDS:
            raise self.error(f"FEEL '{word}' expressions are not supported", token)
        self.advance()
        if self.at("("):
            raise self.error(f"function calls are not supported: '{word}'", token)
        return self.identifier(token)

    def negation(self) -> _Expr:
        not_token = self.advance()
        if not self.at("("):
            raise self.error("FEEL negation is written as a function: not(...)", not_token)
        self.advance()
        operand = self.expression_()
        self.expect(")", "')' to close not(...)")
        return _unary("not", operand)

    def conversion(self, name: str, helper: str, check: Callable[[str], Any]) -> _Expr:
        self.expect("(", "'('")
        argument_token = self.token
        argument = self.expression_()
        self.expect(")", f"')' to close {name}(...)")
        if argument.is_literal and not isinstance(argument.value, str):
            raise self.error(f"{name}() needs text such as \"2025-06-30\"", argument_token)
        if argument.is_literal:
            try:
                check(argument.value)
            except _BadValue as exc:
                raise self.error(f"{name}({argument_token.text}): {exc}", argument_token) from None
        return _call(helper, argument)

    # Unary tests (DMN input entries) ----------------------------------------------------

    def parse_unary_tests(self) -> _Expr:
        if self.at_word("not") and self.at("(", token=self.peek(1)):
            self.pos += 2
            tests = self.test_list()
            self.expect(")", "')' to close not(...)")
            if self.token.kind != "end":
                raise self.error("not(...) must wrap the whole input entry; put every test inside it",
                                 self.token)
            return self.finish(_unary("not", tests))
        return self.finish(self.test_list())

    def test_list(self) -> _Expr:
        tests = [self.unary_test()]
        while self.at(","):
            self.advance()
            tests.append(self.unary_test())
        if len(tests) == 1:
            return tests[0]
        return _group(" or ".join(test.source for test in tests), *tests)

    def unary_test(self) -> _Expr:
        token = self.token
        if token.kind == "end" or self.at(","):
            raise self.unexpected("a test")
        if self.at("<", "<=", ">", ">="):
            operator = self.advance().value
            return _null_safe(_binary(_PLACEHOLDER, operator, self.endpoint()))
        if self.at("!="):
            raise self.error("'!=' is not allowed in an input entry; use not(...), e.g. not(\"A\")", token)
        if self.at("="):
            raise self.error("'=' is not needed in an input entry; write the value alone, e.g. \"A\"", token)
        if self.at("[", "]"):
            return self.interval()
        if self.at("(") and self.starts_interval():
            return self.interval()
        if self.at_word("not") and self.at("(", token=self.peek(1)):
            raise self.error("not(...) must wrap the whole input entry", token)
        value = self.expression_()
        if value.placeholder:
            return value  # a boolean test on '?' itself, e.g. ? > 5 and ? < 10
        return _binary(_PLACEHOLDER, "==", value)

    def endpoint(self) -> _Expr:
        with self.nested():
            return self.additive()

    def starts_interval(self) -> bool:
        # '(' opens both open intervals (1..10) and parenthesised expressions (a + b).
        start = self.pos
        self.advance()
        try:
            self.endpoint()
            return self.at("..")
        except ExpressionError:
            return False
        finally:
            self.pos = start

    def interval(self) -> _Expr:
        opener = self.advance()
        low = self.endpoint()
        self.expect("..", "'..' between the bounds of the interval")
        high = self.endpoint()
        if not self.at("]", "[", ")"):
            raise self.unexpected("']', '[' or ')' to close the interval")
        closer = self.advance()
        lower = _binary(low, "<=" if opener.value == "[" else "<", _PLACEHOLDER)
        upper = _binary(_PLACEHOLDER, "<=" if closer.value == "]" else "<", high)
        return _null_safe(_binary(lower, "and", upper))


# --------------------------------------------------------------------------------------
# Public API.
# --------------------------------------------------------------------------------------

def _scan_to_closing_brace(text: str, start: int) -> tuple[int, int | None]:
    """Index of the first '}' outside string literals (-1 if none), and the index of an
    unterminated quote, if the text ends inside one."""
    quote, quote_start, pos = None, None, start
    while pos < len(text):
        char = text[pos]
        if quote is not None:
            if char == "\\":
                pos += 2
                continue
            if char == quote:
                quote = None
        elif char in "'\"":
            quote, quote_start = char, pos
        elif char == "}":
            return pos, None
        pos += 1
    return -1, quote_start if quote is not None else None


def _juel_body(text: str) -> tuple[int, int]:
    """The [start, stop) offsets of the expression inside the single ${...} of `text`."""
    opening = len(text) - len(text.lstrip())
    if opening == len(text):
        raise ExpressionError.invalid(text, "the expression is empty")
    if not text.startswith(("${", "#{"), opening):
        embedded = min((i for i in (text.find("${"), text.find("#{")) if i >= 0), default=-1)
        if embedded >= 0:
            raise ExpressionError.invalid(
                text,
                "text mixed with ${...} is not supported; the whole value must be one ${...} expression",
                embedded + 1)
        raise ExpressionError.invalid(text, "a JUEL expression must be written as ${...}", opening + 1)
    closing, open_quote = _scan_to_closing_brace(text, opening + 2)
    if closing < 0:
        if open_quote is not None:
            raise ExpressionError.invalid(text, "unterminated string literal", open_quote + 1)
        raise ExpressionError.invalid(text, f"'{text[opening:opening + 2]}' is never closed with '}}'",
                                      opening + 1)
    rest = text[closing + 1:]
    if rest.strip():
        trailing = closing + 1 + len(rest) - len(rest.lstrip())
        if text.startswith(("${", "#{"), trailing):
            reason = ("only one ${...} expression is allowed; "
                      "composite expressions like ${a}${b} are not supported")
        else:
            reason = ("text after the closing '}' is not supported; "
                      "the whole value must be one ${...} expression")
        raise ExpressionError.invalid(text, reason, trailing + 1)
    if not text[opening + 2:closing].strip():
        raise ExpressionError.invalid(text, "the expression is empty")
    return opening + 2, closing


def is_juel(text: str) -> bool:
    """True when the stripped text is a single ${...} or #{...}."""
    if not isinstance(text, str):
        return False
    stripped = text.strip()
    if not stripped.startswith(("${", "#{")):
        return False
    closing, _ = _scan_to_closing_brace(stripped, 2)
    return closing == len(stripped) - 1


def juel_to_python(text: str) -> str:
    """Python source for a Camunda 7 JUEL expression '${...}' or '#{...}'."""
    if text is None:
        raise ExpressionError.invalid("", "the expression is empty")
    start, stop = _juel_body(text)
    expr = _JuelParser(text, _tokenize(text, start, stop, _JUEL)).parse()
    return _verified(text, expr.source, expr.depth)


def feel_expression_to_python(text: str) -> str:
    """Python source for a FEEL expression such as a DMN input expression or output entry."""
    if text is None or not text.strip():
        raise ExpressionError.invalid(text or "", "the expression is empty")
    if text.strip().startswith(("${", "#{")):
        return juel_to_python(text)
    expr = _FeelParser(text, _tokenize(text, 0, len(text), _FEEL), allow_placeholder=False).parse_expression()
    return _verified(text, expr.source, expr.depth)


def feel_unary_tests_to_python(text: str | None, placeholder: str = "?") -> str | None:
    """A DMN input entry as a Python boolean expression on `placeholder`, the input value.

    None when the cell matches anything (None, '', whitespace or '-').
    """
    plain_name = (placeholder.isidentifier() and not keyword.iskeyword(placeholder)
                  and not placeholder.startswith("_"))
    if placeholder != _PLACEHOLDER_MARK and not plain_name:
        raise ValueError(f"the placeholder must be '?' or a plain identifier, not {placeholder!r}")
    if text is None or text.strip() in ("", "-"):
        return None
    parser = _FeelParser(text, _tokenize(text, 0, len(text), _FEEL), allow_placeholder=True)
    tests = parser.parse_unary_tests()
    if not tests.grouped:
        tests = _group(tests.source, tests)
    # '?' appears only as the placeholder: string literals escape it (see _py_str).
    check_name = "dmninputexpr" if placeholder == _PLACEHOLDER_MARK else placeholder
    _verified(text, tests.source.replace(_PLACEHOLDER_MARK, check_name), tests.depth)
    return tests.source.replace(_PLACEHOLDER_MARK, placeholder)


def timer_to_python(text: str, kind: str) -> str:
    """A Python expression giving the ISO-8601 text of a timeDate, timeDuration or timeCycle.

    Literals are validated now. A literal date or date-time without a zone goes through
    timer_iso so that it is read in the service time zone, not the server's.
    """
    _check_timer_kind(kind)
    if text is None or not text.strip():
        raise ExpressionError.invalid(text or "", "the timer expression is empty")
    if "${" in text or "#{" in text:
        return _verified(text, f"timer_iso({juel_to_python(text)}, {_py_str(kind)})")
    literal = text.strip()
    try:
        _, zoneless = _check_timer_text(literal, kind, None)
    except _BadValue as exc:
        raise ExpressionError.invalid(text, str(exc)) from None
    source = _py_str(literal)
    if zoneless:
        source = f"timer_iso({source}, {_py_str(kind)})"
    return _verified(text, source)


def validate_iso_duration(text: str) -> None:
    """Raises ExpressionError unless `text` is PnYnMnDTnHnMnS or PnW (a fraction on the last number)."""
    if text is None:
        raise ExpressionError.invalid("", "the duration is empty")
    try:
        _check_duration(text.strip())
    except _BadValue as exc:
        raise ExpressionError.invalid(text, str(exc)) from None
