"""The house rules of the code's layout, checked on every run of the suite.

The import rules are import-linter contracts in pyproject.toml ([tool.importlinter]): web/ uses
workflows/, workflows/ uses engine/, never the other way; web/ and workflows/ reach SpiffWorkflow only
through the engine; engine's packages import only those below them. Modules stay short enough to read.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_MODULE_LINES = 400


def test_import_contracts_are_kept():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    # No cache: the suite's workers may run this at once, and the source tree stays as it was.
    result = subprocess.run([str(lint_imports), "--no-cache", "--no-logo"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, f"lint-imports found broken contracts:\n{result.stdout}\n{result.stderr}"
    assert "0 broken" in result.stdout, result.stdout


def test_no_module_is_longer_than_400_lines():
    too_long = {}
    for folder in ("engine", "web", "workflows"):
        for path in (ROOT / folder).rglob("*.py"):
            # Alembic revisions are generated and never edited for reading.
            if "migrations" in path.relative_to(ROOT).parts:
                continue
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > MAX_MODULE_LINES:
                too_long[str(path.relative_to(ROOT))] = lines
    assert too_long == {}, f"modules over {MAX_MODULE_LINES} lines: {too_long}"
