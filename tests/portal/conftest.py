"""The portal over a real database with two units' people and a running 2025 campaign.

Fixtures (see each docstring):
- `portal` (SQLite, fast): a `Portal` with `.app`, `.engine`, `.clock`, `.campaign_id`, `.units`
  (unit code -> its unit_evaluation instance id) and `.login(user)` -> a signed-in `PortalClient`.
- `portal_any_db`: the same on SQLite and on PostgreSQL (the engine's `database_url` fixture);
  `module_portal_any_db` shares one per database between a module's tests.
- `live_portal`: `portal`'s app on a real socket for a browser; yields its base URL.
- `PortalClient.get/post(...)`: a Flask test client whose POSTs carry the page's CSRF token
  (`csrf=False` sends none); `.task(element_id, unit=None)` finds an open task.
Everyone's password is PASSWORD. The clock (`portal.clock.now = ...`) is a FakeClock starting on
6/6/2025 08:00 in the office, the day after the plan; `portal.end_campaign_period()` moves it past
5/8 and fires the units' timers.
"""
from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from argon2 import PasswordHasher

from engine import EngineConfig, TaskQuery
from engine.persistence.db import make_engine
from engine.identity.service import IdentityService
from engine.runtime.service import InstanceQuery
from tests.conftest import METADATAS, MIGRATIONS, FakeClock, migrated_sqlite_file, truncate_postgres
from tests.live import serving
from tests.postgres_reset import Contents, load_contents, read_contents
from web.app import create_app
from web.composition import build_engine, staff_directory
from workflows.appraisal import decisions
from workflows.staff_directory import Staff

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
OFFICE_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
START = datetime(2025, 6, 6, 8, 0, tzinfo=OFFICE_TZ)
PASSWORD = "mật-khẩu-2025"
PLAN = "86/KH-VPUB"
UNIT_A, UNIT_B = "tong_hop", "kinh_te"
UNITS = [
    {"code": UNIT_A, "name": "Phòng Tổng hợp", "headGroup": f"head:{UNIT_A}"},
    {"code": UNIT_B, "name": "Phòng Kinh tế", "headGroup": f"head:{UNIT_B}"},
]
CAMPAIGN = {
    "planNumber": PLAN, "planDate": "2025-06-05",
    "campaignName": "Đợt thi đua đặc biệt chào mừng 80 năm Ngày truyền thống Văn phòng",
    "guidanceDate": "2025-06-30", "campaignEndDate": "2025-08-05", "unitReportDate": "2025-08-08",
    "appraisalDate": "2025-08-10", "anniversaryDate": "2025-08-28",
    "units": UNITS, "passRule": {"basis": "present", "threshold": 0.5, "quorum": 0.667, "members": 3},
}
ROLES = {"unit_head": "Lãnh đạo đơn vị", "staff": "Cán bộ, công chức", "tchcqt": "Phòng TCHCQT",
         "council": "Hội đồng TĐKT", "chief": "Chánh Văn phòng", "info_centre": "Trung tâm Thông tin",
         "designer": "Thiết kế quy trình", "admin": "Quản trị"}
UNIT_GROUPS = {"tong_hop": "Phòng Tổng hợp", "kinh_te": "Phòng Kinh tế", "tchcqt": "Phòng TCHCQT"}
PEOPLE = {
    # user: (display name, unit, groups, start date at the Office)
    "head_a": ("Nguyễn Văn Hùng", UNIT_A, ["unit_head", "head:tong_hop", "unit:tong_hop", "staff"], date(2005, 3, 1)),
    "lan": ("Nguyễn Thị Lan", UNIT_A, ["staff", "unit:tong_hop"], date(2012, 9, 1)),
    "head_b": ("Trần Thị Bình", UNIT_B, ["unit_head", "head:kinh_te", "unit:kinh_te", "staff"], date(2008, 1, 2)),
    "an": ("Lê Văn An", UNIT_B, ["staff", "unit:kinh_te"], date(2021, 4, 1)),
    "officer": ("Phạm Thu Hà", "tchcqt", ["tchcqt", "unit:tchcqt", "staff"], date(2010, 5, 4)),
    "council": ("Đỗ Minh Đức", None, ["council"], None),
    "chief": ("Trần Bình Minh", None, ["chief"], None),
    "info": ("Vũ Thông Tin", None, ["info_centre"], None),
    "designer": ("Lê Thiết Kế", None, ["designer"], None),
    "admin": ("Quản Trị Viên", None, ["admin"], None),
}
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def _populate(database_url: str) -> None:
    """People, the staff register, the models and a running campaign, as an office would have them."""
    engine = build_engine(EngineConfig(database_url=database_url, clock=FakeClock(START)))
    try:
        identity = IdentityService(engine.context, password_hasher=PasswordHasher(time_cost=1, memory_cost=8192))
        for group, name in ROLES.items():
            identity.ensure_group(group, name, "role")
        for code, name in UNIT_GROUPS.items():
            identity.ensure_group(f"unit:{code}", name, "unit")
            identity.ensure_group(f"head:{code}", f"Lãnh đạo {name}", "role")
        directory = staff_directory(engine)
        for code, name in UNIT_GROUPS.items():
            directory.upsert_unit(code, name, "phong")
        for user, (name, unit, groups, started) in PEOPLE.items():
            identity.create_user(user, name, password=PASSWORD, unit=unit, groups=groups)
            if started is not None:
                directory.upsert_staff(Staff(user, name, unit, started), ratings={y: "good" for y in range(2015, 2025)})
        engine.repository.deploy([(name, (BPMN_DIR / name).read_bytes())
                                  for name in ("campaign.bpmn", "unit_evaluation.bpmn", "eligibility.dmn")])
        engine.runtime.start_process_by_key("campaign", CAMPAIGN, business_key=PLAN, actor="chief")
    finally:
        engine.close()


@pytest.fixture(scope="session")
def portal_template(tmp_path_factory) -> Path:
    path = migrated_sqlite_file(tmp_path_factory.mktemp("portal") / "portal.db", *MIGRATIONS)
    _populate(f"sqlite:///{path}")
    db = make_engine(f"sqlite:///{path}")
    with db.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path


class PortalClient:
    """A signed-in test client; POSTs carry the CSRF token the portal's pages carry."""

    def __init__(self, client, user: str | None) -> None:
        self.client, self.user = client, user
        self._token: str | None = None

    def csrf_token(self) -> str:
        if self._token is None:
            page = self.client.get("/login" if self.user is None else "/inbox").get_data(as_text=True)
            self._token = CSRF_META.search(page).group(1)
        return self._token

    def get(self, url: str, **kwargs):
        response = self.client.get(url, **kwargs)
        found = CSRF_META.search(response.get_data(as_text=True)) if response.mimetype == "text/html" else None
        if found:
            self._token = found.group(1)
        return response

    def post(self, url: str, data=None, *, csrf: bool = True, **kwargs):
        data = dict(data or {}) if not isinstance(data, list) else data
        if csrf:
            if isinstance(data, list):
                data = [*data, ("csrf_token", self.csrf_token())]
            else:
                data.setdefault("csrf_token", self.csrf_token())
        return self.client.post(url, data=_multidict(data) if isinstance(data, list) else data, **kwargs)


def _multidict(data):
    from werkzeug.datastructures import MultiDict
    return MultiDict(data)


@dataclass
class Portal:
    app: object
    engine: object
    clock: FakeClock
    campaign_id: str
    units: dict[str, str] = field(default_factory=dict)

    def client(self) -> PortalClient:
        return PortalClient(self.app.test_client(), None)

    def login(self, user: str, password: str = PASSWORD) -> PortalClient:
        client = self.client()
        response = client.post("/login", {"username": user, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        client.user = user
        client._token = None  # signing in starts a new session, with a new token
        return client

    def task(self, element_id: str, unit: str | None = None):
        """The one open task `element_id` of the campaign, or of a unit's evaluation."""
        instance_id = self.units[unit] if unit else self.campaign_id
        found = [t for t in self.engine.tasks.list(TaskQuery(instance_id=instance_id)) if t.element_id == element_id]
        assert len(found) == 1, (element_id, unit, [t.element_id for t in found])
        return found[0]

    def complete(self, element_id: str, values: dict | None = None, unit: str | None = None, actor: str = "x"):
        self.engine.tasks.complete(self.task(element_id, unit).id, values or {}, actor=actor)

    def appraise(self, unit: str, returns: dict[str, str] | None = None, actor: str = "officer") -> None:
        """TCHCQT decides on each of the unit's checked nominees: accepted unless `returns` gives a reason."""
        checked = self.engine.runtime.get_variables(self.units[unit])["checkedNominees"]
        self.complete("Task_appraise", decisions(checked, returns), unit=unit, actor=actor)

    def end_campaign_period(self) -> None:
        self.clock.now = datetime(2025, 8, 6, 8, 0, tzinfo=OFFICE_TZ)
        assert self.engine.runtime.fire_due_timers() == len(self.units)


def make_portal(database_url: str, tmp_path: Path):
    clock = FakeClock(START)
    config = EngineConfig(database_url=database_url, clock=clock, attachments_dir=tmp_path / "attachments",
                          max_attachment_bytes=1024 * 1024)
    engine = build_engine(config)
    engine.identity = IdentityService(engine.context, password_hasher=PasswordHasher(time_cost=1, memory_cost=8192))
    app = create_app(engine=engine, settings={"TESTING": True, "SECRET_KEY": "test-secret"})
    instances = engine.runtime.list_instances(InstanceQuery(limit=None))
    campaign = next(i for i in instances if i.definition_key == "campaign")
    units = {i.unit: i.id for i in instances if i.parent_instance_id == campaign.id}
    return Portal(app, engine, clock, campaign.id, units)


@pytest.fixture
def portal(portal_template, tmp_path):
    path = tmp_path / "portal.db"
    shutil.copy(portal_template, path)
    built = make_portal(f"sqlite:///{path}", tmp_path)
    yield built
    built.engine.close()


# What _populate leaves in each PostgreSQL test database, read once: loading it takes a tenth of
# the time of populating again (accounts, staff, deployment, the campaign's start).
_POPULATED: dict[str, Contents] = {}


def populated_postgres(url: str) -> None:
    if url not in _POPULATED:
        truncate_postgres(url, *METADATAS)
        _populate(url)
        _POPULATED[url] = read_contents(url, *METADATAS)
    else:
        load_contents(url, _POPULATED[url], *METADATAS)


def _portal_on(request, portal_template: Path, folder: Path):
    """The portal on `request.param`'s database: a copy of the template on SQLite, the populated
    office loaded afresh on PostgreSQL."""
    if request.param == "sqlite":
        path = folder / "portal.db"
        shutil.copy(portal_template, path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_url")
        populated_postgres(url)
    return make_portal(url, folder)


@pytest.fixture(params=["sqlite", "postgresql"])
def portal_any_db(request, portal_template, tmp_path):
    """The portal on SQLite and on PostgreSQL."""
    built = _portal_on(request, portal_template, tmp_path)
    yield built
    built.engine.close()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def module_portal_any_db(request, portal_template, tmp_path_factory):
    """`portal_any_db` shared by a module's tests, built once per database: for tests that each
    change what the others do not look at."""
    built = _portal_on(request, portal_template, tmp_path_factory.mktemp("portal"))
    yield built
    built.engine.close()


@pytest.fixture
def live_portal(portal):
    """The portal on a real socket (threaded), for Playwright: yields "http://127.0.0.1:PORT"."""
    with serving(portal.app) as base_url:
        yield base_url
