"""The province's data for bench/province.py: a throw-away PostgreSQL database, people and groups,
and open tasks bulk-loaded with SQLAlchemy Core (100,000 through the engine would take longer than
the measurements themselves), plus the process's resident memory."""
from __future__ import annotations

import random
import tempfile
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

from sqlalchemy import MetaData, Table, create_engine, func, select, text

from engine.persistence.schema import upgrade
from workflows.schema import upgrade as upgrade_campaign

# The group whose inbox is measured: the Department of Home Affairs (Sở Nội vụ), which receives
# the dossiers of a whole province. A tenth of the loaded tasks are offered to it.
INBOX_GROUP = "so_noi_vu"
UNIT_GROUPS = 100  # the other tasks are spread over this many units' groups
TASKS_PER_INSTANCE = 4
ASSIGNED_SHARE = 0.2
INSERT_BATCH = 5000


@contextmanager
def fresh_postgres(admin_url: str, prefix: str = "bench_province"):
    """A new database with both migration sets (as tests/conftest.py makes one); dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    try:
        db = create_engine(url)
        for migrate in (upgrade, upgrade_campaign):
            migrate(db)
        db.dispose()
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def fresh_sqlite():
    """The same on a SQLite file in a temporary folder, removed afterwards."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/province.db"
        db = create_engine(url)
        for migrate in (upgrade, upgrade_campaign):
            migrate(db)
        db.dispose()
        yield url


def rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def unit_code(i: int) -> str:
    return f"p{i:03d}"


def add_people(engine) -> None:
    """A head and an officer per unit, three officers of the inbox group, all with e-mail addresses
    (reminders go only to people with one)."""
    identity = engine.identity
    identity.ensure_group(INBOX_GROUP, "Sở Nội vụ", "unit")
    for n in range(3):
        identity.create_user(f"snv{n}", f"Chuyên viên Sở Nội vụ {n}", email=f"snv{n}@example.vn",
                             groups=[INBOX_GROUP])
    for i in range(UNIT_GROUPS):
        code = unit_code(i)
        identity.ensure_group(f"unit:{code}", f"Đơn vị {code}", "unit")
        identity.ensure_group(f"head:{code}", f"Lãnh đạo đơn vị {code}", "role")
        identity.create_user(f"head_{code}", f"Trưởng đơn vị {code}", email=f"head_{code}@example.vn", unit=code,
                             groups=[f"unit:{code}", f"head:{code}"])
        identity.create_user(f"cv_{code}", f"Chuyên viên {code}", email=f"cv_{code}@example.vn", unit=code,
                             groups=[f"unit:{code}"])


class TaskLoader:
    """Open tasks like the engine writes them, on instances that are byte-for-byte copies of one real
    instance of `bench_task` (so loading any of them, as a reminder quoting its variables does, works)."""

    def __init__(self, engine, now: datetime, seed: int = 18) -> None:
        self.engine, self.now, self.random = engine, now, random.Random(seed)
        self.db = engine.context.db
        meta = MetaData()
        self.instance, self.task, self.candidate = (Table(name, meta, autoload_with=self.db)
                                                    for name in ("process_instance", "task", "task_candidate"))
        template = engine.runtime.start_process_by_key("bench_task", {
            "due": "2025-08-08", "campaignName": "Đợt thi đua (dữ liệu nạp sẵn)", "unitName": "Đơn vị"},
            business_key="BULK")
        with self.db.connect() as conn:
            self.template = dict(conn.execute(select(self.instance).where(self.instance.c.id == template.id))
                                 .mappings().one())
        self.loaded = 0

    def load_until(self, total: int) -> float:
        """Adds open tasks until `total` are loaded; returns the seconds it took."""
        began = datetime.now()
        while self.loaded < total:
            self._batch(min(INSERT_BATCH, total - self.loaded))
        return (datetime.now() - began).total_seconds()

    def _batch(self, count: int) -> None:
        instances, tasks, candidates = [], [], []
        for n in range(count):
            index = self.loaded + n
            if index % TASKS_PER_INSTANCE == 0 or not instances:
                code = unit_code(self.random.randrange(UNIT_GROUPS))
                instance_id = str(uuid.uuid4())
                instances.append({**self.template, "id": instance_id, "unit": code})
            task_id = str(uuid.uuid4())
            # Deadlines from three weeks ago to five weeks ahead, at the end of an office day.
            due = (self.now + timedelta(days=self.random.randint(-21, 35))).replace(hour=10, minute=0, second=0)
            inbox = index % 10 == 0
            assignee = None if inbox or self.random.random() >= ASSIGNED_SHARE else f"cv_{code}"
            tasks.append({"id": task_id, "instance_id": instance_id, "definition_id": self.template["definition_id"],
                          "definition_key": "bench_task", "business_key": "BULK", "element_id": "Task_review",
                          "name": "Xem xét hồ sơ", "assignee": assignee, "priority": 50, "due_at": due,
                          "follow_up_at": None, "created_at": self.now - timedelta(days=60), "form_key": None,
                          "form_ref": None, "form_json": None, "properties_json": None})
            candidates.append({"task_id": task_id, "kind": "group",
                               "value": INBOX_GROUP if inbox else f"unit:{code}"})
        with self.db.begin() as conn:
            conn.execute(self.instance.insert(), instances)
            conn.execute(self.task.insert(), tasks)
            conn.execute(self.candidate.insert(), candidates)
        self.loaded += count

    def analyze(self) -> None:
        """What autovacuum would do a minute after a bulk load: fresh planner statistics."""
        with self.db.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))

    def clear_outbox(self) -> None:
        with self.db.begin() as conn:
            conn.execute(text("DELETE FROM mail_outbox"))

    def counts(self) -> dict:
        with self.db.connect() as conn:
            return {"instances": conn.scalar(select(func.count()).select_from(self.instance)),
                    "open_tasks": conn.scalar(select(func.count()).select_from(self.task)),
                    "outbox": conn.scalar(text("SELECT count(*) FROM mail_outbox"))}


def office_now() -> datetime:
    """A Tuesday mid-campaign, after the reminder hour: 15/7/2025 09:30 in Sơn La (UTC+7)."""
    return datetime(2025, 7, 15, 2, 30, tzinfo=timezone.utc)

