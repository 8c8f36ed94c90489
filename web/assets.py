"""Copies the portal's front-end libraries from node_modules (npm ci) into web/static/vendor,
and bundles the form-js viewer, which npm ships as ES modules only, with esbuild.

Nothing third-party is committed: `make install` runs `python -m web.assets` after `npm ci`.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = Path(__file__).resolve().parent / "static" / "vendor"

# destination under vendor/ -> source under node_modules/ (a directory is copied whole)
FILES = {
    "bootstrap/bootstrap.min.css": "bootstrap/dist/css/bootstrap.min.css",
    "bootstrap/bootstrap.bundle.min.js": "bootstrap/dist/js/bootstrap.bundle.min.js",
    "htmx/htmx.min.js": "htmx.org/dist/htmx.min.js",
    "bpmn-js/bpmn-navigated-viewer.production.min.js": "bpmn-js/dist/bpmn-navigated-viewer.production.min.js",
    "bpmn-js/assets": "bpmn-js/dist/assets",
    "form-js/assets": "@bpmn-io/form-js-viewer/dist/assets",
    "dmn-js/dmn-viewer.production.min.js": "dmn-js/dist/dmn-viewer.production.min.js",
    "dmn-js/assets": "dmn-js/dist/assets",
}
# destination under vendor/ -> entry under web/frontend/, bundled by esbuild (from package.json)
BUNDLES = {
    "form-js/form-viewer.js": "form-viewer.js",
}
FRONTEND = Path(__file__).resolve().parent / "frontend"


def missing_vendor_files() -> list[str]:
    return [name for name in (*FILES, *BUNDLES) if not (VENDOR / name).exists()]


def copy_assets(node_modules: Path = NODE_MODULES, vendor: Path = VENDOR) -> list[str]:
    """Copies every file; returns the sources that were not found (npm ci not run)."""
    missing = []
    for destination, source in FILES.items():
        source_path, target = node_modules / source, vendor / destination
        if not source_path.exists():
            missing.append(source)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if source_path.is_dir():
            shutil.copytree(source_path, target, dirs_exist_ok=True)
        else:
            shutil.copy2(source_path, target)
    esbuild = node_modules / ".bin" / "esbuild"
    for destination, entry in BUNDLES.items():
        if not esbuild.exists():
            missing.append("esbuild")
            continue
        subprocess.run([str(esbuild), str(FRONTEND / entry), "--bundle", "--minify", "--format=iife",
                        "--log-level=warning", f"--outfile={vendor / destination}"], check=True, cwd=ROOT)
    return missing


def main() -> int:
    missing = copy_assets()
    if missing:
        print("not found in node_modules (run `npm ci`): " + ", ".join(missing), file=sys.stderr)
        return 1
    print(f"front-end libraries copied to {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
