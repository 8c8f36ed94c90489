"""The /engine-rest blueprint: Camunda 7's REST API, the subset Camunda Modeler and clients use."""
from __future__ import annotations

from flask import Blueprint, current_app, request

from web.rest.auth import add_cors_headers, authenticate
from web.rest.errors import bad_request, register_error_handlers

rest = Blueprint("engine_rest", __name__, url_prefix="/engine-rest")
rest.before_request(authenticate)
rest.after_request(add_cors_headers)
register_error_handlers(rest)


def engine():
    return current_app.extensions["thidua.engine"]


def base_url() -> str:
    return request.host_url.rstrip("/") + rest.url_prefix


def paging() -> tuple[int, int | None]:
    first = int_arg("firstResult", 0)
    limit = int_arg("maxResults", None)
    if first < 0 or (limit is not None and limit < 0):
        raise bad_request("firstResult and maxResults must not be negative")
    return first, limit


def int_arg(name: str, default):
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise bad_request(f"query parameter {name}={raw!r} is not a whole number") from None


def bool_arg(name: str, default: bool = False) -> bool:
    raw = request.args.get(name)
    if raw is None:
        return default
    if raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    raise bad_request(f"query parameter {name}={raw!r} must be true or false")


def json_body() -> dict:
    if not request.data:
        return {}
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise bad_request("the request body must be a JSON object")
    return body
