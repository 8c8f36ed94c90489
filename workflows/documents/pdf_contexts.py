"""What the PDF templates print, built from a campaign instance's variables.

A small explicit contract, one dict per document kind, so the shared contexts of every document
(DOCX and PDF alike) can replace these builders without touching a template. Keys:

Every kind (the frame of NĐ 30/2020, Phụ lục I):
  issuer        Issuer.as_context(): parent, name, place, symbol, signer_title, signer_name
  national_title, motto
  number        "01/QĐ-VPUB"; a draft (no number yet) prints "Số:      /QĐ-VPUB"
  place_date    "Sơn La, ngày 20 tháng 8 năm 2025" (italic)
  kind_title    tên loại, "QUYẾT ĐỊNH" / "THÔNG BÁO"
  summary       trích yếu, "Về việc tặng Giấy khen ..."
  signer        {"authority": "KT. CHÁNH VĂN PHÒNG" or "", "title": ..., "name": ...}
  recipients    the "Nơi nhận:" lines

chief_decision (Quyết định tặng Giấy khen + Danh sách kèm theo):
  authority     "CHÁNH VĂN PHÒNG UBND TỈNH SƠN LA" (who decides, under the tên loại)
  grounds       ["Căn cứ ...;", ..., "Xét đề nghị của ..."]
  articles      ["Điều 1. ...", "Điều 2. ...", ...]
  annex         {"title", "subtitle", "reference", "groups": [{"heading", "rows"}]}
                each row {"no", "name", "position", "unit"}

announcement (Thông báo kết quả):
  intro         the opening paragraph
  sections      [{"heading": "1. Bằng khen ... (Quyết định số ... ngày ...): 02", and its parts "no",
                  "award", "decision_number", "decision_date", "count"; "rows": [rows as above]}]
  closing       the closing paragraph
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from workflows.campaign_rules import candidate_sort_key
from workflows.documents.official import (AWARD_NAMES, MOTTO, NATIONAL_TITLE, Issuer, as_date, date_words, nfc,
                                          place_and_date)

CHIEF_AWARD = "giay_khen"
Positions = Mapping[str, str]  # userId → chức vụ, from the staff register when the caller has it


_LOWER_WORDS = {"TỈNH", "THÀNH", "PHỐ", "HUYỆN", "QUẬN", "XÃ", "PHƯỜNG"}


def prose(text: str) -> str:
    """A heading in capitals as it reads in a sentence: "CHÁNH VĂN PHÒNG" → "Chánh Văn phòng",
    "UBND TỈNH SƠN LA" → "UBND tỉnh Sơn La" (acronyms kept, administrative level in lower case)."""
    words = nfc(text).split()
    if words and words[0] in ("UBND", "HĐND"):
        return " ".join(w if w.isupper() and len(w) > 1 and i == 0 else w.lower() if w in _LOWER_WORDS
                        else w.capitalize() for i, w in enumerate(words))
    return nfc(text).capitalize().replace("văn phòng", "Văn phòng")


def body_name(issuer: Issuer) -> str:
    """"Văn phòng UBND tỉnh Sơn La": the issuing body named in a sentence."""
    return f"{prose(issuer.name)} {prose(issuer.parent)}"


def _number(value: Any, kind: str, symbol: str) -> str:
    """The register's number, or the blank a draft leaves for it."""
    return nfc(str(value)) if value else f"     /{kind}-{symbol}"


def _frame(variables: Mapping[str, Any], number: str, day: Any, kind_title: str, summary: str) -> dict:
    issuer = Issuer.of(variables)
    return {"issuer": issuer.as_context(), "national_title": NATIONAL_TITLE, "motto": MOTTO, "number": number,
            "place_date": place_and_date(issuer, day), "kind_title": kind_title, "summary": nfc(summary),
            "signer": {"authority": "", "title": issuer.signer_title, "name": issuer.signer_name}}


def _row(no: int, entry: Mapping[str, Any], positions: Positions) -> dict:
    name = nfc(entry.get("fullName") or "")
    unit = nfc(entry.get("unitName") or entry.get("unit") or "")
    position = entry.get("position") or positions.get(entry.get("userId") or "", "")
    if entry.get("kind") != "individual" and name == unit:
        unit = ""  # a unit proposed as itself: its own name says it all
    return {"no": no, "name": name, "position": nfc(position or ""), "unit": unit}


def _groups(entries: Iterable[Mapping[str, Any]], positions: Positions) -> list[dict]:
    entries = sorted(entries, key=candidate_sort_key)
    collectives = [e for e in entries if e.get("kind") != "individual"]
    people = [e for e in entries if e.get("kind") == "individual"]
    groups = []
    for heading, group in (("TẬP THỂ", collectives), ("CÁ NHÂN", people)):
        if group:
            roman = "I" * (len(groups) + 1)
            groups.append({"heading": f"{roman}. {heading} ({len(group):02d})",
                           "rows": [_row(i, e, positions) for i, e in enumerate(group, start=1)]})
    return groups


def _counted(entries: list[Mapping[str, Any]]) -> str:
    collectives = sum(1 for e in entries if e.get("kind") != "individual")
    people = len(entries) - collectives
    parts = [f"{n:02d} {what}" for n, what in ((collectives, "tập thể"), (people, "cá nhân")) if n]
    return " và ".join(parts) or "00 cá nhân"


def chief_decision_context(variables: Mapping[str, Any], positions: Positions | None = None) -> dict:
    """Quyết định tặng Giấy khen của Chánh Văn phòng, with its Danh sách kèm theo: the Giấy khen
    entries of `awarded` (or `chiefAwardees` before the announcement), under `decisionNumber` and
    `decisionDate`."""
    issuer = Issuer.of(variables)
    entries = [e for e in variables.get("awarded") or variables.get("chiefAwardees") or []
               if e.get("award") == CHIEF_AWARD]
    campaign = nfc(variables.get("campaignName") or "")
    day = variables.get("decisionDate")
    number = _number(variables.get("decisionNumber"), "QĐ", issuer.symbol)
    summary = f"Về việc tặng Giấy khen cho các tập thể, cá nhân đã có thành tích xuất sắc trong {campaign}"
    context = _frame(variables, number, day, "QUYẾT ĐỊNH", summary)
    authority = f"{issuer.signer_title} {issuer.parent}"
    grounds = ["Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;"]
    if variables.get("planNumber"):
        grounds.append(f"Căn cứ Kế hoạch số {variables['planNumber']} {date_words(variables.get('planDate'))} "
                       f"của {body_name(issuer)} về {campaign};")
    meeting = as_date(variables.get("meetingDate"))
    grounds.append("Xét đề nghị của Hội đồng Thi đua, khen thưởng"
                   + (f" tại cuộc họp {date_words(meeting)}" if meeting else "")
                   + " và Trưởng phòng Tổ chức - Hành chính - Quản trị.")
    articles = [
        f"Điều 1. Tặng Giấy khen của {prose(issuer.signer_title)} cho {_counted(entries)} "
        f"(có danh sách kèm theo) đã có thành tích xuất sắc trong {campaign}.",
        "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.",
        "Điều 3. Trưởng phòng Tổ chức - Hành chính - Quản trị, Thủ trưởng các phòng, đơn vị thuộc Văn phòng "
        "và các tập thể, cá nhân có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này.",
    ]
    reference = (f"(Kèm theo Quyết định số {number.strip()} {date_words(day)} "
                 f"của {prose(issuer.signer_title)} {prose(issuer.parent)})")
    annex = {"title": "DANH SÁCH",
             "subtitle": f"Tập thể, cá nhân được tặng {AWARD_NAMES[CHIEF_AWARD]}",
             "reference": reference, "groups": _groups(entries, positions or {})}
    return {**context, "authority": authority, "grounds": grounds, "articles": articles, "annex": annex,
            "recipients": ["Như Điều 3;", "Lãnh đạo Văn phòng;", "Lưu: VT, TCHCQT."]}


def _vn_date(value: Any) -> str:
    day = as_date(value)
    return day.strftime("%d/%m/%Y") if day else ""


def announcement_context(variables: Mapping[str, Any], positions: Positions | None = None) -> dict:
    """Thông báo kết quả khen thưởng: the `awarded` by award (in AWARD_NAMES order), then by the
    decision that gave it. Number and date: `announcementNumber` / `announcementDate` when the
    process set them, else a draft's blank and the latest decision's date."""
    issuer = Issuer.of(variables)
    awarded = list(variables.get("awarded") or [])
    campaign = nfc(variables.get("campaignName") or "")
    days = [d for d in (as_date(e.get("decisionDate")) for e in awarded) if d]
    day = variables.get("announcementDate") or (max(days) if days else None)
    number = _number(variables.get("announcementNumber"), "TB", issuer.symbol)
    context = _frame(variables, number, day, "THÔNG BÁO", f"Kết quả khen thưởng {campaign}")
    sections = []
    for award, award_name in AWARD_NAMES.items():
        decisions: dict[tuple, list] = {}
        for entry in (e for e in awarded if e.get("award") == award):
            key = (nfc(str(entry.get("decisionNumber") or "")), _vn_date(entry.get("decisionDate")))
            decisions.setdefault(key, []).append(entry)
        for (decision, when), group in sorted(decisions.items()):
            cite = f" (Quyết định số {decision}" + (f" ngày {when})" if when else ")") if decision else ""
            rows = [_row(i, e, positions or {}) for i, e in enumerate(sorted(group, key=candidate_sort_key), 1)]
            sections.append({"heading": f"{len(sections) + 1}. {award_name}{cite}: {len(group):02d}",
                             "no": len(sections) + 1, "award": award_name, "decision_number": decision,
                             "decision_date": when, "count": f"{len(group):02d}", "rows": rows})
    plan = variables.get("planNumber")
    intro = (f"Thực hiện Kế hoạch số {plan} {date_words(variables.get('planDate'))} " if plan else "Thực hiện ") + (
        f"về {campaign}, {body_name(issuer)} thông báo kết quả khen thưởng như sau:")
    closing = ("Văn phòng thông báo để các phòng, đơn vị biết, tổ chức tuyên truyền và học tập các tập thể, "
               "cá nhân điển hình.") if awarded else "Không có tập thể, cá nhân được khen thưởng."
    return {**context, "intro": nfc(intro), "sections": sections, "closing": closing,
            "recipients": ["Các phòng, đơn vị thuộc Văn phòng;", "Trung tâm Thông tin (đăng tải);",
                           "Lưu: VT, TCHCQT."]}


CONTEXTS = {"chief_decision": chief_decision_context, "announcement": announcement_context}
