"""`thidua demo` on an empty database: the Office, its accounts and a running 2025 campaign."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from engine import EngineConfig, TaskQuery
from engine.involvement import Involvement
from engine.runtime import InstanceQuery
from web.composition import build_engine
from workflows.council import Council

ROOT = Path(__file__).resolve().parent.parent


def thidua(*args: str, database_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "THIDUA_DEMO_PASSWORD": "mật-khẩu-demo"}
    return subprocess.run([sys.executable, "-c", "from web.cli import run; run()", *args], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=300)


def test_demo_leaves_a_running_campaign_with_work_for_each_role(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    assert thidua("db", "upgrade", database_url=url).returncode == 0
    first = thidua("demo", database_url=url)
    assert first.returncode == 0, first.stderr
    assert "7 units, 63 staff" in first.stdout and "started" in first.stdout
    again = thidua("demo", database_url=url)
    assert again.returncode == 0 and "already running" in again.stdout

    with build_engine(EngineConfig(database_url=url)) as engine:
        [campaign] = engine.runtime.list_instances(InstanceQuery(definition_key="campaign"))
        assert campaign.status == "active" and campaign.business_key == "KH-80NTT-2025"
        units = engine.runtime.list_instances(InstanceQuery(definition_key="unit_evaluation"))
        assert len(units) == 7 and {u.parent_instance_id for u in units} == {campaign.id}
        groups = {g for task in engine.tasks.list(TaskQuery(limit=None)) for g in task.candidate_groups}
        assert {"tchcqt", "info_centre"} <= groups
        assert {f"head:{u.unit}" for u in units} <= groups
        # A unit head signs in with the demo password and sees their own unit's task only.
        head = engine.identity.check_password(engine.identity.members("head:tong_hop")[0], "mật-khẩu-demo")
        mine = engine.tasks.list(TaskQuery(involving=Involvement(head.user_id, head.groups, head.unit)))
        assert [t.candidate_groups for t in mine] == [("head:tong_hop",)]
        assert engine.identity.check_password("minhtb", "mật-khẩu-demo").groups >= {"chief", "council"}
        # The council is the council table: the chief chairs, TCHCQT's head is the secretary, the
        # other six unit heads are members; the `council` group holds exactly them.
        seats = Council(engine.context.db).members()
        assert [(s.staff_id, s.role) for s in seats[:2]] == [("minhtb", "chair"), ("hapt", "secretary")]
        assert len(seats) == 8 and {s.role for s in seats[2:]} == {"member"}
        assert engine.identity.members("council") == sorted(s.staff_id for s in seats)
