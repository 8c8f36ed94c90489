"""Collects the /engine-rest routes; each module adds its routes to the blueprint when imported."""
from web.rest import deployment_routes, external_task_routes, history_routes, openapi, runtime_routes  # noqa: F401
from web.rest.blueprint import rest

__all__ = ["rest"]
