"""Migrations, the refusal to run on an old schema, and the `thidua` command line."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from engine import EngineConfig, ProcessEngine
from engine.errors import DatabaseNotMigratedError
from tests.conftest import FIXTURES

ROOT = Path(__file__).resolve().parent.parent
THIDUA = [sys.executable, "-c", "from web.cli import run; run()"]


def test_unmigrated_database_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    with pytest.raises(DatabaseNotMigratedError, match="thidua db upgrade"):
        ProcessEngine(EngineConfig(database_url=url))


def thidua(*args: str, database_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run([*THIDUA, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)


def test_cli_walks_a_process_through(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    refused = thidua("tasks", database_url=url)
    assert refused.returncode == 1 and "thidua db upgrade" in refused.stderr

    assert thidua("db", "upgrade", database_url=url).returncode == 0
    deployed = thidua("deploy", str(FIXTURES / "approval.bpmn"), database_url=url)
    assert deployed.returncode == 0 and "deployed approval version 1" in deployed.stdout
    # Progress on standard error (the output stays the result): checked, built, then stored.
    assert "triển khai / deploying: 0/3 (checking)" in deployed.stderr
    assert "triển khai / deploying: 2/3 (saving)" in deployed.stderr and "saving" not in deployed.stdout
    again = thidua("deploy", str(FIXTURES / "approval.bpmn"), database_url=url)
    assert "unchanged approval" in again.stdout

    started = thidua("start", "approval", "--var", "reviewDue=2025-08-08", "--business-key", "KH-05",
                     database_url=url)
    assert started.returncode == 0, started.stderr
    instance_id, status = started.stdout.split()
    assert status == "active"

    listed = thidua("tasks", "--group", "tchcqt", database_url=url)
    task_id = listed.stdout.split()[0]
    assert "Xem xét đề nghị" in listed.stdout and "2025-08-08T16:59:59+00:00" in listed.stdout

    bad = thidua("complete", task_id, "--var", "score=500", database_url=url)
    assert bad.returncode == 1 and "score" in bad.stderr
    done = thidua("complete", task_id, "--var", "score=80", "--user", "lan", database_url=url)
    assert done.returncode == 0, done.stderr
    assert thidua("tasks", database_url=url).stdout.strip() == ""

    broken = tmp_path / "broken.bpmn"
    broken.write_text("<bpmn:definitions")
    failed = thidua("deploy", str(broken), database_url=url)
    assert failed.returncode == 1 and "broken.bpmn" in failed.stderr and "not well-formed" in failed.stderr


def test_docker_compose_is_a_valid_stack():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"app", "db", "mailpit"}
    assert "gunicorn" in services["app"]["command"] and "web.app:create_app()" in services["app"]["command"]
    assert services["app"]["environment"]["DATABASE_URL"].startswith("postgresql+psycopg://")
    assert services["app"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["db"]["image"].startswith("postgres:")
    assert "mailpit" in services["mailpit"]["image"]
    # The app sends to Mailpit, whose web page the README names as the place to read the mail.
    assert (services["app"]["environment"]["SMTP_HOST"], services["app"]["environment"]["SMTP_PORT"]) == ("mailpit", "1025")
    assert "8025:8025" in services["mailpit"]["ports"]
    assert "http://localhost:8025" in (ROOT / "README.md").read_text()
    assert "pgdata" in compose["volumes"] and "attachments" in compose["volumes"]
    app = services["app"]
    assert app["environment"]["THIDUA_SECRET_KEY"].startswith("${THIDUA_SECRET_KEY:?")
    assert f"attachments:{app['environment']['THIDUA_ATTACHMENTS_DIR']}" in app["volumes"]
    assert (ROOT / "Dockerfile").is_file()


def test_dockerfile_builds_the_front_end_from_the_lock_file():
    """Checked by reading (no Docker engine here): what it copies exists, and the vendor files come
    from `npm ci` in a build stage, not from the repository."""
    lines = [line.split() for line in (ROOT / "Dockerfile").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    stages = [words for words in lines if words[0] == "FROM"]
    assert [words[-1] for words in stages] == ["assets", "python:3.11-slim"]
    runs = " ".join(" ".join(words) for words in lines if words[0] == "RUN")
    assert "npm ci" in runs and "web.assets" in runs and "pip install" in runs
    for words in lines:
        if words[0] == "COPY" and not words[1].startswith("--from"):
            assert all((ROOT / source).exists() for source in words[1:-1]), words
    assert ["COPY", "--from=assets", "/app/web/static/vendor", "web/static/vendor"] in lines


def test_migrations_match_the_models(database_url):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from engine.persistence.db import make_engine
    from engine.persistence.models import Base

    engine = make_engine(database_url)
    own_tables = {"include_name": lambda name, type_, parents: type_ != "table" or name in Base.metadata.tables}
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection, opts=own_tables), Base.metadata)
    engine.dispose()
    assert differences == []


def test_cli_creates_users_and_tokens(tmp_path):
    url = f"sqlite:///{tmp_path / 'users.db'}"
    assert thidua("db", "upgrade", database_url=url).returncode == 0
    created = thidua("user", "add", "designer", "--name", "Lê Thiết Kế", "--group", "designer",
                     "--password", "mật-khẩu-2025", database_url=url)
    assert created.returncode == 0, created.stderr
    token = thidua("user", "token", "designer", "Camunda Modeler", database_url=url)
    assert token.returncode == 0 and token.stdout.startswith("tdf_")
    expiring = thidua("user", "token", "designer", "Đợt 2025", "--days", "30", database_url=url)
    assert expiring.returncode == 0 and expiring.stdout.startswith("tdf_")
    duplicate = thidua("user", "add", "designer", "--name", "X", "--password", "mật-khẩu-2025", database_url=url)
    assert duplicate.returncode == 1 and "designer" in duplicate.stderr
    with ProcessEngine(EngineConfig(database_url=url)) as engine:
        principal = engine.identity.authenticate_token(token.stdout.strip())
        assert principal.user_id == "designer" and "designer" in principal.groups
        tokens = {t.name: t for t in engine.identity.list_tokens("designer")}
        assert tokens["Camunda Modeler"].expires_at is None
        lifetime = tokens["Đợt 2025"].expires_at - tokens["Đợt 2025"].created_at
        assert abs(lifetime - timedelta(days=30)) < timedelta(minutes=1)
        assert engine.identity.check_password("designer", "mật-khẩu-2025") is not None


def test_sqlite_runs_in_wal_mode(tmp_path):
    from engine.persistence.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'nested' / 'thidua.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()
    assert (tmp_path / "nested").is_dir()


def test_default_database_is_instance_thidua_db(monkeypatch):
    from engine.config import EngineConfig as Config

    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert Config().database_url == "sqlite:///instance/thidua.db"
