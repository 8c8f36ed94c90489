"""Every portal page and REST endpoint × every role: allowed or refused, as the tables decide.

The tables (authorization_rest.py, authorization_portal.py) must name every route of the app, so
a new page or endpoint cannot be added without deciding who may use it. The data is real: the
2025 campaign with two units, each with an instance, a task and a file, on SQLite and PostgreSQL.
"""
from __future__ import annotations

import pytest

from tests.portal.conftest import portal, portal_any_db, portal_template  # noqa: F401 - fixtures
from tests.reliability.authorization_cases import LOGIN
from tests.reliability.authorization_portal import PORTAL
from tests.reliability.authorization_rest import REST
from tests.reliability.authorization_seed import ROLES, SIGNED_IN, USERS, build_seed
from web.portal.i18n import catalogs

IGNORED_METHODS = {"HEAD", "OPTIONS"}
ERROR_TITLES = {403: "error.forbidden.title", 404: "error.not_found.title"}


@pytest.fixture
def seed(portal_any_db):  # noqa: F811
    return build_seed(portal_any_db)


def routes(app) -> set[tuple[str, str]]:
    return {(method, rule.rule) for rule in app.url_map.iter_rules() for method in rule.methods - IGNORED_METHODS}


def test_every_route_has_a_decision(portal):  # noqa: F811
    decided = {(case.method, case.rule) for case in REST.cases + PORTAL.cases}
    undecided = sorted(routes(portal.app) - decided)
    assert not undecided, f"routes without a row in the authorization tables: {undecided}"
    assert not decided - routes(portal.app), f"rows for routes that do not exist: {sorted(decided - routes(portal.app))}"
    print(f"{len(REST.cases)} REST and {len(PORTAL.cases)} portal cases × {len(ROLES)} roles "
          f"= {(len(REST.cases) + len(PORTAL.cases)) * len(ROLES)} checks")


def rest_problem(response, expected) -> str | None:
    if response.status_code != expected:
        return f"expected {expected}, got {response.status_code} {response.get_data(as_text=True)[:200]}"
    if expected >= 400:
        body = response.get_json(silent=True) or {}
        if not (body.get("type") and body.get("message")):
            return f"{expected} without Camunda's {{type, message}} body"
    return None


def test_rest_matrix(seed):
    client = seed.portal.app.test_client()
    problems = []
    for case in REST.cases:
        for role in ROLES:
            seed.acting_user = USERS.get(role, "head_a")
            url, kwargs = case.build(seed)
            headers = {} if role == "anonymous" else {"Authorization": f"Bearer {seed.tokens[role]}"}
            response = client.open(url, method=case.method, headers=headers, **kwargs)
            problem = rest_problem(response, case.expected[role])
            if problem:
                problems.append(f"{case.name} as {role}: {problem}")
    assert not problems, "\n".join(problems)


def portal_clients(seed) -> dict:
    clients = {role: seed.portal.login(user) for role, user in USERS.items()}
    clients.update({role: seed.portal.client() for role in ROLES if role not in clients})
    return clients


def portal_problem(response, expected) -> str | None:
    status, location = response.status_code, response.headers.get("Location", "")
    if expected == LOGIN:
        if status != 302 or "/login?next=" not in location:
            return f"expected the sign-in page, got {status} {location}"
        return None
    if status != expected:
        return f"expected {expected}, got {status} {location}"
    if status == 302 and "/login?next=" in location:
        return "expected to be let in, sent to sign in"
    if status in ERROR_TITLES and catalogs()["vi"][ERROR_TITLES[status]] not in response.get_data(as_text=True):
        return f"{status} without the portal's Vietnamese error page"
    return None


def test_portal_matrix(seed):
    clients = portal_clients(seed)
    problems = []
    for case in PORTAL.cases:
        for role in ROLES:
            seed.acting_user = USERS.get(role, "head_a")
            client = clients[role]
            if case.fresh_session:
                client = seed.portal.login(USERS[role]) if role in SIGNED_IN else seed.portal.client()
            url, kwargs = case.build(seed)
            # A REST token is no portal session, whether it is valid or not.
            headers = {"Authorization": f"Bearer {seed.tokens[role]}"} if role in ("expired", "revoked") else {}
            if case.method == "GET":
                response = client.get(url, headers=headers, **kwargs)
            else:
                response = client.post(url, kwargs.pop("data", {}), headers=headers, **kwargs)
            problem = portal_problem(response, case.expected[role])
            if problem:
                problems.append(f"{case.name} as {role}: {problem}")
    assert not problems, "\n".join(problems)


def rest_ids(client, seed, role: str, path: str, key: str) -> set[str]:
    response = client.get(f"/engine-rest{path}", headers={"Authorization": f"Bearer {seed.tokens[role]}"})
    assert response.status_code == 200, response.get_json()
    return {row[key] for row in response.get_json()}


def test_lists_never_show_another_units_objects(seed):
    """The lists answer 200 to everyone signed in; what is in them depends on who asks."""
    client = seed.portal.app.test_client()
    other_instance, other_task = seed.instance["other"], seed.task["other"]
    for role in ("staff", "head", "council", "designer"):
        assert other_task not in rest_ids(client, seed, role, "/task", "id"), role
        assert other_instance not in rest_ids(client, seed, role, "/process-instance", "id"), role
        assert other_instance not in rest_ids(client, seed, role, "/history/process-instance", "id"), role
        assert other_instance not in rest_ids(client, seed, role, "/history/task", "processInstanceId"), role
        assert other_instance not in rest_ids(client, seed, role, "/history/activity-instance",
                                              "processInstanceId"), role
    assert seed.task["own"] in rest_ids(client, seed, "head", "/task", "id")
    assert seed.instance["own"] in rest_ids(client, seed, "staff", "/process-instance", "id")
    for role in ("tchcqt", "chief", "admin"):
        assert {other_task, seed.task["own"]} <= rest_ids(client, seed, role, "/task", "id")
        assert {other_instance, seed.instance["own"]} <= rest_ids(client, seed, role, "/process-instance", "id")
    head = seed.portal.login("head_a")
    assert other_task not in head.get("/inbox").get_data(as_text=True)
    assert seed.task["own"] in head.get("/inbox").get_data(as_text=True)
    campaign = head.get(f"/campaigns/{seed.campaign_id}").get_data(as_text=True)
    assert other_instance not in campaign and seed.instance["own"] in campaign
    instance_page = seed.portal.login("lan").get(f"/instances/{seed.instance['own']}").get_data(as_text=True)
    assert seed.attachment["own"] in instance_page and seed.attachment["other"] not in instance_page


def test_rest_variables_follow_the_instance_page_rule(seed):
    """A staff member reads over REST what the instance page shows them: the start data and their own input."""
    portal, unit_instance = seed.portal, seed.instance["own"]
    portal.complete("Task_deploy_plan", {"deployedOn": "2025-06-10", "deploymentNote": "Họp toàn phòng"},
                    unit="tong_hop", actor="head_a")
    client = portal.app.test_client()

    def read(role: str, suffix: str = ""):
        return client.get(f"/engine-rest/process-instance/{unit_instance}/variables{suffix}",
                          headers={"Authorization": f"Bearer {seed.tokens[role]}"})

    for role in ("head", "tchcqt", "chief", "admin"):
        assert {"deployedOn", "deploymentNote", "planNumber"} <= set(read(role).get_json()), role
        assert read(role, "/deploymentNote").get_json()["value"] == "Họp toàn phòng"
    staff = read("staff").get_json()
    assert {"planNumber", "campaignName", "unitReportDate"} <= set(staff)
    assert not {"deployedOn", "deploymentNote"} & set(staff)
    hidden = read("staff", "/deploymentNote")
    assert hidden.status_code == 404 and hidden.get_json()["type"] == "InvalidRequestException"
    assert read("staff", "/planNumber").get_json()["value"] == "86/KH-VPUB"
