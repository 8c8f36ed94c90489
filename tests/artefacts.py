"""Files the suite keeps under build/ for a person to open (documents, spreadsheets, screenshots).

Two tests, or the two pytest-xdist workers, may keep the same name at once: each writes a file of
its own beside the target and renames it into place, so the kept file is always one whole copy,
never a mix of two writes or a half-written one."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

BUILD = Path(__file__).resolve().parents[1] / "build"
ARTEFACTS = BUILD / "artefacts"
SCREENSHOTS = BUILD / "screenshots"


def keep(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
    return path
