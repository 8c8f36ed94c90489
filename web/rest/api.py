"""Collects the /engine-rest routes; each module adds its routes to the blueprint when imported."""
from web.rest import (  # noqa: F401
    decision_history_routes, decision_routes, deployment_routes, external_task_routes, history_detail_routes,
    history_routes, incident_routes, job_routes, message_routes, migration_routes, modification_routes, openapi,
    runtime_routes, script_limit_routes, suspension_routes, variable_routes,
)
from web.rest.blueprint import rest

__all__ = ["rest"]
