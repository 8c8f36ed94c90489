"""Benchmark: what a script task and a gateway condition cost, with and without the limits.

Compares, in one run, SpiffWorkflow's own unrestricted environment, the RestrictedPython
sandbox in this process, and the limited environment the engine runs (scripts in a worker
process under CPU and memory limits; plain conditions still in this process). Prints
microseconds per call. Usage: python bench/scripts.py [--count N] [--repeat R]
"""
from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

from SpiffWorkflow.bpmn.script_engine.python_environment import TaskDataEnvironment

# Run as a script, bench/ would come first on sys.path, and its http.py and engine.py would shadow
# the standard library's http (which pyHanko's and SQLAlchemy's imports reach) and the engine package.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.expressions import expression_helpers  # noqa: E402
from engine.scripts.limited_environment import LimitedEnvironment  # noqa: E402
from engine.scripts.sandbox import RestrictedEnvironment  # noqa: E402
from engine.scripts.runner import ScriptLimits  # noqa: E402

SCRIPT = 'checked = dict(nominee, eligible=eligible, route="chief")\nyears = 2025 - nominee["startYear"]'
CONDITION = "eligible == True and years >= 10"
DATA = {"nominee": {"id": "nv042", "name": "Nguyễn Văn An", "startYear": 2010, "kind": "individual",
                    "award": "bang_khen", "startDate": date(2010, 3, 1)}, "eligible": True, "years": 15}


def per_call_us(call, count: int, repeat: int) -> float:
    call()
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for _ in range(count):
            call()
        best = min(best, time.perf_counter() - started)
    return best / count * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    environments = {
        "SpiffWorkflow unrestricted": TaskDataEnvironment(),
        "RestrictedPython, this process": RestrictedEnvironment(expression_helpers()),
        "limited (the engine)": LimitedEnvironment(None, ScriptLimits()),
    }
    print(f"{args.count} calls, best of {args.repeat}; microseconds per call")
    print(f"{'environment':<32} {'script task':>12} {'condition':>10}")
    for name, environment in environments.items():
        script = per_call_us(lambda: environment.execute(SCRIPT, dict(DATA)), args.count, args.repeat)
        condition = per_call_us(lambda: environment.evaluate(CONDITION, dict(DATA)), args.count, args.repeat)
        print(f"{name:<32} {script:>12.1f} {condition:>10.1f}")


if __name__ == "__main__":
    main()
