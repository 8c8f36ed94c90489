"""FEEL as Camunda 7 designers use it in DMN cells, translated into Python source."""
from __future__ import annotations

import keyword
from collections.abc import Callable
from typing import Any

from engine.expressions.juel import juel_to_python
from engine.expressions.lexer import _FEEL, _Token, _tokenize
from engine.expressions.parser import _Parser
from engine.expressions.source import (
    _PLACEHOLDER,
    _PLACEHOLDER_MARK,
    ExpressionError,
    _binary,
    _call,
    _Expr,
    _group,
    _literal,
    _null_safe,
    _unary,
    _verified,
)
from engine.expressions.timers import _BadValue, _parse_date, _parse_feel_datetime

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
                name = self.name_after_dot()
                if self.at("("):
                    raise self.error(f"function calls are not supported: '{name.text}'", name)
                expr = self.member(expr, self.property_name(name), name)
            else:
                # '[' is left to the caller: after a value it may close an interval like ]1..10[.
                return expr

    def primary(self) -> _Expr:
        literal = self.scalar_literal()
        if literal is not None:
            return literal
        token = self.token
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
