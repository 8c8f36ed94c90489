"""The issued documents of a real finished campaign as PDF, signed, and exported as files by the
store and by `thidua documents export / sign`, on SQLite and PostgreSQL (one campaign per
database for the module)."""
from __future__ import annotations

import re
import unicodedata
from io import BytesIO

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from sqlalchemy import text

from engine.errors import ConflictError, NotFoundError
from tests.test_campaign import PLAN
from tests.workflows.issued_campaign import issued, issued_database_url, row_counts  # noqa: F401
from tests.workflows.signing_keys import OFFICE_NAME, make_p12
from web.cli import main
from workflows.documents.export import export
from workflows.documents.kinds import KINDS
from workflows.documents.signing import SigningError

PASSPHRASE = "mat-khau-ky-so"
# Until the PDF templates read the shared contexts (branch pdf-every-kind, which removes
# pdf_contexts.py), no kind prints an issued document's snapshot: then the store must say so.


def thidua(*args: str, database_url: str, **env: str):
    """The `thidua` command in this process (click's runner): what it prints, or what it raised
    (web/cli.run prints a raised error as "error: <message>" and exits 1)."""
    return CliRunner().invoke(main, list(args), env={"DATABASE_URL": database_url, **env})


def pdf_text(pdf: bytes) -> str:
    pages = PdfReader(BytesIO(pdf)).pages
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", " ".join(p.extract_text() for p in pages)))


@pytest.fixture(scope="module")
def signing_env(tmp_path_factory) -> dict[str, str]:
    p12 = make_p12(tmp_path_factory.mktemp("keys") / "office.p12", PASSPHRASE.encode())
    return {"THIDUA_SIGNING_P12": str(p12), "THIDUA_SIGNING_PASSPHRASE": PASSPHRASE}


def current(issued, kind: str):
    [doc] = [d for d in issued.store.for_campaign(issued.campaign_id) if d.kind == kind and d.current]
    return doc


def test_the_pdf_of_each_document_shows_its_names_and_number(issued):
    store, docs = issued.store, issued.store.for_campaign(issued.campaign_id)
    with_pdf = [d for d in docs if "pdf" in store.formats(d)]
    assert {d.kind for d in with_pdf} == set(KINDS)
    for doc in with_pdf:
        text = pdf_text(store.content(doc.id, "pdf"))
        if doc.number:
            assert doc.number in text, doc.kind
        names = [r["full_name"] for r in doc.context.get("rows") or [] if r.get("full_name")]
        assert all(name in text for name in names), doc.kind
    decision = pdf_text(store.content(current(issued, "chief_decision").id, "pdf"))
    assert "Số: 01/QĐ-VPUB" in decision and "Đinh Thị Vân" in decision and "Phòng Nội chính" in decision


def test_signing_keeps_the_signed_pdf_beside_and_never_signs_twice(issued, signing_env):
    store = issued.store
    decision = current(issued, "chief_decision")
    before = row_counts(issued.db)
    # A configuration that cannot sign is refused before anything is made or written.
    with pytest.raises(SigningError, match="Chưa cấu hình chứng thư số .* / .*not configured"):
        store.sign(decision.id, "minhtb", {})
    with pytest.raises(SigningError, match="sai mật khẩu .* / .*wrong passphrase"):
        store.sign(decision.id, "minhtb", {**signing_env, "THIDUA_SIGNING_PASSPHRASE": "sai"})
    assert row_counts(issued.db) == before and store.signature(decision.id, signing_env) is None

    signed = store.sign(decision.id, "minhtb", signing_env)
    assert (signed.format, signed.signed, signed.signer) == ("pdf", True, "minhtb")
    data = store.content(decision.id, "pdf", signed=True)
    assert data.startswith(store.content(decision.id, "pdf"))  # an incremental update of the issued bytes
    [report] = store.signature(decision.id, signing_env)
    assert report.ok and report.signer == OFFICE_NAME

    with pytest.raises(ConflictError) as twice:
        store.sign(decision.id, "hapt", signing_env)
    assert "đã được ký số" in str(twice.value) and "never replaced" in str(twice.value) and "minhtb" in str(twice.value)
    assert store.content(decision.id, "pdf", signed=True) == data
    assert [(f.signed, f.signer) for f in store.files(decision.id) if f.format == "pdf"] == [(False, None), (True, "minhtb")]


def test_export_writes_every_document_of_the_campaign(issued, tmp_path):
    written = export(issued.store, tmp_path)
    names = sorted(str(w.path.relative_to(tmp_path)) for w in written)
    assert all(n.startswith("05-kh-vpub/") for n in names)
    for expected in ("05-kh-vpub/chief_decision/01-qd-vpub_chief_decision.docx",
                     "05-kh-vpub/council_minutes/01-bb-hdtdkt_council_minutes.xlsx",
                     "05-kh-vpub/unit_proposal/02-ttr-vpub_unit_proposal_phong-kinh-te.docx",
                     "05-kh-vpub/unit_proposal/04-ttr-vpub_unit_proposal_phong-kinh-te_lan-2.docx",
                     "05-kh-vpub/achievement_report/achievement_report_phong-kinh-te_ho-thi-mai-anh.docx",
                     "05-kh-vpub/achievement_report/achievement_report_phong-kinh-te_ho-thi-mai-anh_lan-2.docx",
                     "05-kh-vpub/report/01-bc-vpub_report.xlsx"):
        assert expected in names
    documents = issued.store.for_campaign(issued.campaign_id)
    assert len([w for w in written if w.format == "docx"]) == len(documents) == 16
    assert len([w for w in written if w.format == "xlsx"]) == 7  # four tờ trình, the list, the minutes, the report
    assert len({w.path for w in written}) == len(written)  # no file written over another
    assert len([w for w in written if w.format == "pdf" and not w.signed]) == 16
    for item in written:
        assert item.path.read_bytes() == issued.store.content(item.document.id, item.format, signed=item.signed)


def test_the_command_line_exports_and_signs(issued, signing_env, tmp_path):
    out = tmp_path / "export"
    # Files an earlier test of this module made are kept; without them the export makes every file
    # again, so that its progress has something to report whatever order the tests run in.
    with issued.store.db.begin() as conn:
        conn.execute(text("DELETE FROM campaign_document_file WHERE NOT signed"))
    done = thidua("documents", "export", "--out", str(out), "--campaign", PLAN, database_url=issued.database_url)
    assert done.exit_code == 0, done.output
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert "05-kh-vpub/guidance/01-hd-vpub_guidance.docx" in files and "05-kh-vpub/guidance/01-hd-vpub_guidance.docx" in done.output
    assert f"đã ghi {len(files)} tệp vào {out} / wrote {len(files)} files into {out}" in done.output
    # Progress goes to standard error, a line a tenth of the way when it is not a terminal, up to the last file.
    steps = re.findall(r"tạo tệp / making files: (\d+)/(\d+) \(rendering\)", done.output)
    assert 2 <= len(steps) <= 11 and steps[-1][0] == steps[-1][1] and int(steps[-1][1]) > 0, done.output[:2000]

    unknown = thidua("documents", "export", "--out", str(tmp_path / "none"), "--campaign", "99/KH-VPUB",
                     database_url=issued.database_url)
    assert isinstance(unknown.exception, NotFoundError) and not (tmp_path / "none").exists()
    bilingual = str(unknown.exception)
    assert "Không có đợt thi đua mã '99/KH-VPUB'" in bilingual and "No campaign with the key '99/KH-VPUB'" in bilingual

    listed = thidua("documents", "list", "--campaign", PLAN, database_url=issued.database_url)
    announcement = current(issued, "announcement")
    assert f"{announcement.id:>6}  01/TB-VPUB" in listed.output and "(đã ban hành lại / issued again since)" in listed.output

    signed = thidua("documents", "sign", str(announcement.id), "--by", "minhtb", database_url=issued.database_url,
                    **signing_env)
    assert signed.exit_code == 0, signed.output
    assert f"đã ký văn bản {announcement.id}" in signed.output and "Chữ ký số hợp lệ" in signed.output
    again = thidua("documents", "sign", str(announcement.id), "--by", "minhtb", database_url=issued.database_url,
                   **signing_env)
    assert isinstance(again.exception, ConflictError) and "đã được ký số" in str(again.exception)
    thidua("documents", "export", "--out", str(out), "--campaign", PLAN, database_url=issued.database_url)
    assert (out / "05-kh-vpub/announcement/01-tb-vpub_announcement_da-ky.pdf").read_bytes() == issued.store.content(
        announcement.id, "pdf", signed=True)
