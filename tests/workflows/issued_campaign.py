"""One finished campaign per test module, on its own SQLite file or PostgreSQL database: the
scenario of tests/workflows/test_decision_end.py run once, its documents issued by its steps.

    from tests.workflows.issued_campaign import issued  # noqa: F401 (the fixture)

The Office has uploaded its own Quyết định template before the campaign (version 1, with the line
PINNED_LINE), so the decision's snapshot pins a version other than the default.
"""
from __future__ import annotations

import io
import shutil
from dataclasses import dataclass
from datetime import datetime

import pytest
from docx import Document
from sqlalchemy import func, select

from engine import HandlerRegistry, ProcessEngine
from engine.persistence.db import make_engine
from tests.conftest import MIGRATIONS, FakeClock, migrated_postgres_database
from tests.test_campaign import OFFICE_TZ
from tests.workflows.test_decision_end import (
    campaign_engine_on, nominees_of, seat_council, seeded_office,
    test_a_campaign_with_mixed_outcomes_decides_each_nominee_and_records_the_awards as run_campaign)
from workflows.documents.build_templates import default_template
from workflows.documents.store import DocumentStore
from workflows.documents.templates_store import TemplateStore
from workflows.models import CampaignBase
from workflows.staff_directory import StaffDirectory

PINNED_LINE = "Mẫu của Văn phòng, phiên bản 1."


def template_with(kind: str, line: str) -> bytes:
    """The default template of `kind` with one more paragraph, as the Office edits it in Word."""
    doc = Document(io.BytesIO(default_template(kind)))
    doc.add_paragraph(line)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def row_counts(db) -> dict[str, int]:
    """Every campaign table's row count: what a refused call must leave as it was."""
    with db.connect() as conn:
        return {t.name: conn.scalar(select(func.count()).select_from(t)) for t in CampaignBase.metadata.sorted_tables}


@dataclass
class Issued:
    engine: ProcessEngine
    db: object
    database_url: str
    store: DocumentStore
    campaign_id: str
    variables: dict  # the campaign instance's, at the end
    units: dict  # unit code -> (instance id, its variables at the end)
    people: dict  # test_decision_end's nominees by nickname


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def issued_database_url(request, tmp_path_factory):
    """A database of the module's own: the campaign outlives the function-scoped ones."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("issued") / "thidua.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
    else:
        yield from migrated_postgres_database("thidua_issued", *MIGRATIONS)


@pytest.fixture(scope="module")
def issued(issued_database_url):
    db = make_engine(issued_database_url)
    directory = StaffDirectory(db)
    office = seeded_office(directory)
    TemplateStore(db).upload("chief_decision", template_with("chief_decision", PINNED_LINE), "vanthu")
    clock = FakeClock(datetime(2025, 6, 6, 8, 0, tzinfo=OFFICE_TZ))
    with campaign_engine_on(issued_database_url, directory, HandlerRegistry(), clock) as engine:
        people = nominees_of(office)
        run_campaign(engine, clock, office, people, seat_council(engine, office), db)
        [campaign] = [i for i in engine.runtime.list_instances() if i.parent_instance_id is None]
        units = {i.unit: (i.id, engine.runtime.get_variables(i.id)) for i in engine.runtime.list_instances()
                 if i.parent_instance_id == campaign.id}
        yield Issued(engine, db, issued_database_url, DocumentStore(db), campaign.id,
                     engine.runtime.get_variables(campaign.id), units, people)
    db.dispose()
