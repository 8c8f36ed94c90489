"""PDF output of the official documents: a Jinja HTML template per kind (workflows/documents/html/)
laid out by WeasyPrint in the decree's frame (official.PAGE, official.FONT).

The same context dict a DOCX template receives drives the HTML, so the two formats cannot drift
apart; pdf_contexts.py documents the keys. Nothing is fetched over the network: the fonts are the
machine's (Liberation Serif stands in for Times New Roman where Microsoft's font is absent) and any
URL a template might name other than data: is refused.
"""
from __future__ import annotations

import subprocess
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from workflows.documents.official import FONT, PAGE

HTML_DIR = Path(__file__).resolve().parent / "html"
TEMPLATES = {"chief_decision": "chief_decision.html", "announcement": "announcement.html"}


# Times New Roman first; Liberation Serif 2 (Debian fonts-liberation2) has its metrics and every
# Vietnamese letter; DejaVu Serif sets every letter but wider. Liberation Serif 1.07 (Debian
# fonts-liberation) lacks ơ, ư and the stacked tone marks: were it chosen, Pango would borrow those
# letters from another font and a name would be printed in two typefaces.
SERIF_CHOICES = (FONT["name"], "Liberation Serif", "DejaVu Serif")
VIETNAMESE_CHARSET = "1a0-1b0 1ea0-1ef9"  # ơ Ơ ư Ư and the precomposed letters with tone marks


@lru_cache(maxsize=1)
def serif_families() -> tuple[str, ...]:
    """The serif families installed here that set every Vietnamese letter, in order of preference
    (fontconfig's answer); all the choices when fontconfig cannot be asked."""
    try:
        listed = subprocess.run(["fc-list", f":charset={VIETNAMESE_CHARSET}", "family"], capture_output=True,
                                text=True, timeout=20, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return SERIF_CHOICES
    covering = {name.strip() for line in listed.splitlines() for name in line.split(",")}
    return tuple(f for f in SERIF_CHOICES if f in covering) or SERIF_CHOICES


def font_family_css() -> str:
    return ", ".join(f'"{family}"' for family in serif_families()) + ", serif"


class DocumentRenderError(ValueError):
    """A document that cannot be produced, said in Vietnamese and English ("vi / en")."""


@lru_cache(maxsize=1)
def environment() -> Environment:
    # StrictUndefined: a key missing from the context is an error at once, not a blank on paper.
    return Environment(loader=FileSystemLoader(str(HTML_DIR)), autoescape=select_autoescape(["html"]),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _nfc(value: Any) -> Any:
    """Every string of the context in NFC, however it was typed."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, Mapping):
        return {k: _nfc(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_nfc(v) for v in value]
    return value


def stylesheet(name: str = "official.css", **extra: Any) -> str:
    return environment().get_template(name).render(page=PAGE, font=FONT, families=font_family_css(), **extra)


def render_html(kind: str, context: Mapping[str, Any]) -> str:
    if kind not in TEMPLATES:
        raise DocumentRenderError(f"Không có mẫu PDF cho loại văn bản '{kind}'. / "
                                  f"There is no PDF template for the document kind '{kind}'.")
    return environment().get_template(TEMPLATES[kind]).render(d=_nfc(context))


def _local_only(url: str, timeout: int = 10, ssl_context: Any = None) -> dict:
    from weasyprint import default_url_fetcher
    if not url.startswith("data:"):
        raise DocumentRenderError(f"Văn bản không được tải tài nguyên ngoài ({url}). / "
                                  f"A document may not fetch an outside resource ({url}).")
    return default_url_fetcher(url, timeout=timeout, ssl_context=ssl_context)


def html_to_pdf(html: str, css: str) -> bytes:
    # Imported here: WeasyPrint loads Pango at import, which the portal's other pages never need.
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration
    fonts = FontConfiguration()
    document = HTML(string=html, base_url=str(HTML_DIR), url_fetcher=_local_only)
    return document.write_pdf(stylesheets=[CSS(string=css, font_config=fonts, url_fetcher=_local_only)],
                              font_config=fonts)


def render_pdf(kind: str, context: Mapping[str, Any]) -> bytes:
    """The PDF of one document of `kind` ("chief_decision", "announcement") from its context."""
    return html_to_pdf(render_html(kind, context), stylesheet())


def render_campaign_pdf(kind: str, variables: Mapping[str, Any], positions: Mapping[str, str] | None = None) -> bytes:
    """The PDF of `kind` straight from a campaign instance's variables (pdf_contexts builds the context)."""
    from workflows.documents.pdf_contexts import CONTEXTS
    if kind not in CONTEXTS:
        render_html(kind, {})  # raises the bilingual "no such template"
    return render_pdf(kind, CONTEXTS[kind](variables, positions))
