"""Failed jobs (Camunda's /job) and the retries of jobs and external tasks; administrators only.

A job here is a step that stopped in a failedJob incident (a service task handler out of
retries, a failing script, a timer that cannot fire, a missing called process): setting its
retries above 0 runs that step again and the instance continues.
"""
from __future__ import annotations

from flask import Response, jsonify, request

from web.rest.blueprint import body_int, engine, json_body, paging, rest
from web.rest.dto_operations import job_dto
from web.rest.incident_routes import require_admin


def _retries() -> int:
    return body_int(json_body(), "retries", None, required=True)


@rest.get("/job")
def list_jobs():
    require_admin("read jobs")
    first, limit = paging()
    jobs = engine().runtime.list_failed_jobs(instance_id=request.args.get("processInstanceId"),
                                             definition_id=request.args.get("processDefinitionId"),
                                             first=first, limit=limit)
    return jsonify([job_dto(j) for j in jobs])


@rest.get("/job/<job_id>")
def get_job(job_id: str):
    require_admin("read jobs")
    return jsonify(job_dto(engine().runtime.get_failed_job(job_id)))


@rest.get("/job/<job_id>/stacktrace")
def get_job_stacktrace(job_id: str):
    require_admin("read jobs")
    job = engine().runtime.get_failed_job(job_id)
    return Response(job.stack_trace or "", mimetype="text/plain")


@rest.put("/job/<job_id>/retries")
def set_job_retries(job_id: str):
    actor = require_admin("retry jobs")
    engine().runtime.set_job_retries(job_id, _retries(), actor)
    return Response(status=204)


@rest.put("/external-task/<task_id>/retries")
def set_external_task_retries(task_id: str):
    actor = require_admin("retry external tasks")
    engine().runtime.set_external_task_retries(task_id, _retries(), actor)
    return Response(status=204)
