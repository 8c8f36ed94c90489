"""bench/http.py runs end to end: a short run on SQLite answers every figure as JSON, with no error.
Its times are printed, never asserted (issue 18)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_a_short_http_benchmark_on_sqlite_prints_every_figure_and_no_error():
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "http.py"), "--requests", "40", "--json",
                          "--databases", "sqlite", "--clients", "8", "--warmup", "1", "--workers", "2"],
                         cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr[-3000:]
    figures = json.loads(run.stdout)
    assert "postgresql" not in figures and "targets" not in figures
    sqlite = figures["sqlite"]
    assert sqlite["errors"] == 0 and sqlite["first_error"] is None, sqlite
    # 40 requests are 14 whole iterations of start -> list -> complete.
    assert sqlite["completions"] == 14
    assert sqlite["instances_completed"] == sqlite["acknowledged_with_warmup"] == 14 + 8
    for endpoint in ("start", "list", "complete"):
        row = sqlite["endpoints"][endpoint]
        assert set(row) == {"requests", "req_per_s", "p50_ms", "p95_ms", "p99_ms", "errors"}
        assert row["requests"] == 14 and row["errors"] == 0
        assert 0 < row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"]
    assert sqlite["endpoints"]["all"]["requests"] == 42
    assert sqlite["completions_per_s"] > 0 and sqlite["seconds"] > 0
