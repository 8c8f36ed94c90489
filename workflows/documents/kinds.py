"""Every document kind of a campaign, its title, and the one call that builds its context.

`scope` says what a kind is drawn from: "campaign" (the campaign instance's variables), "unit"
(also a unit instance's variables) or "nominee" (also the nominee's id in that unit).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from workflows.documents import contexts as c
from workflows.documents import contexts_decision as d


@dataclass(frozen=True)
class Kind:
    key: str
    title: str  # the document's name, as a list of documents shows it
    scope: str
    build: Callable[..., dict]


KINDS = {k.key: k for k in (
    Kind("guidance", "Hướng dẫn hồ sơ đề nghị khen thưởng", "campaign", c.guidance),
    Kind("unit_proposal", "Tờ trình và Danh sách đề nghị khen thưởng của đơn vị", "unit", c.unit_proposal),
    Kind("achievement_report", "Báo cáo thành tích", "nominee", c.achievement_report),
    Kind("council_list", "Danh sách trình Hội đồng Thi đua, Khen thưởng", "campaign", c.council_list),
    Kind("council_minutes", "Biên bản họp Hội đồng Thi đua, Khen thưởng", "campaign", d.council_minutes),
    Kind("chief_decision", "Quyết định tặng Giấy khen", "campaign", d.chief_decision),
    Kind("chairman_proposal", "Tờ trình đề nghị Chủ tịch UBND tỉnh tặng Bằng khen, Bức trướng", "campaign",
         d.chairman_proposal),
    Kind("announcement", "Thông báo kết quả khen thưởng", "campaign", d.announcement),
    Kind("report", "Báo cáo kết quả gửi Sở Nội vụ", "campaign", d.report),
)}


def build(kind: str, variables: Mapping[str, Any], unit_variables: Mapping[str, Any] | None = None,
          nominee_id: str | None = None, number: Any = None, on: Any = None) -> dict:
    """The context of `kind`; `number` (from the document register) and `on` (the date) override
    what the variables hold; no number makes a draft ("Số: .../QĐ-VPUB")."""
    if kind not in KINDS:
        raise KeyError(f"{kind!r} is not a document kind ({', '.join(KINDS)})")
    spec = KINDS[kind]
    if spec.scope == "campaign":
        return spec.build(variables, number=number, on=on)
    if unit_variables is None:
        raise ValueError(f"the {kind} document is a unit's: give the unit instance's variables")
    if spec.scope == "unit":
        return spec.build(variables, unit_variables, number=number, on=on)
    if not nominee_id:
        raise ValueError("an achievement report is a nominee's: give the nominee's id")
    return spec.build(variables, unit_variables, nominee_id, on=on)


# The least a campaign holds, enough to build every kind: what a template may name is the keys
# of this context, and the default templates take their list tables' columns from it.
_SAMPLE_NOMINEE = {"id": "nom-x", "kind": "individual", "fullName": "Nguyễn Văn A", "award": "giay_khen"}
_SAMPLE_UNIT = {"unit": "x", "unitName": "Phòng X", "checkedNominees": [_SAMPLE_NOMINEE]}


def sample_context(kind: str) -> dict:
    """The context of `kind` from a near-empty campaign: its keys and its tables' columns."""
    return build(kind, {"planNumber": "01/KH-VPUB", "campaignName": "Đợt thi đua"}, _SAMPLE_UNIT,
                 nominee_id=_SAMPLE_NOMINEE["id"])


def context_keys(kind: str) -> frozenset[str]:
    """The variables a template of `kind` may use."""
    return frozenset(sample_context(kind))
