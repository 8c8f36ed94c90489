"""Turns between the pytest-xdist workers of one run, for tests marked `serial`.

The suite runs in two (or more) processes at once. A test that takes something from every other
test of the machine (stops or restarts PostgreSQL, changes a server-wide setting, needs the CPU to
itself for a timing) is marked `@pytest.mark.serial`: it waits until no other test of the run is
in progress, and no other test starts until it is done. Every other test takes a shared turn.

The turns are flock(2) locks on two files in the run's temporary directory (the workers' common
parent), held from a test's first fixture to its last teardown (where session fixtures end too).
A waiting serial test holds the turnstile, so the other worker cannot slip test after test in
front of it. Outside xdist there is one process and no lock at all.
"""
from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

def lock_dir(config) -> Path | None:
    """The directory every worker of this run shares, or None when pytest runs in one process."""
    if not os.environ.get("PYTEST_XDIST_WORKER") or not config.option.basetemp:
        return None
    return Path(config.option.basetemp).parent  # xdist gives each worker <run's basetemp>/popen-gwN


@contextmanager
def turn(directory: Path | None, serial: bool) -> Iterator[None]:
    if directory is None:
        yield
        return
    with open(directory / "serial.turnstile", "a") as turnstile, open(directory / "serial.lock", "a") as lock:
        fcntl.flock(turnstile, fcntl.LOCK_EX)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX if serial else fcntl.LOCK_SH)
        finally:
            if not serial:
                fcntl.flock(turnstile, fcntl.LOCK_UN)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
            if serial:
                fcntl.flock(turnstile, fcntl.LOCK_UN)


def held(path: Path) -> bool:
    """Whether some open file (of any process) holds an flock on `path`."""
    with open(path, "a") as probe:
        try:
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(probe, fcntl.LOCK_UN)
        return False
