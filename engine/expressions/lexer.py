"""The tokenizer shared by the JUEL and FEEL parsers."""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from engine.expressions.source import ExpressionError

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
            # The service stores text in NFC (engine.runtime.variables), so literals typed in another
            # normal form, e.g. decomposed accented text from macOS, still compare equal.
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
