"""Every benchmark script starts as the README runs it (`python bench/NAME.py`): bench/ holds an
http.py and an engine.py that would shadow the standard library's http and the engine package
for a script that does not take bench/ off its path. `--help` runs every import of the script."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = sorted(p.name for p in (ROOT / "bench").glob("*.py") if "__main__" in p.read_text(encoding="utf-8"))


def test_the_benchmarks_are_found():
    assert {"documents.py", "engine.py", "http.py", "province.py", "scripts.py"} <= set(SCRIPTS)


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_benchmark_script_starts(script):
    done = subprocess.run([sys.executable, f"bench/{script}", "--help"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "usage:" in done.stdout
