"""The register of commendations (sổ theo dõi khen thưởng): every award decided, per person and per
collective, with who conferred it, the decision's number and date, and the campaign.

The `announce_results` service task writes the campaign's `awarded` list here. A service task may
run again (a retry after a failure): the register's unique key (campaign, nominee, award) makes a
second write of the same entry write nothing. Eligibility reads it back (`sameAwardInCampaign`).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Iterable, Mapping

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from engine.errors import ConflictError, EngineError
from workflows.campaign_rules import AWARD_NAMES
from workflows.models import AWARD_FORMS, NOMINEE_KINDS, AwardRecord, OrgUnit, StaffMember

# Who confers each award (DOMAIN.md, "Awards").
AUTHORITIES = {
    "giay_khen": "Chánh Văn phòng UBND tỉnh",
    "bang_khen": "Chủ tịch UBND tỉnh",
    "buc_truong": "Ủy ban nhân dân tỉnh",
}
ATTEMPTS = 3


class AwardRegisterError(EngineError, ValueError):
    """An awarded entry the register cannot record; nothing of the list was written."""


@dataclass(frozen=True)
class Award:
    kind: str
    staff_id: str | None
    unit_code: str | None
    full_name: str
    award: str
    authority: str
    decision_number: str | None
    decision_date: date | None
    campaign_key: str
    campaign_name: str | None
    nominee_id: str
    id: int | None = None

    @property
    def award_name(self) -> str:
        return AWARD_NAMES.get(self.award, self.award)


def _nfc(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return " ".join(unicodedata.normalize("NFC", str(value)).split())


def _day(value: Any, where: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise AwardRegisterError(f"{where}: decisionDate {value!r} is not a date") from None


def entry_row(entry: Mapping[str, Any], campaign_key: str, campaign_name: str | None) -> dict:
    """The register's row for one entry of `awarded` (workflows/decisions.final_results)."""
    where = f"awarded entry {entry.get('nomineeId')!r}"
    nominee_id, kind, award = entry.get("nomineeId"), entry.get("kind"), entry.get("award")
    if not isinstance(nominee_id, str) or not nominee_id:
        raise AwardRegisterError(f"{where}: no nomineeId")
    if kind not in NOMINEE_KINDS:
        raise AwardRegisterError(f"{where}: kind must be one of {', '.join(NOMINEE_KINDS)}, not {kind!r}")
    if award not in AWARD_FORMS:
        raise AwardRegisterError(f"{where}: award must be one of {', '.join(AWARD_FORMS)}, not {award!r}")
    staff_id = entry.get("userId") if kind == "individual" else None
    if kind == "individual" and not staff_id:
        raise AwardRegisterError(f"{where}: an individual needs a userId")
    name = _nfc(entry.get("fullName")) or _nfc(entry.get("unitName"))
    if name is None:
        raise AwardRegisterError(f"{where}: no fullName")
    return {"kind": kind, "staff_id": staff_id, "unit_code": entry.get("unit") or None, "full_name": name,
            "award": award, "authority": AUTHORITIES[award], "decision_number": _nfc(entry.get("decisionNumber")),
            "decision_date": _day(entry.get("decisionDate"), where), "campaign_key": campaign_key,
            "campaign_name": _nfc(campaign_name), "nominee_id": nominee_id}


class AwardRegister:
    def __init__(self, db: Engine) -> None:
        self._sessions = sessionmaker(db, expire_on_commit=False)

    def record(self, awarded: Iterable[Mapping[str, Any]], campaign_key: str, campaign_name: str | None) -> int:
        """Writes one row per awarded entry not yet in the register; returns how many were new.
        A bad entry (unknown person or unit, no award) raises and nothing is written."""
        if not isinstance(campaign_key, str) or not campaign_key:
            raise AwardRegisterError(f"the campaign key must be a text, not {campaign_key!r}")
        rows = [entry_row(e, campaign_key, campaign_name) for e in awarded or []]
        for _ in range(ATTEMPTS):
            try:
                with self._sessions.begin() as session:
                    _require_known(session, rows)
                    stored = set(session.execute(select(AwardRecord.nominee_id, AwardRecord.award)
                                                 .where(AwardRecord.campaign_key == campaign_key)).all())
                    new = [r for r in rows if (r["nominee_id"], r["award"]) not in stored]
                    session.add_all(AwardRecord(**r) for r in new)
                return len(new)
            except IntegrityError:
                continue  # the same task ran at the same moment: read again what it wrote
        raise ConflictError(f"the award register of {campaign_key} is busy: try again")

    def of_person(self, staff_id: str) -> list[Award]:
        return self._query(AwardRecord.staff_id == staff_id, AwardRecord.kind == "individual")

    def of_collective(self, unit_code: str) -> list[Award]:
        """The collective awards of a unit (the unit itself or a team of it)."""
        return self._query(AwardRecord.unit_code == unit_code, AwardRecord.kind == "collective")

    def of_campaign(self, campaign_key: str) -> list[Award]:
        return self._query(AwardRecord.campaign_key == campaign_key)

    def has(self, staff_id: str, award: str, campaign_key: str) -> bool:
        """Whether the person already holds this award from this campaign."""
        with self._sessions() as session:
            return session.scalar(select(AwardRecord.id).where(
                AwardRecord.staff_id == staff_id, AwardRecord.award == award,
                AwardRecord.campaign_key == campaign_key).limit(1)) is not None

    def _query(self, *where) -> list[Award]:
        """Newest decision first; undated ones last."""
        with self._sessions() as session:
            rows = list(session.scalars(select(AwardRecord).where(*where).order_by(AwardRecord.id)))
        awards = [_award(r) for r in rows]
        return sorted(awards, key=lambda a: (a.decision_date is None, -(a.decision_date or date.min).toordinal()))


def _require_known(session: Session, rows: list[dict]) -> None:
    people = {r["staff_id"] for r in rows if r["staff_id"]}
    units = {r["unit_code"] for r in rows if r["unit_code"]}
    known_people = set(session.scalars(select(StaffMember.id).where(StaffMember.id.in_(people)))) if people else set()
    known_units = set(session.scalars(select(OrgUnit.code).where(OrgUnit.code.in_(units)))) if units else set()
    if people - known_people:
        raise AwardRegisterError(f"not in the staff directory: {', '.join(sorted(people - known_people))}")
    if units - known_units:
        raise AwardRegisterError(f"not in the list of units: {', '.join(sorted(units - known_units))}")


def _award(row: AwardRecord) -> Award:
    return Award(row.kind, row.staff_id, row.unit_code, row.full_name, row.award, row.authority,
                 row.decision_number, row.decision_date, row.campaign_key, row.campaign_name, row.nominee_id, row.id)
