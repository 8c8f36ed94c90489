"""The campaign side's own tables: the Office's units and staff directory.

They live in the same database as the engine's tables but under their own metadata and their own
Alembic environment (workflows/migrations, version table `alembic_version_campaign`): engine/
never imports workflows/, so it cannot know these tables.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from engine.models import NAMING

UNIT_KINDS = ("phong", "trung_tam", "ban")
# Annual ratings of a civil servant, best first (the codes bpmn/eligibility.dmn compares).
RATINGS = ("excellent", "good", "completed", "not_completed")


def _quoted(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


class CampaignBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class OrgUnit(CampaignBase):
    """A unit of the Office (phòng, trung tâm, ban); `code` is what `unit:<code>` groups name."""

    __tablename__ = "org_unit"
    __table_args__ = (CheckConstraint(f"kind IN ({_quoted(UNIT_KINDS)})", name="ck_org_unit_kind"),)

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class StaffMember(CampaignBase):
    """A person working at the Office; `id` is the user name (BPMN assignee, portal login)."""

    __tablename__ = "staff_member"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    full_name: Mapped[str] = mapped_column(String(255))
    unit_code: Mapped[str] = mapped_column(ForeignKey("org_unit.code"), index=True)
    position: Mapped[str | None] = mapped_column(String(255))
    office_start_date: Mapped[date] = mapped_column(Date)
    email: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class YearlyRating(CampaignBase):
    """The annual rating (xếp loại) of one person for one year."""

    __tablename__ = "yearly_rating"
    __table_args__ = (UniqueConstraint("staff_id", "year", name="uq_yearly_rating_staff_id_year"),
                      CheckConstraint(f"rating IN ({_quoted(RATINGS)})", name="ck_yearly_rating_rating"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff_member.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    rating: Mapped[str] = mapped_column(String(16))


class DisciplinaryRecord(CampaignBase):
    """A disciplinary action (kỷ luật) decided against a person."""

    __tablename__ = "disciplinary_record"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff_member.id", ondelete="CASCADE"), index=True)
    decided_on: Mapped[date] = mapped_column(Date)
    form: Mapped[str] = mapped_column(String(255))
    note: Mapped[str | None] = mapped_column(Text)


class IssuedDocument(CampaignBase):
    """The Office's register of outgoing documents (sổ văn bản đi): numbers restart every year,
    per kind of document, as Nghị định 30/2020/NĐ-CP has them ("Số: 12/QĐ-VPUB")."""

    __tablename__ = "issued_document"
    __table_args__ = (UniqueConstraint("kind", "year", "number", name="uq_issued_document_kind_year_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))  # e.g. "QĐ-VPUB", "TB-VPUB"
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str | None] = mapped_column(String(255))  # the business key it was issued for
    title: Mapped[str | None] = mapped_column(Text)
