"""Over HTTP: a script past its limits costs one request, never the server; limits are the admin's."""
from __future__ import annotations

import io
import threading
import time

import pytest
import requests

from tests.reliability.test_script_limits import script_model
from tests.rest.conftest import PASSWORD, office, live_server  # noqa: F401 - fixtures


@pytest.fixture
def admin(office):  # noqa: F811
    office.engine.identity.ensure_group("admin", "admin", "role")
    office.engine.identity.create_user("admin", "Quản trị", password=PASSWORD, groups=["admin"])
    return office.auth("admin")


def deploy(client, auth, key: str, script: str) -> str:
    files = {f"{key}.bpmn": (io.BytesIO(script_model(script, key)), f"{key}.bpmn")}
    response = client.post("/engine-rest/deployment/create", headers=auth,
                           data={"deployment-name": key, **files}, content_type="multipart/form-data")
    assert response.status_code == 200, response.json
    return response.json["id"]


def test_the_server_answers_while_a_script_spins_and_right_after(office, live_server, admin):  # noqa: F811
    designer = office.auth("designer")
    deployment = deploy(office.client, designer, "spin", "while True:\n    pass")
    limits = requests.put(f"{live_server}/deployment/{deployment}/script-limits", headers=admin,
                          json={"cpuSeconds": 1.5}, timeout=10)
    assert limits.status_code == 200 and limits.json()["effective"] == {"cpuSeconds": 1.5, "memoryMb": 256}

    started: dict = {}

    def start_spinning():
        started["response"] = requests.post(f"{live_server}/process-definition/key/spin/start",
                                            headers=designer, json={}, timeout=30)

    spinner = threading.Thread(target=start_spinning)
    spinner.start()
    time.sleep(0.3)
    # While the script burns its CPU time in the worker, the server answers everyone else.
    during = requests.get(f"{live_server}/version", headers=designer, timeout=5)
    assert during.status_code == 200 and spinner.is_alive()
    spinner.join(timeout=30)
    instance = started["response"].json()
    stopped = office.engine.runtime.get_instance(instance["id"])
    assert stopped.status == "incident" and "CPU time limit of 1.5 s" in stopped.incident_message

    deploy(office.client, designer, "fine", "answer = 6 * 7")
    after = requests.post(f"{live_server}/process-definition/key/fine/start", headers=designer, json={}, timeout=10)
    assert after.status_code == 200 and after.json()["ended"] is True


def test_only_an_administrator_changes_limits(office, admin):  # noqa: F811
    deployment = deploy(office.client, office.auth("designer"), "fine", "answer = 1")
    url = f"/engine-rest/deployment/{deployment}/script-limits"
    refused = office.client.put(url, headers=office.auth("designer"), json={"cpuSeconds": 30})
    assert refused.status_code == 403 and "only administrators" in refused.json["message"]
    assert office.client.get(url, headers=office.auth("staff_b")).status_code == 403
    assert office.client.put(url, json={"cpuSeconds": 30}).status_code == 401

    shown = office.client.get(url, headers=office.auth("designer"))
    assert shown.status_code == 200 and shown.json["cpuSeconds"] is None
    assert shown.json["effective"] == {"cpuSeconds": 2.0, "memoryMb": 256}

    changed = office.client.put(url, headers=admin, json={"cpuSeconds": 30, "memoryMb": 512})
    assert changed.status_code == 200 and changed.json["effective"] == {"cpuSeconds": 30.0, "memoryMb": 512}


@pytest.mark.parametrize("body, words", [
    ({"cpuSeconds": 0.01}, "cpuSeconds must be between 0.1 and 60 seconds"),
    ({"memoryMb": "lots"}, "memoryMb must be a whole number"),
    ({"memoryMb": 8192}, "memoryMb must be between 32 and 4096 MB"),
    ({"cpu": 5}, "unknown field(s) cpu"),
])
def test_bad_limits_get_a_clear_400_and_change_nothing(office, admin, body, words):  # noqa: F811
    deployment = deploy(office.client, office.auth("designer"), "fine", "answer = 1")
    url = f"/engine-rest/deployment/{deployment}/script-limits"
    assert office.client.put(url, headers=admin, json={"cpuSeconds": 5, "memoryMb": 300}).status_code == 200
    response = office.client.put(url, headers=admin, json=body)
    assert response.status_code == 400 and response.json["type"] == "InvalidRequestException"
    assert words in response.json["message"]
    assert office.client.get(url, headers=admin).json["effective"] == {"cpuSeconds": 5.0, "memoryMb": 300}
    assert office.client.put("/engine-rest/deployment/nope/script-limits", headers=admin,
                             json={"cpuSeconds": 5}).status_code == 404
