"""Giấy khen của Chánh Văn phòng: one landscape A4 page per awardee, collectives and individuals,
printed as one batch PDF from the campaign's `awarded` entries (or `chiefAwardees` before the
announcement) under the Chief's `decisionNumber` and `decisionDate`.

Keys of one certificate (what certificates.html prints): national_title, motto, authority,
kind_title, awardee, unit, reason, decision_number, decision_date, place_date, signer_title,
signer_name.
"""
from __future__ import annotations

from typing import Any, Mapping

from workflows.campaign_rules import candidate_sort_key
from workflows.documents.official import MOTTO, NATIONAL_TITLE, Issuer, date_words, nfc, place_and_date
from workflows.documents.pdf_contexts import CHIEF_AWARD, body_name, prose
from workflows.documents.pdf_render import DocumentRenderError, environment, html_to_pdf, stylesheet

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


def render_certificates(variables: Mapping[str, Any], positions: Mapping[str, str] | None = None) -> bytes:
    """The batch of Giấy khen as one PDF, a page per awardee; refused (vi / en) when there is none."""
    certificates = certificate_contexts(variables, positions)
    if not certificates:
        raise DocumentRenderError(" / ".join(NO_AWARDEE))
    env = environment()
    html = env.get_template("certificates.html").render(
        certificates=certificates, decision_number=certificates[0]["decision_number"])
    return html_to_pdf(html, stylesheet("certificate.css"))
