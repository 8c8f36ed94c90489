"""Fixtures for workflows/: the staff directory over the root conftest's databases (both schemas)."""
from __future__ import annotations

import pytest

from engine.persistence.db import make_engine
from workflows.staff_directory import StaffDirectory


@pytest.fixture
def office_database_url(database_url) -> str:
    """The root conftest's databases carry both schemas already."""
    return database_url


@pytest.fixture
def db(office_database_url):
    engine = make_engine(office_database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def directory(db) -> StaffDirectory:
    return StaffDirectory(db)
