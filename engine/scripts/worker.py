"""The process that runs BPMN scripts under a CPU-time and an address-space limit.

RestrictedPython decides what a script may touch, but not how long it runs or how much it
allocates: `while True: pass` or `'a' * 10 ** 10` would take the whole service down. Here a
script runs in a separate interpreter whose own kernel limits stop it, so the service process
only ever waits for an answer (engine/scripts/runner.py, which also kills a worker that fails
to stop by itself).

Protocol on stdin/stdout: frames of a 4-byte big-endian length and a JSON body. Data crosses
as the workflow serializer's data form, never as pickle: the service must not unpickle what a
sandboxed process wrote.
"""
from __future__ import annotations

import json
import os
import resource
import signal
import struct
import sys
from datetime import datetime
from typing import Any, BinaryIO

from engine.persistence import decode_data, encode_data
from engine.expressions import expression_helpers
from engine.scripts.sandbox import RestrictedEnvironment, ScriptPolicyError

HEADER = struct.Struct(">I")
# A script that leaves more data than this behind is a mistake (task data is stored per step).
MAX_DATA_BYTES = 16 * 1024 * 1024
# A stopped script may have caught the first signal with a bare `except:`; keep interrupting.
_CPU_REPEAT_SECONDS = 0.05


class CpuLimitExceeded(Exception):
    """Raised inside the script by the CPU timer's signal."""


class _Limits:
    """What the current request allows, and whether the script ran into it (even if it hid it)."""

    def __init__(self) -> None:
        self.cpu_hit = False
        self.memory_hit = False


def read_frame(stream: BinaryIO) -> dict | None:
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        return None
    (length,) = HEADER.unpack(header)
    body = stream.read(length)
    if len(body) < length:
        return None
    return json.loads(body)


def encode_frame(message: dict) -> bytes:
    body = json.dumps(message, separators=(",", ":")).encode()
    return HEADER.pack(len(body)) + body


def _address_space_in_use() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def _error_reply(error: BaseException, limits: _Limits, request: dict) -> dict:
    if limits.cpu_hit or isinstance(error, CpuLimitExceeded):
        return {"limit": "cpu", "value": request["cpu_seconds"]}
    if limits.memory_hit or isinstance(error, MemoryError):
        return {"limit": "memory", "value": request["memory_bytes"]}
    reply = {"error": type(error).__name__, "message": str(error)}
    if isinstance(error, ScriptPolicyError):
        reply.update(reason=error.reason, line=error.line)
    elif isinstance(error, SyntaxError):
        reply.update(line=error.lineno, offset=error.offset, text=error.msg)
    else:
        reply["line"] = _script_line(error)
        if all(isinstance(arg, (str, int, float, bool, type(None))) for arg in error.args):
            reply["args"] = list(error.args)
    return reply


def _unstorable(reply: dict, error: Exception) -> dict:
    """Names the variable a script left that task data cannot hold (a set, a function...)."""
    values = reply.get("context") or {"the result": reply.get("value")}
    names = []
    for name, value in values.items():
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            names.append(f"{name!r} ({type(value).__name__})")
    return {"error": "TypeError", "line": None, "message": (
        f"the script left {', '.join(names) or 'a value'} in the task data, which holds only text, numbers, "
        f"true/false, dates, lists and dictionaries ({error})")}


def _script_line(error: BaseException) -> int | None:
    line, traceback = None, error.__traceback__
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == "<string>":
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line


class Worker:
    def __init__(self) -> None:
        self.limits = _Limits()
        self.armed = False
        self.now = datetime.now()
        self.environment = RestrictedEnvironment(expression_helpers(now=lambda: self.now))
        self.baseline = _address_space_in_use()
        _, self.memory_hard = resource.getrlimit(resource.RLIMIT_AS)
        self._unlimited = (self.memory_hard, self.memory_hard)
        signal.signal(signal.SIGPROF, self._on_cpu_limit)

    def _on_cpu_limit(self, signum, frame) -> None:
        if not self.armed:
            return  # fired while disarming: the script has already been stopped
        self.limits.cpu_hit = True
        raise CpuLimitExceeded("CPU time limit exceeded")

    def serve(self, stdin: BinaryIO, stdout: BinaryIO) -> None:
        while (request := read_frame(stdin)) is not None:
            try:
                reply, stop = self.handle(request)
            except BaseException as error:  # noqa: BLE001 - out of memory even while answering
                self._disarm()
                reply, stop = _error_reply(error, self.limits, request), True
            try:
                frame = encode_frame(reply)
            except (TypeError, ValueError) as error:
                frame = encode_frame(_unstorable(reply, error))
            if len(frame) > MAX_DATA_BYTES:
                frame = encode_frame({"error": "ValueError", "line": None, "message": (
                    f"the script's data is larger than {MAX_DATA_BYTES // 2 ** 20} MB")})
            stdout.write(frame)
            stdout.flush()
            if stop:
                # The script was interrupted somewhere inside the interpreter; a fresh worker
                # is cheaper than proving this one is still sound.
                return

    def handle(self, request: dict) -> tuple[dict, bool]:
        zone = request.get("timezone")
        if zone and os.environ.get("THIDUA_TIMEZONE") != zone:
            os.environ["THIDUA_TIMEZONE"] = zone
        self.limits = limits = _Limits()
        try:
            self._arm(request)
            try:
                reply = self._run(request)
            finally:
                self._disarm()
        except (Exception, CpuLimitExceeded) as error:  # noqa: BLE001 - every failure is the script's answer
            # The timer may have fired inside the finally above, before it was switched off.
            self._disarm()
            if isinstance(error, MemoryError):
                limits.memory_hit = True
            reply = _error_reply(error, limits, request)
        else:
            if limits.cpu_hit or limits.memory_hit:
                # The script caught the limit's exception and finished anyway: it still broke it.
                reply = _error_reply(CpuLimitExceeded() if limits.cpu_hit else MemoryError(), limits, request)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        # The service measures the next script's CPU time from here.
        reply["cpu"] = usage.ru_utime + usage.ru_stime
        return reply, limits.cpu_hit or limits.memory_hit

    def _run(self, request: dict) -> dict:
        self.now = datetime.fromisoformat(request["now"])
        context = decode_data(request["context"])
        external = decode_data(request.get("external") or {})
        if request["mode"] == "eval":
            return {"value": encode_data(self.environment.evaluate(request["source"], context, external))}
        self.environment.execute(request["source"], context, external)
        return {"context": encode_data(context)}

    def _arm(self, request: dict) -> None:
        memory = self.baseline + int(request["memory_bytes"])
        if self.memory_hard != resource.RLIM_INFINITY:
            memory = min(memory, self.memory_hard)
        resource.setrlimit(resource.RLIMIT_AS, (memory, self.memory_hard))
        self.armed = True
        signal.setitimer(signal.ITIMER_PROF, float(request["cpu_seconds"]), _CPU_REPEAT_SECONDS)

    def _disarm(self) -> None:
        # Memory first, with a tuple made in advance: out of memory, building one would fail too.
        self.armed = False
        resource.setrlimit(resource.RLIMIT_AS, self._unlimited)
        signal.setitimer(signal.ITIMER_PROF, 0, 0)


def main() -> None:
    # A script has no business writing files or leaving core dumps of task data behind.
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # Over the size limit a write fails with EFBIG instead of the default SIGXFSZ kill (the
    # interpreter may still try to cache bytecode of a module a builtin imports late).
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C is for the service, which stops us
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    # Nothing else may write to the protocol stream.
    sys.stdout = sys.stderr
    Worker().serve(stdin, stdout)


if __name__ == "__main__":
    main()
