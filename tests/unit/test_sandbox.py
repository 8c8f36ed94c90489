from __future__ import annotations

from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.parser import BpmnParser
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine

from engine.scripts.sandbox import (
    RestrictedEnvironment,
    ScriptPolicyError,
    _compile,
    check_script_syntax,
    create_script_engine,
)


def double(value):
    return value * 2


@pytest.fixture
def env() -> RestrictedEnvironment:
    return RestrictedEnvironment({"double": double})


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    path = tmp_path / "marker.txt"
    path.write_text("untouched")
    return path


# --- ordinary scripts ------------------------------------------------------------------------

def test_arithmetic_loops_and_augmented_assignment(env):
    data = {"n": 4}
    env.execute("total = 0\nfor i in range(n):\n    total += i\ntotal *= 10\ntotal -= 1\nratio = total / 4", data)
    assert data["total"] == 59
    assert data["ratio"] == 14.75


def test_list_and_dict_building_with_item_assignment(env):
    data = {"units": [{"name": "A", "score": 7}, {"name": "B", "score": 9}]}
    env.execute(
        "best = {}\n"
        "names = []\n"
        "for unit in units:\n"
        "    best[unit['name']] = unit['score']\n"
        "    names += [unit['name']]\n"
        "units[0]['score'] = 8\n"
        "label = 'x'\n"
        "label += 'y'\n"
        "for key, value in best.items():\n"
        "    last = key\n",
        data,
    )
    assert data["best"] == {"A": 7, "B": 9}
    assert data["names"] == ["A", "B"]
    assert data["units"][0]["score"] == 8
    assert data["label"] == "xy"
    assert data["last"] == "B"


def test_comprehension_unpacking_and_allowed_builtins(env):
    data = {"scores": [3, 1, 2]}
    env.execute(
        "squares = [s * s for s in scores if s > 1]\n"
        "pairs = {i: s for i, s in enumerate(scores)}\n"
        "first, (second, third) = 1, (2, 3)\n"
        "stats = (len(scores), min(scores), max(scores), sum(scores), sorted(scores), list(reversed(scores)))\n"
        "zipped = list(zip(scores, map(str, scores)))\n"
        "kept = list(filter(lambda s: s != 1, scores))\n"
        "flags = (any(scores), all(scores), isinstance(scores, list), abs(-2), round(2.567, 2))\n",
        data,
    )
    assert data["squares"] == [9, 4]
    assert data["pairs"] == {0: 3, 1: 1, 2: 2}
    assert (data["first"], data["second"], data["third"]) == (1, 2, 3)
    assert data["stats"] == (3, 1, 3, 6, [1, 2, 3], [2, 1, 3])
    assert data["zipped"] == [(3, "3"), (1, "1"), (2, "2")]
    assert data["kept"] == [3, 2]
    assert data["flags"] == (True, True, True, 2, 2.57)


def test_date_arithmetic(env):
    data = {"opened": date(2025, 1, 31)}
    env.execute(
        "deadline = opened + timedelta(days=30)\n"
        "overdue = (date(2025, 3, 15) - deadline).days\n"
        "parsed = datetime.strptime('02/03/2025', '%d/%m/%Y').date()\n"
        "today_type_ok = date.today() >= opened\n",
        data,
    )
    assert data["deadline"] == date(2025, 3, 2)
    assert data["overdue"] == 13
    assert data["parsed"] == date(2025, 3, 2)
    assert data["today_type_ok"] is True


def test_helper_call(env):
    data = {"x": 21}
    env.execute("y = double(x)", data)
    assert data == {"x": 21, "y": 42}


def test_print_is_accepted_and_discarded(env, capsys):
    data = {}
    env.execute("print('hello')\nx = 1", data)
    assert data == {"x": 1}
    assert capsys.readouterr().out == ""


# --- execute: what ends up in the task data ----------------------------------------------------

def test_deleted_variables_are_removed_and_internals_never_leak(env):
    data = {"keep": 1, "drop": 2, "__builtins__": {"open": open}}
    env.execute("del drop\ndef helper_fn(v):\n    return v\nfn = lambda v: v\nnew = helper_fn(3)", data)
    assert data == {"keep": 1, "new": 3}


def test_failed_script_leaves_task_data_untouched(env):
    data = {"items": [1], "n": 1}
    with pytest.raises(ZeroDivisionError):
        env.execute("items.append(2)\nn = 5\nx = 1 / 0", data)
    assert data == {"items": [1], "n": 1}


def test_task_data_that_hides_a_helper_is_refused(env):
    with pytest.raises(ScriptPolicyError, match="double"):
        env.execute("x = 1", {"double": 3})


@pytest.mark.parametrize("script", ["double = 3", "del double", "def double(v):\n    return v"])
def test_script_that_rebinds_a_helper_is_refused(env, script):
    data = {"a": 1}
    with pytest.raises(ScriptPolicyError, match="double"):
        env.execute(script, data)
    assert data == {"a": 1}


def test_task_data_may_shadow_the_date_classes(env):
    data = {"date": "2025-01-01"}
    env.execute("copy = date", data)
    assert data == {"date": "2025-01-01", "copy": "2025-01-01"}


def test_missing_attribute_is_an_ordinary_attribute_error(env):
    with pytest.raises(AttributeError, match="nope"):
        env.execute("x = n.nope", {"n": 1})


def test_helpers_must_be_named_callables():
    with pytest.raises(ValueError):
        RestrictedEnvironment({"_hidden": double})
    with pytest.raises(TypeError):
        RestrictedEnvironment({"answer": 42})


# --- evaluate --------------------------------------------------------------------------------

def test_evaluate_conditions_with_task_data(env):
    data = {"amount": 1500, "approved": True, "region": "HN", "due": date(2025, 5, 1)}
    assert env.evaluate("amount > 1000 and approved", data) is True
    assert env.evaluate("\n    region in ('HN', 'HCM')\n  ", data) is True
    assert env.evaluate("double(amount)", data) == 3000
    assert env.evaluate("due - timedelta(days=1)", data) == date(2025, 4, 30)
    assert env.evaluate("external_flag", data, {"external_flag": "yes"}) == "yes"


def test_evaluate_does_not_modify_context(env):
    data = {"a": 1}
    assert env.evaluate("(b := a + 1)", data) == 2
    assert data == {"a": 1}


def test_expressions_are_compiled_once():
    source = "amount_for_cache_test > 1"
    env = RestrictedEnvironment()
    before = _compile.cache_info()
    for value in range(5):
        env.evaluate(source, {"amount_for_cache_test": value})
    after = _compile.cache_info()
    assert after.misses - before.misses == 1
    assert after.hits - before.hits == 4


# --- syntax ----------------------------------------------------------------------------------

def test_syntax_errors_are_syntax_errors_with_a_line(env):
    assert not issubclass(ScriptPolicyError, SyntaxError)
    check_script_syntax("x = 1\nif x:\n    y = 2\n")
    with pytest.raises(SyntaxError) as caught:
        check_script_syntax("x = 1\ny = (\n")
    assert caught.value.lineno == 2
    with pytest.raises(SyntaxError) as caught:
        env.execute("x = 1\ny = = 2", {})
    assert caught.value.lineno == 2


def test_policy_error_names_reason_and_line(env):
    with pytest.raises(ScriptPolicyError) as caught:
        env.execute("x = 1\ny = x.__class__", {})
    assert caught.value.line == 2
    assert str(caught.value).startswith("line 2: ")
    assert "__class__" in str(caught.value)
    with pytest.raises(ScriptPolicyError) as caught:
        env.execute("x = 1\nz = 2\ny = getattr(x, '__cl' + 'ass__')", {})
    assert caught.value.line == 3
    assert "__class__" in str(caught.value)


# --- attacks ---------------------------------------------------------------------------------

ATTACKS = {
    "dunder import": "__import__('os').remove(MARKER)",
    "import statement": "import os\nos.remove(MARKER)",
    "from import": "from os import remove\nremove(MARKER)",
    "subclasses walk": "().__class__.__base__.__subclasses__()",
    "dynamic getattr": "cls = getattr((), '__cla' + 'ss__')",
    "getattr on helper globals": "g = getattr(double, '__glo' + 'bals__')",
    "open for write": "open(MARKER, 'w').write('pwned')",
    "open passwd": "text = open('/etc/passwd').read()",
    "eval": "eval('1')",
    "exec": "exec('x = 1')",
    "type": "t = type(1)",
    "globals": "g = globals()",
    "vars": "v = vars()",
    "mro comprehension": "[c for c in ().__class__.__mro__]",
    "lambda globals": "f = lambda: 1\ng = f.__globals__",
    "str.format attribute access": "s = '{0.__class__}'.format(1)",
    "str.format via class": "s = str.format('{0.__class__}', 1)",
    "format_map": "s = '{x.__class__}'.format_map({'x': 1})",
    "getattr format": "f = getattr('{0.__class__}', 'format')",
    "generator frame": "g = (i for i in [1])\nf = g.gi_frame",
    "attribute write on object": "d = date(2025, 1, 1)\nd.y = 1",
    "attribute write on helper": "double.y = 1",
    "setattr": "setattr(double, 'y', 1)",
    "item write on tuple": "t = (1, 2)\nt[0] = 3",
    "class definition": "class A:\n    pass",
    "swallowed violation": "try:\n    getattr((), '__class__')\nexcept Exception:\n    pass\nstolen = 1",
}


@pytest.mark.parametrize("script", ATTACKS.values(), ids=ATTACKS.keys())
def test_attack_is_refused_without_side_effect(env, marker, script):
    data = {"a": 1}
    with pytest.raises(ScriptPolicyError):
        env.execute(script.replace("MARKER", repr(str(marker))), data)
    assert marker.read_text() == "untouched"
    assert data == {"a": 1}
    assert not hasattr(double, "y")


@pytest.mark.parametrize("expression", [
    "__import__('os')",
    "().__class__.__base__.__subclasses__()",
    "getattr((), '__cla' + 'ss__')",
    "open('/etc/passwd').read()",
    "'{0.__class__}'.format(1)",
    "type(1)",
])
def test_attack_in_expression_is_refused(env, expression):
    with pytest.raises(ScriptPolicyError):
        env.evaluate(expression, {"a": 1})


# --- through SpiffWorkflow -------------------------------------------------------------------

def _script_workflow(script: str) -> BpmnWorkflow:
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs" targetNamespace="urn:test">
  <bpmn:process id="proc" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="script" scriptFormat="python">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>{escape(script)}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="script" />
    <bpmn:sequenceFlow id="f2" sourceRef="script" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""
    parser = BpmnParser()
    parser.add_bpmn_str(xml.encode())
    return BpmnWorkflow(parser.get_spec("proc"), script_engine=create_script_engine({"double": double}))


def test_create_script_engine_uses_the_restricted_environment():
    engine = create_script_engine()
    assert isinstance(engine, PythonScriptEngine)
    assert isinstance(engine.environment, RestrictedEnvironment)


def test_spiff_runs_a_good_script():
    workflow = _script_workflow("total = 0\nfor i in range(4):\n    total += i\nfinal = double(total)")
    workflow.do_engine_steps()
    assert workflow.is_completed()
    assert workflow.data["final"] == 12
    assert "double" not in workflow.data and "__builtins__" not in workflow.data


def test_spiff_wraps_an_escape_and_nothing_happens(marker):
    workflow = _script_workflow(f"x = 1\nos = getattr((), '__cla' + 'ss__')\nopen({str(marker)!r}, 'w').write('pwned')")
    with pytest.raises(WorkflowTaskException) as caught:
        workflow.do_engine_steps()
    assert caught.value.error_type == "ScriptPolicyError"
    assert isinstance(caught.value.__context__, ScriptPolicyError)
    assert "ScriptPolicyError" in str(caught.value) and "__class__" in str(caught.value)
    assert caught.value.line_number == 2
    assert marker.read_text() == "untouched"
    assert not workflow.is_completed()


def test_spiff_wraps_a_compile_time_refusal(marker):
    workflow = _script_workflow(f"__import__('os').remove({str(marker)!r})")
    with pytest.raises(WorkflowTaskException) as caught:
        workflow.do_engine_steps()
    assert isinstance(caught.value.__context__, ScriptPolicyError)
    assert "__import__" in str(caught.value)
    assert marker.exists()
