"""The house rules of the code's layout, checked on every run of the suite.

The import rules are import-linter contracts in pyproject.toml ([tool.importlinter]): web/ uses
workflows/, workflows/ uses engine/, never the other way; web/ and workflows/ reach SpiffWorkflow only
through the engine; engine's packages import only those below them. Modules stay short enough to read.
"""
from __future__ import annotations

import ast
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


def test_engine_packages_are_reached_only_through_their_exports():
    """A package of engine/ is used, by another package, by web/ and by workflows/, through the
    names its __init__ exports, never by reaching into its modules: the export list is the
    package's whole surface."""
    packages = {p.name for p in (ROOT / "engine").iterdir() if (p / "__init__.py").exists()}
    reaching = []
    for path in [*(ROOT / "engine").rglob("*.py"), *(ROOT / "web").rglob("*.py"), *(ROOT / "workflows").rglob("*.py")]:
        parts = path.relative_to(ROOT).parts
        if "migrations" in parts:
            continue
        own = parts[1] if parts[0] == "engine" and len(parts) > 2 else None
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
                     else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            for name in names:
                module = name.split(".")
                if len(module) > 2 and module[0] == "engine" and module[1] in packages and module[1] != own:
                    reaching.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
    assert reaching == [], "imports reaching into another engine package:\n" + "\n".join(reaching)


def test_no_module_imports_itself_through_others():
    """No import cycle between modules (an import inside a function counts too): each one can be
    read, and loaded, after the ones it uses."""
    import grimp
    graph = grimp.build_graph("engine", "web", "workflows")
    imported = {module: graph.find_modules_directly_imported_by(module) for module in graph.modules}
    cycles, index, low, stack, on_stack = [], {}, {}, [], set()

    def visit(module: str) -> None:  # Tarjan's strongly connected components
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in imported[module]:
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while not component or component[-1] != module:
                component.append(stack.pop())
                on_stack.discard(component[-1])
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(imported):
        if module not in index:
            visit(module)
    assert cycles == [], f"import cycles: {cycles}"
