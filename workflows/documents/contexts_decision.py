"""The documents from the council's meeting to the report to Sở Nội vụ (keys: see contexts.py)."""
from __future__ import annotations

from collections import Counter
from typing import Any, Mapping

from workflows.vietnamese import person_sort_key
from workflows.campaign_rules import CHIEF_AWARDS
from workflows.council import ROLE_NAMES, ROLE_ORDER
from workflows.documents.contexts import PERSON, STORE, _campaign, _table, dmy, document, person_rows
from workflows.documents.official import AWARD_NAMES, Issuer


def _unit_names(variables: Mapping[str, Any]) -> dict[str, str]:
    return {u.get("code"): u.get("name") for u in variables.get("units") or []}


def council_minutes(variables: Mapping[str, Any], number: Any = None, on: Any = None) -> dict:
    """Biên bản họp Hội đồng TĐKT. `members` [{no, full_name, role_label, unit_name, attendance}]
    ("Có mặt"/"Vắng mặt"); rows add votes_for, votes_against, votes_abstain, result ("Đạt"/"Không
    đạt") and reason; `present`, `members_count`, `quorum` ("Đủ"/"Không đủ"); `secretary`
    {title, name}; the chair signs (`signer`)."""
    units = _unit_names(variables)
    present_ids = set(variables.get("presentMembers") or [])
    seats = sorted(variables.get("council") or [], key=lambda s: (ROLE_ORDER.get(s.get("role"), 9),
                                                                  person_sort_key(s.get("fullName") or "")))
    members = [{"no": i, "full_name": s.get("fullName") or "", "role": s.get("role") or "",
                "role_label": ROLE_NAMES.get(s.get("role"), (s.get("role") or "",))[0],
                "unit_name": units.get(s.get("unit")) or "",
                "attendance": "Có mặt" if s.get("staffId") in present_ids else "Vắng mặt"}
               for i, s in enumerate(seats, start=1)]
    votes = {v.get("nomineeId"): v for v in variables.get("votes") or []}
    passed = {a.get("nomineeId") for a in variables.get("awardees") or []}
    reasons = {r.get("nomineeId"): r.get("reason") or "" for r in variables.get("rejected") or []}
    rows = person_rows(variables.get("candidates") or [],
                       votes_for=lambda c: votes.get(c["nomineeId"], {}).get("for", 0),
                       votes_against=lambda c: votes.get(c["nomineeId"], {}).get("against", 0),
                       votes_abstain=lambda c: votes.get(c["nomineeId"], {}).get("abstain", 0),
                       result=lambda c: "Đạt" if c["nomineeId"] in passed else "Không đạt",
                       reason=lambda c: reasons.get(c["nomineeId"], ""))
    rule = variables.get("meetingRule") or variables.get("passRule") or {}
    present = int(variables.get("present") or len(present_ids))
    quorum = "Đủ" if variables.get("quorumReached") else "Không đủ"
    chair = next((m for m in members if m["role"] == "chair"), None)
    secretary = next((m for m in members if m["role"] == "secretary"), None)
    body = [f"Hội đồng Thi đua, Khen thưởng Văn phòng họp ngày {dmy(variables.get('meetingDate'))} xét khen thưởng"
            f" {_campaign(variables)}.",
            f"Thành viên Hội đồng: {rule.get('members', len(members))}; có mặt: {present}. Số thành viên dự họp"
            f" {quorum.lower()} theo quy chế của Hội đồng.",
            f"Hội đồng đã biểu quyết từng tập thể, cá nhân: {sum(r['result'] == 'Đạt' for r in rows)} đạt,"
            f" {sum(r['result'] != 'Đạt' for r in rows)} không đạt (chi tiết tại bảng kèm theo).",
            "Biên bản được thông qua tại cuộc họp."]
    return document(variables, "council_minutes", kind_name="BIÊN BẢN", symbol="BB", number=number,
                    on=on or variables.get("meetingDate"),
                    summary=f"Họp Hội đồng Thi đua, Khen thưởng xét khen thưởng {variables.get('campaignName') or ''}",
                    body=body,
                    tables=[_table("rows", "Kết quả biểu quyết", PERSON + [
                        ("votes_for", "Tán thành"), ("votes_against", "Không tán thành"), ("votes_abstain", "Không ý kiến"),
                        ("result", "Kết quả")], rows),
                            _table("members", "Thành viên Hội đồng", [("no", "STT"), ("full_name", "Họ và tên"),
                                                                      ("role_label", "Chức danh"),
                                                                      ("unit_name", "Đơn vị"),
                                                                      ("attendance", "Dự họp")], members)],
                    recipients=["Chánh Văn phòng;", "Thành viên Hội đồng;", STORE],
                    signer={"authority": "", "title": "CHỦ TỊCH HỘI ĐỒNG", "name": chair["full_name"] if chair else ""},
                    secretary={"title": "THƯ KÝ", "name": secretary["full_name"] if secretary else ""},
                    present=present, members_count=rule.get("members", len(members)), quorum=quorum)


def _chief_rows(variables: Mapping[str, Any]) -> list[dict]:
    awardees = variables.get("chiefAwardees")
    if awardees is None:
        awardees = [a for a in variables.get("awardees") or [] if a.get("award") in CHIEF_AWARDS]
    return person_rows(awardees)


def chief_decision(variables: Mapping[str, Any], number: Any = None, on: Any = None) -> dict:
    """Quyết định tặng Giấy khen + Danh sách kèm theo; `grounds` (căn cứ) and `articles` (Điều 1..3)
    are lists of paragraphs; `collectives` and `individuals` count the rows."""
    rows = _chief_rows(variables)
    collectives = sum(r["kind"] == "collective" for r in rows)
    individuals = len(rows) - collectives
    award_name = AWARD_NAMES["giay_khen"]
    grounds = ["Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;",
               "Căn cứ Nghị định số 152/2025/NĐ-CP của Chính phủ quy định chi tiết một số điều của Luật Thi đua,"
               " khen thưởng;",
               f"Căn cứ Kế hoạch số {variables.get('planNumber') or '...'} về {variables.get('campaignName') or ''};",
               f"Theo đề nghị của Hội đồng Thi đua, Khen thưởng Văn phòng tại cuộc họp ngày"
               f" {dmy(variables.get('meetingDate'))}."]
    articles = [f"Điều 1. Tặng {award_name} cho {collectives} tập thể và {individuals} cá nhân (có danh sách kèm"
                f" theo) đã có thành tích xuất sắc trong {variables.get('campaignName') or ''}.",
                "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.",
                "Điều 3. Trưởng phòng TCHCQT, Thủ trưởng các đơn vị có liên quan và các tập thể, cá nhân có tên"
                " tại Điều 1 chịu trách nhiệm thi hành Quyết định này."]
    return document(variables, "chief_decision", kind_name="QUYẾT ĐỊNH", symbol="QĐ",
                    number=number or variables.get("decisionNumber"), on=on or variables.get("decisionDate"),
                    summary=f"Về việc tặng {award_name}", body=grounds + articles,
                    tables=[_table("rows", "Danh sách tập thể, cá nhân được tặng " + award_name,
                                   PERSON, rows)],
                    recipients=["Như Điều 3;", "Lãnh đạo Văn phòng;", STORE],
                    annex_title=f"DANH SÁCH TẬP THỂ, CÁ NHÂN ĐƯỢC TẶNG {award_name.upper()}",
                    grounds=grounds, articles=articles, collectives=collectives, individuals=individuals,
                    decider=f"{Issuer.of(variables).signer_title} {Issuer.of(variables).parent}")


def chairman_proposal(variables: Mapping[str, Any], number: Any = None, on: Any = None) -> dict:
    """Tờ trình đề nghị Chủ tịch UBND tỉnh tặng Bằng khen, Bức trướng + danh sách; rows add
    votes_for and eligibility (the rules' reason: a case for the Chairman's discretion says why)."""
    awardees = variables.get("chairmanAwardees")
    if awardees is None:
        awardees = [a for a in variables.get("awardees") or [] if a.get("award") not in CHIEF_AWARDS]
    rows = person_rows(awardees, votes_for=lambda a: (a.get("votes") or {}).get("for", 0),
                       eligibility=lambda a: a.get("reason") or "")
    place = Issuer.of(variables).place
    body = [f"Căn cứ kết quả {_campaign(variables)} và kết quả họp Hội đồng Thi đua, Khen thưởng Văn phòng ngày"
            f" {dmy(variables.get('meetingDate'))},",
            f"Văn phòng kính trình Chủ tịch UBND tỉnh xem xét, tặng Bằng khen, Bức trướng cho {len(rows)} tập thể,"
            " cá nhân có tên trong danh sách kèm theo.",
            "Văn phòng kính trình Chủ tịch UBND tỉnh xem xét, quyết định."]
    return document(variables, "chairman_proposal", kind_name="TỜ TRÌNH", symbol="TTr",
                    number=number or variables.get("proposalNumber"), on=on or variables.get("proposalDate"),
                    summary="Đề nghị Chủ tịch UBND tỉnh tặng Bằng khen, Bức trướng",
                    addressee=f"Chủ tịch Ủy ban nhân dân tỉnh {place}", body=body,
                    tables=[_table("rows", "Danh sách đề nghị tặng Bằng khen, Bức trướng",
                                   PERSON + [("votes_for", "Số phiếu tán thành"), ("eligibility", "Điều kiện")], rows)],
                    recipients=["Như trên;", "Ban Thi đua - Khen thưởng (Sở Nội vụ);", STORE],
                    annex_title="DANH SÁCH ĐỀ NGHỊ TẶNG BẰNG KHEN, BỨC TRƯỚNG")


def _awarded_rows(variables: Mapping[str, Any]) -> list[dict]:
    return person_rows(variables.get("awarded") or [], decision_number=lambda a: a.get("decisionNumber") or "",
                       decision_date=lambda a: dmy(a.get("decisionDate")))


def announcement(variables: Mapping[str, Any], number: Any = None, on: Any = None) -> dict:
    """Thông báo kết quả: rows are what was awarded, with decision_number and decision_date
    (dd/mm/yyyy); `not_awarded` lists the Chairman's refusals with the reason."""
    rows = _awarded_rows(variables)
    refused = person_rows(variables.get("notAwarded") or [], reason=lambda a: a.get("reason") or "")
    body = [f"Văn phòng thông báo kết quả khen thưởng {_campaign(variables)}: {len(rows)} tập thể, cá nhân được"
            " khen thưởng, theo danh sách dưới đây.",
            "Lễ trao tặng được tổ chức nhân kỷ niệm ngày truyền thống, ngày "
            f"{dmy(variables.get('anniversaryDate'))}."]
    return document(variables, "announcement", kind_name="THÔNG BÁO", symbol="TB",
                    number=number or variables.get("announcementNumber"), on=on or variables.get("announcementDate"),
                    summary=f"Kết quả khen thưởng {variables.get('campaignName') or ''}", body=body,
                    tables=[_table("rows", "Danh sách được khen thưởng", PERSON + [
                        ("decision_number", "Số quyết định"), ("decision_date", "Ngày quyết định")], rows),
                            _table("not_awarded", "Không được khen thưởng", PERSON + [("reason", "Lý do")], refused)],
                    recipients=["Các phòng, ban, đơn vị thuộc Văn phòng;", "Cổng thông tin điện tử Văn phòng;", STORE])


def _counts(rows: list[dict], key: str, label: str, names: Mapping[str, str]) -> list[dict]:
    kinds = Counter((r[key], r["kind"]) for r in rows)
    order = list(dict.fromkeys([*names, *(r[key] for r in rows)]))
    counted = []
    for value in order:
        collective, individual = kinds[(value, "collective")], kinds[(value, "individual")]
        if collective or individual:
            counted.append({"no": len(counted) + 1, label: names.get(value, value), "collective": collective,
                            "individual": individual, "total": collective + individual})
    return counted


def report(variables: Mapping[str, Any], number: Any = None, on: Any = None) -> dict:
    """Báo cáo kết quả gửi Sở Nội vụ. rows: the awarded (as the announcement); `by_award`
    [{no, award_name, collective, individual, total}]; `by_unit` [{no, unit_name, collective,
    individual, total}]; `totals` {collective, individual, total}; `proposed` (how many units proposed)."""
    rows = _awarded_rows(variables)
    by_award = _counts(rows, "award", "award_name", AWARD_NAMES)
    by_unit = _counts(rows, "unit_name", "unit_name", {n: n for n in _unit_names(variables).values() if n})
    collectives = sum(r["kind"] == "collective" for r in rows)
    totals = {"collective": collectives, "individual": len(rows) - collectives, "total": len(rows)}
    counts = [("no", "STT"), ("collective", "Tập thể"), ("individual", "Cá nhân"), ("total", "Tổng")]
    body = [f"Thực hiện Kế hoạch số {variables.get('planNumber') or '...'} về {variables.get('campaignName') or ''},"
            f" Văn phòng báo cáo kết quả như sau: {len(variables.get('units') or [])} đơn vị tham gia;"
            f" {len(variables.get('candidates') or [])} tập thể, cá nhân được trình Hội đồng;"
            f" {totals['total']} được khen thưởng ({totals['collective']} tập thể, {totals['individual']} cá nhân).",
            "Kết quả theo hình thức khen thưởng và theo đơn vị tại các bảng kèm theo."]
    return document(variables, "report", kind_name="BÁO CÁO", symbol="BC",
                    number=number or variables.get("reportNumber"), on=on or variables.get("reportDate"),
                    summary=f"Kết quả {variables.get('campaignName') or ''}", addressee="Sở Nội vụ tỉnh "
                    + Issuer.of(variables).place, body=body,
                    tables=[_table("rows", "Danh sách được khen thưởng", PERSON + [
                        ("decision_number", "Số quyết định"), ("decision_date", "Ngày quyết định")], rows),
                            _table("by_award", "Theo hình thức khen thưởng",
                                   [counts[0], ("award_name", "Hình thức")] + counts[1:], by_award),
                            _table("by_unit", "Theo đơn vị", [counts[0], ("unit_name", "Đơn vị")] + counts[1:], by_unit)],
                    recipients=["Sở Nội vụ (Ban Thi đua - Khen thưởng);", "Chánh Văn phòng (để b/c);", STORE],
                    totals=totals)
