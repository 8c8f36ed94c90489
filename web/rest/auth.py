"""HTTP Basic and Bearer-token authentication for /engine-rest, and CORS for Camunda Modeler.

The Modeler runs from a file:// page, so it sends a preflight and an `authorization` header
from an opaque origin; answering both is what lets its Deploy button reach us.
"""
from __future__ import annotations

import base64
import binascii
from datetime import datetime

from flask import Response, current_app, g, request

from engine.identity import Principal
from web.rest.errors import error_response

CORS_HEADERS = {
    "Access-Control-Allow-Methods": "GET, POST, PUT, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": "authorization, content-type, accept",
    "Access-Control-Max-Age": "600",
}
PUBLIC_PATHS = ("/engine-rest/openapi.json",)


def principal_from_header(header: str) -> Principal | datetime | None:
    """The caller, or None, or (Basic only) the end of the block after too many wrong passwords."""
    identity = current_app.extensions["thidua.engine"].identity
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() == "basic":
        try:
            user, _, password = base64.b64decode(credentials, validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        # The portal's sign-in limit, so a password guesser gains nothing by coming through the API.
        result = identity.sign_in(user, password)
        return result.principal or result.blocked_until
    if scheme.lower() == "bearer" and credentials:
        return identity.authenticate_token(credentials.strip())
    return None


def authenticate():
    """before_request: answers preflight, then requires a valid principal."""
    if request.method == "OPTIONS":
        return Response(status=204)
    if request.path in PUBLIC_PATHS:
        return None
    principal = principal_from_header(request.headers.get("Authorization", ""))
    if isinstance(principal, datetime):
        return error_response(429, "AuthenticationException",
                              f"too many wrong passwords: signing in is blocked until {principal.isoformat()}")
    if principal is None:
        response = error_response(401, "AuthenticationException", "authentication required")
        response.headers["WWW-Authenticate"] = 'Basic realm="ThiDua Flow"'
        return response
    g.principal = principal
    return None


def add_cors_headers(response: Response) -> Response:
    origin = request.headers.get("Origin")
    response.headers["Access-Control-Allow-Origin"] = origin or "*"
    if origin:
        response.headers["Vary"] = "Origin"
    response.headers.update(CORS_HEADERS)
    return response


def current_principal() -> Principal:
    return g.principal
