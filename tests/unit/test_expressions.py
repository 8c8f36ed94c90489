"""Translation of Camunda-style JUEL, FEEL and timer expressions into safe Python."""
from __future__ import annotations

import ast
import pickle
import random
import re
import unicodedata
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from RestrictedPython import compile_restricted_eval

from engine.expressions import (
    HELPER_NAMES,
    ExpressionError,
    expression_helpers,
    feel_expression_to_python,
    feel_unary_tests_to_python,
    is_juel,
    juel_to_python,
    timer_to_python,
    validate_iso_duration,
)

# Copied from SpiffWorkflow's DMNEngine.evaluate: how '?' in an input entry becomes the input value.
SPIFF_PLACEHOLDER_RE = re.compile(r'(\?)(?=(?:[^\'"]|[\'"][^\'"]*[\'"])*$)')
HO_CHI_MINH = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(autouse=True)
def service_time_zone(monkeypatch):
    monkeypatch.delenv("THIDUA_TIMEZONE", raising=False)


def assert_safe(source: str) -> None:
    """Only names, literals, operators and helper calls: nothing the sandbox would refuse."""
    assert "__" not in source
    tree = ast.parse(source, mode="eval")
    for node in ast.walk(tree):
        assert not isinstance(node, ast.Attribute), source
        if isinstance(node, ast.Name):
            assert not node.id.startswith("_"), source
        if isinstance(node, ast.Call):
            assert isinstance(node.func, ast.Name) and node.func.id in HELPER_NAMES, source
            assert not node.keywords, source


def evaluate(source: str, helpers=None, **data):
    assert_safe(source)
    return eval(compile(source, "<e>", "eval"), {**(helpers or expression_helpers()), **data})


def juel(text: str, **data):
    return evaluate(juel_to_python(text), **data)


def feel(text: str, **data):
    return evaluate(feel_expression_to_python(text), **data)


def matches(cell: str, value, **data) -> bool:
    """Evaluates an input entry the way SpiffWorkflow does: '?' outside quotes is the input."""
    source = feel_unary_tests_to_python(cell)
    spiff_source = SPIFF_PLACEHOLDER_RE.sub("dmninputexpr", source)
    assert "?" not in spiff_source, f"SpiffWorkflow would leave a '?' in {spiff_source!r}"
    return evaluate(spiff_source, dmninputexpr=value, **data)


def error_for(translate, text, *args) -> ExpressionError:
    with pytest.raises(ExpressionError) as info:
        translate(text, *args)
    err = info.value
    assert f"'{text}'" in str(err), "the message must name the expression"
    assert err.expression == text
    return err


# --------------------------------------------------------------------------------------
# JUEL: operators and their aliases
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "data", "expected"), [
    ("${a == b}", {"a": 1, "b": 1}, True),
    ("${a eq b}", {"a": 1, "b": 2}, False),
    ("${a != b}", {"a": 1, "b": 2}, True),
    ("${a ne b}", {"a": 1, "b": 1}, False),
    ("${a < b}", {"a": 1, "b": 2}, True),
    ("${a lt b}", {"a": 2, "b": 2}, False),
    ("${a > b}", {"a": 3, "b": 2}, True),
    ("${a gt b}", {"a": 2, "b": 2}, False),
    ("${a <= b}", {"a": 2, "b": 2}, True),
    ("${a le b}", {"a": 3, "b": 2}, False),
    ("${a >= b}", {"a": 2, "b": 2}, True),
    ("${a ge b}", {"a": 1, "b": 2}, False),
    ("${a && b}", {"a": True, "b": False}, False),
    ("${a and b}", {"a": True, "b": True}, True),
    ("${a || b}", {"a": False, "b": True}, True),
    ("${a or b}", {"a": False, "b": False}, False),
    ("${!a}", {"a": True}, False),
    ("${not a}", {"a": False}, True),
    ("${a + b}", {"a": 2, "b": 3}, 5),
    ("${a - b}", {"a": 2, "b": 3}, -1),
    ("${a * b}", {"a": 2, "b": 3}, 6),
    ("${a / b}", {"a": 7, "b": 2}, 3.5),
    ("${a div b}", {"a": 7, "b": 2}, 3.5),
    ("${a % b}", {"a": 7, "b": 3}, 1),
    ("${a mod b}", {"a": 7, "b": 3}, 1),
    ("${-a}", {"a": 4}, -4),
    ("${- -a}", {"a": 4}, 4),
    ("${a == null}", {"a": None}, True),
    ("${a != null}", {"a": 0}, True),
    ("${a == true}", {"a": 1}, False),
    ("${a == false}", {"a": False}, True),
    ("${true}", {}, True),
    ("${false}", {}, False),
    ("${null}", {}, None),
    ("${42}", {}, 42),
    ("${007}", {}, 7),
    ("${1.5}", {}, 1.5),
    ("${.5}", {}, 0.5),
    ("${1e3}", {}, 1000.0),
    ("${2.5E-1}", {}, 0.25),
    ("#{a}", {"a": "deferred"}, "deferred"),
    ("  ${ a }  ", {"a": 1}, 1),
    ("${a\n&&\tb}", {"a": True, "b": True}, True),
])
def test_juel_operators_and_aliases(text, data, expected):
    result = juel(text, **data)
    assert result == expected and type(result) is type(expected)


def test_a_bare_variable_translates_to_its_name():
    # engine.repository.parsing relies on this for camunda:collection="${units}".
    assert juel_to_python("${units}") == "units"
    assert juel_to_python("${a && b}") == "(a and b)"


# --------------------------------------------------------------------------------------
# JUEL: precedence
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "data", "expected"), [
    # && binds tighter than ||
    ("${a || b && c}", {"a": True, "b": False, "c": False}, True),
    ("${(a || b) && c}", {"a": True, "b": False, "c": False}, False),
    ("${a or b and c}", {"a": True, "b": False, "c": False}, True),
    # JUEL reads !a == b as (!a) == b; Python's `not a == b` would be not (a == b) and give True.
    ("${!a == b}", {"a": 5, "b": 6}, False),
    ("${not a == b}", {"a": 5, "b": 6}, False),
    ("${!a == b}", {"a": 0, "b": True}, True),
    ("${!(a == b)}", {"a": 5, "b": 6}, True),
    ("${1 + 2 * 3}", {}, 7),
    ("${(1 + 2) * 3}", {}, 9),
    ("${10 - 4 - 3}", {}, 3),
    ("${2 * 3 % 4}", {}, 2),
    ("${8 / 2 / 2}", {}, 2.0),
    ("${-2 + 3}", {}, 1),
    ("${-a * b}", {"a": 2, "b": 3}, -6),
    ("${1 + 2 > 2}", {}, True),
    ("${1 < 2 == true}", {}, True),
    ("${a == b && c}", {"a": 1, "b": 1, "c": True}, True),
    ("${a > 1 and a < 5 or a == 10}", {"a": 10}, True),
    ("${empty a == false}", {"a": "x"}, True),
    ("${!empty a}", {"a": [1]}, True),
    ("${not empty a.b}", {"a": {"b": ""}}, False),
    ("${-a.b}", {"a": {"b": 2}}, -2),
    # The conditional has the lowest precedence and nests to the right.
    ("${a || b ? 1 : 2}", {"a": False, "b": True}, 1),
    ("${x + 1 > 2 ? 'big' : 'small'}", {"x": 1}, "small"),
    ("${true ? 1 : false ? 2 : 3}", {}, 1),
    ("${false ? 1 : false ? 2 : 3}", {}, 3),
    ("${false ? 1 : true ? 2 : 3}", {}, 2),
    ("${a ? b ? 1 : 2 : 3}", {"a": True, "b": False}, 2),
    ("${a ? 'yes' : 'no'}", {"a": None}, "no"),
])
def test_juel_precedence(text, data, expected):
    assert juel(text, **data) == expected


def test_juel_output_parenthesises_every_operation():
    assert juel_to_python("${!a == b}") == "((not a) == b)"
    assert juel_to_python("${a || b && c}") == "(a or (b and c))"
    assert juel_to_python("${a ? b : c}") == "(b if a else c)"
    assert juel_to_python("${a < b < c}") == "((a < b) < c)"  # never a Python chained comparison


# --------------------------------------------------------------------------------------
# JUEL: strings, Unicode and member access
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ('${"a && b"}', "a && b"),
    ("${'x || !y ? z : w'}", "x || !y ? z : w"),
    ("${'it\\'s'}", "it's"),
    ('${"say \\"hi\\""}', 'say "hi"'),
    ("${'back\\\\slash'}", "back\\slash"),
    ('${"}"}', "}"),
    ('${"${x}"}', "${x}"),
    ('${"Có?"}', "Có?"),
    ("${'\"mixed\" \\'quotes\\'?'}", "\"mixed\" 'quotes'?"),
    ('${""}', ""),
])
def test_juel_strings_stay_intact(text, expected):
    source = juel_to_python(text)
    assert "?" not in source  # see test_question_marks_in_strings_never_reach_the_output
    assert ast.literal_eval(source) == expected
    assert juel(text) == expected


def test_plus_on_strings_concatenates_as_in_python():
    assert juel('${"a" + "b"}') == "ab"


def test_string_operators_are_not_translated():
    source = juel_to_python('${status == "a && b" || note == \'x eq y\'}')
    assert "and" not in source and " eq " not in source.replace("'x eq y'", "")
    assert juel('${status == "a && b" || note == \'x eq y\'}', status="a && b", note="") is True


def test_vietnamese_identifiers_and_strings():
    text = '${điểmTrungBình >= 8.5 && xếpLoại == "Xuất sắc"}'
    assert unicodedata.is_normalized("NFC", text)
    data = {"điểmTrungBình": 9.1, "xếpLoại": "Xuất sắc"}
    assert juel(text, **data) is True
    assert juel(text, **{**data, "xếpLoại": "Khá"}) is False
    assert juel('${hồSơ.đơnVị == "Sở Nội vụ"}', hồSơ={"đơnVị": "Sở Nội vụ"}) is True
    assert juel('${"Bằng khen của Thủ tướng"}') == "Bằng khen của Thủ tướng"


def test_decomposed_vietnamese_identifier_reads_the_nfc_variable():
    # Python looks names up in NFKC; for Vietnamese that is the NFC form the service stores.
    text = "${" + unicodedata.normalize("NFD", "điểm") + " > 1}"
    assert juel(text, **{"điểm": 2}) is True


def test_decomposed_strings_and_property_names_match_nfc_data():
    # The service stores variables in NFC; a diagram typed on macOS may hold NFD text.
    nfd = unicodedata.normalize("NFD", '${hồSơ.đơnVị == "Sở Nội vụ"}')
    assert nfd != unicodedata.normalize("NFC", nfd)
    assert juel(nfd, **{"hồSơ": {"đơnVị": "Sở Nội vụ"}}) is True
    assert matches(unicodedata.normalize("NFD", '"Xuất sắc"'), "Xuất sắc") is True


@pytest.mark.parametrize(("text", "data", "expected"), [
    ("${hoSo.donVi.ten}", {"hoSo": {"donVi": {"ten": "UBND"}}}, "UBND"),
    ('${hoSo["donVi"]["ten"]}', {"hoSo": {"donVi": {"ten": "UBND"}}}, "UBND"),
    ("${hoSo['đơn vị']}", {"hoSo": {"đơn vị": "Sở"}}, "Sở"),
    ("${hoSo.missing}", {"hoSo": {}}, None),
    ("${hoSo.missing.deeper}", {"hoSo": {}}, None),
    ("${hoSo.missing == null}", {"hoSo": {}}, True),
    ("${items[1]}", {"items": ["a", "b"]}, "b"),
    ("${items[5]}", {"items": ["a", "b"]}, None),
    ("${items[-1]}", {"items": ["a", "b"]}, None),
    ("${items['0']}", {"items": ["a", "b"]}, "a"),
    ("${items[i + 1]}", {"items": ["a", "b"], "i": 0}, "b"),
    ("${hoSo[key]}", {"hoSo": {"k": 1}, "key": "k"}, 1),
    ("${(hoSo).ten}", {"hoSo": {"ten": "x"}}, "x"),
    ("${person.name}", {"person": SimpleNamespace(name="An")}, "An"),
    ("${due.year}", {"due": date(2025, 6, 30)}, 2025),
    ("${nested.items[0].id}", {"nested": {"items": [{"id": 7}]}}, 7),
    ("${a.class}", {"a": {"class": "A"}}, "A"),
])
def test_juel_member_access(text, data, expected):
    assert "juel_prop" in juel_to_python(text)
    assert juel(text, **data) == expected


def test_juel_prop_refuses_private_names_and_methods_at_run_time():
    juel_prop = expression_helpers()["juel_prop"]
    with pytest.raises(ValueError, match="'_'"):
        juel_prop({"_x": 1}, "_x")
    with pytest.raises(ValueError, match="'_'"):
        juel_prop(SimpleNamespace(), "__class__")
    with pytest.raises(ValueError, match="method"):
        juel_prop("text", "upper")
    with pytest.raises(ValueError, match="whole number"):
        juel_prop([1, 2], "size")
    with pytest.raises(ValueError, match="whole number"):
        juel_prop([1, 2], True)
    # A key computed at run time goes through the same check.
    with pytest.raises(ValueError, match="'_'"):
        juel("${a[k]}", a={}, k="__class__")


@pytest.mark.parametrize(("value", "expected"), [
    (None, True), ("", True), ([], True), ({}, True), ((), True), (set(), True),
    (" ", False), ("x", False), ([0], False), ({"a": None}, False), (0, False), (False, False),
])
def test_juel_empty(value, expected):
    assert juel("${empty x}", x=value) is expected
    assert juel("${not empty x}", x=value) is (not expected)


# --------------------------------------------------------------------------------------
# JUEL: now() and dateTime()
# --------------------------------------------------------------------------------------

def test_now_uses_the_injected_clock():
    fixed = datetime(2025, 6, 30, 10, 0, tzinfo=timezone.utc)
    helpers = expression_helpers(now=lambda: fixed)
    assert evaluate(juel_to_python("${now()}"), helpers) == fixed
    assert evaluate(juel_to_python("${dateTime()}"), helpers) == fixed
    assert evaluate(juel_to_python("${due < now()}"), helpers, due=fixed - timedelta(days=1)) is True


def test_now_is_timezone_aware():
    assert juel("${now()}").tzinfo is not None
    naive_clock = expression_helpers(now=lambda: datetime(2025, 6, 30, 8, 0))
    assert evaluate("juel_now()", naive_clock) == datetime(2025, 6, 30, 8, 0, tzinfo=HO_CHI_MINH)


# --------------------------------------------------------------------------------------
# JUEL: classification and errors
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("${a}", True), ("  #{a.b}  ", True), ('${a == "}"}', True), ("${a", False), ("${a}${b}", False),
    ("Hello ${name}", False), ("${a} tail", False), ("a", False), ("", False), (None, False),
    ("$ {a}", False),
])
def test_is_juel(text, expected):
    assert is_juel(text) is expected


def test_error_message_names_expression_reason_and_column():
    err = error_for(juel_to_python, "${a &&}")
    assert str(err) == "Invalid expression '${a &&}': unexpected end of expression after '&&' (column 6)"
    assert err.column == 6
    assert isinstance(err, ValueError)


@pytest.mark.parametrize(("text", "fragment", "column"), [
    ("${a", "never closed", 1),
    ("${}", "empty", None),
    ("${   }", "empty", None),
    ("", "empty", None),
    ("${a &&}", "unexpected end of expression after '&&'", 6),
    ("${a ? b}", "expected ':'", 7),
    ("${a ? : b}", "unexpected ':'", 7),
    ("${__class__}", "starting with '_'", 3),
    ("${_x}", "starting with '_'", 3),
    ("${＿＿class＿＿}", "unexpected character '＿'", 3),
    ("${a._x}", "starting with '_'", 5),
    ("${a.__class__}", "starting with '_'", 5),
    ("${a['__class__']}", "starting with '_'", 5),
    ("${foo()}", "function calls are not supported: 'foo'", 3),
    ("${now(1)}", "no arguments", 7),
    ('${execution.getVariable("x")}', "use the variable name directly, e.g. ${x}", 13),
    ("${a.b()}", "method calls are not supported: 'a.b(...)'", 5),
    ("${list.size()}", "method calls", 8),
    ("${a[0]()}", "method calls", 7),
    ("${(a)()}", "only now() and dateTime()", 6),
    ("Hello ${name}", "mixed", 7),
    ("${a}${b}", "only one ${...}", 5),
    ("${a} and more", "text after the closing", 6),
    ("${a}}", "text after the closing", 5),
    ("a && b", "${...}", 1),
    ('${"abc}', "unterminated string", 3),
    ("${'abc}", "unterminated string", 3),
    ("${'abc\\'}", "unterminated string", 3),
    ('${"a\\nb"}', "unsupported escape", 5),
    ("${a = 1}", "assignment", 5),
    ("${a; b}", "';'", 4),
    ("${x -> x + 1}", "lambda", 5),
    ("${a & b}", "'&&'", 5),
    ("${a | b}", "'||'", 5),
    ("${a b}", "unexpected 'b'", 5),
    ("${(a}", "expected ')'", 4),
    ("${a)}", "unexpected ')'", 4),
    ("${a[0}", "expected ']'", 5),
    ("${a.}", "property name", 4),
    ("${a.1}", "property name", 5),
    ("${a instanceof b}", "'instanceof'", 5),
    ("${class}", "reserved word", 3),
    ("${lambda}", "reserved word", 3),
    ("${None}", "reserved word", 3),
    ("${a.b + import}", "reserved word", 9),
    ("${juel_prop}", "reserved for the expression helpers", 3),
    ("${and}", "unexpected 'and'", 3),
    ("${empty}", "unexpected end", 7),
    ("${1abc}", "invalid number", 3),
    ("${1e999}", "out of range", 3),
    ("${'abc'.length}", "literal value has no properties", 9),
    ("${a @ b}", "unexpected character '@'", 5),
    ("${#x}", "unexpected character '#'", 3),
    ("${a ${b}}", "text after the closing", 9),
    ("${{a}}", "text after the closing", 6),
    ("${a == {}", "unexpected '{'", 8),
])
def test_juel_errors(text, fragment, column):
    err = error_for(juel_to_python, text)
    assert fragment in str(err)
    assert err.column == column


def test_deep_nesting_is_a_clear_error_not_a_crash():
    err = error_for(juel_to_python, "${" + "(" * 60 + "a" + ")" * 60 + "}")
    assert "nested too deeply" in str(err)
    err = error_for(juel_to_python, "${" + "!" * 60 + "a}")
    assert "nested too deeply" in str(err)
    err = error_for(juel_to_python, "${" + " + ".join(["a"] * 150) + "}")
    assert "too long" in str(err)


def test_full_width_identifier_is_read_like_python_reads_it():
    assert juel_to_python("${ｆｏｏ}") == "foo"


def test_expression_error_is_picklable_and_accepts_a_plain_message():
    err = error_for(juel_to_python, "${a &&}")
    copy = pickle.loads(pickle.dumps(err))
    assert str(copy) == str(err) and copy.column == 6 and copy.expression == "${a &&}"
    plain = ExpressionError("Invalid expression 'x': something")
    assert str(plain) == "Invalid expression 'x': something" and plain.column is None


def test_random_input_gives_safe_code_or_an_expression_error():
    pieces = ["a", "b.c", "x[0]", "'s'", '"?"', "1", "2.5", "true", "null", "empty", "!", "not", "-", "+",
              "*", "/", "%", "==", "!=", "<", ">=", "&&", "||", "and", "or", "?", ":", "(", ")", "[", "]",
              ".", ",", "=", ";", "now()", "foo()", "_x", "__class__", "div", "mod", "eq", "{", "}", "'"]
    rng = random.Random(20250630)
    for _ in range(3000):
        text = "${" + " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 8))) + "}"
        try:
            source = juel_to_python(text)
        except ExpressionError as err:
            assert f"'{text}'" in str(err)
        else:
            assert_safe(source)
            assert "?" not in source


# --------------------------------------------------------------------------------------
# FEEL expressions (DMN input expressions and output entries)
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "data", "expected"), [
    ("yearsAtOffice", {"yearsAtOffice": 5}, 5),
    ('"Bằng khen"', {}, "Bằng khen"),
    ('"Có?"', {}, "Có?"),
    ('"say \\"hi\\"\\n"', {}, 'say "hi"\n'),
    ("10", {}, 10),
    ("-1.5", {}, -1.5),
    ("true", {}, True),
    ("null", {}, None),
    ("hoSo.donVi.ten", {"hoSo": {"donVi": {"ten": "UBND"}}}, "UBND"),
    ("hoSo.missing", {"hoSo": {}}, None),
    ("a + b * 2", {"a": 1, "b": 3}, 7),
    ("(a + b) * 2", {"a": 1, "b": 3}, 8),
    ("a - b - c", {"a": 10, "b": 3, "c": 2}, 5),
    ("a / 4", {"a": 10}, 2.5),
    ("a = 1", {"a": 1}, True),
    ("a != 1", {"a": 1}, False),
    ("a = null", {"a": None}, True),
    ("a >= 1 and b < 2 or c", {"a": 0, "b": 5, "c": True}, True),
    ("a >= 1 and (b < 2 or c)", {"a": 0, "b": 1, "c": True}, False),
    ("not(a)", {"a": False}, True),
    ("not(a = 1) and b", {"a": 2, "b": True}, True),
    ('date("2025-06-30")', {}, date(2025, 6, 30)),
    ("date(d)", {"d": "2025-06-30"}, date(2025, 6, 30)),
    ('date and time("2025-06-30T17:00:00")', {}, datetime(2025, 6, 30, 17, 0, tzinfo=HO_CHI_MINH)),
    ('date and time("2025-06-30T17:00:00+07:00")', {}, datetime(2025, 6, 30, 10, 0, tzinfo=timezone.utc)),
    ('date and time("2025-06-30T17:00:00@Asia/Bangkok")', {},
     datetime(2025, 6, 30, 10, 0, tzinfo=timezone.utc)),
    ('ngày > date("2025-01-01")', {"ngày": date(2025, 6, 30)}, True),
    ("${a && b}", {"a": True, "b": True}, True),
])
def test_feel_expressions(text, data, expected):
    assert feel(text, **data) == expected


@pytest.mark.parametrize(("text", "fragment"), [
    ("", "empty"),
    ("   ", "empty"),
    ("'A'", "double quotes"),
    ('"abc', "unterminated string"),
    ("a == b", "'='"),
    ("a && b", "'and'"),
    ("a || b", "'or'"),
    ("!a", "not(...)"),
    ("not a", "not(...)"),
    ("a % 2", "'%'"),
    ("a < b < c", "cannot be chained"),
    ("foo(1)", "function calls are not supported: 'foo'"),
    ("a.b(1)", "function calls are not supported: 'b'"),
    ('date("2025-13-01")', "month must be in 1..12"),
    ('date("30/06/2025")', "YYYY-MM-DD"),
    ("date(5)", "needs text"),
    ('date and time("2025-06-30")', "date-time"),
    ('date and time("2025-06-30T17:00:00@Mars/Base")', "unknown time zone"),
    ("?", "only allowed in DMN input entries"),
    ("[1..2]", "not supported in FEEL cells"),
    ("1..2", "only allowed in DMN input entries"),
    ("a[0]", "indexing"),
    ("if a then b else c", "'if'"),
    ("__class__", "starting with '_'"),
    ("a._x", "starting with '_'"),
    ("a b", "unexpected 'b'"),
    ("${a", "never closed"),
])
def test_feel_expression_errors(text, fragment):
    err = error_for(feel_expression_to_python, text)
    assert fragment in str(err)


# --------------------------------------------------------------------------------------
# FEEL unary tests (DMN input entries)
# --------------------------------------------------------------------------------------

# Pairs rather than dicts: True == 1 would merge dict keys.
@pytest.mark.parametrize(("cell", "cases"), [
    ("[9..10]", {8: False, 9: True, 9.5: True, 10: True, 11: False}),
    ("]9..10[", {9: False, 9.5: True, 10: False}),
    ("(9..10)", {9: False, 9.5: True, 10: False}),
    ("[9..10)", {9: True, 10: False}),
    ("[9..10[", {9: True, 10: False}),
    ("(9..10]", {9: False, 10: True}),
    ("]9..10]", {9: False, 10: True}),
    ("[-5..-1]", {-5: True, 0: False}),
    (">= 10", {9: False, 10: True, 11: True}),
    ("> 10", {10: False, 11: True}),
    ("< 10", {9: True, 10: False}),
    ("<= 10", {10: True, 11: False}),
    ("< 10, > 50", {5: True, 20: False, 60: True}),
    ('"A","B"', {"A": True, "B": True, "C": False}),
    ('"A", [1..2]', {"A": True, 1: True, 3: False}),
    ('not("A")', {"A": False, "B": True}),
    ('not("A", "B")', {"A": False, "B": False, "C": True}),
    ("not([1..5])", {0: True, 1: False, 5: False, 6: True}),
    ("not(< 3)", {2: False, 3: True}),
    ("null", [(None, True), (0, False), ("", False)]),
    ("true", [(True, True), (1, False), (False, False)]),
    ("false", [(False, True), (0, False)]),
    ("10", [(10, True), (10.0, True), (11, False)]),
    ("-5", {-5: True, 5: False}),
    ('"Có?"', {"Có?": True, "Có": False}),
    ('"It\'s?"', {"It's?": True, "It's": False}),
    ('"say \\"hi\\"?"', {'say "hi"?': True}),
    ('"Bằng khen", "Giấy khen"', {"Giấy khen": True, "Chiến sĩ thi đua": False}),
    ("? > 5 and ? < 10", {5: False, 6: True, 10: False}),
    ("(1 + 2)", {3: True, 1: False}),
    ('date("2025-06-30")', {date(2025, 6, 30): True, date(2025, 7, 1): False}),
    ('>= date("2025-01-01")', {date(2024, 12, 31): False, date(2025, 1, 1): True}),
    ('[date("2025-01-01")..date("2025-12-31")]', {date(2025, 6, 30): True, date(2026, 1, 1): False}),
])
def test_unary_tests(cell, cases):
    for value, expected in (cases.items() if isinstance(cases, dict) else cases):
        assert matches(cell, value) is expected, (cell, value)


def test_unary_tests_compare_with_variables():
    assert matches("someVar", 3, someVar=3) is True
    assert matches("[low..high]", 5, low=1, high=4) is False
    assert matches("> hoSo.nguong", 5, hoSo={"nguong": 4}) is True


@pytest.mark.parametrize("cell", [None, "", "   ", "-", " - "])
def test_unary_tests_that_match_anything(cell):
    assert feel_unary_tests_to_python(cell) is None


def test_unary_test_output_shape():
    assert feel_unary_tests_to_python("[1..10]") == "((? is not None and ((1 <= ?) and (? <= 10))))"
    assert feel_unary_tests_to_python(">= 10") == "((? is not None and (? >= 10)))"
    assert feel_unary_tests_to_python('"A","B"') == "((? == 'A') or (? == 'B'))"
    assert feel_unary_tests_to_python('not("A")') == "(not (? == 'A'))"
    assert feel_unary_tests_to_python("null") == "(? is None)"
    assert feel_unary_tests_to_python("?") == "(?)"
    assert feel_unary_tests_to_python("< 10", placeholder="x") == "((x is not None and (x < 10)))"


@pytest.mark.parametrize("cell", ["< 10", ">= 10", "[0..10[", "]1..5]", "< 3, > 8"])
def test_comparisons_with_null_do_not_match(cell):
    # FEEL: a comparison with null is null, so the rule simply does not match (Python would raise).
    source = feel_unary_tests_to_python(cell, placeholder="value")
    matched = eval(compile(source, "<cell>", "eval"), {**expression_helpers(), "value": None})
    assert matched is False


def test_question_marks_in_strings_never_reach_the_output():
    source = feel_unary_tests_to_python('"Có?", "Why?"')
    assert source.count("?") == 2  # the two placeholders, nothing inside the strings
    assert SPIFF_PLACEHOLDER_RE.sub("v", source).count("?") == 0


@pytest.mark.parametrize(("cell", "fragment"), [
    ('!= "A"', "use not(...)"),
    ('= "A"', "write the value alone"),
    ('"A",', "unexpected end of expression after ','"),
    (',"A"', "unexpected ','"),
    ('"A",,"B"', "unexpected ','"),
    ("[1..]", "unexpected ']'"),
    ("[1..10", "close the interval"),
    ("[1 10]", "'..'"),
    ("]1..10", "close the interval"),
    ('not("A"), "B"', "must wrap the whole input entry"),
    ('"B", not("A")', "must wrap the whole input entry"),
    ('"A" "B"', "unexpected"),
    ("'A'", "double quotes"),
    ("<", "unexpected end"),
    ("< > 1", "unexpected '>'"),
    ("a && b", "'and'"),
    ("[1,2]", "'..'"),
    ('date("2025-02-30")', "day is out of range"),
])
def test_unary_test_errors(cell, fragment):
    err = error_for(feel_unary_tests_to_python, cell)
    assert fragment in str(err)


def test_unary_tests_reject_a_placeholder_that_is_not_a_name():
    with pytest.raises(ValueError):
        feel_unary_tests_to_python("1", placeholder="_x")
    with pytest.raises(ValueError):
        feel_unary_tests_to_python("1", placeholder="a b")


def test_spiffworkflow_dmn_engine_evaluates_translated_cells():
    from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
    from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine

    script_engine = PythonScriptEngine(environment=TaskDataEnvironment(expression_helpers()))
    dmn = DMNEngine(decision_table=None)

    def spiff_matches(input_text, cell, **data):
        task = SimpleNamespace(data=data, workflow=SimpleNamespace(script_engine=script_engine))
        return dmn.evaluate(feel_expression_to_python(input_text), feel_unary_tests_to_python(cell), task)

    assert spiff_matches("loai", '"It\'s?"', loai="It's?") is True
    assert spiff_matches("loai", '"Có?", "Không"', loai="Không") is True
    assert spiff_matches("hoSo.soNam", "[9..10]", hoSo={"soNam": 10}) is True
    assert spiff_matches("hoSo.soNam", "]9..10[", hoSo={"soNam": 10}) is False
    assert spiff_matches("ngay", '>= date("2025-01-01")', ngay=date(2025, 6, 30)) is True


# --------------------------------------------------------------------------------------
# Timers
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "kind"), [
    ("PT5M", "timeDuration"),
    ("P1DT2H", "timeDuration"),
    ("P2W", "timeDuration"),
    ("PT1.5S", "timeDuration"),
    ("PT0,5S", "timeDuration"),
    ("P1Y2M3DT4H5M6.5S", "timeDuration"),
    ("P0D", "timeDuration"),
    ("pt5m", "timeDuration"),
    ("2025-06-30T17:00:00+07:00", "timeDate"),
    ("2025-06-30T10:00:00Z", "timeDate"),
    ("2025-06-30T10:00:00.250+00:00", "timeDate"),
    ("R3/PT10M", "timeCycle"),
    ("R/P1D", "timeCycle"),
    ("R3/2025-06-30T08:00:00+07:00/P1D", "timeCycle"),
    ("R2/PT1H/2025-06-30T08:00:00+07:00", "timeCycle"),
])
def test_timer_literals_are_quoted(text, kind):
    source = timer_to_python(text, kind)
    assert source == repr(text)
    assert evaluate(source) == text


@pytest.mark.parametrize(("text", "kind", "expected"), [
    ("2025-06-30", "timeDate", "2025-06-30T00:00:00+07:00"),
    (" 2025-06-30T17:00 ", "timeDate", "2025-06-30T17:00:00+07:00"),
    ("R3/2025-06-30T08:00:00/PT10M", "timeCycle", "R3/2025-06-30T08:00:00+07:00/PT10M"),
])
def test_zone_less_timer_literals_use_the_service_time_zone(text, kind, expected, monkeypatch):
    source = timer_to_python(text, kind)
    assert source.startswith("timer_iso(")
    assert evaluate(source) == expected
    # The zone is read when the timer is evaluated, not when the diagram is deployed.
    monkeypatch.setenv("THIDUA_TIMEZONE", "UTC")
    assert evaluate(source) == expected.replace("+07:00", "+00:00")


@pytest.mark.parametrize(("value", "kind", "expected"), [
    (date(2025, 6, 30), "timeDate", "2025-06-30T00:00:00+07:00"),
    (datetime(2025, 6, 30, 17, 0), "timeDate", "2025-06-30T17:00:00+07:00"),
    (datetime(2025, 6, 30, 10, 0, tzinfo=timezone.utc), "timeDate", "2025-06-30T10:00:00+00:00"),
    ("2025-06-30T17:00:00+07:00", "timeDate", "2025-06-30T17:00:00+07:00"),
    ("2025-06-30", "timeDate", "2025-06-30T00:00:00+07:00"),
    (" PT5M ", "timeDuration", "PT5M"),
    ("R3/PT10M", "timeCycle", "R3/PT10M"),
])
def test_timer_from_a_variable(value, kind, expected):
    source = timer_to_python("${hanXuLy}", kind)
    assert source == f"timer_iso(hanXuLy, {kind!r})"
    assert evaluate(source, hanXuLy=value) == expected


def test_timer_from_a_juel_expression():
    source = timer_to_python("${hoSo.han}", "timeDate")
    assert source == "timer_iso(juel_prop(hoSo, 'han'), 'timeDate')"
    assert evaluate(source, hoSo={"han": date(2025, 6, 30)}) == "2025-06-30T00:00:00+07:00"


@pytest.mark.parametrize(("value", "kind", "fragment"), [
    ("PT5X", "timeDuration", "not a valid ISO-8601 duration"),
    ("2025-13-01", "timeDate", "month must be in 1..12"),
    ("PT5M", "timeDate", "timeDuration"),
    (datetime(2025, 6, 30), "timeDuration", "not a datetime"),
    (date(2025, 6, 30), "timeCycle", "not a date"),
    (5, "timeDuration", "not int"),
    (None, "timeDate", "not NoneType"),
])
def test_timer_from_a_bad_variable_fails_clearly(value, kind, fragment):
    source = timer_to_python("${v}", kind)
    with pytest.raises(ValueError, match=re.escape(fragment)):
        evaluate(source, v=value)


@pytest.mark.parametrize(("text", "kind", "fragment"), [
    ("PT5X", "timeDuration", "not a valid ISO-8601 duration"),
    ("P", "timeDuration", "at least one number"),
    ("PT", "timeDuration", "'T'"),
    ("P1DT", "timeDuration", "'T'"),
    ("P1.5DT2H", "timeDuration", "only the last number"),
    ("P1W2D", "timeDuration", "not a valid ISO-8601 duration"),
    ("-P1D", "timeDuration", "not a valid ISO-8601 duration"),
    ("5 minutes", "timeDuration", "not a valid ISO-8601 duration"),
    ("P99999Y", "timeDuration", "longer than 1000 years"),
    ("2025-13-01", "timeDate", "month must be in 1..12"),
    ("2025-02-30T10:00:00", "timeDate", "day is out of range"),
    ("2025-06-30T25:00:00", "timeDate", "hour must be in 0..23"),
    ("30/06/2025", "timeDate", "not a valid ISO-8601 date or date-time"),
    ("2025-W26-1", "timeDate", "not a valid ISO-8601 date or date-time"),
    ("PT5M", "timeDate", "use a timeDuration timer"),
    ("PT10M", "timeCycle", "repeating interval"),
    ("0 0 25 * * ?", "timeCycle", "hours '25'"),
    ("0 0 9 * *", "timeCycle", "6 or 7 fields"),
    ("0 0 9 L * ?", "timeCycle", "day-of-month 'L'"),
    ("0 0 9 ? * 2#1", "timeCycle", "day-of-week '2#1'"),
    ("R3/PT10M/PT5M", "timeCycle", "exactly one duration"),
    ("R3/2025-06-30T08:00:00+07:00/2025-07-30T08:00:00+07:00", "timeCycle", "exactly one duration"),
    ("R3/PT5X", "timeCycle", "not a valid ISO-8601 duration"),
    ("Rx/PT5M", "timeCycle", "repeating interval"),
    ("PT${n}M", "timeDuration", "mixed"),
    ("${n", "timeDuration", "never closed"),
    ("${a &&}", "timeDate", "unexpected end"),
    ("   ", "timeDate", "empty"),
])
def test_bad_timers(text, kind, fragment):
    err = error_for(timer_to_python, text, kind)
    assert fragment in str(err)


def test_unknown_timer_kind_is_a_programming_error():
    with pytest.raises(ValueError) as info:
        timer_to_python("PT5M", "timeWhenever")
    assert not isinstance(info.value, ExpressionError)


def test_spiffworkflow_accepts_every_timer_we_accept():
    from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition as Timer

    for text in ("PT5M", "P1DT2H", "P2W", "PT1.5S", "P1Y2M3DT4H5M6.5S", "pt5m"):
        Timer.parse_iso_duration(evaluate(timer_to_python(text, "timeDuration")))
    for text in ("2025-06-30", "2025-06-30T17:00", "2025-06-30T17:00:00+07:00", "2025-06-30T10:00:00Z"):
        moment = Timer.parse_time_or_duration(evaluate(timer_to_python(text, "timeDate")))
        assert moment.tzinfo is not None
    assert Timer.get_datetime(evaluate(timer_to_python("2025-06-30", "timeDate"))) == \
        datetime(2025, 6, 29, 17, 0, tzinfo=timezone.utc)
    for text in ("R3/PT10M", "R/P1D", "R3/2025-06-30T08:00:00/P1D", "R2/PT1H/2025-06-30T08:00:00+07:00"):
        Timer.parse_iso_recurring_interval(evaluate(timer_to_python(text, "timeCycle")))


@pytest.mark.parametrize("text", ["PT5M", "P3D", "P2W", "PT1H30M", "PT0.5S", "P1Y", " PT5M "])
def test_validate_iso_duration_accepts(text):
    validate_iso_duration(text)


@pytest.mark.parametrize("text", ["PT5X", "P", "5M", "PT1.5H30M", "P1W1D", "2025-06-30", ""])
def test_validate_iso_duration_rejects(text):
    error_for(validate_iso_duration, text)


# --------------------------------------------------------------------------------------
# Helpers and the safety of generated code
# --------------------------------------------------------------------------------------

def test_helper_names_match_the_helpers():
    assert set(expression_helpers()) == set(HELPER_NAMES)
    assert all(callable(helper) for helper in expression_helpers().values())


def test_feel_date_helpers_convert_values():
    helpers = expression_helpers()
    assert helpers["feel_date"](datetime(2025, 6, 30, 20, 0, tzinfo=timezone.utc)) == date(2025, 7, 1)
    assert helpers["feel_date"](date(2025, 6, 30)) == date(2025, 6, 30)
    assert helpers["feel_datetime"](date(2025, 6, 30)) == datetime(2025, 6, 30, tzinfo=HO_CHI_MINH)
    with pytest.raises(ValueError, match="2025-13-01"):
        helpers["feel_date"]("2025-13-01")
    with pytest.raises(ValueError):
        helpers["feel_datetime"](3)


def test_unknown_service_time_zone_is_reported(monkeypatch):
    monkeypatch.setenv("THIDUA_TIMEZONE", "Mars/Base")
    with pytest.raises(ValueError, match="THIDUA_TIMEZONE"):
        expression_helpers()["timer_iso"](date(2025, 6, 30), "timeDate")


SAMPLES = [
    (juel_to_python, "${a.b['c'][0] == 'x' && !empty y || z ? now() : dateTime()}"),
    (juel_to_python, "${hoSo.đơnVị.tên}"),
    (juel_to_python, "${-a mod 3 div 2 >= b.c}"),
    (feel_expression_to_python, 'a.b + 1 = 2 and not(c) or date("2025-06-30") > d'),
    (feel_expression_to_python, 'date and time("2025-06-30T17:00:00")'),
    (lambda text: feel_unary_tests_to_python(text).replace("?", "dmninputexpr"),
     'not([a.b..c], < date("2025-01-01"), "Có?", null, ? > x.y)'),
    (lambda text: timer_to_python(text, "timeDate"), "${hoSo.han}"),
    (lambda text: timer_to_python(text, "timeCycle"), "R3/2025-06-30T08:00:00/PT10M"),
]


@pytest.mark.parametrize(("translate", "text"), SAMPLES)
def test_generated_code_has_no_attribute_access_or_private_names(translate, text):
    source = translate(text)
    assert_safe(source)


@pytest.mark.parametrize(("translate", "text"), SAMPLES)
def test_generated_code_compiles_under_restricted_python(translate, text):
    result = compile_restricted_eval(translate(text))
    assert result.errors == (), result.errors
