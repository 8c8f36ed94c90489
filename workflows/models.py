"""The campaign side's own tables: the Office's units and staff directory.

They live in the same database as the engine's tables but under their own metadata and their own
Alembic environment (workflows/migrations, version table `alembic_version_campaign`): engine/
never imports workflows/, so it cannot know these tables.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (Boolean, CheckConstraint, Date, ForeignKey, Integer, LargeBinary, MetaData, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from engine.persistence import NAMING, UtcDateTime

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


# Kinds of open matter that keep a person from being considered for commendation (Luật Thi đua,
# khen thưởng 2022, art. 15 and its decree): under disciplinary review, investigation, inspection,
# or with a complaint or denunciation being handled.
PENDING_CASE_KINDS = ("discipline_review", "investigation", "inspection", "complaint", "denunciation")
COUNCIL_ROLES = ("chair", "vice_chair", "member", "secretary")
AWARD_FORMS = ("buc_truong", "bang_khen", "giay_khen")
NOMINEE_KINDS = ("individual", "collective")


class PendingCase(CampaignBase):
    """An open matter in the staff register; `closed_on` is set when it is settled."""

    __tablename__ = "pending_case"
    __table_args__ = (CheckConstraint(f"kind IN ({_quoted(PENDING_CASE_KINDS)})", name="ck_pending_case_kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff_member.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    opened_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)


class CouncilMember(CampaignBase):
    """A member of the Office's Emulation and Commendation Council (Hội đồng TĐKT), as appointed by
    the Office's decision; the secretary is a voting member (ủy viên thư ký)."""

    __tablename__ = "council_member"
    __table_args__ = (CheckConstraint(f"role IN ({_quoted(COUNCIL_ROLES)})", name="ck_council_member_role"),)

    staff_id: Mapped[str] = mapped_column(ForeignKey("staff_member.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))


class AwardRecord(CampaignBase):
    """The register of commendations (sổ theo dõi khen thưởng): one row per award decided for a
    person (`staff_id`) or a collective (`unit_code` and its name), with the decision."""

    __tablename__ = "award_record"
    __table_args__ = (
        UniqueConstraint("campaign_key", "nominee_id", "award", name="uq_award_record_campaign_key_nominee_id_award"),
        CheckConstraint(f"award IN ({_quoted(AWARD_FORMS)})", name="ck_award_record_award"),
        CheckConstraint(f"kind IN ({_quoted(NOMINEE_KINDS)})", name="ck_award_record_kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff_member.id"), index=True)
    unit_code: Mapped[str | None] = mapped_column(ForeignKey("org_unit.code"), index=True)
    full_name: Mapped[str] = mapped_column(String(255))  # the person's or the collective's name then
    award: Mapped[str] = mapped_column(String(16))
    authority: Mapped[str] = mapped_column(String(255))  # who conferred it
    decision_number: Mapped[str | None] = mapped_column(String(64))
    decision_date: Mapped[date | None] = mapped_column(Date)
    campaign_key: Mapped[str] = mapped_column(String(255))  # the campaign's business key
    campaign_name: Mapped[str | None] = mapped_column(Text)
    nominee_id: Mapped[str] = mapped_column(String(160))  # "unit:nom-…", the campaign's candidate id


class DocumentTemplate(CampaignBase):
    """A DOCX template the Office uploaded for a kind of document (workflows/documents/kinds.py);
    every upload is a new version, the newest is in force; a kind without one uses the default."""

    __tablename__ = "document_template"
    __table_args__ = (UniqueConstraint("kind", "version", name="uq_document_template_kind_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[str] = mapped_column(String(255))
    # UTC whatever the backend keeps: SQLite drops the offset of an Office-time upload.
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime)


DOCUMENT_FORMATS = ("docx", "pdf", "xlsx")


class CampaignDocument(CampaignBase):
    """A document a step of a campaign issued (workflows/documents/store.py): its number from the
    register (none for an achievement report or a list), its date, and a frozen snapshot of what
    it says (`context`, the JSON of kinds.build) with the template version in force at issue, so
    the document renders the same however the process or the templates change later. A step run
    again (a unit resubmitting after a return) issues a new `issue`; the earlier rows stay."""

    __tablename__ = "campaign_document"
    __table_args__ = (UniqueConstraint("reference", name="uq_campaign_document_reference"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # The campaign's instance: the issuing instance itself, or the one whose call activity started it.
    campaign_instance_id: Mapped[str] = mapped_column(String(36), index=True)
    instance_id: Mapped[str] = mapped_column(String(36), index=True)
    business_key: Mapped[str | None] = mapped_column(String(255))
    element_id: Mapped[str] = mapped_column(String(255))  # the issuing service task
    step_name: Mapped[str | None] = mapped_column(String(255))
    issue: Mapped[int] = mapped_column(Integer)  # 1, then 2, ... each time the step runs again
    kind: Mapped[str] = mapped_column(String(32))  # workflows/documents/kinds.py
    nominee_id: Mapped[str | None] = mapped_column(String(160))
    title: Mapped[str] = mapped_column(Text)
    number: Mapped[str | None] = mapped_column(String(64))  # "07/QĐ-VPUB"
    register_kind: Mapped[str | None] = mapped_column(String(32))  # "QĐ-VPUB"
    issued_on: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    template_version: Mapped[int] = mapped_column(Integer)  # 0: the default template
    context: Mapped[str] = mapped_column(Text)  # JSON
    list_source: Mapped[str | None] = mapped_column(Text)  # JSON: the variables its XLSX list reads
    # instance:element:issue:kind:nominee, so a retried step finds what it already issued.
    reference: Mapped[str] = mapped_column(String(500))


class CampaignDocumentFile(CampaignBase):
    """A rendered file of an issued document, made on first request and kept; the signed PDF is a
    row of its own beside the unsigned one, and the unique key makes it impossible to overwrite."""

    __tablename__ = "campaign_document_file"
    __table_args__ = (
        UniqueConstraint("document_id", "format", "signed", name="uq_campaign_document_file_document_id_format_signed"),
        CheckConstraint(f"format IN ({_quoted(DOCUMENT_FORMATS)})", name="ck_campaign_document_file_format"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("campaign_document.id", ondelete="CASCADE"))
    format: Mapped[str] = mapped_column(String(8))
    signed: Mapped[bool] = mapped_column(Boolean)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    signer: Mapped[str | None] = mapped_column(String(255))  # who signed (the portal user)
