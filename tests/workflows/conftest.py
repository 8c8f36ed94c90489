"""Fixtures for workflows/: databases migrated with the engine's AND the campaign's migrations.

The root conftest's `sqlite_template` and `postgres_url` hold the engine schema only (and the
engine's own tests compare that database with the engine's models), so the campaign tables get
their own SQLite template and their own PostgreSQL database here.
"""
from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from engine.db import make_engine
from engine.models import Base
from engine.schema import upgrade as upgrade_engine
from tests.conftest import IN_CI, PG_ADMIN_URL
from workflows.models import CampaignBase
from workflows.schema import upgrade as upgrade_campaign
from workflows.staff_directory import StaffDirectory


def migrate_all(url: str) -> None:
    engine = make_engine(url)
    upgrade_engine(engine)
    upgrade_campaign(engine)
    engine.dispose()


@pytest.fixture(scope="session")
def office_sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("office_template") / "office.db"
    migrate_all(f"sqlite:///{path}")
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def create_postgres_database(prefix: str) -> tuple[str, object]:
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
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}", (admin, name)


def drop_postgres_database(handle) -> None:
    admin, name = handle
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def office_postgres_url():
    """A fresh PostgreSQL database with both schemas for this test run, dropped at the end."""
    url, handle = create_postgres_database("thidua_office_test")
    migrate_all(url)
    yield url
    drop_postgres_database(handle)


def _truncate_postgres(url: str) -> None:
    engine = make_engine(url)
    tables = [*Base.metadata.sorted_tables, *CampaignBase.metadata.sorted_tables]
    with engine.begin() as connection:
        names = ", ".join(f'"{t.name}"' for t in tables)
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def office_database_url(request, tmp_path) -> str:
    """A clean database with the engine's and the campaign's tables, on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "office.db"
        shutil.copy(request.getfixturevalue("office_sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("office_postgres_url")
    _truncate_postgres(url)
    return url


@pytest.fixture
def db(office_database_url):
    engine = make_engine(office_database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def directory(db) -> StaffDirectory:
    return StaffDirectory(db)
