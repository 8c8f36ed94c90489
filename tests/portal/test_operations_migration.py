"""Vận hành's migration page: a dry run shows the engine's report and changes nothing; a valid
plan migrates every running instance of the source version after a confirmation, as the
administrator; a refused one shows the report and moves none."""
from __future__ import annotations

import pytest

from engine.runtime import InstanceQuery


def model(version_tasks: list[str]) -> bytes:
    """The process `ops_mig` going through `version_tasks` (user tasks) in order."""
    ids = ["Start_1", *version_tasks, "End_1"]
    tasks = "".join(f'<bpmn:userTask id="{t}" name="Bước {t[-1]}" camunda:candidateGroups="admin" />'
                    for t in version_tasks)
    flows = "".join(f'<bpmn:sequenceFlow id="F{i}" sourceRef="{a}" targetRef="{b}" />'
                    for i, (a, b) in enumerate(zip(ids, ids[1:])))
    return ('<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions '
            'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
            'id="D_mig" targetNamespace="http://bpmn.io/schema/bpmn"><bpmn:process id="ops_mig" isExecutable="true">'
            f'<bpmn:startEvent id="Start_1" />{tasks}<bpmn:endEvent id="End_1" />{flows}'
            '</bpmn:process></bpmn:definitions>').encode()


@pytest.fixture
def office(portal_any_db):
    return portal_any_db


@pytest.fixture
def versions(office):
    """Three running instances of version 1 (at Task_a); version 2 adds Task_c; version 3 drops Task_a."""
    repository, runtime = office.engine.repository, office.engine.runtime
    ids = []
    for tasks in (["Task_a", "Task_b"], ["Task_a", "Task_b", "Task_c"], ["Task_b"]):
        repository.deploy([("ops_mig.bpmn", model(tasks))])
        ids.append(repository.latest_definition("ops_mig").id)
        if len(ids) == 1:
            instances = [runtime.start_process_by_key("ops_mig", {}, actor="admin").id for _ in range(3)]
    return ids, instances


def on(office, instances) -> set[str]:
    found = office.engine.runtime.list_instances(InstanceQuery(instance_ids=instances, limit=None))
    return {i.definition_id for i in found}


def test_a_dry_run_shows_a_valid_report_and_changes_nothing_then_the_migration_asks_to_confirm(office, versions):
    (v1, v2, _), instances = versions
    client = office.login("admin")
    assert "ops_mig" in client.get("/operations/migration/").get_data(as_text=True)
    assert "Phiên bản 2" in client.get("/operations/migration/?key=ops_mig").get_data(as_text=True)
    dry = client.get(f"/operations/migration/?key=ops_mig&source={v1}&target={v2}&dry_run=1")
    text = dry.get_data(as_text=True)
    assert dry.status_code == 200 and 'data-valid="true"' in text and "Di chuyển 3 phiên bản" in text
    assert on(office, instances) == {v1}

    choice = {"key": "ops_mig", "source": v1, "target": v2}
    asked = client.post("/operations/migration/", choice)
    assert asked.status_code == 200 and 'data-action="migrate"' in asked.get_data(as_text=True)
    assert on(office, instances) == {v1}
    done = client.post("/operations/migration/", {**choice, "confirmed": "1"})
    assert done.status_code == 302
    assert on(office, instances) == {v2}
    for instance_id in instances:
        [event] = office.engine.history.events(instance_id=instance_id, event_types=["migrate"])
        assert event.actor == "admin"


def test_an_active_step_without_a_target_is_reported_and_the_migration_refused(office, versions):
    (v1, _, v3), instances = versions
    client = office.login("admin")
    dry = client.get(f"/operations/migration/?key=ops_mig&source={v1}&target={v3}&dry_run=1")
    text = dry.get_data(as_text=True)
    assert dry.status_code == 200 and 'data-valid="false"' in text and "Task_a" in text
    assert text.count('data-kind="instance"') == 3 and "Di chuyển 3 phiên bản" not in text
    refused = client.post("/operations/migration/", {"key": "ops_mig", "source": v1, "target": v3, "confirmed": "1"})
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "chưa có gì thay đổi" in text and 'data-valid="false"' in text
    assert on(office, instances) == {v1}
    assert not office.engine.history.events(instance_id=instances[0], event_types=["migrate"])


@pytest.mark.parametrize("pick, message", [
    (lambda v: (v[0], v[0]), "phải khác nhau"),
    (lambda v: (v[0], "ops_mig:9:nowhere"), "Hãy chọn phiên bản nguồn"),
    (lambda v: (v[1], v[0]), "không có phiên bản quy trình nào đang chạy"),
], ids=["same version", "unknown version", "no running instance"])
def test_a_bad_choice_is_refused_with_its_reason(office, versions, pick, message):
    ids, instances = versions
    source, target = pick(ids)
    client = office.login("admin")
    dry = client.get(f"/operations/migration/?key=ops_mig&source={source}&target={target}&dry_run=1")
    assert dry.status_code == 400 and message in dry.get_data(as_text=True)
    posted = client.post("/operations/migration/", {"key": "ops_mig", "source": source, "target": target,
                                                    "confirmed": "1"})
    assert posted.status_code == 400 and message in posted.get_data(as_text=True)
    assert on(office, instances) == {ids[0]}


@pytest.mark.parametrize("user", ["designer", "officer", "chief"])
def test_non_admins_cannot_migrate(office, versions, user):
    (v1, v2, _), instances = versions
    client = office.login(user)
    assert client.get("/operations/migration/").status_code == 403
    posted = client.post("/operations/migration/", {"key": "ops_mig", "source": v1, "target": v2, "confirmed": "1"})
    assert posted.status_code == 403
    assert on(office, instances) == {v1}
