"""A document's DOCX: its kind's template (the Office's in force, or the default) filled with the
kind's context by docxtpl."""
from __future__ import annotations

import io
from typing import Any, Mapping

from docxtpl import DocxTemplate
from jinja2.sandbox import SandboxedEnvironment

from workflows.documents.build_templates import default_template


def render(kind: str, context: Mapping[str, Any], template_bytes: bytes | None = None,
           jinja_env: SandboxedEnvironment | None = None) -> bytes:
    """DOCX bytes. The template's tags run sandboxed (an uploaded template is the Office's text,
    not code: it reaches no Python internals); text from the data is escaped (a name with "&" or
    "<" stays text); a missing key renders empty rather than failing a document at the signing desk."""
    template = DocxTemplate(io.BytesIO(template_bytes if template_bytes is not None else default_template(kind)))
    template.render(dict(context), jinja_env=jinja_env or SandboxedEnvironment(), autoescape=True)
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()
