"""The design card's layering: engine/ stands alone; web/ reaches SpiffWorkflow only through engine/."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(folder: str) -> dict[str, set[str]]:
    found = {}
    for path in (ROOT / folder).rglob("*.py"):
        modules = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = modules
    return found


def test_engine_never_imports_web_or_workflows():
    offenders = {p: m & {"web", "workflows"} for p, m in imported_modules("engine").items() if m & {"web", "workflows"}}
    assert offenders == {}


def test_web_and_workflows_do_not_drive_spiffworkflow_directly():
    for folder in ("web", "workflows"):
        offenders = {p for p, m in imported_modules(folder).items() if "SpiffWorkflow" in m}
        assert offenders == set(), f"{folder}/ imports SpiffWorkflow: {offenders}"
