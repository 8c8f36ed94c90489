"""Camunda's error body `{"type", "message"}` with the status code each engine error deserves."""
from __future__ import annotations

from flask import Blueprint, jsonify
from werkzeug.exceptions import HTTPException

from engine.errors import (
    ConflictError,
    DeploymentError,
    InvalidArgumentError,
    InvalidStateError,
    NotFoundError,
    PermissionDeniedError,
    SuspendedEntityError,
)
from engine.forms import FormValidationError
from engine.runtime import VariableError

# The Modeler shows `message`; it recognises a parse failure by this prefix.
PARSE_PREFIX = "ENGINE-09005 Could not parse BPMN process."


class RestError(Exception):
    def __init__(self, status: int, type_: str, message: str) -> None:
        super().__init__(message)
        self.status, self.type, self.message = status, type_, message


def bad_request(message: str) -> RestError:
    return RestError(400, "InvalidRequestException", message)


def error_response(status: int, type_: str, message: str):
    response = jsonify(type=type_, message=message)
    response.status_code = status
    return response


def register_error_handlers(blueprint: Blueprint) -> None:
    @blueprint.errorhandler(RestError)
    def rest_error(err: RestError):
        return error_response(err.status, err.type, err.message)

    @blueprint.errorhandler(DeploymentError)
    def deployment_error(err: DeploymentError):
        details = " | ".join(str(p) for p in err.problems)
        return error_response(400, "ParseException", f"{PARSE_PREFIX} Errors: {details}")

    @blueprint.errorhandler(FormValidationError)
    def form_error(err: FormValidationError):
        return error_response(400, "FormFieldValidationException", str(err))

    @blueprint.errorhandler(VariableError)
    def variable_error(err: VariableError):
        return error_response(400, "InvalidRequestException", str(err))

    @blueprint.errorhandler(InvalidArgumentError)
    def invalid_argument(err: InvalidArgumentError):
        return error_response(400, "InvalidRequestException", str(err))

    @blueprint.errorhandler(NotFoundError)
    def not_found(err: NotFoundError):
        return error_response(404, "InvalidRequestException", str(err))

    @blueprint.errorhandler(PermissionDeniedError)
    def forbidden(err: PermissionDeniedError):
        return error_response(403, "AuthorizationException", str(err))

    @blueprint.errorhandler(ConflictError)
    def conflict(err: ConflictError):
        return error_response(409, "OptimisticLockingException", str(err))

    @blueprint.errorhandler(SuspendedEntityError)
    def suspended_entity(err: SuspendedEntityError):
        # Camunda's SuspendedEntityInteractionException: the request is refused, nothing is wrong with the engine.
        return error_response(400, "SuspendedEntityInteractionException", str(err))

    @blueprint.errorhandler(InvalidStateError)
    def invalid_state(err: InvalidStateError):
        return error_response(409, "ProcessEngineException", str(err))

    @blueprint.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        return error_response(err.code or 500, "RestException", err.description or err.name)
