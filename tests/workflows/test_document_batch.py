"""batch.render_many: a batch rendered in spawned workers gives what one process gives, in order,
and a document that cannot be made fails the batch with its bilingual reason."""
from __future__ import annotations

import io
import unicodedata

import pytest
from docx import Document
from pypdf import PdfReader

from workflows.documents.batch import PARALLEL_FROM, render_many, workers_for
from workflows.documents.kinds import KINDS, sample_context
from workflows.documents.pdf_render import DocumentRenderError


def said(fmt: str, data: bytes) -> str:
    """What a reader sees, whatever the timestamps inside the file."""
    if fmt == "docx":
        document = Document(io.BytesIO(data))
        return "\n".join([p.text for p in document.paragraphs]
                         + [c.text for t in document.tables for r in t.rows for c in r.cells])
    return unicodedata.normalize("NFC", "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


JOBS = [(kind, fmt, sample_context(kind), None, None) for kind in KINDS for fmt in ("docx", "pdf")]


def test_workers_and_one_process_make_the_same_documents_in_order():
    assert len(JOBS) >= PARALLEL_FROM and workers_for(len(JOBS), 2) == 2
    alone, spread = render_many(JOBS, workers=1), render_many(JOBS, workers=2)
    assert len(alone) == len(spread) == len(JOBS)
    for (kind, fmt, context, _, _), one, other in zip(JOBS, alone, spread):
        assert said(fmt, one) == said(fmt, other), (kind, fmt)
        assert context["issuer"]["name"] in said(fmt, other).upper() or fmt == "docx"


def test_a_small_batch_stays_in_this_process():
    assert workers_for(PARALLEL_FROM - 1, 8) == 1 and workers_for(100, 1) == 1


def test_a_document_that_cannot_be_made_fails_the_batch_with_its_reason():
    bad = [*JOBS[:PARALLEL_FROM], ("chief_decision", "xlsx", sample_context("chief_decision"), None, None)]
    with pytest.raises(DocumentRenderError) as refused:
        render_many(bad, workers=2)
    vietnamese, english = str(refused.value).split(" / ", 1)
    assert "XLSX" in vietnamese and "has no XLSX file" in english
