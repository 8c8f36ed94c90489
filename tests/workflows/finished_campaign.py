"""A real finished campaign for the documents' tests: tests/workflows/test_decision_end.py's
scenario run to its end on the real models, its variables read back from the engine.

Import `finished` together with the fixtures it stands on:
    from tests.workflows.finished_campaign import clock, council, engine, finished, office, people
"""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from engine.runtime import InstanceQuery
from tests.workflows.test_decision_end import clock, council, engine, office, people  # noqa: F401 (fixtures)
from tests.workflows.test_decision_end import (
    test_a_campaign_with_mixed_outcomes_decides_each_nominee_and_records_the_awards as run_campaign)


@dataclass
class Finished:
    variables: dict  # the campaign instance's
    units: dict  # unit code -> the unit instance's variables
    people: dict  # test_decision_end's nominees by nickname


@pytest.fixture
def finished(engine, clock, office, people, council, db) -> Finished:
    run_campaign(engine, clock, office, people, council, db)
    instances = engine.runtime.list_instances(InstanceQuery(limit=None))
    [campaign] = [i for i in instances if i.parent_instance_id is None and i.definition_key == "campaign"]
    units = {i.unit: engine.runtime.get_variables(i.id) for i in instances if i.parent_instance_id == campaign.id}
    return Finished(engine.runtime.get_variables(campaign.id), units, people)
