"""The decision end's pages: the list for the council by form of award, the council's meeting with
its members present and pass rule, the deciders' lists with the votes, the announcement on the
campaign page, and every task page's links to its instance, diagram and dossier."""
from __future__ import annotations

import re

from engine import TaskQuery
from tests.portal.conftest import UNIT_A, UNIT_B
from workflows.appraisal import decisions
from workflows.council import Council, sync_group

LAN = {"id": "nom-lan", "kind": "individual", "userId": "lan", "fullName": "Nguyễn Thị Lan", "award": "bang_khen",
       "achievements": "Xuất sắc"}
NOTES = {"nom-lan": "Hồ sơ đầy đủ, đề nghị Bằng khen"}  # the appraiser's, on accepting
AN = {"id": "nom-an", "kind": "individual", "userId": "an", "fullName": "Lê Văn An", "award": "giay_khen",
      "achievements": "Tốt"}
KINH_TE = {"id": "nom-kinh_te", "kind": "collective", "userId": None, "fullName": "Phòng Kinh tế",
           "award": "giay_khen", "achievements": "Đoàn kết"}


def _task_ids(portal, instance_id):
    return {t.element_id for t in portal.engine.tasks.list(TaskQuery(instance_id=instance_id))}


def _to_list(portal, nominations: dict) -> None:
    """The launch, each unit's list, reports and acceptance: the list waits to go to the council."""
    portal.complete("Task_guidance", {"guidanceIssuedOn": "2025-06-25"})
    portal.complete("Task_open_pages", {"pageUrl": "https://vpubnd.sonla.gov.vn/80-nam"})
    portal.complete("Task_news")
    for unit in (UNIT_A, UNIT_B):
        portal.complete("Task_deploy_plan", {"deployedOn": "2025-06-10"}, unit=unit)
    portal.end_campaign_period()
    for unit, rows in nominations.items():
        portal.complete("Task_nominate", {"nominees": rows, "unitResults": "Tốt"}, unit=unit)
        for row in rows:
            if row["kind"] == "individual":
                portal.complete("Task_achievement_report", {"achievementReport": "Báo cáo"}, unit=unit,
                                actor=row["userId"])
        portal.complete("Task_submit", {"reportedOn": "2025-08-07"}, unit=unit)
        checked = portal.engine.runtime.get_variables(portal.units[unit])["checkedNominees"]
        portal.complete("Task_appraise", decisions(checked, notes=NOTES), unit=unit, actor="officer")


def _appoint(portal) -> None:
    """A council of three from the staff register: head_a chairs, the officer is secretary."""
    seats = Council(portal.engine.context.db).set_members([("head_a", "chair"), ("officer", "secretary"),
                                                           ("head_b", "member")])
    sync_group(portal.engine.identity, seats)


def test_the_list_for_the_council_is_grouped_by_award_with_the_appraisal_notes(portal):
    _to_list(portal, {UNIT_A: [LAN], UNIT_B: [AN, KINH_TE]})
    client = portal.login("officer")
    task = portal.task("Task_submit_council")
    html = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    # Bằng khen before Giấy khen; within Giấy khen the collective before the person.
    assert html.index('data-award="bang_khen"') < html.index('data-award="giay_khen"')
    giay_khen = html[html.index('<table class="table table-sm council-list" data-award="giay_khen"'):]
    assert giay_khen.index("Phòng Kinh tế") < giay_khen.index("Lê Văn An")
    assert "Hồ sơ đầy đủ, đề nghị Bằng khen" in html and "Ý kiến thẩm định" in html
    # The task's own field; the tờ trình's number is the register's, taken when the step completes.
    assert 'name="submittedOn"' in html and 'name="submissionNumber"' not in html
    done = client.post(f"/tasks/{task.id}/complete", {"submittedOn": "10/08/2025"})
    assert done.status_code == 302
    assert _task_ids(portal, portal.campaign_id) == {"Task_vote"}


def test_an_empty_list_cannot_be_submitted_to_the_council(portal):
    _to_list(portal, {UNIT_A: [], UNIT_B: []})
    client = portal.login("officer")
    task = portal.task("Task_submit_council")
    assert 'id="council-list-empty"' in client.get(f"/tasks/{task.id}").get_data(as_text=True)
    before = portal.engine.runtime.get_variables(portal.campaign_id)
    refused = client.post(f"/tasks/{task.id}/complete", {"submittedOn": "10/08/2025"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'id="candidates-error"' in html and "Danh sách đề nghị trống" in html
    assert portal.engine.runtime.get_variables(portal.campaign_id) == before
    assert _task_ids(portal, portal.campaign_id) == {"Task_submit_council"}
    client.post("/language", {"language": "en"})
    english = client.post(f"/tasks/{task.id}/complete", {"submittedOn": "10/08/2025"}).get_data(as_text=True)
    assert "The list is empty: there is nobody to submit to the council." in english


def _meeting(present: list[int], ballots: dict[int, tuple[int, int, int]], date: str = "15/08/2025") -> dict:
    posted = {f"member-{i}-present": "on" for i in present}
    for row, (yes, no, abstain) in ballots.items():
        posted.update({f"votes-{row}-for": str(yes), f"votes-{row}-against": str(no), f"votes-{row}-abstain": str(abstain)})
    return {**posted, "meetingDate": date}


def test_the_meeting_lists_the_council_records_who_is_present_and_shows_the_rule(portal_any_db):
    portal = portal_any_db
    _appoint(portal)
    _to_list(portal, {UNIT_A: [LAN], UNIT_B: [AN]})
    portal.complete("Task_submit_council", {"submittedOn": "2025-08-10"})
    client = portal.login("officer")  # the secretary
    task = portal.task("Task_vote")
    html = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    members = re.findall(r'<tr data-member="(\w+)">\s*<td>([^<]+)</td><td>([^<]+)</td>', html)
    assert members == [("head_a", "Nguyễn Văn Hùng", "Chủ tịch Hội đồng"), ("officer", "Phạm Thu Hà", "Ủy viên thư ký"),
                       ("head_b", "Trần Thị Bình", "Ủy viên")]
    assert "Được đề nghị khi số phiếu tán thành trên 50% số thành viên dự họp." in html
    assert "Cuộc họp hợp lệ khi có ít nhất 3/3 thành viên dự họp (66,7%)." in html  # 3 members, not passRule's
    assert 'name="present"' not in html and "portal/votes.js" in html
    # An Lê Văn An is row 0 (An < Lan); no meeting date: refused, and the rows say who would pass.
    refused = client.post(f"/tasks/{task.id}/complete", _meeting([0, 1, 2], {0: (1, 2, 0), 1: (3, 0, 0)}, date=""))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Vui lòng nhập ngày họp Hội đồng" in html
    results = re.findall(r'<tr data-nominee="([^"]+)">.*?<td class="row-result"><span[^>]*>([^<]*)</span>', html, re.S)
    assert results == [("kinh_te:nom-an", "Không đạt"), ("tong_hop:nom-lan", "Đạt")]
    assert "Đủ số thành viên dự họp" in html and html.count("checked") == 3
    assert "votes" not in portal.engine.runtime.get_variables(portal.campaign_id)
    # Two of three present: below the quorum, so the council meets again.
    assert client.post(f"/tasks/{task.id}/complete", _meeting([0, 1], {0: (2, 0, 0), 1: (2, 0, 0)})).status_code == 302
    variables = portal.engine.runtime.get_variables(portal.campaign_id)
    assert variables["presentMembers"] == ["head_a", "officer"] and variables["present"] == 2
    assert variables["quorumReached"] is False
    task = portal.task("Task_vote")
    assert client.post(f"/tasks/{task.id}/complete", _meeting([0, 1, 2], {0: (1, 2, 0), 1: (3, 0, 0)})).status_code == 302
    variables = portal.engine.runtime.get_variables(portal.campaign_id)
    assert variables["presentMembers"] == ["head_a", "officer", "head_b"] and variables["present"] == 3
    assert [(a["nomineeId"], a["votes"]["for"]) for a in variables["awardees"]] == [("tong_hop:nom-lan", 3)]
    assert [(r["nomineeId"], r["votes"]["for"]) for r in variables["rejected"]] == [("kinh_te:nom-an", 1)]


def test_no_member_ticked_is_refused(portal):
    _appoint(portal)
    _to_list(portal, {UNIT_A: [LAN], UNIT_B: []})
    portal.complete("Task_submit_council", {"submittedOn": "2025-08-10"})
    client = portal.login("head_a")
    task = portal.task("Task_vote")
    refused = client.post(f"/tasks/{task.id}/complete", _meeting([], {0: (0, 0, 0)}))
    assert refused.status_code == 422
    assert "Vui lòng đánh dấu các thành viên Hội đồng dự họp." in refused.get_data(as_text=True)
    assert _task_ids(portal, portal.campaign_id) == {"Task_vote"}


def _decided(portal) -> None:
    """Lan (Bằng khen) and the collective of Phòng Kinh tế (Giấy khen) pass the council."""
    _appoint(portal)
    _to_list(portal, {UNIT_A: [LAN], UNIT_B: [KINH_TE]})
    portal.complete("Task_submit_council", {"submittedOn": "2025-08-10"})
    candidates = portal.engine.runtime.get_variables(portal.campaign_id)["candidates"]
    portal.complete("Task_vote", {"meetingDate": "2025-08-15", "presentMembers": ["head_a", "officer", "head_b"],
                                  "present": 3, "votes": [{"nomineeId": c["nomineeId"], "for": 3, "against": 0,
                                                           "abstain": 0} for c in candidates]})


def test_the_deciders_see_what_the_council_passed_for_them_with_the_votes(portal):
    _decided(portal)
    chief = portal.login("chief")
    task = portal.task("Task_giay_khen")
    html = chief.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "Hội đồng TĐKT đề nghị Chánh Văn phòng tặng Giấy khen" in html
    assert "Phòng Kinh tế" in html and "Nguyễn Thị Lan" not in html  # only the Chief's awardees
    assert "3 tán thành, 0 không tán thành, 0 không biểu quyết" in html and "trên 3 thành viên dự họp" in html
    assert 'name="decisionDate"' in html
    officer = portal.login("officer")
    proposal = portal.task("Task_propose_chairman")
    html = officer.get(f"/tasks/{proposal.id}").get_data(as_text=True)
    assert "Nguyễn Thị Lan" in html and "Phòng Kinh tế" not in html and "3 tán thành" in html
    assert 'name="proposalNumber"' not in html  # the register numbers the tờ trình when the step completes
    assert officer.post(f"/tasks/{proposal.id}/complete", {}).status_code == 302
    assert portal.engine.runtime.get_variables(portal.campaign_id)["proposalNumber"].endswith("/TTr-VPUB")
    record = portal.task("Task_record_chairman")
    html = officer.get(f"/tasks/{record.id}").get_data(as_text=True)
    assert 'id="chairman-table"' in html and "3 tán thành" in html


def test_every_task_page_links_to_its_instance_diagram_and_dossier(portal):
    client = portal.login("head_a")
    task = portal.task("Task_deploy_plan", UNIT_A)
    html = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    instance = f"/instances/{portal.units[UNIT_A]}"
    assert f'href="{instance}" id="link-instance"' in html
    assert f'href="{instance}#instance-diagram" id="link-diagram"' in html
    assert 'href="#attachments" id="link-dossier"' in html and 'id="attachments"' in html
    assert client.get(instance).status_code == 200


def test_the_announcement_shows_exactly_the_awarded_to_every_unit_and_nominee(portal):
    _decided(portal)
    portal.complete("Task_giay_khen", {"decisionDate": "2025-08-20"})
    portal.complete("Task_propose_chairman")
    portal.complete("Task_record_chairman", {"chairmanDecisions": [
        {"nomineeId": "tong_hop:nom-lan", "awarded": True, "award": "bang_khen", "decisionNumber": "1520/QĐ-UBND",
         "decisionDate": "2025-08-25"}]})
    url = f"/campaigns/{portal.campaign_id}"
    for user in ("lan", "an", "head_b", "chief"):
        client = portal.login(user)
        html = client.get(url).get_data(as_text=True)
        assert 'id="announcement"' in html, user
        rows = re.findall(r'<tr data-nominee="([^"]+)">\s*<td>\d+</td><td>([^<]+)</td><td>([^<]*)</td>\s*'
                          r'<td>([^<]*)</td><td>([^<]*)</td>', html)
        assert [(r[0], r[1], r[3], r[4]) for r in rows] == [
            ("tong_hop:nom-lan", "Nguyễn Thị Lan", "1520/QĐ-UBND", "25/08/2025"),
            ("kinh_te:nom-kinh_te", "Phòng Kinh tế", rows[1][3], "20/08/2025")], user
        assert rows[1][3].endswith("/QĐ-VPUB")  # the Chief's decision, numbered by the register
    # Still no other unit's dossier: a staff member of unit B sees only unit B's instance.
    an = portal.login("an")
    assert an.get(f"/instances/{portal.units[UNIT_A]}").status_code == 404
    html = an.get(url).get_data(as_text=True)
    assert f'data-unit="{UNIT_B}"' in html and f'data-unit="{UNIT_A}"' not in html
    an.post("/language", {"language": "en"})
    assert "Awards" in an.get(url).get_data(as_text=True)


def test_before_the_results_there_is_no_announcement(portal):
    client = portal.login("lan")
    assert 'id="announcement"' not in client.get(f"/campaigns/{portal.campaign_id}").get_data(as_text=True)


def test_the_list_shows_the_chairmans_cases_and_who_was_left_off_with_the_reasons(portal):
    from flask import render_template

    from web.portal.council_list_form import CouncilListForm
    candidates = [{**LAN, "nomineeId": "tong_hop:nom-lan", "unit": UNIT_A, "unitName": "Phòng Tổng hợp",
                   "route": "chairman_discretion", "reason": "Chưa đủ 10 năm công tác tại Văn phòng"}]
    left_off = [{**AN, "nomineeId": "kinh_te:nom-an", "unit": UNIT_B, "unitName": "Phòng Kinh tế",
                 "route": "not_eligible", "reason": "Thiếu kết quả đánh giá năm 2023"}]
    with portal.app.test_request_context("/"):
        html = render_template("portal/_form_council_list.html", list_form=CouncilListForm(candidates, left_off),
                               errors={}, submission=None)
    assert "Chủ tịch UBND tỉnh xem xét" in html and "Chưa đủ 10 năm công tác tại Văn phòng" in html
    not_eligible = html[html.index('id="not-eligible"'):]
    assert "Lê Văn An" in not_eligible and "Thiếu kết quả đánh giá năm 2023" in not_eligible
    assert "Lê Văn An" not in html[:html.index('id="not-eligible"')]


def test_over_rest_a_member_not_on_the_council_is_refused_in_both_languages(portal):
    import base64

    from tests.portal.conftest import PASSWORD
    _appoint(portal)
    _to_list(portal, {UNIT_A: [LAN], UNIT_B: []})
    portal.complete("Task_submit_council", {"submittedOn": "2025-08-10"})
    task = portal.task("Task_vote")
    auth = {"Authorization": "Basic " + base64.b64encode(f"officer:{PASSWORD}".encode()).decode()}
    before = portal.engine.runtime.get_variables(portal.campaign_id)
    variables = {"meetingDate": {"value": "2025-08-15", "type": "String"},
                 "presentMembers": {"value": ["head_a", "council"], "type": "Json"},
                 "present": {"value": 2, "type": "Integer"},
                 "votes": {"value": [{"nomineeId": "tong_hop:nom-lan", "for": 2, "against": 0, "abstain": 0}],
                           "type": "Json"}}
    refused = portal.app.test_client().post(f"/engine-rest/task/{task.id}/complete", json={"variables": variables},
                                            headers=auth)
    assert refused.status_code == 400, refused.get_data(as_text=True)
    message = refused.get_json()["message"]
    assert "'council' không phải thành viên Hội đồng. / 'council' is not a member of the council." in message
    assert portal.engine.runtime.get_variables(portal.campaign_id) == before
    variables["presentMembers"]["value"] = ["head_a", "head_b"]
    done = portal.app.test_client().post(f"/engine-rest/task/{task.id}/complete", json={"variables": variables},
                                         headers=auth)
    assert done.status_code == 204, done.get_data(as_text=True)
    assert portal.engine.runtime.get_variables(portal.campaign_id)["presentMembers"] == ["head_a", "head_b"]
