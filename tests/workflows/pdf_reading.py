"""Reading a rendered PDF back for the documents' tests: its text as a reader copies it (pypdf), where
each piece of text sits and at what size (pypdf), the box of every word (poppler's pdftotext), a PNG
of a page (poppler's pdftoppm)."""
from __future__ import annotations

import re
import subprocess
import tempfile
from io import BytesIO
from pathlib import Path
from xml.etree import ElementTree

from pypdf import PdfReader

from tests.artefacts import ARTEFACTS, keep  # noqa: F401 (ARTEFACTS: for the tests that import it here)
from workflows.documents.official import PAGE

MM = 72 / 25.4
A4 = (PAGE["width_mm"] * MM, PAGE["height_mm"] * MM)
TOP_MARGIN_Y = A4[1] - PAGE["top_mm"] * MM  # PDF y grows upwards: above this is the top margin


def read(pdf: bytes) -> PdfReader:
    assert pdf.startswith(b"%PDF-")
    return PdfReader(BytesIO(pdf))


def text_of(page) -> str:
    """The page's text as pypdf extracts it, unnormalised: what a reader copying it gets."""
    return page.extract_text()


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def squeezed(text: str) -> str:
    """The text without its spaces and line breaks: pypdf reads a kerned "IV." as "IV ." and a
    table cell's second line after a break, so what a document says is compared without them."""
    return re.sub(r"\s+", "", text)


def all_text(reader: PdfReader) -> str:
    return flat(" ".join(text_of(p) for p in reader.pages))


def fragments(page) -> list[tuple[float, float, float, str]]:
    """(x, y from the bottom, font size in pt, text) of every piece of text on the page."""
    found = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            x, y = cm[0] * tm[4] + cm[4], cm[3] * tm[5] + cm[5]
            found.append((x, y, round(abs(size * tm[0] * cm[0]), 1), text.strip()))

    page.extract_text(visitor_text=visit)
    return found


def word_boxes(pdf: bytes) -> list[list[tuple[float, float, float, float, str]]]:
    """Per page, (x_min, y_min, x_max, y_max, word) in pt from the top left corner (pdftotext -bbox)."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "document.pdf"
        source.write_bytes(pdf)
        xhtml = subprocess.run(["pdftotext", "-bbox", str(source), "-"], capture_output=True, check=True,
                               timeout=60).stdout
    namespace = {"x": "http://www.w3.org/1999/xhtml"}
    pages = ElementTree.fromstring(xhtml).iterfind(".//x:page", namespace)
    return [[(float(w.get("xMin")), float(w.get("yMin")), float(w.get("xMax")), float(w.get("yMax")), w.text or "")
             for w in page.iterfind("x:word", namespace)] for page in pages]


def png_of_page(pdf: bytes, png: Path, page: int = 1, dpi: int = 80) -> Path:
    """The page as a PNG at `png` (pdftoppm), the PDF kept beside it; both made aside and kept
    whole (tests/artefacts.py), as another worker may keep the same names at once."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "document.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile",
                        str(source), str(Path(tmp) / "page")], check=True, timeout=60)
        keep(png.with_suffix(".pdf"), pdf)
        return keep(png, (Path(tmp) / "page.png").read_bytes())
