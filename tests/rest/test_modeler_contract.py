"""Camunda Modeler's exact requests, replayed: connection check, deploy, redeploy, start."""
from __future__ import annotations

import io

from tests.conftest import fixture_bytes

DEPLOY_FORM = {
    "deployment-name": "approval",
    "deployment-source": "Camunda Modeler",
    "enable-duplicate-filtering": "true",
}


def deploy(office, user="designer", files=(("approval.bpmn", "approval.bpmn"),), form=None):
    data = dict(form or DEPLOY_FORM)
    for part_name, fixture in files:
        data[part_name] = (io.BytesIO(fixture_bytes(fixture)), part_name)
    return office.client.post("/engine-rest/deployment/create", data=data, headers=office.auth(user),
                              content_type="multipart/form-data")


def test_connection_check_asks_for_credentials_then_passes(office):
    anonymous = office.client.get("/engine-rest/deployment?maxResults=0")
    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"].startswith("Basic")
    assert anonymous.get_json()["type"] == "AuthenticationException"
    wrong = office.client.get("/engine-rest/deployment?maxResults=0",
                              headers={"Authorization": "Basic ZGVzaWduZXI6d3Jvbmc="})
    assert wrong.status_code == 401
    ok = office.client.get("/engine-rest/deployment?maxResults=0", headers=office.auth("designer"))
    assert ok.status_code == 200 and ok.get_json() == []
    version = office.client.get("/engine-rest/version", headers=office.auth("designer"))
    assert version.status_code == 200 and version.get_json()["version"].startswith("7.")


def test_bearer_token_works_like_a_password(office):
    token = office.engine.identity.create_token("designer", "Camunda Modeler on my laptop")
    ok = office.client.get("/engine-rest/deployment?maxResults=0", headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200
    bad = office.client.get("/engine-rest/deployment?maxResults=0", headers={"Authorization": "Bearer tdf_nope"})
    assert bad.status_code == 401


def test_cors_preflight_from_a_file_page(office):
    preflight = office.client.options("/engine-rest/deployment/create", headers={
        "Origin": "null", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization"})
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "null"
    assert "authorization" in preflight.headers["Access-Control-Allow-Headers"]
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]


def test_deploy_redeploy_and_start_as_the_modeler_does(office):
    first = deploy(office)
    assert first.status_code == 200, first.get_json()
    body = first.get_json()
    assert body["name"] == "approval" and body["source"] == "Camunda Modeler" and body["id"]
    assert body["deploymentTime"].endswith("+0700")
    [(definition_id, definition)] = body["deployedProcessDefinitions"].items()
    assert definition["key"] == "approval" and definition["version"] == 1
    assert definition["resource"] == "approval.bpmn" and definition["id"] == definition_id
    assert definition["name"] == "Phê duyệt đề nghị"

    again = deploy(office)
    assert again.status_code == 200
    assert again.get_json()["deployedProcessDefinitions"] is None
    assert again.get_json()["id"] == body["id"]  # duplicate filtering answers with the existing deployment

    started = office.client.post(f"/engine-rest/process-definition/{definition_id}/start", headers=office.auth("designer"),
                                 json={"businessKey": "KH-05/2025", "variables": {
                                     "reviewDue": {"value": "2025-08-08", "type": "String", "valueInfo": {}},
                                     "priorityBoost": {"value": 2, "type": "Integer"}}})
    assert started.status_code == 200, started.get_json()
    instance = started.get_json()
    assert instance["definitionId"] == definition_id and instance["businessKey"] == "KH-05/2025"
    assert instance["ended"] is False and instance["suspended"] is False
    assert instance["links"][0]["href"].endswith(f"/engine-rest/process-instance/{instance['id']}")
    variables = office.client.get(f"/engine-rest/process-instance/{instance['id']}/variables",
                                  headers=office.auth("designer")).get_json()
    assert variables["priorityBoost"] == {"value": 2, "type": "Integer", "valueInfo": {}}
    assert variables["reviewDue"]["value"] == "2025-08-08"

    xml = office.client.get(f"/engine-rest/process-definition/{definition_id}/xml", headers=office.auth("designer"))
    assert xml.get_json()["bpmn20Xml"] == fixture_bytes("approval.bpmn").decode()
    latest = office.client.get("/engine-rest/process-definition/key/approval", headers=office.auth("designer"))
    assert latest.get_json()["id"] == definition_id


def test_parse_error_is_shown_by_the_modeler(office):
    broken = office.client.post("/engine-rest/deployment/create", headers=office.auth("designer"),
                                content_type="multipart/form-data", data={
                                    **DEPLOY_FORM, "broken.bpmn": (io.BytesIO(b"<bpmn:definitions"), "broken.bpmn")})
    assert broken.status_code == 400
    error = broken.get_json()
    assert error["type"] == "ParseException"
    assert error["message"].startswith("ENGINE-09005 Could not parse BPMN process.")
    assert "broken.bpmn" in error["message"] and "line 1" in error["message"]
    listed = office.client.get("/engine-rest/deployment", headers=office.auth("designer")).get_json()
    assert listed == []


def test_delete_deployment_refused_while_instances_run(office):
    body = deploy(office).get_json()
    office.client.post("/engine-rest/process-definition/key/approval/start", headers=office.auth("designer"),
                       json={"variables": {"reviewDue": {"value": "2025-08-08", "type": "String"}}})
    refused = office.client.delete(f"/engine-rest/deployment/{body['id']}", headers=office.auth("designer"))
    assert refused.status_code == 409 and "running process instance" in refused.get_json()["message"]
    assert office.engine.runtime.count_instances() == 1
    cascaded = office.client.delete(f"/engine-rest/deployment/{body['id']}?cascade=true",
                                    headers=office.auth("designer"))
    assert cascaded.status_code == 204
    assert office.engine.runtime.count_instances() == 0
    assert office.client.get(f"/engine-rest/deployment/{body['id']}",
                             headers=office.auth("designer")).status_code == 404
