"""Long operations show their progress: a deployment of many files and a large staff import run in
the background; their page shows a bar that follows the batch, then the result; a refused one
says why and stores nothing. Only who started a batch sees it."""
from __future__ import annotations

import base64
import re
import threading

from tests.conftest import fixture_bytes
from tests.portal.conftest import BPMN_DIR
from tests.portal.test_admin import HEADER, staff_ids, upload_staff
from tests.portal.test_models_page import stored, upload


def followed(portal, client, response) -> tuple[str, str]:
    """The batch the response sent the browser to, waited for; returns (batch id, its final page)."""
    assert response.status_code == 303, response.get_data(as_text=True)[-2000:]
    batch_id = re.fullmatch(r".*/batches/([0-9a-f-]{36})", response.headers["Location"]).group(1)
    assert portal.engine.batches.wait(batch_id, 120).finished
    return batch_id, client.get(f"/batches/{batch_id}").get_data(as_text=True)


def model_files(changed: bool = True) -> list[tuple[str, bytes]]:
    campaign = (BPMN_DIR / "campaign.bpmn").read_bytes()
    if changed:  # a new version of the campaign, so that something is deployed
        campaign = campaign.replace(b'camunda:dueDate="${guidanceDate}"', b'camunda:dueDate="${unitReportDate}"', 1)
    return [("campaign.bpmn", campaign), ("unit_evaluation.bpmn", (BPMN_DIR / "unit_evaluation.bpmn").read_bytes()),
            ("eligibility.dmn", (BPMN_DIR / "eligibility.dmn").read_bytes()),
            ("approval.bpmn", fixture_bytes("approval.bpmn"))]


def test_a_deployment_of_many_files_shows_its_progress_then_what_it_deployed(portal):
    client = portal.login("designer")
    batch_id, page = followed(portal, client, upload(client, *model_files()))
    batch = portal.engine.batches.get(batch_id)
    assert (batch.kind, batch.status, batch.owner, batch.done, batch.total) == ("deployment", "completed",
                                                                                "designer", 9, 9)
    assert "Triển khai 4 tệp mô hình" in page and 'data-status="completed"' in page
    assert 'aria-valuenow="100"' in page and "hx-trigger" not in page  # finished: the page stops polling
    campaign = portal.engine.repository.latest_definition("campaign")
    approval = portal.engine.repository.latest_definition("approval")
    assert campaign.version == 2
    assert f'href="/models/{campaign.id}"' in page and "Đã triển khai campaign phiên bản 2" in page
    assert f'href="/models/{approval.id}"' in page
    assert "không tạo phiên bản mới" in page and "unit_evaluation" in page  # unchanged files say so
    assert portal.login("admin").get(f"/batches/{batch_id}").status_code == 404  # another person's batch


def test_a_refused_deployment_of_many_files_says_why_and_stores_nothing(portal):
    client = portal.login("designer")
    before = stored(portal)
    files = model_files()
    files[1] = ("unit_evaluation.bpmn", files[1][1].replace(b'sourceRef="', b'sourceRef="Missing_', 1))
    batch_id, page = followed(portal, client, upload(client, *files))
    assert portal.engine.batches.get(batch_id).status == "completed"
    assert 'id="batch-result" data-ok="0"' in page and "Không triển khai được" in page
    assert "unit_evaluation.bpmn" in page
    assert stored(portal) == before


def test_three_files_still_deploy_at_once(portal):
    client = portal.login("designer")
    response = upload(client, *model_files()[:3])
    assert response.status_code == 302 and "/models/" in response.headers["Location"]
    assert portal.engine.batches.list(owner="designer") == []


def big_staff_file(rows: int, bad_row: int | None = None) -> bytes:
    lines = [HEADER]
    for i in range(rows):
        start = "31/02/2014" if i == bad_row else "01/09/2014"
        lines.append(f"cb{i:04d},Nguyễn Văn Cán Bộ {i},tong_hop,{start},Hoàn thành tốt nhiệm vụ")
    return ("\r\n".join(lines) + "\r\n").encode()


def test_a_large_staff_import_is_written_in_the_background_with_its_progress(portal):
    client = portal.login("admin")
    before = staff_ids(portal)
    preview = upload_staff(client, "danh-ba.csv", big_staff_file(600)).get_data(as_text=True)
    content = re.search(r'name="content" value="([^"]+)"', preview).group(1)
    assert 'name="rows" value="600"' in preview
    response = client.post("/admin/staff-import/apply", {"content": content, "filename": "danh-ba.csv",
                                                          "rows": "600"})
    batch_id, page = followed(portal, client, response)
    batch = portal.engine.batches.get(batch_id)
    assert (batch.kind, batch.status, batch.done, batch.total, batch.phase) == ("staff_import", "completed",
                                                                                601, 601, "saving")
    assert "Nhập danh bạ cán bộ từ danh-ba.csv (600 dòng)" in page
    assert "600 cán bộ mới, 0 cập nhật, 600 xếp loại" in page
    assert staff_ids(portal) == before | {f"cb{i:04d}" for i in range(600)}


def test_a_large_staff_import_that_changed_on_the_way_back_writes_nothing(portal):
    client = portal.login("admin")
    before = staff_ids(portal)
    # The file comes back from the browser: checked again, one bad row refuses the whole import.
    content = base64.b64encode(big_staff_file(600, bad_row=599)).decode()
    response = client.post("/admin/staff-import/apply", {"content": content, "filename": "danh-ba.csv",
                                                          "rows": "600"})
    batch_id, page = followed(portal, client, response)
    assert 'id="batch-result" data-ok="0"' in page and "Tệp bị từ chối, không ghi dòng nào" in page
    assert "Dòng 601" in page, page[-3000:]
    assert staff_ids(portal) == before


def test_the_page_follows_a_running_batch_in_the_reader_s_language(portal):
    reached, go_on = threading.Event(), threading.Event()

    def work(progress):
        progress(3, total=8, phase="rendering", item="Quyết định tặng Giấy khen (PDF)")
        reached.set()
        go_on.wait(30)
        return {"ok": True, "campaign_id": portal.campaign_id, "documents": 8, "made": 8}

    batch = portal.engine.batches.submit("documents", "Tạo tệp văn bản", work, owner="officer", total=8)
    try:
        assert reached.wait(30)
        client = portal.login("officer")
        fragment = client.get(f"/batches/{batch.id}/progress").get_data(as_text=True)
        assert f'hx-get="/batches/{batch.id}/progress"' in fragment and 'hx-trigger="every 1s"' in fragment
        assert 'aria-valuenow="37"' in fragment and "Đang tạo tệp văn bản" in fragment and "(3/8)" in fragment
        assert "Quyết định tặng Giấy khen (PDF)" in fragment
        client.post("/language", {"language": "en"})
        assert "Making the document files" in client.get(f"/batches/{batch.id}").get_data(as_text=True)
    finally:
        go_on.set()
    portal.engine.batches.wait(batch.id, 30)
    done = client.get(f"/batches/{batch.id}/progress").get_data(as_text=True)
    assert 'data-status="completed"' in done and "hx-trigger" not in done
    assert f'href="/campaigns/{portal.campaign_id}/documents.zip"' in done


def test_an_unknown_batch_is_404(portal):
    client = portal.login("admin")
    assert client.get("/batches/0f0f0f0f-0000-0000-0000-000000000000").status_code == 404
    assert client.get("/batches/not-a-batch/progress").status_code == 404
