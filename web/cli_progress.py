"""Progress of a long command on standard error, so that standard output stays the command's
result: one line rewritten in place on a terminal, a line every tenth of the way in a log."""
from __future__ import annotations

import sys
from typing import TextIO


class ProgressLine:
    """Called as a batch's progress is (engine/management/batches.py): progress(done, total, phase, item)."""

    def __init__(self, what: str, stream: TextIO | None = None) -> None:
        self.what = what
        self.stream = stream or sys.stderr
        self.terminal = self.stream.isatty()
        self._last_tenth: tuple[str | None, int] | None = None

    def __call__(self, done: int, total: int | None = None, phase: str | None = None, item: str | None = None) -> None:
        total = total or 0
        line = f"{self.what}: {done}/{total}" + (f" ({phase})" if phase else "")
        if self.terminal:
            self.stream.write(f"\r{line[:120]:<120}")
            if total and done >= total:
                self.stream.write("\n")
        else:
            tenth = (phase, 10 * done // total if total else 0)
            if tenth == self._last_tenth:
                return
            self._last_tenth = tenth
            self.stream.write(line + "\n")
        self.stream.flush()
