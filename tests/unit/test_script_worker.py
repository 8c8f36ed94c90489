"""The script worker process: which code goes there, what crosses the pipe, how a worker dies."""
from __future__ import annotations

import os
import signal
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from engine.scripts.bounded_code import runs_in_bounded_time
from engine.scripts.limited_environment import LimitedEnvironment, limits_in_force
from engine.scripts.sandbox import ScriptPolicyError
from engine.scripts.runner import ScriptLimitError, ScriptLimits, ScriptRunner, ScriptWorkerError

NOW = datetime(2025, 8, 8, 9, 30, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def runner():
    pool = ScriptRunner(size=2)
    yield pool
    pool.close()


@pytest.fixture
def env(runner) -> LimitedEnvironment:
    return LimitedEnvironment(lambda: NOW, ScriptLimits(1.0, 128), runner)


@pytest.mark.parametrize("expression", [
    "approved == True", "years >= 10 and not discipline", "juel_prop(unit, 'name') in ['A', 'B']",
    "feel_date('2025-06-30') <= deadline", "len(nominees) > 0", "a + b - c", "x[1:3]", "{'a': 1}['a']",
    "-score if flag else +score", "isinstance(v, str)", "not (a is None)", "rating not in ('kém',)",
])
def test_plain_conditions_run_in_the_service_process(expression):
    assert runs_in_bounded_time(expression)


@pytest.mark.parametrize("expression", [
    "'a' * 10", "2 ** 10", "[i for i in x]", "sum(range(10))", "x.append(1)", "f'{x:100}'", "'%s' % x",
    "1 << 10", "(lambda: 1)()", "range(10)", "(y := 1)", "max(*x)", "str(**x)", "{i for i in x}",
    "'{}'.format(x)", "min(x)",
])
def test_anything_that_could_loop_or_grow_goes_to_the_worker(expression):
    assert not runs_in_bounded_time(expression)


def test_a_growing_expression_is_stopped_in_the_worker(env):
    assert env.evaluate("n * 3", {"n": 2}) == 6
    with pytest.raises(ScriptLimitError, match="memory limit of 128 MB"):
        env.evaluate("'a' * (10 ** 10)", {})
    with limits_in_force(ScriptLimits(0.3, 128)), pytest.raises(ScriptLimitError, match="CPU time limit of 0.3 s"):
        env.evaluate("sum(i * i for i in range(10 ** 12))", {})
    # A plain condition is still checked by the sandbox, here.
    with pytest.raises(ScriptPolicyError):
        env.evaluate("x.__class__ == 1", {"x": 1})


def test_task_data_crosses_with_its_types_and_deletions(env):
    data = {"when": date(2025, 8, 8), "at": NOW, "amount": Decimal("1.50"), "span": timedelta(days=3),
            "units": [{"id": "tong_hop", "score": 9}], "gone": 1}
    env.execute("del gone\nlater = when + span\ntotal = amount * 2\nunits[0]['score'] = units[0]['score'] + 1\nnow = juel_now()", data)
    assert data == {"when": date(2025, 8, 8), "at": NOW, "amount": Decimal("1.50"), "span": timedelta(days=3),
                    "units": [{"id": "tong_hop", "score": 10}], "later": date(2025, 8, 11),
                    "total": Decimal("3.00"), "now": NOW}


def test_a_failing_script_leaves_the_data_as_it_was_and_names_its_line(env):
    data = {"n": 1}
    with pytest.raises(ZeroDivisionError) as raised:
        env.execute("m = 2\nq = n / 0", data)
    assert data == {"n": 1} and raised.value.script_line == 2
    with pytest.raises(KeyError) as missing:
        env.execute("x = {}['nope']", data)
    assert missing.value.args == ("nope",)
    with pytest.raises(ScriptPolicyError, match="import statements are not allowed"):
        env.execute("import os", data)
    with pytest.raises(SyntaxError) as syntax:
        env.execute("x = (", data)
    assert syntax.value.lineno == 1


def test_data_that_cannot_be_stored_is_refused(env):
    with pytest.raises(TypeError, match=r"the script left 's' \(set\) in the task data"):
        env.execute("s = {1, 2}\nok = 1", {})
    with pytest.raises(ValueError, match="larger than 16 MB"):
        env.execute("big = 'x' * (20 * 1024 * 1024)", {})


def test_a_worker_killed_from_outside_is_replaced(env, runner):
    env.execute("x = 1", {})
    for worker in list(runner._idle):
        os.kill(worker.process.pid, signal.SIGKILL)
        worker.process.wait()
    data = {}
    env.execute("x = 2", data)
    assert data == {"x": 2}


def test_a_script_that_kills_its_own_worker_is_an_error_not_a_hang(env, runner):
    # Nothing a script can reach does this; the service must still survive the worker dying mid-call.
    worker = runner._checkout()
    try:
        frame_pid = worker.process.pid
        os.kill(frame_pid, signal.SIGKILL)
        with pytest.raises((ScriptWorkerError, BrokenPipeError)):
            worker.call(b"\x00\x00\x00\x02{}", ScriptLimits())
    finally:
        runner._checkin(worker, keep=False)
    assert env.evaluate("n * 2", {"n": 21}) == 42


def test_the_worker_knows_no_secret_of_the_service(runner, monkeypatch):
    monkeypatch.setenv("THIDUA_SECRET_KEY", "do-not-leak")
    monkeypatch.setenv("DATABASE_URL", "postgresql://secret@db/thidua")
    fresh = ScriptRunner(size=1)
    try:
        fresh.run("eval", "1 * 1", {}, None, ScriptLimits(), NOW, None)  # the worker is up and running
        worker = fresh._checkout()
        with open(f"/proc/{worker.process.pid}/environ", "rb") as environ:
            names = {item.split(b"=", 1)[0] for item in environ.read().split(b"\0") if item}
        fresh._checkin(worker, keep=True)
    finally:
        fresh.close()
    assert b"THIDUA_SECRET_KEY" not in names and b"DATABASE_URL" not in names and b"PYTHONPATH" in names
