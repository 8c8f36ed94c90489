"""The /engine-rest blueprint: Camunda 7's REST API, the subset Camunda Modeler and clients use."""
from __future__ import annotations

from flask import Blueprint, current_app, request

from web.rest.auth import add_cors_headers, authenticate
from web.rest.errors import bad_request, register_error_handlers

# Bounds of what a count, an offset or a duration may be; larger values are mistakes or probes.
MAX_INT = 2_147_483_647

rest = Blueprint("engine_rest", __name__, url_prefix="/engine-rest")


def reject_nul() -> None:
    """A NUL character is never meaningful here, and PostgreSQL cannot store one."""
    in_url = "\x00" in request.path or any("\x00" in k or "\x00" in v for k, v in request.args.items(multi=True))
    in_json = request.is_json and (b"\\u0000" in request.get_data() or b"\x00" in request.get_data())
    if in_url or in_json:
        raise bad_request("the request contains a NUL character")


rest.before_request(authenticate)
rest.before_request(reject_nul)
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


def sorting(keys) -> tuple[str | None, bool]:
    """`sortBy` (one of `keys`) and whether `sortOrder` is desc; Camunda's rule: both or neither."""
    sort_by, sort_order = request.args.get("sortBy"), request.args.get("sortOrder")
    if (sort_by is None) != (sort_order is None):  # Camunda's words
        raise bad_request("Only a single sorting parameter specified. sortBy and sortOrder required")
    if sort_by is not None and sort_by not in keys:
        raise bad_request(f"Cannot set query parameter 'sortBy' to value '{sort_by}'")
    if sort_order is not None and sort_order not in ("asc", "desc"):
        raise bad_request(f"Cannot set query parameter 'sortOrder' to value '{sort_order}'")
    return sort_by, sort_order == "desc"


def int_arg(name: str, default):
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(f"query parameter {name}={raw!r} is not a whole number") from None
    if abs(value) > MAX_INT:
        raise bad_request(f"query parameter {name}={raw} is out of range")
    return value


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


def body_str(body: dict, name: str, *, required: bool = True, max_length: int = 255) -> str | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value or len(value) > max_length:
        raise bad_request(f"{name} must be a non-empty string of at most {max_length} characters")
    return value


def body_int(body: dict, name: str, default: int | None, *, low: int = 0, high: int = MAX_INT,
             required: bool = False) -> int | None:
    value = body.get(name, default)
    if value is None and not required:
        return default
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise bad_request(f"{name} must be a whole number from {low} to {high}")
    return value
