"""The documents a campaign's steps issued: what the portal lists, downloads and signs.

A step that produces documents is followed in the BPMN by an `issue_document` service task
(workflows/documents/issuing.py). When the step completes, that task takes the number from the
register (sổ văn bản đi) and stores one row per document here, with a frozen snapshot of what the
document says (the context of kinds.build, with its number and date) and the DOCX template version
in force. Nothing is rendered then: the files are made on first request, from the snapshot and the
pinned template version, and kept. The snapshot never changes after issue, so a document prints the
same whatever happens later to the process variables or the Office's templates.

    store = DocumentStore(db, TemplateStore(db))
    for doc in store.for_campaign(campaign_instance_id):    # the campaign's and its units'
        doc.title, doc.number, doc.issued_on, store.formats(doc)
    store.content(doc.id, "docx")                            # bytes (rendered once, then cached)
    store.sign(doc.id, "minhtb", os.environ)                 # the signed PDF, kept beside the unsigned
    store.signature(doc.id, os.environ)                      # [SignatureReport] or None if unsigned
    store.drafts(["chief_decision"], campaign_variables)     # what an open task will issue: no number

Errors a portal shows as they are (each message is "Vietnamese / English"): NotFoundError (no such
document, or not signed), DocumentFileError (a format the document does not have; HTTP 400/404),
ConflictError (already signed: the signed file is never replaced; HTTP 409), and SigningError
(workflows/documents/signing.py: no certificate configured, a wrong passphrase). A refused call
writes nothing.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Sequence

from sqlalchemy import Engine, and_, func, insert, select
from sqlalchemy.exc import IntegrityError

from engine.errors import ConflictError, EngineError, NotFoundError
from workflows.documents import kinds as kinds_module
from workflows.documents import batch, renditions
from workflows.documents.kinds import KINDS, document_title, nominees_with_reports, parse_kinds
from workflows.documents.pdf_render import DocumentRenderError
from workflows.documents.templates_store import TemplateStore
from workflows.models import CampaignDocument, CampaignDocumentFile

if TYPE_CHECKING:
    from workflows.documents.signing import SignatureReport

DOC = CampaignDocument.__table__
FILE = CampaignDocumentFile.__table__
MESSAGES = {
    "not_found": ("Không có văn bản số hiệu {id}.", "There is no document with id {id}."),
    "format": ("'{fmt}' không phải là định dạng văn bản (docx, pdf, xlsx).", "'{fmt}' is not a document format "
               "(docx, pdf, xlsx)."),
    "no_format": ("{title} không có bản {fmt}.", "{title} has no {fmt} file."),
    "not_signed": ("{title} chưa được ký số.", "{title} has not been signed."),
    "signed": ("{title} đã được ký số lúc {at} ({signer}): bản đã ký không bao giờ bị ghi đè.",
               "{title} was already signed at {at} ({signer}): a signed file is never replaced."),
    "kind": ("'{kind}' không phải là loại văn bản ({known}).", "'{kind}' is not a kind of document ({known})."),
}


def _message(code: str, **params: Any) -> str:
    vietnamese, english = MESSAGES[code]
    return f"{vietnamese.format(**params)} / {english.format(**params)}"


class DocumentFileError(EngineError, ValueError):
    """A format the document does not have, or a format that does not exist (vi / en)."""


@dataclass(frozen=True)
class Document:
    """One issued document. `issue` counts the runs of its step: a unit resubmitting after a
    return issues its tờ trình again (issue 2, a new number), and the earlier one stays with
    `current` False. `context` is the frozen snapshot (the keys are listed in contexts.py)."""
    id: int
    campaign_instance_id: str  # the campaign's instance, also for a unit's documents
    instance_id: str  # the instance whose step issued it (the campaign's, or a unit's)
    business_key: str | None
    element_id: str  # the issuing service task
    step_name: str | None
    issue: int
    kind: str
    nominee_id: str | None  # an achievement report's nominee
    title: str
    number: str | None  # "07/QĐ-VPUB"; None for a document issued without one (a report, a list)
    register_kind: str | None  # "QĐ-VPUB"
    issued_on: date
    issued_at: datetime
    template_version: int  # of the DOCX template (0: the default one)
    context: dict
    current: bool = True
    has_list: bool = False  # the list's variables were frozen with it: there is an XLSX to make


@dataclass(frozen=True)
class StoredFile:
    document_id: int
    format: str
    signed: bool
    sha256: str
    size: int
    created_at: datetime
    signer: str | None


@dataclass(frozen=True)
class Draft:
    """What an open task's step will issue, as it stands now: no number, no register entry."""
    kind: str
    nominee_id: str | None
    title: str
    context: dict


@dataclass(frozen=True)
class NewDocument:
    """What the issue_document handler hands to DocumentStore.record (see issuing.py)."""
    reference: str
    campaign_instance_id: str
    instance_id: str
    business_key: str | None
    element_id: str
    step_name: str | None
    issue: int
    kind: str
    nominee_id: str | None
    title: str
    number: str | None
    register_kind: str | None
    issued_on: date
    issued_at: datetime
    template_version: int
    context: dict
    list_source: dict | None


_COLUMNS = [DOC.c[name] for name in ("id", "campaign_instance_id", "instance_id", "business_key", "element_id",
                                     "step_name", "issue", "kind", "nominee_id", "title", "number", "register_kind",
                                     "issued_on", "issued_at", "template_version", "context")]
_NEWER = DOC.alias("newer")
# A document is current while its step has not issued the same document again.
_CURRENT = ~select(_NEWER.c.id).where(and_(
    _NEWER.c.instance_id == DOC.c.instance_id, _NEWER.c.element_id == DOC.c.element_id,
    _NEWER.c.kind == DOC.c.kind, _NEWER.c.issue > DOC.c.issue,
    func.coalesce(_NEWER.c.nominee_id, "") == func.coalesce(DOC.c.nominee_id, ""))).exists()


def _document(row) -> Document:
    values = dict(row._mapping)
    values["context"] = json.loads(values["context"])
    values["current"] = bool(values.pop("current"))
    values["has_list"] = bool(values.pop("has_list"))
    return Document(**values)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


class DocumentStore:
    def __init__(self, db: Engine, templates: TemplateStore | None = None) -> None:
        self.db = db
        self.templates = templates or TemplateStore(db)

    # -- reading -----------------------------------------------------------------------------

    def _select(self, *where) -> list[Document]:
        with self.db.connect() as conn:
            rows = conn.execute(select(*_COLUMNS, _CURRENT.label("current"),
                                       DOC.c.list_source.isnot(None).label("has_list")).where(*where)
                                .order_by(DOC.c.issued_at, DOC.c.id))
            return [_document(row) for row in rows]

    def get(self, doc_id: int) -> Document:
        """The document; NotFoundError (vi / en) when there is none with that id."""
        found = self._select(DOC.c.id == doc_id) if isinstance(doc_id, int) else []
        if not found:
            raise NotFoundError(_message("not_found", id=doc_id))
        return found[0]

    def for_instance(self, instance_id: str) -> list[Document]:
        """What the steps of one instance issued, in the order they issued it."""
        return self._select(DOC.c.instance_id == instance_id)

    def for_campaign(self, campaign_instance_id: str) -> list[Document]:
        """Every document of a campaign: its own steps' and its units' (the instances its call
        activity started), in the order they were issued, earlier issues included (`current`)."""
        return self._select(DOC.c.campaign_instance_id == campaign_instance_id)

    def campaigns(self, business_key: str | None = None) -> list[tuple[str, str | None]]:
        """(campaign instance id, business key) of every campaign with documents, or of those with
        this business key (a unit's instances carry their campaign's), oldest first."""
        first = func.min(DOC.c.id)
        query = select(DOC.c.campaign_instance_id, func.max(DOC.c.business_key)).group_by(DOC.c.campaign_instance_id)
        if business_key is not None:
            query = query.where(DOC.c.business_key == business_key)
        with self.db.connect() as conn:
            return [(row[0], row[1]) for row in conn.execute(query.order_by(first))]

    def formats(self, doc: Document) -> list[str]:
        """The formats `content` gives for this document: always "docx"; "pdf" when its kind's PDF
        template prints it; "xlsx" for a kind with a list (unit_proposal, council_list,
        council_minutes, report) issued with the list's variables."""
        found = ["docx"]
        if self._stored(doc.id, "pdf", False) is not None or renditions.pdf_printable(doc.kind, doc.context):
            found.append("pdf")
        if doc.kind in renditions.LISTS and doc.has_list:
            found.append("xlsx")
        return found

    def files(self, doc_id: int) -> list[StoredFile]:
        """The files made so far (the signed PDF among them, `signed` True)."""
        with self.db.connect() as conn:
            rows = conn.execute(select(FILE.c.document_id, FILE.c.format, FILE.c.signed, FILE.c.sha256,
                                       func.length(FILE.c.content).label("size"), FILE.c.created_at, FILE.c.signer)
                                .where(FILE.c.document_id == doc_id).order_by(FILE.c.id))
            return [StoredFile(**row._mapping) for row in rows]

    def _stored(self, doc_id: int, fmt: str, signed: bool) -> bytes | None:
        with self.db.connect() as conn:
            content = conn.scalar(select(FILE.c.content).where(FILE.c.document_id == doc_id, FILE.c.format == fmt,
                                                                FILE.c.signed == signed))
        return None if content is None else bytes(content)

    # -- files -------------------------------------------------------------------------------

    def content(self, doc_id: int, fmt: str, signed: bool = False) -> bytes:
        """The document as `fmt` ("docx", "pdf", "xlsx"): made from the snapshot on the first call,
        then the same bytes every time. `signed=True` gives the signed PDF (NotFoundError before
        it is signed)."""
        if fmt not in renditions.FORMATS:
            raise DocumentFileError(_message("format", fmt=fmt))
        doc = self.get(doc_id)
        stored = self._stored(doc.id, fmt, signed)
        if stored is not None:
            return stored
        if signed:
            raise NotFoundError(_message("not_signed", title=doc.title))
        try:
            data = self._render(doc, fmt)
        except DocumentRenderError:
            raise DocumentFileError(_message("no_format", title=doc.title, fmt=fmt.upper())) from None
        return self._keep(doc.id, fmt, data)

    def prepare(self, docs: Iterable[Document], workers: int | None = None,
                progress: Callable[..., None] | None = None) -> int:
        """Makes and keeps every file of `docs` not made yet, on every core (batch.py); what
        `content` then gives is read back. Returns how many files were made. `progress` (a batch's,
        engine/management/batches.py) hears of each file kept: progress(done, total, "rendering", title)."""
        missing = [(doc, fmt) for doc in docs for fmt in self.formats(doc) if self._stored(doc.id, fmt, False) is None]
        made = batch.render_each([self._job(doc, fmt) for doc, fmt in missing], workers)
        for done, ((doc, fmt), data) in enumerate(zip(missing, made), start=1):
            self._keep(doc.id, fmt, data)
            if progress is not None:
                progress(done, len(missing), "rendering", f"{doc.title} ({fmt.upper()})")
        return len(missing)

    def _render(self, doc: Document, fmt: str) -> bytes:
        return renditions.render(*self._job(doc, fmt))

    def _job(self, doc: Document, fmt: str) -> batch.Job:
        template = self.templates.content(doc.kind, doc.template_version) if fmt == "docx" else None
        source = None
        if fmt == "xlsx":
            with self.db.connect() as conn:
                raw = conn.scalar(select(DOC.c.list_source).where(DOC.c.id == doc.id))
            source = json.loads(raw) if raw else None
        return (doc.kind, fmt, doc.context, template, source)

    def _keep(self, doc_id: int, fmt: str, data: bytes, signed: bool = False, signer: str | None = None) -> bytes:
        """Stores a file; of two made at the same moment the first stored is the one kept."""
        try:
            with self.db.begin() as conn:
                conn.execute(insert(FILE).values(document_id=doc_id, format=fmt, signed=signed, content=data,
                                                 sha256=hashlib.sha256(data).hexdigest(),
                                                 created_at=datetime.now(timezone.utc), signer=signer))
        except IntegrityError:
            if signed:
                raise
            return self._stored(doc_id, fmt, signed)
        return data

    # -- signing -----------------------------------------------------------------------------

    def sign(self, doc_id: int, signer: str, environ: Mapping[str, str] | None = None) -> StoredFile:
        """Signs the document's PDF with the Office's configured certificate (THIDUA_SIGNING_P12,
        THIDUA_SIGNING_PASSPHRASE in `environ`, default os.environ) and keeps the signed file as a
        file of its own, recording `signer` (the user who signed). A document signed already is
        refused with ConflictError and its signed file stays as it was."""
        from workflows.documents.signing import SigningConfig, load_p12_signer, sign_pdf  # pyHanko: only here
        doc = self.get(doc_id)
        self._refuse_if_signed(doc)
        signer_key = load_p12_signer(SigningConfig.from_env(environ))  # a wrong configuration writes nothing
        pdf = self.content(doc.id, "pdf")
        signed = sign_pdf(pdf, signer_key, location=doc.context.get("issuer", {}).get("place"))
        try:
            self._keep(doc.id, "pdf", signed, signed=True, signer=signer)
        except IntegrityError:  # signed by someone else meanwhile
            self._refuse_if_signed(doc)
            raise
        return next(f for f in self.files(doc.id) if f.signed)

    def _refuse_if_signed(self, doc: Document) -> None:
        for stored in self.files(doc.id):
            if stored.signed:
                raise ConflictError(_message("signed", title=doc.title, signer=stored.signer or "?",
                                             at=f"{stored.created_at:%d/%m/%Y %H:%M}"))

    def signature(self, doc_id: int, environ: Mapping[str, str] | None = None) -> list[SignatureReport] | None:
        """The signatures of the signed PDF checked against the Office's certificate; None when the
        document is not signed."""
        from workflows.documents.signing import configured_trust_roots, verify_pdf
        doc = self.get(doc_id)
        signed = self._stored(doc.id, "pdf", True)
        return None if signed is None else verify_pdf(signed, configured_trust_roots(environ))

    # -- drafts ------------------------------------------------------------------------------

    def drafts(self, kinds: Sequence[str] | str, campaign_variables: Mapping[str, Any],
               unit_variables: Mapping[str, Any] | None = None,
               nominee_ids: Iterable[str] | None = None) -> list[Draft]:
        """The documents a task page shows while its task is open (the task's `documents`
        property: a list or "a, b"): built from the variables as they are, without a number and
        without touching the register. A unit's kinds need `unit_variables`; an achievement report
        is drafted for each of `nominee_ids` (default: every nominee of the unit with a report).
        KeyError names a kind that does not exist (a deployed model cannot name one)."""
        wanted = parse_kinds(kinds if isinstance(kinds, str) else ",".join(kinds))
        drafts = []
        for kind in wanted:
            if KINDS[kind].scope == "nominee":
                ids = list(nominee_ids) if nominee_ids is not None else nominees_with_reports(unit_variables or {})
                for nominee_id in ids:
                    context = kinds_module.build(kind, campaign_variables, unit_variables, nominee_id=nominee_id)
                    drafts.append(Draft(kind, nominee_id, document_title(kind, context), context))
            else:
                context = kinds_module.build(kind, campaign_variables, unit_variables)
                drafts.append(Draft(kind, None, document_title(kind, context), context))
        return drafts

    def draft_content(self, draft: Draft, fmt: str) -> bytes:
        """A draft as "docx" (the template in force) or "pdf": made each time, kept nowhere, since a
        draft changes with the task's data; DocumentFileError for another format."""
        if fmt not in ("docx", "pdf"):
            raise DocumentFileError(_message("format", fmt=fmt))
        template = self.templates.current(draft.kind) if fmt == "docx" else None
        try:
            return renditions.render(draft.kind, fmt, draft.context, template, None)
        except DocumentRenderError as err:
            raise DocumentFileError(str(err)) from None

    # -- issuing (the issue_document handler) ------------------------------------------------

    def record(self, documents: Sequence[NewDocument]) -> list[Document]:
        """Stores what one step issued, all or nothing. A document already stored under its
        reference (the step retried after its transaction was lost) is kept as it was."""
        with self.db.begin() as conn:
            for new in documents:
                if conn.scalar(select(DOC.c.id).where(DOC.c.reference == new.reference)) is None:
                    values = {k: v for k, v in new.__dict__.items() if k not in ("context", "list_source")}
                    conn.execute(insert(DOC).values(**values, context=_json(new.context),
                                                    list_source=None if new.list_source is None
                                                    else _json(new.list_source)))
        return self._select(DOC.c.reference.in_([new.reference for new in documents]))

