"""Statistics of commendations from the award register (the award_record table): how many awards
by campaign, year (of the decision), unit and form of award, collective and individual; and the
same counts as an XLSX the office sends on or files.

The register is the source, not a campaign's variables: it holds every campaign's awards, the
finished ones and those recorded before this software, and it is what Sở Nội vụ's yearly figures
are drawn from.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from sqlalchemy import Engine, extract, func, select

from workflows.vietnamese import text_sort_key
from workflows.documents.official import AWARD_NAMES, Issuer
from workflows.documents.xlsx_layout import add_sheet, add_total, new_workbook, office_head, to_bytes
from workflows.models import AWARD_FORMS, AwardRecord, OrgUnit

KINDS = ("collective", "individual")
NO_UNIT = "—"  # an award recorded without a unit


@dataclass(frozen=True)
class Count:
    """How many awards of one form, to collectives or to individuals, one campaign gave a unit in a year."""
    campaign_key: str
    campaign_name: str | None
    year: int | None  # of the decision; None when it was recorded undated
    unit_code: str | None
    unit_name: str | None
    award: str
    kind: str
    count: int

    @property
    def award_name(self) -> str:
        return AWARD_NAMES.get(self.award, self.award)


class AwardStatistics:
    def __init__(self, db: Engine) -> None:
        self._db = db

    def counts(self, campaign_key: str | None = None, year: int | None = None) -> list[Count]:
        """The register grouped by campaign, year, unit, form and kind; one campaign's or one
        year's when given. Sorted by campaign, year, unit name, form (AWARD_FORMS order), kind."""
        year_of = extract("year", AwardRecord.decision_date)
        query = (select(AwardRecord.campaign_key, func.max(AwardRecord.campaign_name), year_of, AwardRecord.unit_code,
                        func.max(OrgUnit.name), AwardRecord.award, AwardRecord.kind, func.count())
                 .join(OrgUnit, OrgUnit.code == AwardRecord.unit_code, isouter=True)
                 .group_by(AwardRecord.campaign_key, year_of, AwardRecord.unit_code, AwardRecord.award,
                           AwardRecord.kind))
        if campaign_key is not None:
            query = query.where(AwardRecord.campaign_key == campaign_key)
        if year is not None:
            query = query.where(year_of == year)
        with self._db.connect() as connection:
            found = [Count(key, name, int(y) if y is not None else None, unit, unit_name, award, kind, int(n))
                     for key, name, y, unit, unit_name, award, kind, n in connection.execute(query)]
        return sorted(found, key=_order)


def totals(counts: Iterable[Count], by: str) -> dict[Any, dict[str, int]]:
    """Counts summed by one dimension ("award", "unit_name", "year", "campaign_key"), each as
    {"collective": n, "individual": n, "total": n}; the keys in the order the counts come."""
    result: dict[Any, Counter] = {}
    for count in counts:
        key = getattr(count, by)
        if by == "unit_name":
            key = count.unit_name or count.unit_code or NO_UNIT
        bucket = result.setdefault(key, Counter())
        bucket[count.kind] += count.count
        bucket["total"] += count.count
    return {key: {"collective": c["collective"], "individual": c["individual"], "total": c["total"]}
            for key, c in result.items()}


def chart(counts: Iterable[Count]) -> dict:
    """What the campaign page draws: one bar pair per form of award and per unit, with the
    largest total (the bars' scale)."""
    counts = list(counts)
    forms = totals(counts, "award")
    by_form = [{"award": a, "label": AWARD_NAMES[a], **forms[a]} for a in AWARD_FORMS if a in forms]
    units = totals(sorted(counts, key=lambda c: text_sort_key(c.unit_name or c.unit_code or "")), "unit_name")
    by_unit = [{"label": name, **values} for name, values in units.items()]
    largest = max([row["total"] for row in by_form + by_unit], default=0)
    return {"by_form": by_form, "by_unit": by_unit, "largest": largest,
            "total": sum(c.count for c in counts),
            "collective": sum(c.count for c in counts if c.kind == "collective"),
            "individual": sum(c.count for c in counts if c.kind == "individual")}


def statistics_xlsx(counts: Iterable[Count], variables: Mapping[str, Any] | None = None) -> bytes:
    """The counts as a workbook: one row per campaign, year, unit and form, with collective,
    individual and total columns and a total row. `variables` (a campaign's) give the issuer and
    the title line; without them the Office's default issuer and every campaign."""
    v = variables or {}
    rows: dict[tuple, Counter] = {}
    names: dict[str, str] = {}
    for count in counts:
        key = (count.campaign_key, count.year, count.unit_name or count.unit_code or NO_UNIT, count.award)
        names[count.campaign_key] = count.campaign_name or count.campaign_key
        rows.setdefault(key, Counter())[count.kind] += count.count
    table = [[names[key], year if year is not None else "", unit, AWARD_NAMES.get(award, award),
              c["collective"], c["individual"], c["collective"] + c["individual"]]
             for (key, year, unit, award), c in rows.items()]
    subtitle = v.get("campaignName") or "Tất cả các đợt thi đua"
    workbook = new_workbook()
    sheet = add_sheet(workbook, "Thống kê", office_head(Issuer.of(v), "Thống kê khen thưởng", subtitle),
                      ["Đợt thi đua", "Năm", "Đơn vị", "Hình thức khen thưởng", "Tập thể", "Cá nhân", "Tổng cộng"],
                      table, landscape=True)
    add_total(sheet, "Tổng cộng", ["", "", "", *(sum(r[i] for r in table) for i in (4, 5, 6))])
    return to_bytes(workbook)


def _order(count: Count) -> tuple:
    form = AWARD_FORMS.index(count.award) if count.award in AWARD_FORMS else len(AWARD_FORMS)
    return (count.campaign_key, count.year or 0, text_sort_key(count.unit_name or count.unit_code or ""), form,
            KINDS.index(count.kind) if count.kind in KINDS else len(KINDS))
