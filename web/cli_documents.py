"""`thidua documents list / export / sign`: the documents a campaign's steps issued
(workflows/documents/store.py), for an administrator."""
from __future__ import annotations

import os
from pathlib import Path

import click

from engine import EngineConfig
from web.cli_progress import ProgressLine
from web.composition import build_engine
from workflows.documents.export import export
from workflows.documents.store import DocumentStore


def _store(engine) -> DocumentStore:
    return DocumentStore(engine.context.db)


@click.group("documents")
def documents() -> None:
    """Issued documents (văn bản đã ban hành): list, export as files, sign."""


@documents.command("list")
@click.option("--campaign", "business_key", default=None, help="the campaign's key, e.g. 05/KH-VPUB (default: every campaign)")
def documents_list(business_key: str | None) -> None:
    """One line per issued document: id, number, date, title (earlier issues marked)."""
    with build_engine(EngineConfig()) as engine:
        store = _store(engine)
        for campaign_id, key in store.campaigns(business_key):
            click.echo(f"{key or campaign_id}")
            for doc in store.for_campaign(campaign_id):
                earlier = "" if doc.current else " (đã ban hành lại / issued again since)"
                click.echo(f"{doc.id:>6}  {doc.number or '-':<16} {doc.issued_on:%d/%m/%Y}  {doc.title}{earlier}")


@documents.command("export")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="the folder to write into (made if missing)")
@click.option("--campaign", "business_key", default=None, help="the campaign's key, e.g. 05/KH-VPUB (default: every campaign)")
def documents_export(out: Path, business_key: str | None) -> None:
    """Write every issued document (DOCX; PDF and XLSX where the kind has them; the signed PDF
    where signed) into OUT/<campaign>/<kind>/."""
    with build_engine(EngineConfig()) as engine:
        written = export(_store(engine), out, business_key, ProgressLine("tạo tệp / making files"))
    for item in written:
        click.echo(f"{item.path.relative_to(out)}")
    click.echo(f"đã ghi {len(written)} tệp vào {out} / wrote {len(written)} files into {out}")


@documents.command("sign")
@click.argument("doc_id", type=int)
@click.option("--by", "signer", required=True, help="who signs (recorded with the signed file)")
def documents_sign(doc_id: int, signer: str) -> None:
    """Sign document DOC_ID's PDF with the Office's certificate (THIDUA_SIGNING_P12 and
    THIDUA_SIGNING_PASSPHRASE); a signed document is never signed again."""
    # pyHanko takes a quarter of a second to import: only the command that signs pays for it.
    from workflows.documents.signing import SigningError

    with build_engine(EngineConfig()) as engine:
        store = _store(engine)
        try:
            stored = store.sign(doc_id, signer, os.environ)
        except SigningError as error:
            raise click.ClickException(str(error)) from None
        reports = store.signature(doc_id, os.environ) or []
    click.echo(f"đã ký văn bản {doc_id} ({stored.size} bytes, sha256 {stored.sha256[:16]}…) / signed document {doc_id}")
    for report in reports:
        click.echo(report.describe())
