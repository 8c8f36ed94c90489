"""The campaign's lists as spreadsheets (openpyxl), from the process variables alone: the office
opens them in Excel, edits, prints them with the paper they accompany.

- `unit_nominees(unit_variables, campaign_variables=None)`: Danh sách đề nghị khen thưởng of one
  unit (its instance's `checkedNominees`, else `nominees`);
- `council_list(variables)`: Danh sách trình Hội đồng (`candidates`, grouped by form of award);
- `council_result(variables)`: the council's result (`awardees` and `rejected` with their votes);
- `results_report(variables)`: Báo cáo kết quả gửi Sở Nội vụ (`awarded`: counts by form, by unit,
  collective and individual, and the list with each decision).

Pure functions: variables in, XLSX bytes out. People are listed collectives first by name, then
individuals by given name, Vietnamese-style (workflows.campaign_rules.candidate_sort_key).
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Iterable, Mapping

from workflows.vietnamese import text_sort_key
from workflows.campaign_rules import candidate_sort_key
from workflows.documents.official import AWARD_NAMES, Issuer, as_date
from workflows.documents.xlsx_layout import (Head, Section, add_sheet, add_total, dmy, new_workbook, office_head,
                                             to_bytes)

KINDS = {"collective": "Tập thể", "individual": "Cá nhân"}
ROUTES = {"chairman_discretion": "Chủ tịch UBND tỉnh xem xét", "blocked": "Không xét khen thưởng"}
ELIGIBLE = "Đủ điều kiện"
PASSED, FAILED = "Đạt", "Không đạt"
# The forms as the by-unit table's column headings name them (the full names would not fit).
_SHORT = {"buc_truong": "Bức trướng", "bang_khen": "Bằng khen", "giay_khen": "Giấy khen"}


def unit_nominees(unit_variables: Mapping[str, Any], campaign_variables: Mapping[str, Any] | None = None) -> bytes:
    """The unit's list as it proposes it: every nominee, with the form proposed, the achievements
    and what the eligibility rules said (a blocked nominee stays on it, with the reason)."""
    v = unit_variables
    issuer = Issuer.of(campaign_variables or v)
    unit_name = v.get("unitName") or v.get("unit") or ""
    head = Head((f"{issuer.name} {issuer.parent}", unit_name.upper()), "Danh sách đề nghị khen thưởng",
                tuple(s for s in (_campaign_line(campaign_variables or v),
                                  f"(Kèm theo báo cáo của {unit_name} ngày {dmy(v.get('reportedOn'))})"
                                  if v.get("reportedOn") else "") if s))
    nominees = sorted(v.get("checkedNominees") or v.get("nominees") or [], key=candidate_sort_key)
    rows = [[n.get("fullName"), KINDS.get(n.get("kind"), n.get("kind")), _award(n.get("award")),
             n.get("achievements") or "", eligibility(n)] for n in nominees]
    workbook = new_workbook()
    add_sheet(workbook, "Danh sách đề nghị", head,
              ["Họ và tên / Tên tập thể", "Cá nhân / Tập thể", "Hình thức đề nghị", "Thành tích", "Điều kiện"],
              rows, landscape=True)
    return to_bytes(workbook)


def council_list(variables: Mapping[str, Any]) -> bytes:
    """The list TCHCQT submits to the council: the candidates under each form of award, with the
    eligibility decision's reason and the appraiser's note."""
    v = variables
    submission = (f"(Kèm theo Tờ trình số {v['submissionNumber']} ngày {dmy(v.get('submittedOn'))})"
                  if v.get("submissionNumber") else "")
    head = office_head(Issuer.of(v), "Danh sách trình Hội đồng Thi đua - Khen thưởng", _campaign_line(v), submission)
    rows = [row for award, group in by_award(v.get("candidates") or []) for row in
            [Section(_award(award)), *([c.get("fullName"), c.get("unitName") or c.get("unit"),
                                        KINDS.get(c.get("kind"), c.get("kind")), eligibility(c),
                                        c.get("appraisalNote") or ""] for c in group)]]
    workbook = new_workbook()
    add_sheet(workbook, "Trình Hội đồng", head,
              ["Họ và tên / Tên tập thể", "Đơn vị", "Cá nhân / Tập thể", "Điều kiện", "Ý kiến thẩm định"],
              rows, landscape=True)
    return to_bytes(workbook)


def council_result(variables: Mapping[str, Any]) -> bytes:
    """The meeting's result: every candidate voted on, under its form, with the ballots for,
    against and abstaining, and whether the campaign's pass rule passed it."""
    v = variables
    members = len(v.get("council") or [])
    meeting = f"Phiên họp ngày {dmy(v.get('meetingDate'))}" if v.get("meetingDate") else ""
    if meeting and v.get("present") is not None:
        meeting += f"; thành viên dự họp: {v['present']}" + (f"/{members}" if members else "")
    head = office_head(Issuer.of(v), "Kết quả biểu quyết của Hội đồng Thi đua - Khen thưởng",
                       _campaign_line(v), meeting)
    decided = [{**a, "passed": True} for a in v.get("awardees") or []] + \
              [{**r, "passed": False} for r in v.get("rejected") or []]
    rows = [row for award, group in by_award(decided) for row in
            [Section(_award(award)), *(_vote_row(c) for c in group)]]
    workbook = new_workbook()
    add_sheet(workbook, "Kết quả biểu quyết", head,
              ["Họ và tên / Tên tập thể", "Đơn vị", "Tán thành", "Không tán thành", "Không biểu quyết",
               "Kết quả", "Ghi chú"], rows, landscape=True)
    return to_bytes(workbook)


def results_report(variables: Mapping[str, Any]) -> bytes:
    """Báo cáo kết quả gửi Sở Nội vụ: three sheets from `awarded` — by form of award, by unit
    (collective and individual each), and the list of awardees with their decisions."""
    v = variables
    awarded = list(v.get("awarded") or [])
    report = f"(Kèm theo Báo cáo số {v['reportNumber']})" if v.get("reportNumber") else ""
    issuer = Issuer.of(v)
    workbook = new_workbook()
    kinds = Counter((a.get("award"), a.get("kind")) for a in awarded)
    forms = [[_award(award), kinds[(award, "collective")], kinds[(award, "individual")],
              kinds[(award, "collective")] + kinds[(award, "individual")]] for award in AWARD_NAMES]
    sheet = add_sheet(workbook, "Theo hình thức", office_head(
        issuer, "Tổng hợp kết quả khen thưởng theo hình thức", _campaign_line(v), report),
        ["Hình thức khen thưởng", "Tập thể", "Cá nhân", "Tổng cộng"], forms)
    add_total(sheet, "Tổng cộng", _column_sums(forms, 4))
    units = _by_unit(awarded)
    sheet = add_sheet(workbook, "Theo đơn vị", office_head(
        issuer, "Tổng hợp kết quả khen thưởng theo đơn vị", _campaign_line(v), report),
        ["Đơn vị", *(f"{name} - {kind}" for name in _SHORT.values() for kind in ("Tập thể", "Cá nhân")),
         "Tổng cộng"], units, landscape=True)
    add_total(sheet, "Tổng cộng", _column_sums(units, 2 + 2 * len(_SHORT)))
    listing = [row for award, group in by_award(awarded) for row in
               [Section(_award(award)), *([a.get("fullName"), a.get("unitName") or a.get("unit"),
                                           KINDS.get(a.get("kind"), a.get("kind")), a.get("decisionNumber") or "",
                                           as_date(a.get("decisionDate"))] for a in group)]]
    add_sheet(workbook, "Danh sách", office_head(issuer, "Danh sách tập thể, cá nhân được khen thưởng",
                                                 _campaign_line(v), report),
              ["Họ và tên / Tên tập thể", "Đơn vị", "Cá nhân / Tập thể", "Số quyết định", "Ngày quyết định"],
              listing, landscape=True)
    return to_bytes(workbook)


# The campaign-wide sheets by file name, for an export that writes them all from the campaign's variables.
CAMPAIGN_SHEETS = {"danh-sach-trinh-hoi-dong.xlsx": council_list, "ket-qua-bieu-quyet.xlsx": council_result,
                   "bao-cao-ket-qua.xlsx": results_report}


def by_award(entries: Iterable[Mapping[str, Any]]) -> list[tuple[str, list[Mapping[str, Any]]]]:
    """The entries under each form of award, in the order of AWARD_NAMES (unknown forms last),
    each group sorted collectives first, then individuals by given name."""
    entries = list(entries)
    order = list(AWARD_NAMES) + sorted({str(e.get("award")) for e in entries} - set(AWARD_NAMES))
    groups = [(award, sorted((e for e in entries if str(e.get("award")) == award), key=candidate_sort_key))
              for award in order]
    return [(award, group) for award, group in groups if group]


def eligibility(entry: Mapping[str, Any]) -> str:
    """What the eligibility decision said: "Đủ điều kiện", or its reason and where the case goes."""
    reason, route = entry.get("reason") or "", entry.get("route")
    if route in ROUTES:
        return f"{reason} ({ROUTES[route]})" if reason and ROUTES[route] not in reason else reason or ROUTES[route]
    return reason or (ELIGIBLE if entry.get("eligible") or route == "council" else "")



def _by_unit(awarded: list[Mapping[str, Any]]) -> list[list]:
    names = {a.get("unit"): a.get("unitName") or a.get("unit") for a in awarded}
    counts = Counter((a.get("unit"), a.get("award"), a.get("kind")) for a in awarded)
    rows = []
    for unit in sorted(names, key=lambda u: text_sort_key(str(names[u] or ""))):
        cells = [counts[(unit, award, kind)] for award in _SHORT for kind in ("collective", "individual")]
        rows.append([names[unit], *cells, sum(cells)])
    return rows


def _column_sums(rows: list[list], columns: int) -> list[int]:
    """The sums of the count columns (all but the first, the name), zeros for an empty table."""
    return [sum(row[i] for row in rows) for i in range(1, columns)]


def _vote_row(entry: Mapping[str, Any]) -> list:
    votes = entry.get("votes") if isinstance(entry.get("votes"), Mapping) else {}
    tallies = [votes.get(k) if votes else None for k in ("for", "against", "abstain")]
    note = "" if entry["passed"] else entry.get("reason") or ""
    return [entry.get("fullName"), entry.get("unitName") or entry.get("unit"), *tallies,
            PASSED if entry["passed"] else FAILED, note]


def _award(award: Any) -> str:
    return AWARD_NAMES.get(award, str(award or ""))


def _campaign_line(v: Mapping[str, Any]) -> str:
    """"<campaign name> (Kế hoạch số 05/KH-VPUB ngày 05/06/2025)"."""
    name = v.get("campaignName") or ""
    plan = v.get("planNumber")
    if not plan:
        return name
    when = f" ngày {dmy(v.get('planDate'))}" if v.get("planDate") else ""
    return f"{name} (Kế hoạch số {plan}{when})".strip()
