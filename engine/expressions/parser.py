"""The parser base JUEL and FEEL share: token cursor, error reporting, names and properties."""
from __future__ import annotations

import keyword
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager

from engine.expressions.lexer import _Token
from engine.expressions.source import (
    HELPER_NAMES,
    ExpressionError,
    _call,
    _Expr,
    _is_private,
    _literal,
    _shorten,
)

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

    def name_after_dot(self) -> _Token:
        """The property name of `.name`, the '.' being the current token; both languages read it alike."""
        self.advance()
        name = self.token
        if name.kind != "name":
            raise self.unexpected("a property name after '.'")
        self.advance()
        return name

    def scalar_literal(self) -> _Expr | None:
        """A number or string literal, read; None (nothing read) for any other token."""
        token = self.token
        if token.kind not in ("number", "string"):
            return None
        self.advance()
        return _literal(token.value)

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
