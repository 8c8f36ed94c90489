"""While the database is unreachable (a restart, a network cut) every request gets a 503 at once.

Without this a request would fail with a 500 and a stack trace, or wait on a pool that cannot
connect. The answer says nothing was changed, which holds: a step writes in one transaction.
The portal's page is plain and in both languages, because rendering the usual page (the menu,
the signed-in user) needs the very database that is down.
"""
from __future__ import annotations

import logging

from flask import Flask, Response, request
from sqlalchemy.exc import DBAPIError, PendingRollbackError
from werkzeug.exceptions import InternalServerError

from engine.persistence import UNAVAILABLE_ERRORS

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
MESSAGE = ("the database is not reachable at the moment; nothing was changed; "
           f"try again in {RETRY_AFTER_SECONDS} seconds")
PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Tạm thời gián đoạn / Temporarily unavailable</title></head>
<body>
<h1>Hệ thống tạm thời gián đoạn</h1>
<p>Không kết nối được cơ sở dữ liệu. Thao tác của bạn chưa được ghi nhận; vui lòng thử lại sau ít phút.</p>
<h2 lang="en">Temporarily unavailable</h2>
<p lang="en">The service cannot reach its database. Nothing was saved; please try again in a few minutes.</p>
</body></html>
"""


def register_unavailable_handler(app: Flask, rest_prefix: str) -> None:
    def database_unavailable(err):
        log.warning("database unavailable: %s", str(err).splitlines()[0] if str(err) else type(err).__name__)
        if request.path.startswith(rest_prefix):
            from web.rest.errors import error_response
            response = error_response(503, "ProcessEngineException", MESSAGE)
        else:
            response = Response(PAGE, status=503, mimetype="text/html")
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    def server_error(err: InternalServerError):
        # A lost connection can surface wrapped in another exception (raised while handling it), or
        # as a DBAPIError SQLAlchemy has recognised as a disconnect: still "try again", not a bug.
        if caused_by_unavailable_database(err.original_exception):
            return database_unavailable(err.original_exception)
        if request.path.startswith(rest_prefix):
            from web.rest.errors import error_response
            return error_response(500, "RestException", err.description or err.name)
        return err

    for error in UNAVAILABLE_ERRORS:
        app.register_error_handler(error, database_unavailable)
    app.register_error_handler(500, server_error)


def caused_by_unavailable_database(error: BaseException | None) -> bool:
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, UNAVAILABLE_ERRORS):
            return True
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            return True
        # A connection invalidated by a disconnect, used again inside its transaction (code 8s2b);
        # the session's own "rolled back after a failed flush" (7s2a) is another matter.
        if isinstance(error, PendingRollbackError) and error.code == "8s2b":
            return True
        error = error.__cause__ or error.__context__
    return False
