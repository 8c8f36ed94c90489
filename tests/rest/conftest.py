"""A portal app over the test engine, with the office's people, for the /engine-rest tests."""
from __future__ import annotations

import base64
from dataclasses import dataclass

import pytest
from argon2 import PasswordHasher

from engine.identity.service import IdentityService
from tests.live import serving
from web.app import create_app

PASSWORD = "mật-khẩu-2025"
PEOPLE = {
    # user: (display name, unit, groups)
    "designer": ("Lê Thiết Kế", None, ["designer"]),
    "head_a": ("Nguyễn Văn An", "tong_hop", ["unit_head", "unit:tong_hop"]),
    "staff_b": ("Trần Thị Bình", "kinh_te", ["staff", "unit:kinh_te"]),
    "officer": ("Phạm Thu Hà", "tchcqt", ["tchcqt", "unit:tchcqt"]),
    "worker": ("Dịch vụ gửi thư", None, ["worker"]),
}
GROUPS = {"designer": "role", "unit_head": "role", "staff": "role", "tchcqt": "role", "worker": "role",
          "unit:tong_hop": "unit", "unit:kinh_te": "unit", "unit:tchcqt": "unit"}


@dataclass
class Office:
    app: object
    client: object
    engine: object

    def auth(self, user: str) -> dict:
        token = base64.b64encode(f"{user}:{PASSWORD}".encode()).decode()
        return {"Authorization": f"Basic {token}"}


@pytest.fixture
def office(engine) -> Office:
    # Cheap argon2 settings: the tests check who signs in, not how slow hashing is.
    engine.identity = IdentityService(engine.context, password_hasher=PasswordHasher(time_cost=1, memory_cost=8192))
    for group, kind in GROUPS.items():
        engine.identity.ensure_group(group, group, kind)
    for user, (name, unit, groups) in PEOPLE.items():
        engine.identity.create_user(user, name, password=PASSWORD, unit=unit, groups=groups)
    app = create_app(engine=engine)
    app.config["TESTING"] = True
    return Office(app, app.test_client(), engine)


@pytest.fixture
def live_server(office):
    """The same app on a real socket, for clients that speak HTTP themselves."""
    with serving(office.app) as base_url:
        yield base_url + "/engine-rest"
