"""Official documents in the portal: the drafts on a task, the documents a campaign and an instance
issued, their downloads, and signing an issued PDF with the Office's certificate.

Who reads what follows who may see the instance that issued it (visibility.py): a unit's
documents to its people and the office-wide roles; a campaign's lists, minutes and proposals to
the office-wide roles and the council; what is public in an office (the guidance, the Chief's
decision, the announcement) to everyone who sees the campaign. An achievement report is its
unit's. A document the user may not read is a 404, so its existence is not revealed. Only the
Chief and the administrator sign; a signed PDF is kept beside the unsigned one, never replaced.
"""
from __future__ import annotations

import os
import re
from io import BytesIO
from itertools import groupby

from flask import abort, flash, redirect, request, send_file, url_for
from werkzeug.exceptions import NotFound

from engine.errors import ConflictError, NotFoundError
from workflows.vietnamese import fold
from web.authorization import sees_everything
from web.portal.auth import current_principal, engine, portal_blueprint
from web.portal.campaign import campaign_or_404
from web.portal.i18n import in_language, translate
from web.portal.task_page import visible_task
from web.portal.visibility import may_see_instance
from workflows.documents.signing import SigningError
from workflows.documents.store import Document, DocumentFileError, DocumentStore
from workflows.documents.templates_store import TemplateStore

blueprint = portal_blueprint("documents_page", __name__)

MIME = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "pdf": "application/pdf",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
PUBLIC_KINDS = frozenset({"guidance", "chief_decision", "announcement"})
COUNCIL_GROUPS = frozenset({"council"})
SIGNER_GROUPS = frozenset({"chief", "admin"})


def store() -> DocumentStore:
    db = engine().context.db
    return DocumentStore(db, TemplateStore(db))


def may_read(principal, doc: Document, seen: dict[str, bool] | None = None) -> bool:
    """`seen` remembers, across a page's documents, which instances the reader may see: a
    campaign's documents come from a handful of instances, each asked about once."""
    if sees_everything(principal) or principal.groups & COUNCIL_GROUPS:
        return True
    if doc.instance_id != doc.campaign_instance_id:  # a unit's own document
        instance, check = doc.instance_id, lambda: may_see_instance(principal, doc.instance_id)
    elif doc.kind in PUBLIC_KINDS:
        instance, check = doc.campaign_instance_id, lambda: _campaign_visible(doc.campaign_instance_id)
    else:
        return False
    seen = {} if seen is None else seen
    if instance not in seen:
        seen[instance] = check()
    return seen[instance]


def _campaign_visible(campaign_id: str) -> bool:
    try:
        campaign_or_404(campaign_id)
    except NotFound:
        return False
    return True


@blueprint.app_template_global("signature_text")
def signature_text(report) -> str:
    return in_language(report.describe())


def may_sign(principal) -> bool:
    return bool(principal.groups & SIGNER_GROUPS)


def readable_document(doc_id: int) -> Document:
    try:
        doc = store().get(doc_id)
    except NotFoundError:
        abort(404)
    if not may_read(current_principal(), doc):
        abort(404)
    return doc


def file_name(title: str, number: str | None, fmt: str, extra: str = "") -> str:
    """An ASCII file name that says what the file is ("01-QD-VPUB-quyet-dinh-tang-giay-khen.pdf")."""
    words = " ".join(part for part in (number or "", title, extra) if part)
    slug = re.sub(r"[^a-z0-9]+", "-", fold(words).lower()).strip("-")[:90] or "van-ban"
    return f"{slug}.{fmt}"


def _send(data: bytes, fmt: str, name: str):
    return send_file(BytesIO(data), mimetype=MIME[fmt], as_attachment=True, download_name=name, max_age=0)


@blueprint.get("/documents/<int:doc_id>.<fmt>")
def download(doc_id: int, fmt: str):
    doc = readable_document(doc_id)
    signed = request.args.get("signed") == "1"
    try:
        data = store().content(doc.id, fmt, signed=signed)
    except (DocumentFileError, NotFoundError):
        abort(404)
    extra = "da-ky" if signed else ""
    return _send(data, fmt, file_name(doc.title, doc.number, fmt, extra))


@blueprint.post("/documents/<int:doc_id>/sign")
def sign(doc_id: int):
    principal = current_principal()
    doc = readable_document(doc_id)
    if not may_sign(principal):
        abort(403)
    try:
        store().sign(doc.id, principal.user_id, os.environ)
        flash(translate("documents.signed", title=doc.title), "success")
    except ConflictError:
        flash(translate("documents.already_signed", title=doc.title), "warning")
    except (SigningError, DocumentFileError) as err:
        flash(translate("documents.sign_failed", title=doc.title, reason=in_language(str(err))), "error")
    return redirect(_back_here(doc))


def _back_here(doc: Document) -> str:
    """Back to the page the button was on: a path of this portal only, never another site."""
    target = request.form.get("next") or ""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("campaign.campaign", campaign_id=doc.campaign_instance_id)


@blueprint.get("/tasks/<task_id>/drafts/<int:index>.<fmt>")
def draft(task_id: str, index: int, fmt: str):
    view = visible_task(task_id)
    drafts = task_drafts(view)
    if not 0 <= index < len(drafts):
        abort(404)
    item = drafts[index]
    try:
        data = store().draft_content(item, fmt)
    except DocumentFileError:
        abort(404)
    return _send(data, fmt, file_name(item.title, None, fmt, "du-thao"))


# --- what the pages show (template globals) ------------------------------------------------

def _entry(doc: Document, documents: DocumentStore, principal) -> dict:
    formats = documents.formats(doc)
    signature = documents.signature(doc.id, os.environ) if "pdf" in formats else None
    return {"doc": doc, "formats": formats, "signed": signature is not None, "signature": signature,
            "may_sign": may_sign(principal) and signature is None and "pdf" in formats}


@blueprint.app_template_global("campaign_documents")
def campaign_documents(campaign) -> list[dict]:
    """The campaign's documents the user may read, by the step that issued them, in issue order."""
    principal = current_principal()
    documents = store()
    seen = {campaign.id: True}  # the campaign page has checked that the reader sees the campaign
    readable = [d for d in documents.for_campaign(campaign.id) if d.current and may_read(principal, d, seen)]
    return [{"step": step, "documents": [_entry(d, documents, principal) for d in docs]}
            for step, docs in groupby(readable, key=lambda d: d.step_name or d.element_id)]


@blueprint.app_template_global("instance_documents")
def instance_documents(instance_id: str) -> list[dict]:
    principal = current_principal()
    documents = store()
    seen: dict[str, bool] = {}
    return [_entry(d, documents, principal) for d in documents.for_instance(instance_id)
            if may_read(principal, d, seen)]


@blueprint.app_template_global("task_drafts")
def task_drafts(view) -> list:
    """The documents the task's step will issue (its `documents` property), as they stand now."""
    kinds = (view.properties or {}).get("documents")
    if not kinds:
        return []
    runtime = engine().runtime
    instance = runtime.get_instance(view.instance_id)
    variables = runtime.get_variables(view.instance_id)
    if instance.parent_instance_id:
        return store().drafts(kinds, runtime.get_variables(instance.parent_instance_id), variables)
    return store().drafts(kinds, variables)
