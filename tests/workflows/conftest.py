"""Fixtures for workflows/: databases migrated with the engine's AND the campaign's migrations.

The root conftest's `sqlite_template` and `postgres_url` hold the engine schema only (and the
engine's own tests compare that database with the engine's models), so the campaign tables get
their own SQLite template and their own PostgreSQL database here.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.db import make_engine
from engine.models import Base
from engine.schema import upgrade as upgrade_engine
from tests.conftest import migrated_postgres_database, migrated_sqlite_file, truncate_postgres
from workflows.models import CampaignBase
from workflows.schema import upgrade as upgrade_campaign
from workflows.staff_directory import StaffDirectory


MIGRATIONS = (upgrade_engine, upgrade_campaign)


@pytest.fixture(scope="session")
def office_sqlite_template(tmp_path_factory) -> Path:
    return migrated_sqlite_file(tmp_path_factory.mktemp("office_template") / "office.db", *MIGRATIONS)


@pytest.fixture(scope="session")
def office_postgres_url():
    """A fresh PostgreSQL database with both schemas for this test run, dropped at the end."""
    yield from migrated_postgres_database("thidua_office_test", *MIGRATIONS)


@pytest.fixture(params=["sqlite", "postgresql"])
def office_database_url(request, tmp_path) -> str:
    """A clean database with the engine's and the campaign's tables, on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "office.db"
        shutil.copy(request.getfixturevalue("office_sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("office_postgres_url")
    truncate_postgres(url, Base.metadata, CampaignBase.metadata)
    return url


@pytest.fixture
def db(office_database_url):
    engine = make_engine(office_database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def directory(db) -> StaffDirectory:
    return StaffDirectory(db)
