"""Shared fixtures: every engine test runs on SQLite and on PostgreSQL."""
from __future__ import annotations

import os
import shutil
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from engine import EngineConfig, HandlerRegistry, ProcessEngine
from engine.persistence.db import make_engine
from engine.persistence.models import Base
from engine.persistence.schema import upgrade
from tests.postgres_reset import truncate_postgres  # noqa: F401 (imported from here by other conftests)
from tests.serial import lock_dir, turn
from workflows.models import CampaignBase
from workflows.schema import upgrade as upgrade_campaign

FIXTURES = Path(__file__).parent / "fixtures"
PG_ADMIN_URL = os.environ.get("THIDUA_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI") == "true"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Setup, call and teardown of every test in its turn: shared, or alone for `serial` (tests/serial.py)."""
    with turn(lock_dir(item.config), serial=item.get_closest_marker("serial") is not None):
        return (yield)


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


class FakeClock:
    """A clock the test moves: `clock.now += timedelta(days=1)`."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def migrated_sqlite_file(path: Path, *migrations) -> Path:
    """A migrated SQLite file to copy for each test: migrating costs more than copying."""
    engine = make_engine(f"sqlite:///{path}")
    for migrate in migrations:
        migrate(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def migrated_postgres_database(prefix: str, *migrations):
    """Yields the URL of a fresh PostgreSQL database with these migrations; drops it afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as err:
        admin.dispose()
        if IN_CI:
            pytest.fail(f"PostgreSQL must be reachable under CI=true ({PG_ADMIN_URL}): {err}")
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}")
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    engine = make_engine(url)
    for migrate in migrations:
        migrate(engine)
    engine.dispose()
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


# Both schemas, as `thidua db upgrade` leaves a database: the engine's and the campaign's tables.
MIGRATIONS = (upgrade, upgrade_campaign)
METADATAS = (Base.metadata, CampaignBase.metadata)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    return migrated_sqlite_file(tmp_path_factory.mktemp("template") / "template.db", *MIGRATIONS)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """A fresh, migrated PostgreSQL database for this test run, dropped at the end."""
    yield from migrated_postgres_database("thidua_test", *MIGRATIONS)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "thidua.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    truncate_postgres(url, *METADATAS)
    return url


@pytest.fixture
def handlers() -> HandlerRegistry:
    return HandlerRegistry()


@pytest.fixture
def engine(database_url, handlers):
    process_engine = ProcessEngine(EngineConfig(database_url=database_url), handlers=handlers)
    yield process_engine
    process_engine.close()
