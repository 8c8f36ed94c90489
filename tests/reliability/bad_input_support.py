"""What the bad-input tables need: the office with work in progress, a snapshot of everything stored,
and the hostile payloads themselves.

The snapshot counts the rows of every table the service owns (the engine's and the campaign's
metadata, whatever tables they hold by the time the test runs) and lists every file in the
attachment store, so "nothing was stored" covers tables and files added later too.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

import engine.persistence.models_mail  # noqa: F401 - their tables belong to Base.metadata
import engine.persistence.models_timer_start  # noqa: F401
from engine import TaskQuery
from engine.persistence.models import Base
from tests.conftest import fixture_bytes
from workflows.models import CampaignBase

MB = 1024 * 1024
APPROVAL = fixture_bytes("approval.bpmn").decode()
PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
ACTORS = ("designer", "officer", "head_a", "admin")


def tables():
    return [*Base.metadata.sorted_tables, *CampaignBase.metadata.sorted_tables]


@dataclass(frozen=True)
class Snapshot:
    rows: dict[str, int]
    files: tuple[tuple[str, int], ...]


def snapshot(engine) -> Snapshot:
    with engine.context.db.connect() as connection:
        rows = {t.name: connection.scalar(select(func.count()).select_from(t)) for t in tables()}
    root = Path(engine.context.config.attachments_dir)
    files = tuple(sorted((str(p.relative_to(root)), p.stat().st_size) for p in root.rglob("*") if p.is_file())) \
        if root.exists() else ()
    return Snapshot(rows, files)


def changes(before: Snapshot, after: Snapshot) -> dict:
    """What was stored in between: rows added (or removed) per table, files added and removed."""
    rows = {name: after.rows[name] - before.rows[name] for name in before.rows if after.rows[name] != before.rows[name]}
    added = len(set(after.files) - set(before.files))
    removed = len(set(before.files) - set(after.files))
    return {k: v for k, v in (("rows", rows), ("files added", added), ("files removed", removed)) if v}


@dataclass
class Office:
    """The portal's office (two units, the running campaign) plus an approval waiting for TCHCQT."""

    portal: object
    tokens: dict[str, str]
    approval_task: str  # offered to tchcqt and council; its form has maxlength/min/max/required fields
    deploy_task: str  # the unit head's "deploy the plan" task; its form has a required date

    @property
    def engine(self):
        return self.portal.engine

    def auth(self, user: str) -> dict:
        return {"Authorization": f"Bearer {self.tokens[user]}"}


def build_office(portal) -> Office:
    engine = portal.engine
    engine.repository.deploy([("approval.bpmn", APPROVAL.encode())])
    approval = engine.runtime.start_process_by_key("approval", {"reviewDue": "2025-08-08"}, actor="officer")
    [task] = engine.tasks.list(TaskQuery(instance_id=approval.id))
    tokens = {user: engine.identity.create_token(user, "bad input") for user in ACTORS}
    return Office(portal, tokens, task.id, portal.task("Task_deploy_plan", "tong_hop").id)


# --- hostile models --------------------------------------------------------------------------

def with_element(element: str) -> str:
    """The approval model with one more element before its user task."""
    return APPROVAL.replace('<bpmn:userTask id="Task_review"', element + '\n<bpmn:userTask id="Task_review"', 1)


def script_task(script: str, script_format: str = "python") -> str:
    escaped = script.replace("&", "&amp;").replace("<", "&lt;")
    return with_element(f'<bpmn:scriptTask id="Script_x" scriptFormat="{script_format}">'
                        f'<bpmn:script>{escaped}</bpmn:script></bpmn:scriptTask>')


def xxe(secret: Path) -> str:
    model = APPROVAL.replace('<?xml version="1.0" encoding="UTF-8"?>',
                             f'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file://{secret}">]>')
    return model.replace('name="Bắt đầu"', 'name="&x;"')


def billion_laughs() -> str:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    return f'<?xml version="1.0"?>\n<!DOCTYPE lolz [{entities}]>\n<lolz>&lol9;</lolz>'


def plain_dtd() -> str:
    # No entity at all: a DTD can still fetch or default attributes, so any DOCTYPE is refused.
    return APPROVAL.replace('<?xml version="1.0" encoding="UTF-8"?>',
                            '<?xml version="1.0"?>\n<!DOCTYPE bpmn:definitions SYSTEM "http://example.org/bpmn.dtd">')


def padded(size: int) -> str:
    return APPROVAL.replace("<bpmn:process", "<!--" + "x" * size + "--><bpmn:process", 1)


BROKEN_XML = APPROVAL.replace("</bpmn:userTask>", "", 1)
NOT_BPMN = "<html><body><p>Kế hoạch thi đua</p></body></html>"
JAVA = with_element('<bpmn:serviceTask id="S" camunda:class="org.example.Delegate" />')
