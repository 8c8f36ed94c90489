"""PDF output of the official documents: a Jinja HTML template per kind (workflows/documents/html/)
laid out by WeasyPrint in the decree's frame (official.PAGE, official.FONT).

The HTML reads the very context a DOCX template receives (kinds.build; the keys are listed at the
top of contexts.py), so the two formats say the same. Nothing is fetched over the network: the
fonts are the machine's (Liberation Serif stands in for Times New Roman where Microsoft's font is
absent) and any URL a template might name other than data: is refused.
"""
from __future__ import annotations

import re
import subprocess
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from jinja2 import Environment, FileSystemLoader, StrictUndefined, UndefinedError, select_autoescape

from workflows.documents import kinds
from workflows.documents.contexts import nfc_all
from workflows.documents.official import FONT, PAGE, column_widths_mm

HTML_DIR = Path(__file__).resolve().parent / "html"
TEMPLATES = {kind: f"{kind}.html" for kind in kinds.KINDS}
GROUPS = (("collective", "TẬP THỂ"), ("individual", "CÁ NHÂN"))
ROMAN = ("I", "II")


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


def people_groups(rows: list[Mapping[str, Any]]) -> list[dict]:
    """A list of people as a decision's annex sets it: "I. TẬP THỂ (07)" over the collectives, then
    "II. CÁ NHÂN (63)" over the individuals, the context's order and numbers kept (the DOCX lists
    the same rows under one heading). Any other list is one group without a heading."""
    if not rows or "kind" not in rows[0]:
        return [{"heading": "", "rows": rows}]
    groups = []
    for kind, label in GROUPS:
        members = [r for r in rows if (r.get("kind") == "collective") == (kind == "collective")]
        if members:
            groups.append({"heading": f"{ROMAN[len(groups)]}. {label} ({len(members):02d})", "rows": members})
    return groups


def column_percentages(columns: list[Mapping[str, Any]]) -> list[float]:
    """The columns' shares of the text width, from the widths the DOCX takes too."""
    widths = column_widths_mm([c["key"] for c in columns])
    return [round(100 * w / sum(widths), 2) for w in widths]


@lru_cache(maxsize=1)
def environment() -> Environment:
    # StrictUndefined: a key missing from the context is an error at once, not a blank on paper.
    env = Environment(loader=FileSystemLoader(str(HTML_DIR)), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(people_groups=people_groups, column_percentages=column_percentages)
    return env


def stylesheet(name: str = "official.css", **extra: Any) -> str:
    return environment().get_template(name).render(page=PAGE, font=FONT, families=font_family_css(), **extra)


def _missing_key(error: UndefinedError) -> str:
    found = re.search(r"attribute '([^']+)'|'([^']+)' is undefined", str(error))
    return next(g for g in found.groups() if g) if found else str(error)


def render_html(kind: str, context: Mapping[str, Any]) -> str:
    """The document's HTML from its context (the dict kinds.build gives); a kind without a template,
    a context of another kind, or one missing a key the template prints, is refused (vi / en)."""
    if kind not in TEMPLATES:
        raise DocumentRenderError(f"Không có mẫu PDF cho loại văn bản '{kind}'. / "
                                  f"There is no PDF template for the document kind '{kind}'.")
    if context.get("kind") not in (None, kind):
        raise DocumentRenderError(f"Dữ liệu là của văn bản '{context['kind']}', không phải '{kind}'. / "
                                  f"The context is of a '{context['kind']}' document, not of a '{kind}' one.")
    try:
        return environment().get_template(TEMPLATES[kind]).render(d=nfc_all(context))
    except UndefinedError as error:
        key = _missing_key(error)
        raise DocumentRenderError(f"Dữ liệu của văn bản '{kind}' thiếu mục '{key}'. / "
                                  f"The context of the '{kind}' document lacks '{key}'.") from error


def _local_only(url: str, timeout: int = 10, ssl_context: Any = None) -> dict:
    from weasyprint import default_url_fetcher
    if not url.startswith("data:"):
        raise DocumentRenderError(f"Văn bản không được tải tài nguyên ngoài ({url}). / "
                                  f"A document may not fetch an outside resource ({url}).")
    return default_url_fetcher(url, timeout=timeout, ssl_context=ssl_context)


_parsed = threading.local()


def _stylesheet_for(css: str):
    """The parsed stylesheet and its fonts, kept per thread: parsing and compiling the selectors is
    a fifth of a short document's time, and a batch prints the same stylesheet many times.
    WeasyPrint's objects are not shared between threads."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration
    cache = getattr(_parsed, "sheets", None)
    if cache is None:
        cache = _parsed.sheets = {}
    if css not in cache:
        fonts = FontConfiguration()
        cache[css] = (CSS(string=css, font_config=fonts, url_fetcher=_local_only), fonts)
    return cache[css]


def html_to_pdf(html: str, css: str) -> bytes:
    # Imported here: WeasyPrint loads Pango at import, which the portal's other pages never need.
    from weasyprint import HTML
    sheet, fonts = _stylesheet_for(css)
    document = HTML(string=html, base_url=str(HTML_DIR), url_fetcher=_local_only)
    return document.write_pdf(stylesheets=[sheet], font_config=fonts)


def render_pdf(kind: str, context: Mapping[str, Any]) -> bytes:
    """The PDF of one document of `kind` (any of kinds.KINDS) from its context, the dict kinds.build gives."""
    return html_to_pdf(render_html(kind, context), stylesheet())


def render_document_pdf(kind: str, variables: Mapping[str, Any], unit_variables: Mapping[str, Any] | None = None,
                        nominee_id: str | None = None, number: Any = None, on: Any = None) -> bytes:
    """The PDF of `kind` straight from the process variables: kinds.build, then render_pdf. To print
    people's chức vụ, pass the variables (and the unit's) through contexts.with_positions first."""
    if kind not in TEMPLATES:
        render_html(kind, {})  # raises the bilingual "no such template"
    try:
        context = kinds.build(kind, variables, unit_variables, nominee_id=nominee_id, number=number, on=on)
    except (KeyError, ValueError) as error:
        reason = error.args[0] if error.args else error
        raise DocumentRenderError(f"Không lập được văn bản '{kind}' từ dữ liệu đã cho. / "
                                  f"The '{kind}' document cannot be made from the data given: {reason}") from error
    return render_pdf(kind, context)
