"""A lost database connection is a 503 however it reaches the request: raised as is, wrapped in
another exception, or flagged by SQLAlchemy as a disconnect. Any other failure stays a 500."""
from __future__ import annotations

import shutil
import socket

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError, OperationalError, PendingRollbackError

from engine import EngineConfig
from web.app import create_app


def real_connection_error() -> OperationalError:
    """What psycopg and SQLAlchemy really raise for a PostgreSQL port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    db = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{port}/none", connect_args={"connect_timeout": 2})
    try:
        with db.connect() as conn:
            conn.execute(text("select 1"))
    except OperationalError as err:
        return err
    finally:
        db.dispose()
    raise AssertionError("a connection to a closed port succeeded")


class WrappedFailure(RuntimeError):
    pass


def raise_wrapped():
    try:
        raise real_connection_error()
    except OperationalError as err:
        raise WrappedFailure("the step could not be saved") from err


def raise_disconnect():
    error = real_connection_error()
    disconnect = DBAPIError(error.statement, error.params, error.orig, connection_invalidated=True)
    raise disconnect


def raise_invalid_transaction():
    raise PendingRollbackError("Can't reconnect until invalid transaction is rolled back.", code="8s2b")


def raise_failed_flush():
    raise PendingRollbackError("This Session's transaction has been rolled back due to a previous exception "
                               "during flush.", code="7s2a")


def raise_bug():
    raise WrappedFailure("a plain bug")


@pytest.fixture
def client(tmp_path, sqlite_template):
    shutil.copy(sqlite_template, tmp_path / "thidua.db")
    app = create_app(EngineConfig(database_url=f"sqlite:///{tmp_path / 'thidua.db'}"),
                     settings={"TESTING": False, "PROPAGATE_EXCEPTIONS": False})
    for name, fail in {"wrapped": raise_wrapped, "disconnect": raise_disconnect, "invalidated": raise_invalid_transaction,
                       "flush": raise_failed_flush, "bug": raise_bug}.items():
        app.add_url_rule(f"/engine-rest/probe/{name}", f"rest_probe_{name}", fail)
        app.add_url_rule(f"/probe/{name}", f"portal_probe_{name}", fail)
    yield app.test_client()
    app.extensions["thidua.engine"].close()


@pytest.mark.parametrize("kind", ["wrapped", "disconnect", "invalidated"])
def test_a_lost_connection_under_another_exception_is_a_503(client, kind):
    rest = client.get(f"/engine-rest/probe/{kind}")
    assert rest.status_code == 503
    assert rest.headers["Retry-After"] == "30"
    assert rest.json["type"] == "ProcessEngineException"
    assert "database is not reachable" in rest.json["message"]
    page = client.get(f"/probe/{kind}")
    assert page.status_code == 503
    assert "Hệ thống tạm thời gián đoạn" in page.get_data(as_text=True)


@pytest.mark.parametrize("kind", ["bug", "flush"])
def test_any_other_failure_stays_a_500_in_each_side_s_own_form(client, kind):
    rest = client.get(f"/engine-rest/probe/{kind}")
    assert rest.status_code == 500
    assert rest.json["type"] == "RestException"
    assert "Retry-After" not in rest.headers
    page = client.get(f"/probe/{kind}")
    assert page.status_code == 500
    assert "tạm thời gián đoạn" not in page.get_data(as_text=True)
