"""The OpenAPI document of /engine-rest: valid OpenAPI 3.0, exactly the blueprint's routes, and no 500s.

The schemathesis run is one pytest item per operation and backend. Each gets a fresh app, seeded
through the API (deployments, instances, a user task, a locked and a free external task), and runs
the examples, coverage (boundary and negative values) and fuzzing phases signed in as a user in the
designer, worker and tchcqt groups, so deployments, external tasks, task assignment and instance
deletion are all reached. Path parameter examples name seeded ids, so the examples phase gets past
the 404s. It checks: no 5xx, and status, media type and body as documented. It is deterministic:
fixed seed, derandomized Hypothesis, no feedback from responses.
"""
from __future__ import annotations

import base64
import io
import re
from urllib.parse import unquote

import pytest
import schemathesis

from tests.conftest import fixture_bytes
from web.rest.openapi import OPERATIONS, build_document

SPEC_URL = "/engine-rest/openapi.json"
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
FLASK_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")  # <name> or <converter:name>
FUZZER, FUZZER_PASSWORD = "fuzzer", "fuzz-password-2025"
WORKER_ID = "fuzz-worker"
MAX_EXAMPLES = 12  # fuzzing cases per operation; the examples and coverage phases add theirs


def document(office) -> dict:
    response = office.client.get(SPEC_URL)  # public: no credentials
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


def _refs(node):
    if isinstance(node, dict):
        if "$ref" in node:
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


# ---------------------------------------------------------------------------------------------
# the document itself


def test_document_is_valid_openapi_3(office):
    doc = document(office)
    assert doc["openapi"].startswith("3.0.")
    # Validates against the OpenAPI 3.0 meta-schema (schemathesis bundles it; raises with the first problem).
    schemathesis.openapi.from_dict(doc).validate()
    # Every $ref resolves inside the document, and every schema component is used.
    refs = set(_refs(doc))
    for ref in refs:
        node = doc
        for part in ref.removeprefix("#/").split("/"):
            assert part in node, f"unresolved $ref {ref}"
            node = node[part]
    assert {f"#/components/schemas/{name}" for name in doc["components"]["schemas"]} == refs
    assert doc["components"]["securitySchemes"] == {
        "basicAuth": {"type": "http", "scheme": "basic"},
        "bearerAuth": {"type": "http", "scheme": "bearer", "description": "an API token (tdf_...) issued to a user"},
    }
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            # Path parameters are exactly the template's, all required.
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == set(re.findall(r"{([^}]+)}", path)), (method, path)
            statuses = set(operation["responses"])
            if path == "/openapi.json":
                assert operation["security"] == []
                continue
            assert "401" in statuses, (method, path)
            for status in statuses - {"200", "204"}:
                schema = operation["responses"][status]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}, (method, path, status)


def test_document_matches_the_routes(office):
    """Both ways: a route without documentation and documentation without a route both fail."""
    doc = document(office)
    prefix = doc["servers"][0]["url"]
    served = {(method.lower(), FLASK_ARGUMENT.sub(r"{\1}", rule.rule))
              for rule in office.app.url_map.iter_rules() if rule.rule.startswith("/engine-rest/")
              # HEAD and OPTIONS are Flask's automatic answers (OPTIONS is the CORS preflight).
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(method, prefix + path) for path, item in doc["paths"].items() for method in item
                  if method in HTTP_METHODS}
    assert sorted(served - documented) == [], "routes without an entry in web/rest/openapi.py OPERATIONS"
    assert sorted(documented - served) == [], "documented operations that no route serves"
    assert len(documented) == len(OPERATIONS)


@pytest.mark.parametrize("authorization", [None, "Basic ZGVzaWduZXI6d3Jvbmc=", "Bearer tdf_unknown"],
                         ids=["none", "wrong-password", "unknown-token"])
def test_security_is_as_documented(office, authorization):
    """Every operation but the document itself answers 401 (documented, Camunda's body) without valid
    credentials; the document is public."""
    doc = document(office)
    headers = {"Authorization": authorization} if authorization else {}
    for path, item in doc["paths"].items():
        url = doc["servers"][0]["url"] + re.sub(r"{[^}]+}", "x", path)
        for method, operation in item.items():
            response = office.client.open(url, method=method.upper(), headers=headers)
            if operation.get("security") == []:
                assert response.status_code == 200, (method, path)
                continue
            assert "401" in operation["responses"] and "429" in operation["responses"], (method, path)
            # Wrong passwords, again and again, soon block the name: 429 from then on.
            expected = {401, 429} if authorization and authorization.startswith("Basic") else {401}
            assert response.status_code in expected, (method, path, response.status_code)
            assert response.get_json()["type"] == "AuthenticationException"
            if response.status_code == 401:
                assert response.headers["WWW-Authenticate"].startswith("Basic ")


# ---------------------------------------------------------------------------------------------
# schemathesis over every operation


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _ok(response, method: str, path: str):
    """The JSON of a 200 response, checked against what the document says `method path` answers."""
    assert response.status_code == 200, response.get_data(as_text=True)
    schema[path][method].validate_response(response)
    return response.get_json()


def seed(office) -> dict:
    """Deployments, instances, a user task and external tasks, created through the API itself."""
    client, designer = office.client, office.auth("designer")

    def deploy(name: str, *files: str) -> dict:
        data = {"deployment-name": name, **{f: (io.BytesIO(fixture_bytes(f)), f) for f in files}}
        return _ok(client.post("/engine-rest/deployment/create", data=data, headers=designer,
                               content_type="multipart/form-data"), "POST", "/deployment/create")

    def start(key: str, variables: dict, business_key: str) -> dict:
        typed = {name: {"value": value} for name, value in variables.items()}
        return _ok(client.post(f"/engine-rest/process-definition/key/{key}/start", headers=designer,
                               json={"variables": typed, "businessKey": business_key}),
                   "POST", "/process-definition/key/{key}/start")

    approval = deploy("approval", "approval.bpmn")
    [definition_id] = approval["deployedProcessDefinitions"]
    kept = start("approval", {"reviewDue": "2025-08-08"}, "KH-01")
    doomed = start("approval", {"reviewDue": "2025-08-09"}, "KH-02")
    deploy("full cycle", "full_cycle.bpmn", "rules_check.dmn")
    eligible = {"referenceYear": 2025, "startYear": 2000, "rating": "excellent"}
    start("full_cycle", eligible, "KH-03")
    start("full_cycle", eligible, "KH-04")  # left unlocked for fetchAndLock to find
    worker = office.auth("worker")
    [locked] = _ok(client.post("/engine-rest/external-task/fetchAndLock", headers=worker, json={
        "workerId": WORKER_ID, "maxTasks": 1, "topics": [{"topicName": "notify", "lockDuration": 600_000}]}),
        "POST", "/external-task/fetchAndLock")
    spare = deploy("spare", "approval_v2.bpmn")  # what DELETE /deployment/{id} may remove
    tasks = _ok(client.get(f"/engine-rest/task?processInstanceId={kept['id']}", headers=office.auth("officer")),
                "GET", "/task")
    # full_cycle's business rule task evaluated rules_check at each start: the DMN history has rows.
    decisions = _ok(client.get("/engine-rest/history/decision-instance", headers=office.auth("officer")),
                    "GET", "/history/decision-instance")
    return {"deployment": approval["id"], "spare_deployment": spare["id"],
            "definition": definition_id, "key": "approval", "instance": kept["id"],
            "doomed_instance": doomed["id"], "task": tasks[0]["id"], "external_task": locked["id"],
            "variable": "reviewDue", "decision_instance": decisions[0]["id"]}


SEEDED = "seeded-"  # an example path parameter naming a seeded id, replaced in the test


def with_examples(doc: dict) -> dict:
    """Examples that reach past the 404s: path parameters name seeded ids (`seeded-<what>`, resolved
    per test by `use_seeded_ids`), request bodies are ones the service accepts."""
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "path":
                    continue
                name = parameter["name"]
                if path.startswith("/external-task/"):
                    what = "external_task"
                elif method == "delete":  # what a DELETE may remove without starving the other operations
                    what = {"deployment_id": "spare_deployment", "instance_id": "doomed_instance",
                            "name": "variable", "incident_id": "task"}[name]
                else:
                    what = {"deployment_id": "deployment", "definition_id": "definition", "key": "key",
                            "instance_id": "instance", "task_id": "task", "name": "variable",
                            "incident_id": "task", "job_id": "task",
                            "decision_instance_id": "decision_instance"}[name]
                parameter["example"] = SEEDED + what
    bodies = {
        ("post", "/process-definition/{definition_id}/start"):
            {"variables": {"reviewDue": {"value": "2025-09-01", "type": "String"}}, "businessKey": "KH-10"},
        ("post", "/process-definition/key/{key}/start"):
            {"variables": {"reviewDue": {"value": "2025-09-02", "type": "String"}}, "businessKey": "KH-11"},
        ("post", "/process-instance/{instance_id}/variables"):
            {"modifications": {"reviewDue": {"value": "2025-09-03", "type": "String"}}, "deletions": ["note"]},
        ("put", "/process-instance/{instance_id}/variables/{name}"): {"value": "2025-09-04", "type": "String"},
        ("post", "/task/{task_id}/variables"): {"modifications": {"note": {"value": "đã sửa", "type": "String"}}},
        ("post", "/task/{task_id}/claim"): {"userId": FUZZER},
        ("post", "/task/{task_id}/assignee"): {"userId": "officer"},
        ("post", "/task/{task_id}/complete"):
            {"variables": {"score": {"value": 80, "type": "Long"}, "approved": {"value": True, "type": "Boolean"}}},
        ("put", "/process-instance/{instance_id}/suspended"): {"suspended": True},
        ("put", "/process-definition/{definition_id}/suspended"): {"suspended": True, "includeProcessInstances": True},
        ("put", "/process-definition/key/{key}/suspended"): {"suspended": False, "includeProcessInstances": True},
        ("post", "/process-instance/{instance_id}/modification"):
            {"instructions": [{"type": "cancel", "activityId": "Task_review"},
                              {"type": "startBeforeActivity", "activityId": "Task_review"}],
             "annotation": "làm lại bước xem xét"},
        ("post", "/external-task/fetchAndLock"):
            {"workerId": "fuzz-worker-2", "maxTasks": 2,
             "topics": [{"topicName": "notify", "lockDuration": 60_000, "variables": ["reason"]}]},
        ("post", "/external-task/{task_id}/failure"):
            {"workerId": WORKER_ID, "errorMessage": "SMTP down", "retries": 2, "retryTimeout": 0},
        ("post", "/external-task/{task_id}/complete"):
            {"workerId": WORKER_ID, "variables": {"sent": {"value": True, "type": "Boolean"}}},
    }
    for (method, path), body in bodies.items():
        doc["paths"][path][method]["requestBody"]["content"]["application/json"]["example"] = body
    return doc


def use_seeded_ids(case, ids: dict) -> None:
    for name, value in list((case.path_parameters or {}).items()):
        # Generated path parameters arrive percent-encoded; the seeded ids need no encoding.
        if isinstance(value, str) and unquote(value).startswith(SEEDED):
            case.path_parameters[name] = ids[unquote(value).removeprefix(SEEDED)]


CONFIG = schemathesis.Config.from_dict({
    "seed": 20250808,
    "suppress-health-check": ["all"],  # includes function_scoped_fixture: one seeded app per operation is meant
    "headers": {"Authorization": basic(FUZZER, FUZZER_PASSWORD)},
    "generation": {
        "max-examples": MAX_EXAMPLES,
        "deterministic": True,              # Hypothesis derandomize
        "database": "none",                 # nothing replayed from earlier runs
        "with-security-parameters": False,  # the Authorization header above, never a generated one
    },
    # Deterministic: no feeding of values seen in responses (fresh UUIDs on every run, and shared between
    # the two backends' tests) or of 4xx messages back into generation.
    "phases": {
        "examples": {"extra-data-sources": {"responses": False}},
        "coverage": {"extra-data-sources": {"responses": False}},
        "fuzzing": {"extra-data-sources": {"responses": False}, "error-feedback": {"enabled": False}},
    },
    # Reproductions show the values sent (a NUL in a business key, say), hiding the credentials only.
    "output": {"sanitization": {"keys-to-sanitize": ["authorization"], "sensitive-markers": ["authorization"]}},
    "checks": {
        "enabled": False,
        "not_a_server_error": {"enabled": True},
        # The document must describe what the service answers: status, media type and body.
        "status_code_conformance": {"enabled": True},
        "content_type_conformance": {"enabled": True},
        "response_schema_conformance": {"enabled": True},
    },
})
# The served document (test_served_document_is_the_built_one), with examples. Built at import because
# schemathesis' lazy `from_fixture` loader does not run under pytest 9 (it reads `Item._nodeid`).
schema = schemathesis.openapi.from_dict(with_examples(build_document()), config=CONFIG)


def test_served_document_is_the_built_one(office):
    assert document(office) == build_document()


@pytest.fixture
def seeded(office) -> dict:
    office.engine.identity.ensure_group("admin", "admin", "role")  # the operations only administrators may
    office.engine.identity.create_user(FUZZER, "Kiểm thử tự động", password=FUZZER_PASSWORD,
                                       groups=["designer", "worker", "tchcqt", "admin"])
    return seed(office)


def _every_operation(backend: str):
    # One test function per backend: schemathesis' generated test for an operation keeps state between
    # runs (its coverage-phase examples), so the two backends sharing one function would not get the
    # same cases; with one function each, both run exactly the same requests.
    @schema.parametrize()
    @pytest.mark.parametrize("database_url", [backend], indirect=True)
    def test(case, office, seeded):
        use_seeded_ids(case, seeded)
        case.call_and_validate(app=office.app)

    return test


test_every_operation_without_server_errors_sqlite = _every_operation("sqlite")
test_every_operation_without_server_errors_postgresql = _every_operation("postgresql")
