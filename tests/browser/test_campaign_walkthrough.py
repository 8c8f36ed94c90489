"""One unit (Phòng Tổng hợp) through the whole 2025 campaign, in Chromium, as its people do it.

Each person signs in and works from the inbox: open the task, fill its form (generated from
camunda:formData, the nominee list, the council's ballots), attach dossier files, complete it.
The other unit (Phòng Kinh tế) does its part through the engine API, so that the campaign can
move on to the council. The campaign period ends when the test moves the engine clock past
5/8/2025 and fires the timers, as the scheduler would.
"""
from __future__ import annotations

import re
import unicodedata

from engine import TaskQuery
from tests.browser.conftest import expect, screenshot
from workflows.council import Council, sync_group
from tests.portal.conftest import UNIT_A, UNIT_B

UNIT_A_NAME = "Phòng Tổng hợp"
INVALID = re.compile(r"(^|\s)is-invalid(\s|$)")
MINUTES_PDF = b"%PDF-1.4\n% bien ban hop binh xet\n" + b"0" * 2048 + b"\n%%EOF\n"
ACHIEVEMENT_REPORT = "Tham mưu tổ chức thành công lễ kỷ niệm 80 năm Ngày truyền thống"
REPORT_PDF = b"%PDF-1.4\n% bao cao thanh tich\n" + b"1" * 2048 + b"\n%%EOF\n"


# --- what a person does in the portal ----------------------------------------------------------

def open_task(office, user: str, name: str, unit_name: str | None = None):
    """From the user's inbox, the task called `name` (of that unit, when several units have one)."""
    page = office.page(user)
    page.goto(office.url("/inbox"))
    rows = page.locator("tr.task-row").filter(has=page.get_by_role("link", name=name, exact=True))
    if unit_name:
        rows = rows.filter(has_text=unit_name)
    expect(rows).to_have_count(1)
    rows.get_by_role("link", name=name, exact=True).click()
    expect(page.locator("h1")).to_have_text(name)
    return page


def complete(office, page, name: str) -> None:
    task_id = page.url.rsplit("/", 1)[-1]
    page.click("#complete-task")
    page.wait_for_url(office.url("/inbox"))
    expect(page.locator(".alert-success")).to_contain_text(f"Đã hoàn thành “{name}”.")
    expect(page.locator(f"tr.task-row[data-task-id='{task_id}']")).to_have_count(0)


def do_task(office, user: str, name: str, fields: dict[str, str] | None = None, unit_name: str | None = None):
    page = open_task(office, user, name, unit_name)
    for field, value in (fields or {}).items():
        locator = page.locator(f"#field-{field}")
        if locator.evaluate("e => e.tagName") == "SELECT":
            locator.select_option(value)
        else:
            locator.fill(value)
    complete(office, page, name)


def attach(page, file_name: str, content: bytes, description: str) -> None:
    page.set_input_files("#upload-form input[type=file]",
                         {"name": file_name, "mimeType": "application/pdf", "buffer": content})
    page.fill("#upload-form input[name=description]", description)
    page.click("#upload-form button[type=submit]")
    stored = unicodedata.normalize("NFC", file_name)
    expect(page.locator(".alert-success")).to_contain_text(f"Đã tải lên “{stored}”.")
    expect(page.locator("#attachments")).to_contain_text(stored)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def show_campaign(office, user: str = "chief"):
    page = office.page(user)
    page.goto(office.url(f"/campaigns/{office.portal.campaign_id}"))
    expect(page.locator("#campaign-name")).to_contain_text("80 năm Ngày truyền thống")
    return page


# --- the other unit, through the engine API ---------------------------------------------------

def unit_b(office, *steps: tuple[str, dict, str]) -> None:
    for element_id, values, actor in steps:
        office.portal.complete(element_id, values, unit=UNIT_B, actor=actor)


AN = {"id": "nom-an", "kind": "individual", "userId": "an", "fullName": "Lê Văn An", "award": "giay_khen",
      "achievements": "Hoàn thành xuất sắc nhiệm vụ"}


# --- the walkthrough --------------------------------------------------------------------------

def test_one_unit_through_the_whole_campaign(office):
    portal = office.portal
    # The council, as the Office's decision appointed it: the secretary records the meeting.
    sync_group(portal.engine.identity, Council(portal.engine.context.db).set_members(
        [("head_a", "chair"), ("officer", "secretary"), ("head_b", "member")]))
    launch(office)
    unit_b(office, ("Task_deploy_plan", {"deployedOn": "2025-06-11"}, "head_b"))

    portal.end_campaign_period()
    nominate(office)
    heatmap(office)
    achievement_report(office)
    unit_b(office, ("Task_nominate", {"nominees": [AN], "unitResults": "Phòng Kinh tế hoàn thành tốt"}, "head_b"),
           ("Task_achievement_report", {"achievementReport": "Báo cáo thành tích"}, "an"),
           ("Task_submit", {"reportedOn": "2025-08-07"}, "head_b"))
    appraisal(office)
    portal.appraise(UNIT_B)

    council_list(office)
    council_votes(office)
    do_task(office, "chief", "Quyết định tặng Giấy khen", {"decisionDate": "20/08/2025"})
    do_task(office, "officer", "Trình Chủ tịch UBND tỉnh tặng Bằng khen, Bức trướng")  # the register numbers it
    page = open_task(office, "officer", "Ghi nhận Quyết định của Chủ tịch UBND tỉnh")
    expect(page.locator("#chairman-table tbody tr")).to_have_count(1)  # Lan, the one Bằng khen
    page.select_option("select[name=chairman-0-awarded]", "yes")
    page.fill("input[name=chairman-0-decisionNumber]", "1520/QĐ-UBND")
    page.fill("input[name=chairman-0-decisionDate]", "25/08/2025")
    complete(office, page, "Ghi nhận Quyết định của Chủ tịch UBND tỉnh")
    do_task(office, "officer", "Báo cáo Sở Nội vụ")

    page = show_campaign(office)
    expect(page.locator("main p.text-muted").first).to_contain_text("Đã hoàn thành")
    expect(page.locator(f"#unit-progress tr[data-unit={UNIT_A}]")).to_contain_text("Đã hoàn thành")
    # The announcement: what was awarded, to every unit and nominee, here to Lê Văn An of unit B.
    page = show_campaign(office, "an")
    expect(page.locator("#announcement table.announced tbody tr")).to_have_count(3)
    expect(page.locator("#announcement")).to_contain_text("1520/QĐ-UBND")

    # The unit head follows the unit's dossier from the campaign page: who did what, the files.
    page = show_campaign(office, "head_a")
    page.locator(f"#unit-progress tr[data-unit={UNIT_A}]").get_by_role("link", name="Chi tiết").click()
    expect(page.locator("#instance-title")).to_have_text("Đánh giá, bình xét khen thưởng tại đơn vị")
    history = page.locator("#history > li")
    expect(history.filter(has_text="Viết báo cáo thành tích")).to_contain_text("Nguyễn Thị Lan")
    expect(history.filter(has_text="Chỉnh sửa, bổ sung hồ sơ")).to_contain_text("Nguyễn Văn Hùng")
    expect(page.locator("main")).to_contain_text("Biên bản họp bình xét.pdf")

    # What the engine recorded: the campaign ended with the council's and the deciders' results.
    assert portal.engine.runtime.get_instance(portal.campaign_id).status == "completed"
    assert {portal.engine.runtime.get_instance(i).status for i in portal.units.values()} == {"completed"}
    assert portal.engine.tasks.list(TaskQuery(limit=None)) == []
    variables = portal.engine.runtime.get_variables(portal.campaign_id)
    assert [(a["nomineeId"], a["fullName"], a["award"]) for a in variables["awardees"]] == [
        ("tong_hop:nom-tong_hop", UNIT_A_NAME, "giay_khen"),
        ("kinh_te:nom-an", "Lê Văn An", "giay_khen"),
        ("tong_hop:nom-lan", "Nguyễn Thị Lan", "bang_khen"),
    ]
    assert variables["rejected"] == []
    assert variables["decisionNumber"].endswith("/QĐ-VPUB")
    assert "Bằng khen của Chủ tịch UBND tỉnh (Quyết định số 1520/QĐ-UBND ngày 25/08/2025):" in \
        variables["announcement"]
    unit_a = portal.engine.runtime.get_variables(portal.units[UNIT_A])
    assert unit_a["correctionNote"] == "Đã bổ sung biên bản họp bình xét"
    assert all(unicodedata.is_normalized("NFC", text) for text in strings([variables, unit_a]))
    files = sorted(a.name for a in portal.engine.attachments.list(portal.units[UNIT_A]))
    assert files == ["Biên bản họp bình xét.pdf", "Báo cáo thành tích - Nguyễn Thị Lan.pdf"]


def strings(value):
    """Every string in a variable value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def launch(office) -> None:
    """TCHCQT's guidance, the Information Centre's column, the unit head deploys the plan."""
    page = show_campaign(office)
    expect(page.locator("main p.text-muted").first).to_contain_text("Đang thực hiện")

    page = office.page("officer")
    page.goto(office.url("/inbox"))
    expect(page.locator("#tasks-offered")).to_contain_text("Hướng dẫn hồ sơ đề nghị khen thưởng")
    screenshot(page, "inbox")
    do_task(office, "officer", "Hướng dẫn hồ sơ đề nghị khen thưởng",
            {"guidanceIssuedOn": "25/06/2025"})

    do_task(office, "info", "Mở chuyên trang, chuyên mục tuyên truyền",
            {"pageUrl": "https://vpubnd.sonla.gov.vn/80-nam"})
    do_task(office, "info", "Đưa tin các hoạt động thi đua")

    # The unit head claims the task, then submits it without its required date.
    name = "Triển khai kế hoạch đến cán bộ, công chức"
    page = office.page("head_a")
    page.goto(office.url("/inbox"))
    page.locator("#tasks-offered tr.task-row", has_text=name).get_by_role("button", name="Nhận việc").click()
    expect(page.locator(".alert-success")).to_contain_text(f"Bạn đã nhận việc “{name}”.")
    expect(page.locator("#tasks-mine")).to_contain_text(name)
    page = open_task(office, "head_a", name)
    expect(page.locator("#task-assignee")).to_have_text("Nguyễn Văn Hùng")
    note = "Họp toàn thể phòng ngày 10/6, quán triệt kế hoạch đến từng công chức"
    page.fill("#field-deploymentNote", note)
    page.click("#complete-task")
    expect(page.locator("#form-errors")).to_have_text("Vui lòng sửa các lỗi bên dưới.")
    expect(page.locator("#error-deployedOn")).to_have_text("Vui lòng nhập thông tin này.")
    expect(page.locator("#field-deployedOn")).to_have_class(INVALID)
    expect(page.locator("#field-deploymentNote")).to_have_value(note)
    screenshot(page, "task-form-errors")
    page.fill("#field-deployedOn", "10/06/2025")
    complete(office, page, name)
    deployed = office.portal.engine.runtime.get_variables(office.portal.units[UNIT_A])
    assert deployed["deploymentNote"] == note


def nominate(office) -> None:
    """The unit head records the unit's results and its two nominees: Nguyễn Thị Lan and the unit."""
    name = "Bình xét, đề xuất khen thưởng"
    page = open_task(office, "head_a", name)
    page.fill("#field-unitResults", "Phòng Tổng hợp hoàn thành xuất sắc nhiệm vụ năm 2025")
    page.click("#add-nominee")
    page.click("#add-nominee")
    rows = page.locator("#nominees-table tbody tr")
    expect(rows).to_have_count(2)
    rows.nth(0).locator("select[name$=-kind]").select_option("individual")
    rows.nth(0).locator("select[name$=-userId]").select_option(label="Nguyễn Thị Lan")
    rows.nth(0).locator("select[name$=-award]").select_option("bang_khen")
    rows.nth(0).locator("textarea").fill("Tham mưu tổ chức thành công lễ kỷ niệm 80 năm")
    rows.nth(1).locator("select[name$=-kind]").select_option("collective")
    rows.nth(1).locator("textarea").fill("Tập thể đoàn kết, hoàn thành tốt các nhiệm vụ")
    # The collective's award is left unchosen: refused inline, the rows kept as typed.
    page.click("#complete-task")
    expect(page.locator("#form-errors")).to_be_visible()
    rows = page.locator("#nominees-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(1).locator(".field-error")).to_have_text("Vui lòng chọn.")
    expect(rows.nth(0).locator("select[name$=-userId]")).to_have_value("lan")
    expect(rows.nth(0).locator("textarea")).to_have_value("Tham mưu tổ chức thành công lễ kỷ niệm 80 năm")
    rows.nth(1).locator("select[name$=-award]").select_option("giay_khen")
    complete(office, page, name)


def heatmap(office) -> None:
    """The campaign page: each unit's step, and the units' diagram with a count at each step."""
    page = show_campaign(office)
    expect(page.locator(f"#unit-progress tr[data-unit={UNIT_A}]")).to_contain_text("Viết báo cáo thành tích")
    page.wait_for_selector("#heatmap-diagram[data-ready] svg")
    page.wait_for_selector("#campaign-diagram[data-ready] svg")
    badges = page.locator("#heatmap-diagram .thidua-count")
    expect(badges).to_have_count(2)
    counts = {b.get_attribute("data-element"): b.inner_text() for b in badges.all()}
    assert counts == {"Task_achievement_report": "1", "Task_nominate": "1"}, counts
    screenshot(page, "campaign-heatmap")


def achievement_report(office) -> None:
    """Nguyễn Thị Lan writes her report and attaches it; the unit head attaches the minutes and submits."""
    name = "Viết báo cáo thành tích"
    page = open_task(office, "lan", name)
    # Typed and named on a Mac: decomposed (NFD) text, which the portal stores composed (NFC).
    attach(page, nfd("Báo cáo thành tích - Nguyễn Thị Lan.pdf"), REPORT_PDF, nfd("Bản có chữ ký"))
    page.fill("#field-achievementReport", nfd(ACHIEVEMENT_REPORT))
    complete(office, page, name)
    checked = office.portal.engine.runtime.get_variables(office.portal.units[UNIT_A])["checkedNominees"]
    assert checked[0]["achievementReport"] == ACHIEVEMENT_REPORT

    name = "Trình danh sách đề nghị (qua phòng TCHCQT)"
    page = open_task(office, "head_a", name)
    attach(page, "Biên bản họp bình xét.pdf", MINUTES_PDF, "Biên bản họp ngày 06/8/2025")
    page.fill("#field-reportedOn", "07/08/2025")
    complete(office, page, name)


def appraisal(office) -> None:
    """TCHCQT returns the dossier once with a reason, the unit corrects it, TCHCQT accepts it."""
    name = "Thẩm định hồ sơ đề nghị của đơn vị"
    page = open_task(office, "officer", name, UNIT_A_NAME)
    expect(page.locator("#attachments")).to_contain_text("Biên bản họp bình xét.pdf")
    with page.expect_download() as download:
        page.get_by_role("link", name="Biên bản họp bình xét.pdf").click()
    assert download.value.suggested_filename == "Biên bản họp bình xét.pdf"
    assert open(download.value.path(), "rb").read() == MINUTES_PDF
    # Lan is accepted; the collective is returned for the missing signature.
    expect(page.locator("#appraisal-0")).to_contain_text(ACHIEVEMENT_REPORT)
    page.check("#appraisals-0-accept")
    page.check("#appraisals-1-return")
    page.fill("#appraisals-1-note", "Thiếu chữ ký của Trưởng phòng trên biên bản")
    complete(office, page, name)

    page = open_task(office, "head_a", "Chỉnh sửa, bổ sung hồ sơ")
    expect(page.locator("#return-reason")).to_contain_text(
        f"{UNIT_A_NAME}: Thiếu chữ ký của Trưởng phòng trên biên bản")
    page.fill("#field-correctionNote", "Đã bổ sung biên bản họp bình xét")
    complete(office, page, "Chỉnh sửa, bổ sung hồ sơ")
    do_task(office, "head_a", "Trình danh sách đề nghị (qua phòng TCHCQT)", {"reportedOn": "08/08/2025"})
    page = open_task(office, "officer", name, UNIT_A_NAME)
    expect(page.locator("#appraisal-changes")).to_contain_text("Đơn vị không thay đổi danh sách.")
    page.check("#appraisals-0-accept")
    page.check("#appraisals-1-accept")
    complete(office, page, name)


def council_list(office) -> None:
    """TCHCQT reads the list by form of award, then submits it to the council."""
    name = "Trình Hội đồng TĐKT danh sách đề nghị"
    page = open_task(office, "officer", name)
    expect(page.locator("table.council-list")).to_have_count(2)  # Bằng khen, then Giấy khen
    expect(page.locator("table.council-list").first).to_contain_text("Nguyễn Thị Lan")
    expect(page.locator("#link-instance")).to_be_visible()
    page.fill("#field-submittedOn", "10/08/2025")  # the tờ trình's number is the register's
    complete(office, page, name)


def council_votes(office) -> None:
    """The secretary ticks the three members present; every candidate passes unanimously. The page
    says as it is filled in whether the quorum is reached and whether each row passes."""
    name = "Hội đồng TĐKT biểu quyết"
    page = open_task(office, "officer", name)
    rows = page.locator("#votes-table tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator("#council-members tbody tr")).to_have_count(3)
    expect(page.locator("#pass-rule")).to_contain_text("ít nhất 3/3 thành viên dự họp")
    page.fill("#field-meetingDate", "15/08/2025")
    page.check("input[name=member-0-present]")
    page.check("input[name=member-1-present]")
    expect(page.locator("#quorum-state")).to_have_text("Chưa đủ số thành viên dự họp")
    page.check("input[name=member-2-present]")
    expect(page.locator("#present-count .present-number")).to_have_text("3")
    expect(page.locator("#quorum-state")).to_have_text("Đủ số thành viên dự họp")
    for index in range(3):
        page.fill(f"input[name=votes-{index}-for]", "3")
        page.fill(f"input[name=votes-{index}-against]", "0")
        page.fill(f"input[name=votes-{index}-abstain]", "0")
    expect(rows.locator(".row-result .badge").filter(has_text="Đạt")).to_have_count(3)
    page.fill("input[name=votes-0-for]", "1")
    expect(rows.nth(0).locator(".row-result .badge")).to_have_text("Không đạt")
    page.fill("input[name=votes-0-for]", "3")
    screenshot(page, "council-meeting")
    complete(office, page, name)
