"""The files of an issued document, rendered from its frozen snapshot alone: the DOCX from the
context and the template version pinned at issue, the PDF from the context, the XLSX list from
the few variables the list reads (frozen with it, `list_source`).

Only some kinds come with a list: a unit's tờ trình (its Danh sách đề nghị), the council's list,
the minutes (the result of the vote) and the report to Sở Nội vụ (its tables).
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

from jinja2 import UndefinedError

from workflows.documents import docx_render, pdf_render, xlsx_lists
from workflows.documents.pdf_render import DocumentRenderError

FORMATS = ("docx", "pdf", "xlsx")
MEDIA_TYPES = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
               "pdf": "application/pdf", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}

_HEADING = ("issuer", "campaignName", "planNumber", "planDate")


class _List:
    """A kind's XLSX list: the variables of the campaign (and of the unit) it reads, and how it is drawn."""

    def __init__(self, draw: Callable[[Mapping[str, Any], Mapping[str, Any]], bytes], campaign: tuple[str, ...],
                 unit: tuple[str, ...] = ()) -> None:
        self.draw, self.campaign_keys, self.unit_keys = draw, _HEADING + campaign, unit

    def source(self, campaign_variables: Mapping[str, Any], unit_variables: Mapping[str, Any] | None) -> dict:
        """What to freeze with the document: only the variables the list reads."""
        source = {"campaign": _pick(campaign_variables, self.campaign_keys)}
        if self.unit_keys:
            source["unit"] = _pick(unit_variables or {}, self.unit_keys)
        return source


def _pick(variables: Mapping[str, Any], keys: tuple[str, ...]) -> dict:
    return {k: variables[k] for k in keys if variables.get(k) is not None}


LISTS = {
    "unit_proposal": _List(lambda c, u: xlsx_lists.unit_nominees(u, c), (),
                           ("issuer", "unit", "unitName", "reportedOn", "checkedNominees", "nominees")),
    "council_list": _List(lambda c, u: xlsx_lists.council_list(c), ("submissionNumber", "submittedOn", "candidates")),
    "council_minutes": _List(lambda c, u: xlsx_lists.council_result(c),
                             ("council", "meetingDate", "present", "awardees", "rejected")),
    "report": _List(lambda c, u: xlsx_lists.results_report(c), ("reportNumber", "awarded")),
}


def list_source(kind: str, campaign_variables: Mapping[str, Any],
                unit_variables: Mapping[str, Any] | None = None) -> dict | None:
    """The variables to freeze for `kind`'s list; None for a kind without one."""
    return LISTS[kind].source(campaign_variables, unit_variables) if kind in LISTS else None


def pdf_printable(kind: str, context: Mapping[str, Any]) -> bool:
    """Whether the kind's PDF template prints this context (fills its HTML: milliseconds, no
    layout). A kind without a PDF template, or whose template expects another context, is not."""
    try:
        pdf_render.render_html(kind, context)
    except (DocumentRenderError, UndefinedError):
        # UndefinedError: a PDF template written for another context than the kinds' own (the
        # templates being moved onto the shared contexts); for the reader it is "no PDF yet".
        return False
    return True


def render(kind: str, fmt: str, context: Mapping[str, Any], template: bytes | None,
           source: Mapping[str, Any] | None) -> bytes:
    """The bytes of one format; DocumentRenderError (vi / en) when the kind has none in it."""
    if fmt == "docx":
        return docx_render.render(kind, context, template)
    if fmt == "pdf":
        if not pdf_printable(kind, context):
            raise DocumentRenderError(f"Chưa có bản PDF cho loại văn bản '{kind}'. / "
                                      f"There is no PDF for the document kind '{kind}' yet.")
        return pdf_render.render_pdf(kind, context)
    if fmt == "xlsx" and kind in LISTS and source is not None:
        return LISTS[kind].draw(source.get("campaign") or {}, source.get("unit") or {})
    raise DocumentRenderError(f"Văn bản loại '{kind}' không có bản {fmt.upper()}. / "
                              f"A '{kind}' document has no {fmt.upper()} file.")
