"""Every document kind of a campaign, its title, and the one call that builds its context.

`scope` says what a kind is drawn from: "campaign" (the campaign instance's variables), "unit"
(also a unit instance's variables) or "nominee" (also the nominee's id in that unit).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
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


def parse_kinds(value: str) -> list[str]:
    """The kinds named in a `documents` property ("unit_proposal, achievement_report"); KeyError
    naming the unknown ones, ValueError when none or one twice."""
    names = [name.strip() for name in (value or "").split(",") if name.strip()]
    if not names:
        raise ValueError(f"name at least one kind of document ({', '.join(KINDS)})")
    unknown = [name for name in names if name not in KINDS]
    if unknown:
        raise KeyError(f"{', '.join(repr(n) for n in unknown)} is not a kind of document ({', '.join(KINDS)})")
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise ValueError(f"{', '.join(twice)} is named twice")
    return names


def nominees_with_reports(unit_variables: Mapping[str, Any]) -> list[str]:
    """The ids of the unit's nominees who wrote an achievement report, in the list's order."""
    nominees = unit_variables.get("checkedNominees") or unit_variables.get("nominees") or []
    return [n["id"] for n in nominees if n.get("id") and (n.get("achievementReport") or "").strip()]


def document_title(kind: str, context: Mapping[str, Any]) -> str:
    """The kind's title, with the nominee's name for an achievement report and the unit's for a
    unit's proposal."""
    title = KINDS[kind].title
    nominee = context.get("nominee") if isinstance(context.get("nominee"), Mapping) else None
    if nominee and nominee.get("full_name"):
        return f"{title} – {nominee['full_name']}"
    if context.get("unit_name"):
        return f"{title} – {context['unit_name']}"
    return title


# A small campaign with one of everything (a collective and a person on every list), enough to
# build every kind: a template may name the keys of its kind's context (top level) and the keys of
# its rows; the default templates take their tables' columns from it.
_PERSON = {"nomineeId": "x:nom-a", "id": "nom-a", "unit": "x", "unitName": "Phòng X", "kind": "individual",
           "userId": "a", "fullName": "Nguyễn Văn A", "award": "giay_khen", "reason": "Đủ điều kiện",
           "achievements": "Hoàn thành xuất sắc nhiệm vụ", "achievementReport": "Báo cáo", "appraisalNote": "",
           "votes": {"for": 3, "against": 0, "abstain": 0}, "decisionNumber": "01/QĐ-VPUB",
           "decisionDate": "2025-08-20"}
_TEAM = {**_PERSON, "nomineeId": "x:nom-x", "id": "nom-x", "kind": "collective", "userId": None,
         "fullName": "Phòng X", "award": "bang_khen", "decisionNumber": "1/QĐ-UBND",
         "criteria": [{"id": "c", "text": "Tiêu chí", "met": True, "evidence": "Biên bản"}]}
_SAMPLE = {"planNumber": "01/KH-VPUB", "campaignName": "Đợt thi đua", "units": [{"code": "x", "name": "Phòng X"}],
           "candidates": [_PERSON, _TEAM], "notEligible": [_PERSON], "awardees": [_PERSON, _TEAM], "rejected": [],
           "chiefAwardees": [_PERSON], "chairmanAwardees": [_TEAM], "awarded": [_PERSON, _TEAM], "notAwarded": [_TEAM],
           "council": [{"staffId": "a", "fullName": "Nguyễn Văn A", "role": "chair", "unit": "x"},
                       {"staffId": "b", "fullName": "Lê Thị B", "role": "secretary", "unit": "x"}],
           "presentMembers": ["a", "b"], "present": 2, "quorumReached": True,
           "votes": [{"nomineeId": n["nomineeId"], "for": 2, "against": 0, "abstain": 0} for n in (_PERSON, _TEAM)]}
_SAMPLE_UNIT = {"unit": "x", "unitName": "Phòng X", "unitResults": "Tốt", "checkedNominees": [_PERSON, _TEAM]}


def sample_contexts(kind: str) -> list[dict]:
    """The contexts of `kind` from the small campaign; the achievement report in both its forms."""
    nominees = [_PERSON["id"], _TEAM["id"]] if KINDS[kind].scope == "nominee" else [None]
    return [build(kind, _SAMPLE, _SAMPLE_UNIT, nominee_id=n) for n in nominees]


def sample_context(kind: str) -> dict:
    return sample_contexts(kind)[0]


def context_keys(kind: str) -> frozenset[str]:
    """The variables a template of `kind` may use."""
    return frozenset(sample_context(kind))


@dataclass(frozen=True)
class Placeholder:
    """A key a template may write, as the Office writes it in Word: `value` as {{ name }}, `record`
    as {{ name.field }}, `list` (of texts) and `rows` (of records) in a {% for %} loop."""
    name: str
    shape: str
    fields: tuple[str, ...] = ()


@lru_cache(maxsize=None)
def placeholders(kind: str) -> tuple[Placeholder, ...]:
    """The keys of `kind`'s context in the context's order, with the fields of its records and rows
    gathered over every sample (the achievement report's criteria exist only in its collective form)."""
    shapes: dict[str, str] = {}
    fields: dict[str, dict[str, None]] = {}
    for context in sample_contexts(kind):
        for name, value in context.items():
            items = value if isinstance(value, list) else [value]
            records = [item for item in items if isinstance(item, dict)]
            shape = ("rows" if records else "list") if isinstance(value, list) else (
                "record" if records else "value")
            if shapes.get(name) in (None, "list"):  # an empty list in one sample is rows in another
                shapes[name] = shape
            for record in records:
                fields.setdefault(name, {}).update(dict.fromkeys(record))
    return tuple(Placeholder(name, shape, tuple(fields.get(name, ()))) for name, shape in shapes.items())
