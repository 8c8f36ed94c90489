"""Documents issued by the steps of a real finished campaign (workflows/documents/issuing.py and
store.py), on SQLite and PostgreSQL, one campaign per database for the whole module: every step's
documents are stored with their register numbers (consecutive per symbol and year), a frozen
snapshot and the template version in force; the files are made on request from the snapshot; a
draft takes no number; a retried step takes no second one; bad input changes nothing."""
from __future__ import annotations

import io
import unicodedata
from datetime import date

import pytest
from docx import Document
from lxml import etree
from sqlalchemy import func, select

from engine.errors import DeploymentError, NotFoundError
from engine.handlers import ServiceTaskContext
from engine.persistence.models import ProcessDefinition
from tests.test_campaign import BPMN_DIR, PLAN
from tests.workflows.issued_campaign import PINNED_LINE, issued, issued_database_url, row_counts, template_with  # noqa: F401
from tests.workflows.test_docx_documents import texts
from tests.workflows.xlsx_reading import read
from workflows.document_register import DocumentRegister
from workflows.documents.issuing import DocumentIssueError, make_issue_document_handler
from workflows.documents.store import DocumentFileError
from workflows.documents.templates_store import TemplateStore

# (kind, number, issue, current) in the order the steps issued them; Phòng Kinh tế's dossier was
# returned once, so its tờ trình and Hồ Thị Mai Anh's report were issued twice.
EXPECTED = [
    ("guidance", "01/HD-VPUB", 1, True),
    ("unit_proposal", "01/TTr-VPUB", 1, True), ("achievement_report", None, 1, True),
    ("achievement_report", None, 1, True),
    ("unit_proposal", "02/TTr-VPUB", 1, False), ("achievement_report", None, 1, False),
    ("unit_proposal", "03/TTr-VPUB", 1, True), ("achievement_report", None, 1, True),
    ("unit_proposal", "04/TTr-VPUB", 2, True), ("achievement_report", None, 2, True),
    ("council_list", "05/TTr-VPUB", 1, True), ("council_minutes", "01/BB-HĐTĐKT", 1, True),
    ("chief_decision", "01/QĐ-VPUB", 1, True), ("chairman_proposal", "06/TTr-VPUB", 1, True),
    ("announcement", "01/TB-VPUB", 1, True), ("report", "01/BC-VPUB", 1, True),
]
TARGETS = {"guidance": "guidanceNumber", "council_list": "submissionNumber", "council_minutes": "minutesNumber",
           "chief_decision": "decisionNumber", "chairman_proposal": "proposalNumber",
           "announcement": "announcementNumber", "report": "reportNumber"}


def documents(issued):
    return issued.store.for_campaign(issued.campaign_id)


def one(issued, kind: str):
    [doc] = [d for d in documents(issued) if d.kind == kind and d.current]
    return doc


def bilingual(error: Exception, *parts: str) -> None:
    message = str(error)
    vietnamese, english = message.split(" / ", 1)
    assert vietnamese and english and unicodedata.is_normalized("NFC", message), message
    assert all(part in message for part in parts), message


def test_every_step_issued_its_documents_numbered_from_the_register(issued):
    docs = documents(issued)
    assert [(d.kind, d.number, d.issue, d.current) for d in docs] == EXPECTED
    # Each step's number is also the variable its `target` names, e.g. decisionNumber.
    for kind, variable in TARGETS.items():
        assert issued.variables[variable] == one(issued, kind).number, kind
    proposals = {d.instance_id: d for d in docs if d.kind == "unit_proposal" and d.current}
    for code, (instance_id, variables) in issued.units.items():
        assert variables["unitProposalNumber"] == proposals[instance_id].number, code
    # The register: consecutive numbers per symbol and year, each under its step's reference.
    register = DocumentRegister(issued.db)
    for symbol, count in (("TTr-VPUB", 6), ("QĐ-VPUB", 1), ("HD-VPUB", 1), ("BB-HĐTĐKT", 1), ("TB-VPUB", 1),
                          ("BC-VPUB", 1)):
        assert [r.number for r in register.issued(symbol, 2025)] == list(range(1, count + 1)), symbol
    [decision] = register.issued("QĐ-VPUB", 2025)
    assert decision.reference == f"{PLAN}:Service_number_decision"  # the reference the numbering step had
    kinh_te = issued.units["kinh_te"][0]
    assert [r.reference for r in register.issued("TTr-VPUB", 2025) if kinh_te in r.reference] == [
        f"{PLAN}:{kinh_te}:Service_issue_unit_proposal", f"{PLAN}:{kinh_te}:Service_issue_unit_proposal#2"]
    # Where and by which step: a unit's documents belong to its instance and to the campaign.
    for doc in docs:
        assert doc.campaign_instance_id == issued.campaign_id and doc.business_key == PLAN
        assert doc.step_name.startswith("Ban hành ") and doc.element_id.startswith("Service_")
        assert (doc.instance_id == issued.campaign_id) == (doc.kind not in ("unit_proposal", "achievement_report"))
        assert doc.register_kind == (doc.number.split("/", 1)[1] if doc.number else None)
    assert [d.kind for d in issued.store.for_instance(kinh_te)] == ["unit_proposal", "achievement_report"] * 2


def test_the_snapshot_holds_the_number_the_date_and_what_the_document_says(issued):
    decision = one(issued, "chief_decision")
    assert (decision.context["number"], decision.context["draft"]) == ("01/QĐ-VPUB", False)
    assert decision.issued_on == date(2025, 8, 20) and decision.template_version == 1  # the Office's upload
    assert decision.context["place_and_date"] == "Sơn La, ngày 20 tháng 8 năm 2025"
    assert [r["full_name"] for r in decision.context["rows"]] == ["Phòng Nội chính", "Đinh Thị Vân"]
    assert (one(issued, "guidance").issued_on, one(issued, "council_minutes").issued_on) == (
        date(2025, 6, 25), date(2025, 8, 15))
    # The reports: one per nominee who wrote one (not the blocked Lò Văn Pánh, not a collective);
    # the corrected dossier's report says what she rewrote, the first issue keeps what it said.
    reports = [d for d in documents(issued) if d.kind == "achievement_report"]
    assert sorted({d.title for d in reports}) == sorted(f"Báo cáo thành tích – {n}" for n in (
        "Phạm Thị Lan", "Hoàng Đức Anh", "Hồ Thị Mai Anh", "Đinh Thị Vân"))
    first, second = [d for d in reports if d.nominee_id == issued.people["mai_anh"]["id"]]
    assert "120 văn bản tham mưu" in second.context["sections"][1]["text"]
    assert "120 văn bản" not in first.context["sections"][1]["text"] and not first.current
    assert all(d.number is None and d.context["draft"] is False for d in reports)


def test_the_docx_is_made_on_request_from_the_snapshot_and_the_pinned_template(issued):
    store = issued.store
    announcement = one(issued, "announcement")
    assert store.files(announcement.id) == []  # nothing is rendered when a step is issued
    # A template uploaded after issue does not change an issued document.
    TemplateStore(issued.db).upload("announcement", template_with("announcement", "Mẫu mới sau khi ban hành."), "vanthu")
    first = store.content(announcement.id, "docx")
    assert "Mẫu mới sau khi ban hành." not in "\n".join(texts(Document(io.BytesIO(first))))
    assert store.content(announcement.id, "docx") == first  # kept: the same bytes every time
    [kept] = store.files(announcement.id)
    assert (kept.format, kept.signed, kept.size) == ("docx", False, len(first))
    for doc in documents(issued):
        text = "\n".join(texts(Document(io.BytesIO(store.content(doc.id, "docx")))))
        if doc.number:
            assert f"Số: {doc.number}" in text, doc.kind
        assert "{{" not in text and "{%" not in text, doc.kind
    decision = "\n".join(texts(Document(io.BytesIO(store.content(one(issued, "chief_decision").id, "docx")))))
    assert PINNED_LINE in decision and "Đinh Thị Vân" in decision
    report = [d for d in documents(issued) if d.kind == "achievement_report" and d.current][0]
    assert "Phạm Thị Lan" in "\n".join(texts(Document(io.BytesIO(store.content(report.id, "docx")))))


def test_the_lists_go_with_the_tờ_trình_the_minutes_and_the_report(issued):
    store = issued.store
    assert {d.kind for d in documents(issued) if "xlsx" in store.formats(d)} == {
        "unit_proposal", "council_list", "council_minutes", "report"}
    [listed] = read(store.content(one(issued, "council_list").id, "xlsx")).values()
    assert "(Kèm theo Tờ trình số 05/TTr-VPUB ngày 10/08/2025)" in listed.title
    assert sorted(e[0] for e in listed.entries) == sorted(
        ["Phạm Thị Lan", "Hoàng Đức Anh", "Hồ Thị Mai Anh", "Đinh Thị Vân", "Phòng Nội chính"])
    report = read(store.content(one(issued, "report").id, "xlsx"))
    assert "(Kèm theo Báo cáo số 01/BC-VPUB)" in report["Theo hình thức"].title
    kinh_te = [d for d in issued.store.for_instance(issued.units["kinh_te"][0]) if d.kind == "unit_proposal"]
    for doc in kinh_te:  # each issue's list as it was
        [unit_list] = read(store.content(doc.id, "xlsx")).values()
        assert [e[0] for e in unit_list.entries] == ["Hồ Thị Mai Anh"]
    [result] = read(store.content(one(issued, "council_minutes").id, "xlsx")).values()
    assert len(result.entries) == 5 and all(e[-2] == "Đạt" for e in result.entries)
    with pytest.raises(DocumentFileError) as refused:
        store.content(one(issued, "guidance").id, "xlsx")
    bilingual(refused.value, "không có bản XLSX", "has no XLSX file")


def test_a_draft_has_no_number_and_takes_none(issued):
    before = row_counts(issued.db)
    # The Chief's task as it stood: the variables before the decision was issued.
    open_task = {k: v for k, v in issued.variables.items() if k not in ("decisionNumber", "Service_number_decision_issues")}
    [draft] = issued.store.drafts("chief_decision", open_task)
    assert (draft.context["number"], draft.context["draft"]) == (".../QĐ-VPUB", True)
    assert draft.title == "Quyết định tặng Giấy khen" and draft.nominee_id is None
    unit = {k: v for k, v in issued.units["tong_hop"][1].items() if k != "unitProposalNumber"}
    drafts = issued.store.drafts(["unit_proposal", "achievement_report"], unit, unit)
    assert [(d.kind, d.nominee_id) for d in drafts] == [
        ("unit_proposal", None), ("achievement_report", issued.people["lan"]["id"]),
        ("achievement_report", issued.people["duc_anh"]["id"])]
    assert drafts[0].context["number"] == ".../TTr-VPUB" and drafts[0].context["draft"] is True
    with pytest.raises(KeyError, match="'chief_decisoin' is not a kind of document"):
        issued.store.drafts("chief_decision, chief_decisoin", open_task)
    assert row_counts(issued.db) == before


def issue_step(issued, element_id: str, instance_id: str, variables: dict, parent: str | None = None):
    """Runs the element's issue_document handler again, as the engine does, with the element's
    properties read from the deployed model."""
    model = "unit_evaluation.bpmn" if parent else "campaign.bpmn"
    [task] = etree.parse(str(BPMN_DIR / model)).xpath(f"//*[@id='{element_id}']")
    properties = {p.get("name"): p.get("value") for p in task.iter("{http://camunda.org/schema/1.0/bpmn}property")}
    handler = make_issue_document_handler(issued.store, DocumentRegister(issued.db))
    return handler(ServiceTaskContext(instance_id, PLAN, "x", element_id, "issue_document", variables, properties,
                                      element_name=task.get("name"), parent_instance_id=parent))


def test_a_retried_step_takes_no_second_number_and_stores_nothing_twice(issued):
    """A step whose transaction was lost runs again with the variables it had: it gets back the
    number and the documents it issued."""
    before = row_counts(issued.db)
    decision = {k: v for k, v in issued.variables.items() if k not in ("decisionNumber", "Service_number_decision_issues")}
    assert issue_step(issued, "Service_number_decision", issued.campaign_id, decision) == {
        "decisionNumber": "01/QĐ-VPUB", "Service_number_decision_issues": 1}
    instance_id, unit = issued.units["kinh_te"]
    resubmitted = {**unit, "Service_issue_unit_proposal_issues": 1}  # before its second run
    assert issue_step(issued, "Service_issue_unit_proposal", instance_id, resubmitted, parent=issued.campaign_id) == {
        "unitProposalNumber": "04/TTr-VPUB", "Service_issue_unit_proposal_issues": 2}
    assert row_counts(issued.db) == before


def test_bad_input_is_refused_in_both_languages_and_changes_nothing(issued):
    store, before = issued.store, row_counts(issued.db)
    guidance = one(issued, "guidance")
    with pytest.raises(DocumentFileError) as refused:
        store.content(guidance.id, "odt")
    bilingual(refused.value, "'odt' không phải là định dạng", "is not a document format")
    for call in (lambda: store.get(10**6), lambda: store.content(10**6, "docx"), lambda: store.sign(10**6, "x", {}),
                 lambda: store.signature(10**6)):
        with pytest.raises(NotFoundError) as missing:
            call()
        bilingual(missing.value, "Không có văn bản số hiệu 1000000", "no document with id 1000000")
    with pytest.raises(NotFoundError) as unsigned:
        store.content(guidance.id, "pdf", signed=True)
    bilingual(unsigned.value, "chưa được ký số", "has not been signed")
    # A step naming a kind that does not exist, numbering a report, dated from a missing variable.
    decision = {k: v for k, v in issued.variables.items() if k != "Service_number_decision_issues"}
    for properties, vietnamese, english in (
            ({"documents": "chief_decisoin"}, "thuộc tính 'documents' không đúng", "'chief_decisoin' is not a kind"),
            ({"documents": "achievement_report", "documentKind": "BC-VPUB"}, "không cấp số được",
             "cannot number the document 'achievement_report'"),
            ({"documents": "chief_decision", "dateFrom": "signedOn"}, "biến 'signedOn' không phải là ngày",
             "the variable 'signedOn' is not a date")):
        handler = make_issue_document_handler(store, DocumentRegister(issued.db))
        with pytest.raises(DocumentIssueError) as step:
            handler(ServiceTaskContext(issued.campaign_id, PLAN, "campaign", "Service_x", "issue_document",
                                       decision, properties))
        bilingual(step.value, "Bước 'Service_x'", vietnamese, english)
    assert row_counts(issued.db) == before


@pytest.mark.parametrize("model, old, new", [
    ("campaign.bpmn", '<camunda:property name="documents" value="report"/>\n        </camunda:properties>\n'
     '      </bpmn:extensionElements>\n      <bpmn:incoming>Flow_to_report</bpmn:incoming>',
     '<camunda:property name="documents" value="raport"/>\n        </camunda:properties>\n'
     '      </bpmn:extensionElements>\n      <bpmn:incoming>Flow_to_report</bpmn:incoming>'),
    ("unit_evaluation.bpmn", '<camunda:property name="documentKind" value="TTr-VPUB" />',
     '<camunda:property name="documentKind" value="TTr/VPUB" />'),
], ids=["unknown-kind-on-a-user-task", "register-symbol-with-a-slash"])
def test_a_model_naming_an_unknown_kind_is_refused_at_deployment(issued, model, old, new):
    source = (BPMN_DIR / model).read_text(encoding="utf-8")
    assert source.count(old) == 1
    broken = source.replace(old, new)
    with issued.engine.context.sessions() as session:
        definitions = session.scalar(select(func.count()).select_from(ProcessDefinition))
    with pytest.raises(DeploymentError) as refused:
        issued.engine.repository.deploy([(model, broken.encode())])
    [problem] = refused.value.problems
    line = broken.splitlines().index(next(l for l in broken.splitlines() if new.splitlines()[0].strip() in l)) + 1
    assert (problem.file, problem.line) == (model, line)
    assert problem.element_id == ("Task_report" if model == "campaign.bpmn" else "Service_issue_unit_proposal")
    assert ("'raport' is not a kind of document" in problem.message if model == "campaign.bpmn"
            else "'TTr/VPUB' is not a register symbol" in problem.message)
    with issued.engine.context.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ProcessDefinition)) == definitions
