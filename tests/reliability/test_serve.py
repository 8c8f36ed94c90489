"""`thidua serve` (what `make run` runs) is gunicorn with several workers, and of their schedulers
exactly one acts: on SQLite the flock beside the database file decides, and records its holder."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import MIGRATIONS, migrated_sqlite_file
from tests.live import ReservedPort
from tests.serial import held
from web.cli import run

ROOT = Path(__file__).resolve().parents[2]
THIDUA = "import sys; from web.cli import run; sys.argv[0] = 'thidua'; run()"
BOOTED = re.compile(r"Booting worker with pid: (\d+)")
STARTED = re.compile(r"\[(\d+)\] \[INFO\] engine\.scheduling\.scheduler: scheduler \w+ started")
LEADS = re.compile(r"\[(\d+)\] \[INFO\] engine\.scheduling\.scheduler: scheduler \w+ holds the lock and runs the jobs")


def wait_for(what: str, check, log: Path, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while (found := check()) in (None, False, [], ()):
        assert time.monotonic() < deadline, f"{what} did not happen; log:\n{log.read_text()}"
        time.sleep(0.2)
    return found


def holder(path: Path) -> int | None:
    text = path.read_text().strip() if path.exists() else ""
    return int(text) if text.isdigit() else None


@pytest.mark.serial  # a timing: takeover within the standby's 10-second retry
def test_serve_is_gunicorn_with_one_scheduler_leader(tmp_path):
    database = migrated_sqlite_file(tmp_path / "thidua.db", *MIGRATIONS)
    lock_file = tmp_path / "thidua.db.scheduler-lock"
    log = tmp_path / "serve.log"
    port = ReservedPort()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "THIDUA_SECRET_KEY": "serve-test-" + "k" * 40,
           "THIDUA_ATTACHMENTS_DIR": str(tmp_path / "attachments"), "PYTHONPATH": str(ROOT)}
    env.pop("SMTP_HOST", None)
    with open(log, "ab") as output:
        server = subprocess.Popen([sys.executable, "-c", THIDUA, "serve", "--port", str(port.number), "--workers", "2"],
                                  cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        def healthy():
            assert server.poll() is None, f"thidua serve exited; log:\n{log.read_text()}"
            try:
                return requests.get(f"http://127.0.0.1:{port.number}/health", timeout=2).json()["status"] == "ok"
            except requests.RequestException:
                return False

        wait_for("/health answering", healthy, log)
        text = log.read_text()
        assert "gunicorn" in text.lower() and "Development server" not in text
        workers = wait_for("two workers booted", lambda: len(set(BOOTED.findall(log.read_text()))) == 2
                           and {int(p) for p in BOOTED.findall(log.read_text())}, log)
        assert wait_for("both schedulers started", lambda: {int(p) for p in STARTED.findall(log.read_text())} == workers,
                        log)
        (leader,) = wait_for("a scheduler leading", lambda: [int(p) for p in LEADS.findall(log.read_text())], log)
        assert leader in workers and holder(lock_file) == leader and held(lock_file)

        # The leading worker stops: its scheduler frees the lock, and exactly one other takes it.
        os.kill(leader, signal.SIGTERM)
        leaders = wait_for("a new leader", lambda: (found := [int(p) for p in LEADS.findall(log.read_text())])[1:]
                           and found, log, seconds=40)
        time.sleep(1)  # a second leader, if the lock let one in, would log by now
        leaders = [int(p) for p in LEADS.findall(log.read_text())]
        assert len(leaders) == 2 and leaders[1] != leader and holder(lock_file) == leaders[1]
        assert held(lock_file)
        assert healthy()
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)  # gunicorn's graceful stop: workers finish, then exit
        code = server.wait(timeout=40)
        port.release()
    assert code == 0, log.read_text()
    assert not held(lock_file)  # every scheduler let go
    assert "Traceback" not in log.read_text(), log.read_text()


@pytest.mark.parametrize("workers", ["0", "-1", "two"])
def test_serve_refuses_a_bad_number_of_workers(workers, monkeypatch, capsys):
    monkeypatch.setattr("sys.argv", ["thidua", "serve", "--workers", workers])
    with pytest.raises(SystemExit) as exited:
        run()
    assert exited.value.code == 2 and "--workers" in capsys.readouterr().err
