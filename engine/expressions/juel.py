"""Camunda 7 JUEL ('${...}') translated into Python source."""
from __future__ import annotations

from engine.expressions.lexer import _JUEL, _Token, _tokenize
from engine.expressions.parser import _Parser
from engine.expressions.source import (
    ExpressionError,
    _binary,
    _call,
    _Expr,
    _group,
    _is_private,
    _literal,
    _unary,
    _verified,
)

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
                name = self.name_after_dot()
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
        literal = self.scalar_literal()
        if literal is not None:
            return literal
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
