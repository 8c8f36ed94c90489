"""Every issued document of a campaign written out as files (`thidua documents export`):

    OUT/<campaign key>/<kind>/<number>_<kind>[_<unit>][_<nominee>][_lan-<issue>].<docx|pdf|xlsx>
    OUT/05-kh-vpub/chief_decision/01-qd-vpub_chief_decision.docx
    OUT/05-kh-vpub/chief_decision/01-qd-vpub_chief_decision_da-ky.pdf   (the signed PDF, when signed)
    OUT/05-kh-vpub/achievement_report/achievement_report_phong-tong-hop_pham-thi-lan.docx

Names are folded to ASCII (tones dropped, đ → d) so they survive any file system or archive, and
they depend only on the document, so a second export writes the same names.
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Callable, Iterator, Mapping

from engine.errors import NotFoundError
from workflows.collectives import slug
from workflows.documents.store import Document, DocumentStore


@dataclass(frozen=True)
class Written:
    path: Path
    document: Document
    format: str
    signed: bool = False


def file_stem(doc: Document) -> str:
    """The document's name without extension: number, kind, unit, nominee, issue."""
    context = doc.context
    nominee = context.get("nominee") if isinstance(context.get("nominee"), Mapping) else {}
    parts = [slug(doc.number) if doc.number else "", doc.kind, slug(context.get("unit_name") or nominee.get("unit_name")
                                                                    or ""), slug(nominee.get("full_name") or "")]
    if doc.issue > 1:
        parts.append(f"lan-{doc.issue}")
    return "_".join(p for p in parts if p)


def campaign_folder(business_key: str | None, campaign_instance_id: str) -> str:
    return slug(business_key or "") or campaign_instance_id


def export(store: DocumentStore, out: Path, business_key: str | None = None,
           progress: Callable[..., None] | None = None) -> list[Written]:
    """Writes the documents of the campaign with this business key (of every campaign when None);
    NotFoundError (vi / en) when no campaign with that key has issued a document, before writing.
    `progress` hears of each file made (DocumentStore.prepare)."""
    campaigns = store.campaigns(business_key)
    if business_key is not None and not campaigns:
        raise NotFoundError(f"Không có đợt thi đua mã '{business_key}' có văn bản đã ban hành. / "
                            f"No campaign with the key '{business_key}' has issued documents.")
    folders = [campaign_folder(key, campaign_id) for campaign_id, key in campaigns]
    written = []
    for (campaign_id, key), folder in zip(campaigns, folders):
        if folders.count(folder) > 1:  # two campaigns under one key: tell them apart by instance
            folder = f"{folder}_{campaign_id[:8]}"
        documents = store.for_campaign(campaign_id)
        store.prepare(documents, progress=progress)  # on every core; _write then reads the files back
        for doc in documents:
            written += _write(store, doc, out / folder / doc.kind)
    return written


def _write(store: DocumentStore, doc: Document, folder: Path) -> list[Written]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data, fmt, signed in _files(store, doc):
        path = folder / name
        path.write_bytes(data)
        written.append(Written(path, doc, fmt, signed))
    return written


def _files(store: DocumentStore, doc: Document) -> Iterator[tuple[str, bytes, str, bool]]:
    """(file name, content, format, signed) of each file of the document, the signed PDF last."""
    stem = file_stem(doc)
    for fmt in store.formats(doc):
        yield f"{stem}.{fmt}", store.content(doc.id, fmt), fmt, False
    if any(f.signed for f in store.files(doc.id)):
        yield f"{stem}_da-ky.pdf", store.content(doc.id, "pdf", signed=True), "pdf", True


def package(store: DocumentStore, documents: list[Document], progress: Callable[..., None] | None = None) -> bytes:
    """A ZIP of these documents (one campaign's, those a reader may read), laid out as `export`
    writes them without the campaign folder: the files not made yet are made first, on every core,
    reporting to `progress`."""
    store.prepare(documents, progress=progress)
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for done, doc in enumerate(documents, start=1):
            if progress is not None:
                progress(done, len(documents), "packing", doc.title)
            for name, data, _fmt, _signed in _files(store, doc):
                archive.writestr(f"{doc.kind}/{name}", data)
    return buffer.getvalue()
