"""The PDFs from a real campaign's variables: the engine runs the campaign on the real registers
(as in test_decision_end.py, on SQLite and PostgreSQL); the Chief's decision is a draft without a
number while his task is open, then carries the document register's number; the announcement and
the certificates follow the `awarded` the process wrote."""
from __future__ import annotations

import re
import unicodedata
from io import BytesIO

from pypdf import PdfReader

from tests.test_campaign import MEETING, VARIABLES, Campaign, collective
# The fixtures of the whole-campaign test: the demo Office, its council, the engine on the real registers.
from tests.workflows.test_decision_end import (KINH_TE, NOI_CHINH, TONG_HOP, UNITS, clock, council, engine,  # noqa: F401
                                               nominate_and_report, office, people)
from workflows.documents.certificates import render_certificates
from workflows.documents.pdf_render import render_document_pdf


def text(pdf: bytes) -> str:
    pages = PdfReader(BytesIO(pdf)).pages
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", " ".join(p.extract_text() for p in pages)))


def test_the_decision_is_a_draft_until_issued_then_numbered_by_the_register(engine, clock, people, council):
    campaign = Campaign(engine, clock, {**VARIABLES, "units": UNITS})
    campaign.launch()
    campaign.end_campaign_period()
    nominate_and_report(campaign, TONG_HOP, [people["lan"]])
    nominate_and_report(campaign, KINH_TE, [people["mai_anh"]])
    nominate_and_report(campaign, NOI_CHINH, [people["van"], collective(NOI_CHINH)])
    for unit in UNITS:
        campaign.appraise(unit["code"])
    campaign.to_council()
    present = council[:4]
    campaign.complete("Task_vote", {"meetingDate": MEETING, "presentMembers": present, "present": len(present),
                                    "votes": [{"nomineeId": c["nomineeId"], "for": 4, "against": 0, "abstain": 0}
                                              for c in campaign.variables()["candidates"]]}, actor=council[0])

    # The Chief's task is open: the decision is a draft, without a number or a date.
    draft = text(render_document_pdf("chief_decision", campaign.variables()))
    assert "Số: .../QĐ-VPUB" in draft and "ngày ... tháng ... năm ..." in draft
    assert "Đinh Thị Vân" in draft and "Phòng Nội chính" in draft and "Phạm Thị Lan" not in draft

    campaign.complete("Task_giay_khen", {"decisionDate": "2025-08-20"}, actor="chief")
    campaign.chairman_decides()
    campaign.report()
    variables = campaign.variables()
    assert variables["decisionNumber"] == "01/QĐ-VPUB"

    issued = text(render_document_pdf("chief_decision", variables))
    assert "Số: 01/QĐ-VPUB" in issued and "Sơn La, ngày 20 tháng 8 năm 2025" in issued
    assert "tại cuộc họp ngày 15/08/2025" in issued and "cho 1 tập thể và 1 cá nhân" in issued
    announcement = text(render_document_pdf("announcement", variables))
    # Each awarded in its row with the decision that gave it: the Chairman's Bằng khen, the Chief's Giấy khen.
    listed = announcement[announcement.index("Danh sách được khen thưởng"):announcement.index("Nơi nhận:")]
    names = ["Phòng Nội chính", "Hồ Thị Mai Anh", "Phạm Thị Lan", "Đinh Thị Vân"]
    cuts = [listed.index(name) for name in names] + [len(listed)]
    rows = {name: listed[start:end] for name, start, end in zip(names, cuts, cuts[1:])}
    for name, decision, day in (("Phòng Nội chính", "01/QĐ-VPUB", "20/08/2025"),
                                ("Hồ Thị Mai Anh", "1520/QĐ-UBND", "25/08/2025"),
                                ("Phạm Thị Lan", "1520/QĐ-UBND", "25/08/2025"),
                                ("Đinh Thị Vân", "01/QĐ-VPUB", "20/08/2025")):
        assert decision in rows[name] and day in rows[name], (name, rows[name])
    certificates = render_certificates(variables)
    pages = PdfReader(BytesIO(certificates)).pages
    assert len(pages) == 2
    assert "Phòng Nội chính" in pages[0].extract_text() and "Đinh Thị Vân" in unicodedata.normalize(
        "NFC", pages[1].extract_text())
