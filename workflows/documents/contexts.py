"""What each official document of a campaign says, as a plain dict built from the process variables.

The same context feeds the DOCX templates (docxtpl), the HTML → PDF path and the XLSX lists, so
the keys stay simple: strings, lists of strings, lists of flat dicts. Every text is NFC.

Keys of every context (KINDS below lists the kinds):
  kind            the document kind ("chief_decision", ...)
  issuer          Issuer.as_context(): parent, name, place, symbol, signer_title, signer_name
  national_title  "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";  motto  "Độc lập - Tự do - Hạnh phúc"
  kind_name       tên loại, upper case ("QUYẾT ĐỊNH"); "" for a letter without one
  number          số và ký hiệu: "01/QĐ-VPUB", or ".../QĐ-VPUB" while a draft (the template
                  writes "Số: {{ number }}")
  draft           True while the document has no number
  place_and_date  "Sơn La, ngày 20 tháng 8 năm 2025" (italic under the national title)
  summary         trích yếu ("Về việc tặng Giấy khen ...")
  addressee       "Kính gửi: ..." line of a tờ trình / báo cáo, "" otherwise
  campaign_name, plan_number
  body            list of paragraphs (strings)
  rows            the document's main list: flat dicts, each with `no` (STT) and the keys named
                  in `columns`
  columns         [{"key", "title"}] of `rows`, in order (the PDF and XLSX paths read them)
  tables          every list of the document as [{"name", "title", "columns", "rows"}]; `rows`
                  is the first; a table named e.g. "members" is also the top-level key `members`
  signer          {"authority" (quyền hạn: "KT. CHÁNH VĂN PHÒNG" or ""), "title", "name"}
  recipients      nơi nhận: list of strings ("Như Điều 3;", "Lưu: VT, TCHCQT.")
  annex_title     the heading of the list sent with the document on a page of its own (unit_proposal,
                  chief_decision, chairman_proposal); "" when the list is in the body

A row of people carries: no, full_name, kind ("collective"/"individual"), kind_label ("Tập thể"/
"Cá nhân"), unit_name, position (chức vụ, "" when the variables do not say: `with_positions` adds
it from the staff register), position_unit ("Chuyên viên, Phòng Nội chính"; a collective's unit
only when it is not the collective itself), award, award_name; plus what the kind adds (see each
function). Lists of people sort collectives first, then individuals by given name (Vietnamese
collation).

What each kind adds (functions here and in contexts_decision.py; workflows/documents/kinds.py
`build(kind, variables, unit_variables, nominee_id, number, on)` calls the right one):
  guidance            rows: award_name, who, dossier
  unit_proposal       unit_name, unit_results; rows + achievements, eligibility
  achievement_report  form, nominee {full_name, unit_name, award, award_name, kind_label},
                      sections [{title, text}], criteria [{no, text, met, evidence}] (= rows)
  council_list        rows + eligibility, appraisal_note; not_eligible (rows + reason)
  council_minutes     members [{no, full_name, role, role_label, unit_name, attendance}], present,
                      members_count, quorum, secretary {title, name}; rows + votes_for,
                      votes_against, votes_abstain, result, reason
  chief_decision      decider, grounds, articles, collectives, individuals
  chairman_proposal   rows + votes_for, eligibility
  announcement        rows + decision_number, decision_date; not_awarded (rows + reason)
  report              rows as the announcement; by_award, by_unit [{no, award_name|unit_name,
                      collective, individual, total}], totals {collective, individual, total}
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

from workflows.vietnamese import nfc
from workflows.campaign_rules import candidate_sort_key
from workflows.documents.official import AWARD_NAMES, MOTTO, NATIONAL_TITLE, Issuer, as_date, place_and_date

KIND_LABELS = {"collective": "Tập thể", "individual": "Cá nhân"}
PERSON = [("no", "STT"), ("full_name", "Tên tập thể, họ và tên cá nhân"), ("position_unit", "Chức vụ, đơn vị"),
          ("award_name", "Hình thức khen thưởng")]
STORE = "Lưu: VT, TCHCQT."


def _columns(pairs: Iterable[tuple[str, str]]) -> list[dict]:
    return [{"key": key, "title": title} for key, title in pairs]


def nfc_all(value: Any) -> Any:
    """NFC every string, inside lists and dicts too."""
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, Mapping):
        return {k: nfc_all(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [nfc_all(v) for v in value]
    return value


def dmy(value: Any) -> str:
    day = as_date(value) if value else None
    return day.strftime("%d/%m/%Y") if day else ""


def person_rows(people: Iterable[Mapping[str, Any]], **extra: Callable[[Mapping[str, Any]], Any]) -> list[dict]:
    """Numbered rows of nominees, collectives first, then individuals Vietnamese-style; `extra`
    adds a key per row from the nominee."""
    rows = []
    for index, person in enumerate(sorted(people, key=candidate_sort_key), start=1):
        kind = person.get("kind") or "individual"
        award = person.get("award") or ""
        name, unit = person.get("fullName") or "", person.get("unitName") or person.get("unit") or ""
        position = person.get("position") or ""
        # A unit proposed as itself: its own name says it all.
        shown_unit = "" if kind == "collective" and nfc(name) == nfc(unit) else unit
        rows.append({"no": index, "full_name": name, "kind": kind, "kind_label": KIND_LABELS.get(kind, kind),
                     "unit_name": unit, "position": position,
                     "position_unit": ", ".join(part for part in (position, shown_unit) if part),
                     "award": award, "award_name": AWARD_NAMES.get(award, award),
                     **{key: make(person) for key, make in extra.items()}})
    return rows


def with_positions(variables: Mapping[str, Any], positions: Mapping[str, str]) -> dict:
    """The variables with each person's chức vụ (`position`) from the staff register (userId →
    position), in every list of nominees, for the documents that print it; what an entry already
    says is kept. The process itself does not copy positions into its variables."""
    def person(entry: Any) -> Any:
        if isinstance(entry, Mapping) and not entry.get("position") and positions.get(entry.get("userId") or ""):
            return {**entry, "position": positions[entry["userId"]]}
        return entry
    return {key: [person(e) for e in value] if isinstance(value, list) else value for key, value in variables.items()}


def document(variables: Mapping[str, Any], kind: str, *, kind_name: str, symbol: str, number: Any, on: Any,
             summary: str, body: list[str], tables: list[dict], recipients: list[str],
             addressee: str = "", issuer: Mapping[str, str] | None = None, signer: Mapping[str, str] | None = None,
             annex_title: str = "", **extra: Any) -> dict:
    """The parts every document shares; `tables[0]` is the main list (`rows`, `columns`)."""
    base = Issuer.of(variables)
    issuer = dict(issuer or base.as_context())
    number = str(number).strip() if number else ""
    main = tables[0] if tables else {"rows": [], "columns": []}
    context = {
        "kind": kind, "issuer": issuer, "national_title": NATIONAL_TITLE, "motto": MOTTO,
        "kind_name": kind_name, "draft": not number, "number": number or f".../{symbol}-{issuer['symbol']}",
        "place_and_date": place_and_date(base, on), "summary": summary, "addressee": addressee,
        "campaign_name": variables.get("campaignName") or "", "plan_number": variables.get("planNumber") or "",
        "body": body, "rows": main["rows"], "columns": main["columns"], "tables": tables,
        "signer": dict(signer or {"authority": "", "title": issuer["signer_title"], "name": issuer["signer_name"]}),
        "recipients": recipients, "annex_title": annex_title,
        **{t["name"]: t["rows"] for t in tables[1:]}, **extra,
    }
    return nfc_all(context)


def _table(name: str, title: str, pairs: Iterable[tuple[str, str]], rows: list[dict]) -> dict:
    return {"name": name, "title": title, "columns": _columns(pairs), "rows": rows}


def _campaign(variables: Mapping[str, Any]) -> str:
    return f"{variables.get('campaignName') or ''} (Kế hoạch số {variables.get('planNumber') or '...'})"


# --- launch -------------------------------------------------------------------------------

def guidance(variables: Mapping[str, Any], number: Any = None, on: Any = None) -> dict:
    """Hướng dẫn hồ sơ đề nghị khen thưởng; rows: award_name, who (đối tượng), dossier (thành phần)."""
    awards = [
        ("buc_truong", "Tập thể", "Tờ trình; báo cáo thành tích của tập thể; biên bản họp bình xét"),
        ("bang_khen", "Tập thể, cá nhân (cá nhân có ít nhất 10 năm công tác tại Văn phòng, không bị kỷ luật,"
                      " hoàn thành tốt nhiệm vụ trở lên)",
         "Tờ trình; báo cáo thành tích; biên bản họp bình xét"),
        ("giay_khen", "Tập thể, cá nhân", "Tờ trình; danh sách đề nghị; biên bản họp bình xét; báo cáo thành tích"),
    ]
    rows = [{"no": i, "award": a, "award_name": AWARD_NAMES[a], "who": who, "dossier": dossier}
            for i, (a, who, dossier) in enumerate(awards, start=1)]
    body = [f"Thực hiện Kế hoạch số {variables.get('planNumber') or '...'} về {variables.get('campaignName') or ''},"
            " Văn phòng hướng dẫn hồ sơ đề nghị khen thưởng như sau:",
            "1. Hình thức, đối tượng và thành phần hồ sơ theo bảng dưới đây.",
            f"2. Thời gian: kết thúc đợt thi đua ngày {dmy(variables.get('campaignEndDate'))}; các đơn vị báo cáo kết quả"
            f" và đề nghị khen thưởng qua phòng TCHCQT chậm nhất ngày {dmy(variables.get('unitReportDate'))};"
            f" phòng TCHCQT thẩm định, tổng hợp trình Hội đồng chậm nhất ngày {dmy(variables.get('appraisalDate'))}.",
            "3. Báo cáo thành tích theo mẫu của Nghị định quy định chi tiết Luật Thi đua, khen thưởng."]
    return document(variables, "guidance", kind_name="HƯỚNG DẪN", symbol="HD",
                    number=number or variables.get("guidanceNumber"), on=on or variables.get("guidanceIssuedOn"),
                    summary=f"Hồ sơ đề nghị khen thưởng {variables.get('campaignName') or ''}", body=body,
                    tables=[_table("rows", "Hình thức và hồ sơ", [("no", "STT"), ("award_name", "Hình thức"),
                                                                  ("who", "Đối tượng"), ("dossier", "Thành phần hồ sơ")],
                                   rows)],
                    recipients=["Các phòng, ban, đơn vị thuộc Văn phòng;", STORE])


# --- a unit's documents (variables of the unit's instance, plus the campaign's) -------------

def _unit_issuer(variables: Mapping[str, Any], unit_variables: Mapping[str, Any]) -> dict:
    """A unit writes under the Office: "VĂN PHÒNG UBND TỈNH SƠN LA" above "PHÒNG TỔNG HỢP"."""
    office = Issuer.of(variables).as_context()
    parent = f"{office['name']} {office['parent']}"
    return {**office, "parent": parent, "name": (unit_variables.get("unitName") or "").upper(),
            "signer_title": "TRƯỞNG PHÒNG", "signer_name": unit_variables.get("headName") or ""}


def unit_proposal(variables: Mapping[str, Any], unit_variables: Mapping[str, Any], number: Any = None,
                  on: Any = None) -> dict:
    """Tờ trình + Danh sách đề nghị khen thưởng of a unit; rows add achievements, eligibility
    (the rules' reason); `unit_results` is the unit's own account."""
    unit_name = unit_variables.get("unitName") or ""
    nominees = [{**n, "unitName": unit_name} for n in unit_variables.get("checkedNominees")
                or unit_variables.get("nominees") or []]
    rows = person_rows(nominees, achievements=lambda n: n.get("achievements") or "",
                       eligibility=lambda n: n.get("reason") or "")
    results = unit_variables.get("unitResults") if isinstance(unit_variables.get("unitResults"), str) else ""
    body = [f"Thực hiện Kế hoạch số {variables.get('planNumber') or '...'} về {variables.get('campaignName') or ''},"
            f" {unit_name} đã tổ chức bình xét và báo cáo kết quả như sau:", results,
            f"{unit_name} đề nghị Hội đồng Thi đua, Khen thưởng Văn phòng xem xét, khen thưởng"
            f" {len(rows)} tập thể, cá nhân có tên trong danh sách kèm theo."]
    issuer = _unit_issuer(variables, unit_variables)
    return document(variables, "unit_proposal", kind_name="TỜ TRÌNH", symbol="TTr", number=number,
                    on=on or unit_variables.get("reportedOn"), issuer=issuer,
                    summary=f"Đề nghị khen thưởng {variables.get('campaignName') or ''}",
                    addressee="Hội đồng Thi đua, Khen thưởng Văn phòng (qua phòng TCHCQT)",
                    body=[p for p in body if p],
                    tables=[_table("rows", "Danh sách đề nghị khen thưởng",
                                   PERSON + [("achievements", "Thành tích"), ("eligibility", "Điều kiện")], rows)],
                    recipients=["Như trên;", f"Lưu: {unit_name}."], annex_title="DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG",
                    unit_name=unit_name, unit_results=results)


def achievement_report(variables: Mapping[str, Any], unit_variables: Mapping[str, Any], nominee_id: str,
                       on: Any = None) -> dict:
    """Báo cáo thành tích đề nghị tặng ... of one nominee, the decree's form for an individual
    (mẫu cá nhân) or a collective (mẫu tập thể): `form` is "individual" or "collective";
    `nominee` {full_name, unit_name, award_name, kind_label}; `sections` [{title, text}];
    `criteria` [{no, text, met, evidence}] for a collective. Signed by the nominee (individual)
    or the unit head (collective): `signer.name`."""
    unit_name = unit_variables.get("unitName") or ""
    found = [n for n in unit_variables.get("checkedNominees") or unit_variables.get("nominees") or []
             if n.get("id") == nominee_id or n.get("nomineeId") == nominee_id]
    if not found:
        raise KeyError(f"{nominee_id!r} is not a nominee of {unit_name or 'this unit'}")
    nominee = found[0]
    form = nominee.get("kind") or "individual"
    award = nominee.get("award") or ""
    person = {"full_name": nominee.get("fullName") or "", "unit_name": unit_name, "award": award,
              "award_name": AWARD_NAMES.get(award, award), "kind_label": KIND_LABELS.get(form, form),
              "position": nominee.get("position") or ""}
    criteria = [{"no": i, "text": c.get("text") or c.get("id") or "", "met": "Đạt" if c.get("met") else "Chưa đạt",
                 "evidence": c.get("evidence") or ""} for i, c in enumerate(nominee.get("criteria") or [], start=1)]
    who = "tập thể" if form == "collective" else "cá nhân"
    sections = [
        {"title": "I. SƠ LƯỢC " + ("ĐẶC ĐIỂM, TÌNH HÌNH" if form == "collective" else "LÝ LỊCH"),
         "text": (f"{person['full_name']}, đơn vị thuộc {Issuer.of(variables).name.lower()} UBND tỉnh"
                  f" {Issuer.of(variables).place}." if form == "collective"
                  else f"Họ và tên: {person['full_name']};"
                  + (f" chức vụ: {person['position']};" if person["position"] else "")
                  + f" đơn vị công tác: {unit_name}.")},
        {"title": "II. THÀNH TÍCH ĐẠT ĐƯỢC", "text": nominee.get("achievementReport") or nominee.get("achievements") or ""},
        {"title": "III. CÁC HÌNH THỨC ĐÃ ĐƯỢC KHEN THƯỞNG", "text": nominee.get("pastAwards") or "Không."},
    ]
    issuer = _unit_issuer(variables, unit_variables)
    signer_name = person["full_name"] if form == "individual" else issuer["signer_name"]
    return document(variables, "achievement_report", kind_name="BÁO CÁO THÀNH TÍCH", symbol="BC", number=None,
                    on=on or unit_variables.get("reportedOn"), issuer=issuer,
                    summary=f"Đề nghị tặng {person['award_name']}",
                    body=[f"Báo cáo thành tích của {who} {person['full_name']} trong {variables.get('campaignName') or ''}."],
                    tables=[_table("rows", "Tiêu chí", [("no", "STT"), ("text", "Tiêu chí"), ("met", "Kết quả"),
                                                        ("evidence", "Minh chứng")], criteria)],
                    recipients=[],
                    signer={"authority": "", "title": "NGƯỜI BÁO CÁO" if form == "individual" else "THỦ TRƯỞNG ĐƠN VỊ",
                            "name": signer_name},
                    form=form, nominee=person, sections=sections, criteria=criteria)


# --- the council ----------------------------------------------------------------------------

def council_list(variables: Mapping[str, Any], number: Any = None, on: Any = None) -> dict:
    """Danh sách trình Hội đồng: rows add eligibility (the reason) and appraisal_note; the table
    `not_eligible` lists those left off, each with its reason."""
    rows = person_rows(variables.get("candidates") or [], eligibility=lambda c: c.get("reason") or "",
                       appraisal_note=lambda c: c.get("appraisalNote") or "")
    left = person_rows(variables.get("notEligible") or [], reason=lambda c: c.get("reason") or "")
    body = [f"Thực hiện Kế hoạch số {variables.get('planNumber') or '...'}, phòng TCHCQT đã thẩm định hồ sơ"
            f" của các đơn vị và trình Hội đồng Thi đua, Khen thưởng danh sách {len(rows)} tập thể, cá nhân"
            " đủ điều kiện xem xét khen thưởng."]
    return document(variables, "council_list", kind_name="TỜ TRÌNH", symbol="TTr",
                    number=number or variables.get("submissionNumber"), on=on or variables.get("submittedOn"),
                    summary=f"Danh sách trình Hội đồng Thi đua, Khen thưởng xét khen thưởng {_campaign(variables)}",
                    addressee="Hội đồng Thi đua, Khen thưởng Văn phòng", body=body,
                    tables=[_table("rows", "Danh sách trình Hội đồng",
                                   PERSON + [("eligibility", "Điều kiện"), ("appraisal_note", "Ý kiến thẩm định")], rows),
                            _table("not_eligible", "Không trình Hội đồng", PERSON + [("reason", "Lý do")], left)],
                    recipients=["Như trên;", "Chánh Văn phòng (để b/c);", STORE])
