"""Giấy khen của Chánh Văn phòng: one landscape A4 page per awardee, collectives and individuals,
printed as one batch PDF from the campaign's `awarded` entries (or `chiefAwardees` before the
announcement) under the Chief's `decisionNumber` and `decisionDate`.

Keys of one certificate (what certificates.html prints): national_title, motto, authority,
kind_title, awardee, unit, reason, decision_number, decision_date, place_date, signer_title,
signer_name.
"""
from __future__ import annotations

from io import BytesIO
from typing import Any, Mapping

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, FloatObject, IndirectObject, NameObject

from workflows.campaign_rules import candidate_sort_key
from workflows.documents.official import (MOTTO, NATIONAL_TITLE, Issuer, body_name, date_words, nfc, place_and_date,
                                          prose)
from workflows.documents.pdf_render import DocumentRenderError, environment, html_to_pdf, stylesheet

CHIEF_AWARD = "giay_khen"  # the Chief's own award: the one whose certificates the Office prints

AWARDEE_KEYS = ("awardee", "unit")  # what differs from one certificate of a decision to the next
SLOT = {"head_mm": 70, "slot_mm": 28}  # the height of the blocks above the name, and of the name's slot
NO_AWARDEE = ("Không có tập thể, cá nhân nào được tặng Giấy khen: không có gì để in.",
              "Nobody was awarded a Giấy khen: there is nothing to print.")


def certificate_contexts(variables: Mapping[str, Any], positions: Mapping[str, str] | None = None) -> list[dict]:
    """One dict per Giấy khen awardee, collectives first, then people by given name."""
    issuer = Issuer.of(variables)
    positions = positions or {}
    entries = sorted((e for e in variables.get("awarded") or variables.get("chiefAwardees") or []
                      if e.get("award") == CHIEF_AWARD), key=candidate_sort_key)
    campaign = nfc(variables.get("campaignName") or "")
    certificates = []
    for entry in entries:
        name, unit = nfc(entry.get("fullName") or ""), nfc(entry.get("unitName") or entry.get("unit") or "")
        if entry.get("kind") == "individual":
            position = entry.get("position") or positions.get(entry.get("userId") or "", "")
            line = ", ".join(part for part in (nfc(position or ""), unit) if part)
        else:  # a collective belongs to the issuing body; a sub-team names its unit too
            line = body_name(issuer) if name == unit or not unit else f"{unit}, {body_name(issuer)}"
        number = entry.get("decisionNumber") or variables.get("decisionNumber") or ""
        day = entry.get("decisionDate") or variables.get("decisionDate")
        certificates.append({
            "national_title": NATIONAL_TITLE, "motto": MOTTO,
            "authority": f"{issuer.signer_title} {issuer.parent}", "kind_title": "GIẤY KHEN",
            "awardee": name, "unit": line,
            "reason": f"Đã có thành tích xuất sắc trong {campaign}" if campaign else "Đã có thành tích xuất sắc",
            "decision_number": nfc(str(number)), "decision_date": date_words(day),
            "place_date": place_and_date(issuer, day), "signer_title": prose(issuer.signer_title).upper(),
            "signer_name": issuer.signer_name,
        })
    return certificates


def _frame_key(certificate: Mapping[str, Any]) -> tuple:
    return tuple((k, v) for k, v in sorted(certificate.items()) if k not in AWARDEE_KEYS)


def _form_xobject(writer: PdfWriter, page: Any) -> IndirectObject:
    """A frame page as a Form XObject of the output: drawn on each page without parsing it again."""
    form = DecodedStreamObject()
    form.set_data(page.get_contents().get_data())
    form.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
                 NameObject("/BBox"): ArrayObject([FloatObject(v) for v in page.mediabox]),
                 NameObject("/Resources"): page["/Resources"].get_object().clone(writer)})
    return writer._add_object(form)


def _draw_under(writer: PdfWriter, page: Any, name: str, form: IndirectObject) -> None:
    """Draws the form first on the page, under what the page already draws."""
    resources = page["/Resources"].get_object()
    if "/XObject" not in resources:
        resources[NameObject("/XObject")] = DictionaryObject()
    resources["/XObject"].get_object()[NameObject(name)] = form
    prefix = DecodedStreamObject()
    prefix.set_data(f"q {name} Do Q\n".encode())
    contents = page["/Contents"]
    existing = list(contents.get_object()) if isinstance(contents.get_object(), ArrayObject) else [contents]
    page[NameObject("/Contents")] = ArrayObject([writer._add_object(prefix), *existing])


def render_certificates(variables: Mapping[str, Any], positions: Mapping[str, str] | None = None) -> bytes:
    """The batch of Giấy khen as one PDF, a page per awardee; refused (vi / en) when there is none.

    WeasyPrint's time grows with the boxes it lays out, and a batch repeats the same frame on every
    page: the frame is laid out once per decision, the awardees' names alone on a page each, and
    each name page draws its frame first, as a Form XObject made once (pypdf)."""
    certificates = certificate_contexts(variables, positions)
    if not certificates:
        raise DocumentRenderError(" / ".join(NO_AWARDEE))
    template = environment().get_template("certificates.html")
    css = stylesheet("certificate.css", **SLOT)
    frames: dict[tuple, Any] = {}
    for certificate in certificates:
        key = _frame_key(certificate)
        if key not in frames:
            frame = html_to_pdf(template.render(frame=certificate, certificates=[]), css)
            frames[key] = PdfReader(BytesIO(frame)).pages[0]
    names = PdfReader(BytesIO(html_to_pdf(template.render(frame=None, certificates=certificates), css))).pages
    if len(names) != len(certificates):  # a name too long for its slot may not spill onto a page of its own
        raise DocumentRenderError("Tên người, tập thể được khen quá dài để in trên Giấy khen. / "
                                  "An awardee's name is too long to print on the certificate.")
    writer = PdfWriter()
    forms = {key: _form_xobject(writer, page) for key, page in frames.items()}
    for certificate, page in zip(certificates, names):
        key = _frame_key(certificate)
        _draw_under(writer, writer.add_page(page), f"/ThiDuaFrame{list(forms).index(key)}", forms[key])
    writer.add_metadata({"/Title": f"Giấy khen - Quyết định số {certificates[0]['decision_number']}",
                         "/Producer": "ThiDua Flow (WeasyPrint, pypdf)"})
    output = BytesIO()
    writer.write(output)
    return output.getvalue()
