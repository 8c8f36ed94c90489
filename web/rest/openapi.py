"""The OpenAPI 3.0 document of /engine-rest, served (without authentication) at GET /engine-rest/openapi.json.

The document is built from the declarative table `OPERATIONS` (in web/rest/openapi_operations.py,
its schemas in web/rest/openapi_schemas.py): one `Op` per route of the blueprint, naming its
method, path (OpenAPI template; the parameter names are the Flask rule's), query parameters,
request body, success response and error statuses. `tests/rest/test_openapi.py`
compares the table with `app.url_map` both ways, validates the document against the OpenAPI 3.0
meta-schema and runs schemathesis over every operation, so a route added without a row here (or
a row left behind by a removed route) fails the suite.

Error statuses are those the handlers in web/rest/errors.py can produce for the operation; every
error body is Camunda's `{"type", "message"}`. Dates are Camunda's `yyyy-MM-dd'T'HH:mm:ss.SSSZ`
(e.g. `2025-08-08T23:59:59.000+0700`), which is not RFC 3339 (no colon in the offset), so they are
described by a pattern rather than `format: date-time`.
"""
from __future__ import annotations

import copy
import re
from typing import Any

from flask import jsonify

from web.rest.blueprint import rest
from web.rest.deployment_routes import ENGINE_VERSION
from web.rest.openapi_operations import (  # noqa: F401  (re-exported: the table's public names)
    DEFINITION,
    DEFINITION_FILTERS,
    HISTORY_INSTANCE_FILTERS,
    INSTANCE_FILTERS,
    OPERATIONS,
    PAGING,
    REQUIRED_BODIES,
    TASK_FILTERS,
    TASK_HISTORY_FILTERS,
    Op,
    date_query,
    flag,
    one_of,
    query,
)
from web.rest.openapi_history_schemas import HISTORY_SCHEMAS
from web.rest.openapi_schemas import (  # noqa: F401  (re-exported)
    CAMUNDA_DATE,
    SCHEMAS,
    TYPED_VALUE_TYPES,
    array_of,
    map_of,
    model,
    ref,
)

OPENAPI_PATH = "/openapi.json"  # under the blueprint's /engine-rest prefix; public (see auth.PUBLIC_PATHS)

ERROR_DESCRIPTIONS = {
    400: "Bad request: a malformed parameter or body, a model that does not parse, or values the form refuses",
    401: "No valid credentials",
    403: "The user may not do this",
    404: "No such resource, or one the user may not see",
    409: "The resource changed meanwhile or is not in a state that allows this",
    429: "Signing in is blocked for a while after too many wrong passwords",
}
PATH_PARAMETER = re.compile(r"{([^}]+)}")


def _content(schema: Any, media_type: str = "application/json") -> dict:
    return {media_type: {"schema": ref(schema) if isinstance(schema, str) else schema}}


def _response(status: int, schema: Any, media_type: str = "application/json") -> dict:
    if schema is None:
        return {"description": "Done (no body)"}
    return {"description": "OK", "content": _content(schema, media_type)}


def _operation(op: Op) -> dict:
    parameters = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                  for name in PATH_PARAMETER.findall(op.path)] + list(op.params)
    responses = {str(status): _response(status, schema, op.media_type) for status, schema in (op.ok, *op.extra_ok)}
    # Every authenticated operation may answer 400 (and 429 to a password guesser): a NUL character or an out-of-range number
    # anywhere in the request is refused before the handler runs (web/rest/blueprint.py).
    for status in sorted(set(op.errors + (() if op.public else (400, 401, 429)))):
        responses[str(status)] = {"description": ERROR_DESCRIPTIONS[status], "content": _content("Error")}
        if status == 401:
            responses["401"]["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
    operation: dict = {"operationId": op.operation_id, "summary": op.summary, "tags": [op.tag],
                       "responses": responses}
    if parameters:
        operation["parameters"] = parameters
    if op.body == "Deploy":
        operation["requestBody"] = {"required": True, "content": _content("Deploy", "multipart/form-data")}
    elif op.body is not None:
        operation["requestBody"] = {"required": op.body in REQUIRED_BODIES, "content": _content(op.body)}
    if op.public:
        operation["security"] = []
    return operation


def build_document(server_url: str = "/engine-rest") -> dict:
    """The OpenAPI 3.0 document of every route in OPERATIONS (a fresh dict on each call)."""
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method] = _operation(op)
    return copy.deepcopy({
        "openapi": "3.0.3",
        "info": {
            "title": "ThiDua Flow engine REST API",
            "version": ENGINE_VERSION,
            "description": "The subset of Camunda 7's REST API that Camunda Modeler and Camunda clients use. "
                           "Every operation but this document needs HTTP Basic credentials or an API token "
                           "(Bearer). CORS preflights (OPTIONS) are answered on every path without credentials.",
        },
        "servers": [{"url": server_url}],
        "security": [{"basicAuth": []}, {"bearerAuth": []}],
        "tags": [{"name": name} for name in dict.fromkeys(op.tag for op in OPERATIONS)],
        "paths": paths,
        "components": {
            "schemas": {**SCHEMAS, **HISTORY_SCHEMAS},
            "securitySchemes": {
                "basicAuth": {"type": "http", "scheme": "basic"},
                "bearerAuth": {"type": "http", "scheme": "bearer",
                               "description": "an API token (tdf_...) issued to a user"},
            },
        },
    })


@rest.get(OPENAPI_PATH)
def openapi_document():
    return jsonify(build_document(rest.url_prefix))
