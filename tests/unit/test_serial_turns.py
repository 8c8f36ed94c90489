"""tests/serial.py: a `serial` test waits for the test in progress, and the next one waits for it."""
from __future__ import annotations

import threading
import time
from pathlib import Path
from types import SimpleNamespace

from tests.serial import held, lock_dir, turn

SETTLE = 0.3  # long enough for a thread that could enter to have entered


class Turn(threading.Thread):
    """A test in its turn: writes "<name> in" and "<name> out" to `log`; stays in until released."""

    def __init__(self, directory: Path, name: str, log: list[str], serial: bool = False) -> None:
        super().__init__(daemon=True)
        self.directory, self.name_, self.log, self.serial = directory, name, log, serial
        self.inside, self.release = threading.Event(), threading.Event()

    def run(self) -> None:
        with turn(self.directory, serial=self.serial):
            self.log.append(f"{self.name_} in")
            self.inside.set()
            self.release.wait(10)
            self.log.append(f"{self.name_} out")


def eventually(condition, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_shared_turns_run_side_by_side(tmp_path):
    log: list[str] = []
    first, second = Turn(tmp_path, "a", log), Turn(tmp_path, "b", log)
    first.start()
    assert first.inside.wait(5)
    second.start()
    assert second.inside.wait(5), "a second ordinary test waited for the first"
    first.release.set(), second.release.set()
    first.join(5), second.join(5)
    assert sorted(log) == ["a in", "a out", "b in", "b out"]


def test_a_serial_test_waits_for_the_running_one_and_the_next_waits_for_it(tmp_path):
    log: list[str] = []
    running, alone, next_one = Turn(tmp_path, "a", log), Turn(tmp_path, "s", log, serial=True), Turn(tmp_path, "b", log)
    running.start()
    assert running.inside.wait(5)
    alone.start()
    eventually(lambda: held(tmp_path / "serial.turnstile"))  # the serial test is waiting, first in line
    next_one.start()
    time.sleep(SETTLE)
    assert log == ["a in"]
    running.release.set()
    assert alone.inside.wait(5)
    time.sleep(SETTLE)
    assert log == ["a in", "a out", "s in"], "a test started beside the serial one"
    alone.release.set(), next_one.release.set()
    next_one.join(5), alone.join(5), running.join(5)
    assert log == ["a in", "a out", "s in", "s out", "b in", "b out"]


def test_one_process_takes_no_lock_and_xdist_workers_share_the_runs_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    assert lock_dir(SimpleNamespace(option=SimpleNamespace(basetemp=None))) is None
    assert lock_dir(SimpleNamespace(option=SimpleNamespace(basetemp=str(tmp_path / "mine")))) is None
    with turn(None, serial=True):
        assert list(tmp_path.iterdir()) == []  # nothing to wait for, nothing written
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    assert lock_dir(SimpleNamespace(option=SimpleNamespace(basetemp=str(tmp_path / "popen-gw1")))) == tmp_path
    assert lock_dir(SimpleNamespace(option=SimpleNamespace(basetemp=None))) is None
