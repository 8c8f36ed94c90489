"""A real finished campaign for the documents' tests: tests/workflows/test_decision_end.py's
scenario run to its end on the real models, its variables read back from the engine.

Import `finished` (per test, on SQLite and PostgreSQL) together with the fixtures it stands on:
    from tests.workflows.finished_campaign import clock, council, engine, finished, office, people
or `finished_once` (once per test module, on SQLite: for tests that only read the outcome):
    from tests.workflows.finished_campaign import finished_once
"""
from __future__ import annotations

import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

import pytest

from engine import HandlerRegistry
from engine.persistence.db import make_engine
from engine.runtime.service import InstanceQuery
from tests.test_campaign import start_clock
from tests.workflows.test_decision_end import clock, council, engine, office, people  # noqa: F401 (fixtures)
from tests.workflows.test_decision_end import (
    campaign_engine_on, nominees_of, seat_council, seeded_office,
    test_a_campaign_with_mixed_outcomes_decides_each_nominee_and_records_the_awards as run_campaign)
from workflows.demo_office import DemoOffice
from workflows.staff_directory import StaffDirectory


@dataclass
class Finished:
    variables: dict  # the campaign instance's
    units: dict  # unit code -> the unit instance's variables
    people: dict  # test_decision_end's nominees by nickname
    office: DemoOffice | None = None  # the demo Office the campaign ran in (its staff register)


def read_back(engine, people: dict, office: DemoOffice | None = None) -> Finished:
    instances = engine.runtime.list_instances(InstanceQuery(limit=None))
    [campaign] = [i for i in instances if i.parent_instance_id is None and i.definition_key == "campaign"]
    units = {i.unit: engine.runtime.get_variables(i.id) for i in instances if i.parent_instance_id == campaign.id}
    return Finished(engine.runtime.get_variables(campaign.id), units, people, office)


@pytest.fixture
def finished(engine, clock, office, people, council, db) -> Finished:
    run_campaign(engine, clock, office, people, council, db)
    return read_back(engine, people, office)


@contextmanager
def finished_on(database_url: str) -> Iterator[Finished]:
    """The same campaign run outside pytest's function-scoped fixtures, on a migrated database."""
    db = make_engine(database_url)
    try:
        directory = StaffDirectory(db)
        office, clock = seeded_office(directory), start_clock()
        with campaign_engine_on(database_url, directory, HandlerRegistry(), clock) as engine:
            people = nominees_of(office)
            run_campaign(engine, clock, office, people, seat_council(engine, office), db)
            yield read_back(engine, people, office)
    finally:
        db.dispose()


@pytest.fixture(scope="module")
def finished_once(sqlite_template, tmp_path_factory) -> Iterator[Finished]:
    path = tmp_path_factory.mktemp("finished") / "thidua.db"
    shutil.copy(sqlite_template, path)
    with finished_on(f"sqlite:///{path}") as done:
        yield done
