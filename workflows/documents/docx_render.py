"""A document's DOCX: its kind's template (the Office's in force, or the default) filled with the
kind's context by docxtpl."""
from __future__ import annotations

import io
import threading
from typing import Any, Mapping

from docxtpl import DocxTemplate
from jinja2.sandbox import SandboxedEnvironment

from workflows.documents.build_templates import default_template


class _CompiledOnce(SandboxedEnvironment):
    """docxtpl compiles each part's XML on every render; a batch renders one template many times
    (each nominee's report), so the compiled part is kept, keyed by its exact text. A template is
    immutable once compiled, so threads may share it."""

    def __init__(self) -> None:
        super().__init__(autoescape=True)  # what render() asks docxtpl for: set once, never flipped
        self._compiled: dict[str, Any] = {}
        self._lock = threading.Lock()

    def from_string(self, source, globals=None, template_class=None):  # noqa: A002 (Jinja's name)
        if globals or template_class or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        with self._lock:
            found = self._compiled.get(source)
        if found is None:
            found = super().from_string(source)
            with self._lock:
                if len(self._compiled) > 256:  # templates of the Office's uploads come and go
                    self._compiled.clear()
                self._compiled[source] = found
        return found


_ENVIRONMENT = _CompiledOnce()


def render(kind: str, context: Mapping[str, Any], template_bytes: bytes | None = None,
           jinja_env: SandboxedEnvironment | None = None) -> bytes:
    """DOCX bytes. The template's tags run sandboxed (an uploaded template is the Office's text,
    not code: it reaches no Python internals); text from the data is escaped (a name with "&" or
    "<" stays text); a missing key renders empty rather than failing a document at the signing desk."""
    template = DocxTemplate(io.BytesIO(template_bytes if template_bytes is not None else default_template(kind)))
    template.render(dict(context), jinja_env=jinja_env or _ENVIRONMENT, autoescape=True)
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()
