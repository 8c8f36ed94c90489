"""Process instance modification (Camunda's `POST /process-instance/{id}/modification`).

An administrator moves an instance to another step: cancel the active activity and start
before or after another one. Others who see the instance get 403, those who do not, 404.
"""
from __future__ import annotations

from flask import Response

from web.authorization import require_admin
from web.rest.auth import current_principal
from web.rest.blueprint import engine, json_body, rest
from web.rest.errors import bad_request
from web.rest.runtime_routes import visible_instance

FIELDS = frozenset({"instructions", "skipCustomListeners", "skipIoMappings", "annotation"})


@rest.post("/process-instance/<instance_id>/modification")
def modify_process_instance(instance_id: str):
    visible_instance(instance_id)
    actor = require_admin(current_principal(), f"modify process instance '{instance_id}'")
    body = json_body()
    unknown = sorted(set(body) - FIELDS)
    if unknown:
        raise bad_request(f"{', '.join(unknown)} is not supported here; a modification takes "
                          f"{', '.join(sorted(FIELDS))}")
    for name in ("skipCustomListeners", "skipIoMappings"):
        if body.get(name) is not None and not isinstance(body[name], bool):
            raise bad_request(f"'{name}' must be true or false")
    engine().runtime.modify_instance(instance_id, body.get("instructions"), actor=actor,
                                     annotation=body.get("annotation"),
                                     skip_custom_listeners=bool(body.get("skipCustomListeners")),
                                     skip_io_mappings=bool(body.get("skipIoMappings")))
    return Response(status=204)
