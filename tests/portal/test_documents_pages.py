"""Official documents in the portal, on SQLite and PostgreSQL, over one campaign per database:
the drafts on the deciding task (no number, none taken from the register), every issued document
on the campaign page by step and on its instance's page, downloads read back (python-docx, pypdf),
who may read which document, and signing with the Office's certificate (shown as valid, never
signed twice)."""
from __future__ import annotations

import hashlib
import io
import re
import unicodedata

import pytest
from docx import Document as Docx
from pypdf import PdfReader

from tests.portal.conftest import UNIT_A, UNIT_B
from tests.portal.test_council_pages import _decided
from tests.workflows.signing_keys import OFFICE_NAME, make_p12
from workflows.document_register import DocumentRegister
from workflows.documents.store import DocumentStore

PASSPHRASE = b"mat-khau-chung-thu"


def docx_text(data: bytes) -> str:
    document = Docx(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def pdf_text(data: bytes) -> str:
    return unicodedata.normalize("NFC", "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


@pytest.fixture(scope="module")
def campaign(module_portal_any_db):
    """The campaign waiting for the Chief's decision: the drafts' moment."""
    _decided(module_portal_any_db)
    return module_portal_any_db


@pytest.fixture(scope="module")
def drafts_seen(campaign):
    """What the Chief saw on the decision's task before completing it, then the campaign to its end."""
    chief = campaign.login("chief")
    task = campaign.task("Task_giay_khen")
    html = chief.get(f"/tasks/{task.id}").get_data(as_text=True)
    docx = chief.get(f"/tasks/{task.id}/drafts/0.docx")
    pdf = chief.get(f"/tasks/{task.id}/drafts/0.pdf")
    outsider = campaign.login("an").get(f"/tasks/{task.id}/drafts/0.docx").status_code
    numbers_before = DocumentRegister(campaign.engine.context.db).issued("QĐ-VPUB", 2025)
    campaign.complete("Task_giay_khen", {"decisionDate": "2025-08-20"}, actor="chief")
    campaign.complete("Task_propose_chairman", actor="officer")
    campaign.complete("Task_record_chairman", {"chairmanDecisions": [
        {"nomineeId": "tong_hop:nom-lan", "awarded": True, "award": "bang_khen", "decisionNumber": "1520/QĐ-UBND",
         "decisionDate": "2025-08-25"}]}, actor="officer")
    campaign.complete("Task_report", actor="officer")
    return {"html": html, "docx": docx, "pdf": pdf, "outsider": outsider, "numbers_before": numbers_before,
            "task_id": task.id}


def issued(campaign) -> list:
    return DocumentStore(campaign.engine.context.db).for_campaign(campaign.campaign_id)


def one(campaign, kind: str, instance_id: str | None = None):
    [doc] = [d for d in issued(campaign) if d.kind == kind and d.current
             and (instance_id is None or d.instance_id == instance_id)]
    return doc


def test_the_decider_checks_the_draft_which_takes_no_number(drafts_seen):
    html = drafts_seen["html"]
    assert 'id="task-drafts"' in html and "Quyết định tặng Giấy khen" in html
    assert "khi hoàn thành, văn bản được cấp số từ sổ văn bản đi" in html
    docx, pdf = drafts_seen["docx"], drafts_seen["pdf"]
    assert docx.status_code == 200 and docx.mimetype.endswith("wordprocessingml.document")
    assert "du-thao" in docx.headers["Content-Disposition"]
    text = docx_text(docx.data)
    assert ".../QĐ-VPUB" in text and "Phòng Kinh tế" in text
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert ".../QĐ-VPUB" in pdf_text(pdf.data) or "/QĐ-VPUB" in pdf_text(pdf.data)
    assert drafts_seen["numbers_before"] == []  # looking at drafts took no number
    assert drafts_seen["outsider"] == 404  # another unit's staff member does not see the task


def test_a_task_without_documents_shows_no_drafts_and_a_bad_draft_is_404(campaign, drafts_seen):
    officer = campaign.login("officer")
    task_id = drafts_seen["task_id"]  # completed since: gone
    assert officer.get(f"/tasks/{task_id}/drafts/0.docx").status_code == 404


def test_the_campaign_page_lists_every_document_by_step_with_its_number(campaign, drafts_seen):
    html = campaign.login("chief").get(f"/campaigns/{campaign.campaign_id}").get_data(as_text=True)
    section = html[html.index('id="campaign-documents"'):]
    steps = re.findall(r'<tbody data-step="([^"]+)">', section)
    assert steps[0] == "Ban hành Hướng dẫn hồ sơ" and len(steps) == len(set(steps)) >= 8  # in issue order
    kinds = re.findall(r'data-kind="([^"]+)"', section)
    for kind in ("guidance", "unit_proposal", "achievement_report", "council_list", "council_minutes",
                 "chief_decision", "chairman_proposal", "announcement", "report"):
        assert kind in kinds, kind
    decision = one(campaign, "chief_decision")
    assert decision.number == campaign.engine.runtime.get_variables(campaign.campaign_id)["decisionNumber"]
    assert decision.number in section and "01/HD-VPUB" in section


def test_downloads_read_back_with_the_number_and_names(campaign, drafts_seen):
    chief = campaign.login("chief")
    decision = one(campaign, "chief_decision")
    docx = chief.get(f"/documents/{decision.id}.docx")
    assert docx.status_code == 200
    text = docx_text(docx.data)
    assert f"Số: {decision.number}" in text and "Phòng Kinh tế" in text
    pdf = chief.get(f"/documents/{decision.id}.pdf")
    assert pdf.status_code == 200 and decision.number in pdf_text(pdf.data)
    assert chief.get(f"/documents/{decision.id}.pdf").data == pdf.data  # made once, then kept
    minutes = one(campaign, "council_minutes")
    sheet = chief.get(f"/documents/{minutes.id}.xlsx")
    assert sheet.status_code == 200 and sheet.data[:2] == b"PK"
    assert chief.get(f"/documents/{decision.id}.txt").status_code == 404
    assert chief.get(f"/documents/{decision.id}.xlsx").status_code == 404  # a decision has no list
    assert chief.get("/documents/999999.docx").status_code == 404


def test_each_reader_sees_the_documents_of_what_they_may_see(campaign, drafts_seen):
    decision, minutes = one(campaign, "chief_decision"), one(campaign, "council_minutes")
    proposal_a = one(campaign, "unit_proposal", campaign.units[UNIT_A])
    proposal_b = one(campaign, "unit_proposal", campaign.units[UNIT_B])
    an = campaign.login("an")  # staff of unit B
    assert an.get(f"/documents/{decision.id}.docx").status_code == 200  # public in the Office
    assert an.get(f"/documents/{minutes.id}.docx").status_code == 404  # the council's own
    assert an.get(f"/documents/{proposal_a.id}.docx").status_code == 404  # another unit's dossier
    assert an.get(f"/documents/{proposal_b.id}.docx").status_code == 200
    html = an.get(f"/campaigns/{campaign.campaign_id}").get_data(as_text=True)
    assert f'data-document="{decision.id}"' in html and f'data-document="{minutes.id}"' not in html
    assert f'data-document="{proposal_a.id}"' not in html
    member = campaign.login("head_b")  # on the council (test_council_pages._appoint)
    assert member.get(f"/documents/{minutes.id}.docx").status_code == 200
    assert member.get(f"/documents/{proposal_a.id}.docx").status_code == 200  # it was before the council
    head_b = campaign.login("head_b")
    page = head_b.get(f"/instances/{campaign.units[UNIT_B]}").get_data(as_text=True)
    assert 'id="instance-documents"' in page and f'data-document="{proposal_b.id}"' in page
    assert proposal_b.number in page


def test_the_chief_signs_the_decision_once_and_the_portal_shows_it_valid(campaign, drafts_seen, tmp_path,
                                                                        monkeypatch):
    monkeypatch.setenv("THIDUA_SIGNING_P12", str(make_p12(tmp_path / "office.p12", PASSPHRASE)))
    monkeypatch.setenv("THIDUA_SIGNING_PASSPHRASE", PASSPHRASE.decode())
    decision = one(campaign, "chief_decision")
    page = f"/campaigns/{campaign.campaign_id}"
    assert campaign.login("an").post(f"/documents/{decision.id}/sign", {"next": page}).status_code == 403
    minutes = one(campaign, "council_minutes")  # a document the reader may not even see: 404
    assert campaign.login("an").post(f"/documents/{minutes.id}/sign", {"next": page}).status_code == 404
    officer = campaign.login("officer")  # sees everything, signs nothing
    assert officer.post(f"/documents/{decision.id}/sign", {"next": page}).status_code == 403
    assert officer.get(f"/documents/{decision.id}.pdf?signed=1").status_code == 404  # not signed yet

    chief = campaign.login("chief")
    assert chief.post(f"/documents/{decision.id}/sign", {"next": page}).status_code == 302
    html = chief.get(page).get_data(as_text=True)
    assert f"Đã ký số “{decision.title}”." in html
    row = html[html.index(f'data-document="{decision.id}"'):]
    assert f"Chữ ký số hợp lệ: {OFFICE_NAME}" in row[:row.index("</tr>")]
    signed = chief.get(f"/documents/{decision.id}.pdf?signed=1")
    assert signed.status_code == 200 and "da-ky" in signed.headers["Content-Disposition"]
    digest = hashlib.sha256(signed.data).hexdigest()

    again = chief.post(f"/documents/{decision.id}/sign", {"next": "//evil.example/"})
    assert again.status_code == 302 and again.headers["Location"].endswith(page)  # never off the portal
    html = chief.get(page).get_data(as_text=True)
    assert "đã được ký trước đó; bản đã ký được giữ nguyên" in html
    assert hashlib.sha256(chief.get(f"/documents/{decision.id}.pdf?signed=1").data).hexdigest() == digest
    chief.post("/language", {"language": "en"})
    assert f"Valid signature: {OFFICE_NAME}" in chief.get(page).get_data(as_text=True)


def test_all_the_documents_a_reader_may_read_come_as_one_zip_after_a_batch(campaign, drafts_seen):
    import zipfile
    decision, minutes = one(campaign, "chief_decision"), one(campaign, "council_minutes")
    proposal_a = one(campaign, "unit_proposal", campaign.units[UNIT_A])
    proposal_b = one(campaign, "unit_proposal", campaign.units[UNIT_B])
    an = campaign.login("an")  # staff of unit B
    assert 'id="package-form"' in an.get(f"/campaigns/{campaign.campaign_id}").get_data(as_text=True)
    started = an.post(f"/campaigns/{campaign.campaign_id}/documents/prepare")
    assert started.status_code == 303
    batch_id = started.headers["Location"].rsplit("/", 1)[1]
    batch = campaign.engine.batches.wait(batch_id, 300)
    assert (batch.kind, batch.status, batch.owner) == ("documents", "completed", "an")
    assert batch.result["documents"] >= 3 and batch.done == batch.total
    page = an.get(f"/batches/{batch_id}").get_data(as_text=True)
    assert f'href="/campaigns/{campaign.campaign_id}/documents.zip"' in page and "văn bản" in page
    response = an.get(f"/campaigns/{campaign.campaign_id}/documents.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = archive.namelist()
    folders = {name.split("/")[0] for name in names}
    assert {"chief_decision", "unit_proposal"} <= folders and "council_minutes" not in folders
    [decision_docx] = [n for n in names if n.startswith("chief_decision/") and n.endswith(".docx")]
    assert decision.number in docx_text(archive.read(decision_docx))
    proposals = [docx_text(archive.read(n)) for n in names if n.startswith("unit_proposal/") and n.endswith(".docx")]
    assert len(proposals) == 1 and proposal_b.number in proposals[0]
    assert all(proposal_a.number not in text for text in proposals)
    assert all(minutes.number not in docx_text(archive.read(n)) for n in names if n.endswith(".docx"))
    # The PDF, and the signed PDF beside it once the Chief has signed (an earlier test of this module).
    pdfs = sorted(n for n in names if n.startswith("chief_decision/") and n.endswith(".pdf"))
    assert pdfs and all(n.endswith(".pdf") and decision.number in pdf_text(archive.read(n)) for n in pdfs)
    assert all(n.endswith("_da-ky.pdf") for n in pdfs[1:]) and len(pdfs) <= 2
    # Another person does not follow an's batch.
    assert campaign.login("head_a").get(f"/batches/{batch_id}").status_code == 404
