"""Runs scripts in worker processes (engine/scripts/worker.py) and stops the ones past their limits.

The worker's own limits stop a script cleanly with a message. This side is the guarantee: a
worker that does not answer once its CPU time passes the limit by a grace period (a long
C-level operation does not see the signal) is killed, and so is one that stalls for far longer
in wall time. A killed or finished-with-a-limit worker is replaced on the next call, so the
service answers the next request at once. Workers are shared by every engine of a process.
"""
from __future__ import annotations

import atexit
import builtins
import json
import logging
import os
import select
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from engine.persistence import decode_data, encode_data
from engine.scripts.sandbox import ScriptPolicyError
from engine.scripts.worker import HEADER, MAX_DATA_BYTES, encode_frame

log = logging.getLogger(__name__)

_GRACE_SECONDS = 1.0
_POLL_SECONDS = 0.05
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])  # the folder holding engine/
_WORKER_ENVIRONMENT = ("PATH", "LANG", "LC_ALL", "TZ", "THIDUA_TIMEZONE", "VIRTUAL_ENV", "PYTHONHOME")
# Exceptions a script may raise that keep their type (and so their message in an incident).
_KEPT_ERRORS = {name: getattr(builtins, name) for name in (
    "ArithmeticError", "AssertionError", "AttributeError", "IndexError", "KeyError", "LookupError",
    "NameError", "NotImplementedError", "OverflowError", "RecursionError", "RuntimeError",
    "StopIteration", "TypeError", "UnboundLocalError", "ValueError", "ZeroDivisionError",
    "UnicodeError", "Exception",
)}


@dataclass(frozen=True)
class ScriptLimits:
    cpu_seconds: float = 2.0
    memory_mb: int = 256

    def describe(self) -> str:
        return f"{self.cpu_seconds:g} s of CPU time, {self.memory_mb} MB of memory"


class ScriptLimitError(Exception):
    """A script went past its CPU-time or memory limit and was stopped."""

    def __init__(self, kind: str, limits: ScriptLimits, detail: str = "") -> None:
        self.kind = kind
        if kind == "memory":
            message = f"Script stopped: it needed more than its memory limit of {limits.memory_mb} MB"
        else:
            message = f"Script stopped: it ran longer than its CPU time limit of {limits.cpu_seconds:g} s"
        message += (detail or "") + "; an administrator can change the limits of this deployment"
        super().__init__(message)


class ScriptWorkerError(Exception):
    """The worker died or answered something unreadable: the script stopped it."""


def _remote_error(reply: dict) -> Exception:
    name = reply.get("error")
    if name == "ScriptPolicyError":
        return ScriptPolicyError(reply.get("reason") or reply.get("message", ""), reply.get("line"))
    if name == "SyntaxError":
        error = SyntaxError(reply.get("text") or reply.get("message"),
                            ("<string>", reply.get("line"), reply.get("offset"), None))
    else:
        args = reply.get("args")
        cls = _KEPT_ERRORS.get(name, ScriptWorkerError)
        error = cls(*args) if isinstance(args, list) and cls is not ScriptWorkerError else cls(
            reply.get("message", "") if name in _KEPT_ERRORS else f"{name}: {reply.get('message', '')}")
    error.script_line = reply.get("line")  # read by engine/scripts/limited_environment.py for the incident
    return error


class _Worker:
    def __init__(self) -> None:
        # Only what the interpreter needs: the database address, the secret key or an SMTP
        # password are nothing a script should find, even one that escaped the sandbox.
        env = {name: os.environ[name] for name in _WORKER_ENVIRONMENT if name in os.environ}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PACKAGE_ROOT, os.environ.get("PYTHONPATH")]))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "engine.scripts.worker"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            bufsize=0, close_fds=True, env=env, cwd=_PACKAGE_ROOT)
        self.fd = self.process.stdout.fileno()
        self.cpu_after_last_call: float | None = None

    def cpu_seconds(self) -> float:
        try:
            with open(f"/proc/{self.process.pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.close()

    def close(self) -> None:
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:
                pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def call(self, frame: bytes, limits: ScriptLimits) -> dict:
        self.process.stdin.write(frame)
        cpu_at_start = self.cpu_after_last_call if self.cpu_after_last_call is not None else self.cpu_seconds()
        deadlines = (cpu_at_start + limits.cpu_seconds + _GRACE_SECONDS,
                     time.monotonic() + 10 * limits.cpu_seconds + 10)
        buffer = self._read_at_least(b"", HEADER.size, limits, deadlines)
        (length,) = HEADER.unpack(buffer[:HEADER.size])
        if length > MAX_DATA_BYTES + 65536:
            self.kill()
            raise ScriptWorkerError(f"the script's data is larger than {MAX_DATA_BYTES // 2 ** 20} MB")
        buffer = self._read_at_least(buffer, HEADER.size + length, limits, deadlines)
        reply = json.loads(buffer[HEADER.size:])
        self.cpu_after_last_call = reply.get("cpu")
        return reply

    def _read_at_least(self, buffer: bytes, size: int, limits: ScriptLimits,
                       deadlines: tuple[float, float]) -> bytes:
        cpu_deadline, wall_deadline = deadlines
        while len(buffer) < size:
            ready, _, _ = select.select([self.fd], [], [], _POLL_SECONDS)
            if not ready:
                if self.cpu_seconds() > cpu_deadline:
                    self.kill()
                    raise ScriptLimitError("cpu", limits)
                if time.monotonic() > wall_deadline:
                    self.kill()
                    raise ScriptLimitError("cpu", limits, " (it stopped answering)")
                continue
            chunk = os.read(self.fd, max(size - len(buffer), 1 << 16))
            if not chunk:
                status = self.process.wait()
                self.close()
                raise ScriptWorkerError(f"the script stopped the process that ran it (exit status {status})")
            buffer += chunk
        return buffer


class ScriptRunner:
    """A pool of at most `size` workers; callers beyond that wait for a free one."""

    def __init__(self, size: int | None = None) -> None:
        self.size = size or int(os.environ.get("THIDUA_SCRIPT_WORKERS", "4"))
        self._reset()

    def _reset(self) -> None:
        self._pid = os.getpid()
        self._idle: list[_Worker] = []
        self._busy = 0
        self._lock = threading.Condition()

    def run(self, mode: str, source: str, context: dict, external: dict | None, limits: ScriptLimits,
            now: datetime, timezone: str | None) -> Any:
        """Evaluates (mode "eval") or executes ("exec") `source`; returns the value or the new context."""
        request = {
            "mode": mode, "source": source, "context": encode_data(context),
            "external": encode_data(dict(external or {})), "now": now.isoformat(), "timezone": timezone,
            "cpu_seconds": limits.cpu_seconds, "memory_bytes": limits.memory_mb * 1024 * 1024,
        }
        reply = self._call(encode_frame(request), limits)
        if "limit" in reply:
            raise ScriptLimitError(reply["limit"], limits)
        if "error" in reply:
            raise _remote_error(reply)
        return decode_data(reply["value"] if mode == "eval" else reply["context"])

    def _call(self, frame: bytes, limits: ScriptLimits) -> dict:
        worker = self._checkout()
        keep = False
        try:
            try:
                reply = worker.call(frame, limits)
            except BrokenPipeError:
                # An idle worker died (killed from outside): a fresh one runs the script.
                worker.kill()
                worker = _Worker()
                reply = worker.call(frame, limits)
            keep = "limit" not in reply
            return reply
        finally:
            self._checkin(worker, keep)

    def _checkout(self) -> _Worker:
        with self._lock:
            if self._pid != os.getpid():
                self._reset_after_fork()
            while not self._idle and self._busy >= self.size:
                self._lock.wait()
            self._busy += 1
            worker = self._idle.pop() if self._idle else None
        return worker if worker is not None and worker.process.poll() is None else _Worker()

    def _checkin(self, worker: _Worker, keep: bool) -> None:
        if not keep or worker.process.poll() is not None:
            worker.kill()
            # Started now, so the next script does not wait for an interpreter to start.
            worker = _Worker()
        with self._lock:
            self._busy -= 1
            self._idle.append(worker)
            self._lock.notify()

    def _reset_after_fork(self) -> None:
        # The parent's workers and their pipes belong to the parent; this process starts its own.
        self._pid, self._idle, self._busy = os.getpid(), [], 0

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        if self._pid == os.getpid():
            for worker in idle:
                worker.close()


_SHARED: ScriptRunner | None = None
_SHARED_LOCK = threading.Lock()


def shared_runner() -> ScriptRunner:
    global _SHARED
    with _SHARED_LOCK:
        if _SHARED is None:
            _SHARED = ScriptRunner()
            atexit.register(_SHARED.close)
        return _SHARED
