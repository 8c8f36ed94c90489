"""A designer's script can never take the service down: CPU time and memory are bounded.

Each bomb runs in the real worker process under the real kernel limits; the service process
records an incident and goes on. Engine tests run on SQLite and PostgreSQL.
"""
from __future__ import annotations

import json
import resource
import time

import pytest

from engine import EngineConfig, ProcessEngine
from engine.errors import InvalidArgumentError, NotFoundError
from engine.persistence.models import Deployment
from tests.conftest import fixture_bytes

MB = 1024 * 1024


def script_model(script: str, key: str = "script_escape") -> bytes:
    xml = fixture_bytes("script_escape.bpmn").decode().replace("script_escape", key)
    return xml.replace("SCRIPT", script.replace("&", "&amp;").replace("<", "&lt;")).encode()


def deploy_script(engine, script: str, key: str = "script_escape"):
    return engine.repository.deploy([(f"{key}.bpmn", script_model(script, key))]).deployment


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.fixture
def quick_engine(database_url, handlers):
    """Limits small enough for a test to hit quickly; the defaults have a test of their own."""
    config = EngineConfig(database_url=database_url, script_cpu_seconds=0.5, script_memory_mb=128)
    with ProcessEngine(config, handlers=handlers) as process_engine:
        yield process_engine


def assert_stopped(engine, instance, limit_words: str):
    assert instance.status == "incident", instance
    assert instance.incident_element_id == "Script_attack"
    assert limit_words in instance.incident_message
    [event] = engine.history.events(instance_id=instance.id, event_types=["incident"])
    assert limit_words in json.loads(event.data_json)["message"]
    # The stored state still loads: the instance can be inspected and deleted.
    assert engine.runtime.get_variables(instance.id) == {}


def test_the_two_reported_scripts_are_stopped_under_the_default_limits(engine):
    assert (engine.context.config.script_cpu_seconds, engine.context.config.script_memory_mb) == (2.0, 256)
    before = peak_rss_mb()
    deploy_script(engine, "x = 'a' * (10 ** 10)")
    instance = engine.runtime.start_process_by_key("script_escape", {})
    assert_stopped(engine, instance, "memory limit of 256 MB")

    deploy_script(engine, "while True:\n    pass", key="spin")
    started = time.monotonic()
    instance = engine.runtime.start_process_by_key("spin", {})
    assert time.monotonic() - started < 10  # stopped at all: 2 s of CPU, then a grace second
    assert instance.status == "incident" and "CPU time limit of 2 s" in instance.incident_message
    # Neither bomb grew this process: the 10 GB string was refused in the worker.
    assert peak_rss_mb() - before < 100


BOMBS = {
    "recursion": ("def f(n):\n    return f(n + 1)\nf(0)", "RecursionError"),
    "nesting": ("x = []\nfor i in range(10 ** 9):\n    x = [x]", "limit"),
    "string in a loop": ("s = ''\nwhile True:\n    s += 'a' * 1000000", "limit of"),
    "list in a loop": ("x = []\nwhile True:\n    x.append(len(x))", "limit"),
    "list of strings": ("x = []\nwhile True:\n    x.append('b' * 100000)", "memory limit of 128 MB"),
    "C-level loop": ("total = sum(range(10 ** 14))", "CPU time limit of 0.5 s"),
    "big power": ("x = 7 ** (10 ** 9)", "limit"),
    "swallowed limit": ("while True:\n    try:\n        while True:\n            pass\n    except:\n        pass",
                        "CPU time limit of 0.5 s"),
    "huge list literal repeat": ("x = [0] * (10 ** 10)", "memory limit of 128 MB"),
}


@pytest.mark.parametrize("bomb", list(BOMBS), ids=list(BOMBS))
def test_every_kind_of_bomb_becomes_an_incident(quick_engine, bomb):
    script, words = BOMBS[bomb]
    deploy_script(quick_engine, script)
    instance = quick_engine.runtime.start_process_by_key("script_escape", {})
    assert_stopped(quick_engine, instance, words)


def test_the_next_script_runs_at_once_after_a_stopped_one(quick_engine):
    deploy_script(quick_engine, "while True:\n    pass", key="spin")
    deploy_script(quick_engine, "done = 6 * 7", key="fine")
    assert quick_engine.runtime.start_process_by_key("spin", {}).status == "incident"
    finished = quick_engine.runtime.start_process_by_key("fine", {})
    assert finished.status == "completed"
    [end] = quick_engine.history.events(instance_id=finished.id, event_types=["end"])
    assert end is not None


def test_a_script_within_its_limits_keeps_its_results(quick_engine):
    deploy_script(quick_engine, "size = len('a' * (10 * 1024 * 1024))\nwhen = date(2025, 8, 8)")
    instance = quick_engine.runtime.start_process_by_key("script_escape", {"n": 2})
    assert instance.status == "completed"
    variables = quick_engine.runtime.get_variables(instance.id)
    assert variables["size"] == 10 * MB and variables["when"].isoformat() == "2025-08-08"


def test_an_administrator_sets_limits_per_deployment_and_new_versions_keep_them(engine):
    script = "size = len('a' * (100 * 1024 * 1024))"
    deployment = deploy_script(engine, script)
    assert engine.runtime.start_process_by_key("script_escape", {}).status == "completed"

    limits = engine.script_limits.set(deployment.id, cpu_seconds=1.5, memory_mb=64, actor="admin")
    assert (limits.cpu_seconds, limits.memory_mb, limits.effective.memory_mb) == (1.5, 64, 64)
    stopped = engine.runtime.start_process_by_key("script_escape", {})
    assert stopped.status == "incident" and "memory limit of 64 MB" in stopped.incident_message

    # A corrected diagram is a new deployment: it keeps the limits the administrator agreed.
    second = deploy_script(engine, script + "\nsecond = True")
    assert second.id != deployment.id
    assert engine.script_limits.get(second.id).memory_mb == 64
    another = deploy_script(engine, "x = 1", key="unrelated")
    assert engine.script_limits.get(another.id).memory_mb is None

    engine.script_limits.set(second.id, cpu_seconds=None, memory_mb=None, actor="admin")
    assert engine.runtime.start_process_by_key("script_escape", {}).status == "completed"
    changes = [e for e in engine.history.events(event_types=["script_limits"])]
    assert [json.loads(c.data_json)["after"]["memoryMb"] for c in changes] == [64, None]


@pytest.mark.parametrize("cpu, memory, words", [
    (0, None, "cpuSeconds must be between 0.1 and 60"),
    (61, None, "cpuSeconds must be between"),
    (float("nan"), None, "cpuSeconds must be a number"),
    ("2", None, "cpuSeconds must be a number"),
    (True, None, "cpuSeconds must be a number"),
    (None, 16, "memoryMb must be between 32 and 4096"),
    (None, 10 ** 12, "memoryMb must be between"),
    (None, 64.5, "memoryMb must be a whole number"),
])
def test_limits_out_of_range_are_refused_and_change_nothing(engine, cpu, memory, words):
    deployment = deploy_script(engine, "x = 1")
    engine.script_limits.set(deployment.id, cpu_seconds=3, memory_mb=300)
    with pytest.raises(InvalidArgumentError, match=words):
        engine.script_limits.set(deployment.id, cpu_seconds=cpu, memory_mb=memory)
    with engine.context.sessions() as session:
        stored = session.get(Deployment, deployment.id)
        assert (stored.script_cpu_seconds, stored.script_memory_mb) == (3, 300)


def test_limits_of_an_unknown_deployment(engine):
    with pytest.raises(NotFoundError):
        engine.script_limits.set("no-such-deployment", cpu_seconds=1, memory_mb=None)
    with pytest.raises(NotFoundError):
        engine.script_limits.get("no-such-deployment")


def test_the_command_line_shows_and_changes_a_deployments_limits(tmp_path):
    from tests.test_schema_and_cli import thidua

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert thidua("db", "upgrade", database_url=url).returncode == 0
    model = tmp_path / "script_escape.bpmn"
    model.write_bytes(script_model("x = 1"))
    assert thidua("deploy", str(model), database_url=url).returncode == 0
    with ProcessEngine(EngineConfig(database_url=url)) as engine:
        [deployment] = engine.repository.list_deployments()
    shown = thidua("script-limits", deployment.id, database_url=url)
    assert shown.returncode == 0 and "2 s of CPU time, 256 MB of memory (the service's defaults)" in shown.stdout
    changed = thidua("script-limits", deployment.id, "--memory-mb", "512", database_url=url)
    assert changed.returncode == 0 and "2 s of CPU time, 512 MB of memory" in changed.stdout
    refused = thidua("script-limits", deployment.id, "--cpu-seconds", "600", database_url=url)
    assert refused.returncode == 1 and "cpuSeconds must be between 0.1 and 60 seconds" in refused.stderr
    kept = thidua("script-limits", deployment.id, database_url=url)
    assert "512 MB" in kept.stdout
    reset = thidua("script-limits", deployment.id, "--default", database_url=url)
    assert "(the service's defaults)" in reset.stdout
