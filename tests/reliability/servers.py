"""Real server processes for the reliability tests: gunicorn with several workers, and a TCP proxy
in front of PostgreSQL that a test can cut, as a network or a database restart would."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import requests

from tests.live import ReservedPort

ROOT = Path(__file__).resolve().parents[2]
SECRET = "reliability-suite-secret-key-0123456789"


class Gunicorn:
    """`gunicorn -c python:web.composition` as docker-compose runs it, in its own process group."""

    def __init__(self, database_url: str, workdir: Path, workers: int = 4, env: dict[str, str] | None = None) -> None:
        self.database_url, self.workdir, self.workers = database_url, workdir, workers
        self.env = env or {}  # on top of the test's own environment (SMTP_*, the scheduler's pace)
        self._port = ReservedPort()
        self.port = self._port.number
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> "Gunicorn":
        env = {**os.environ, "DATABASE_URL": self.database_url, "THIDUA_SECRET_KEY": SECRET,
               "THIDUA_ATTACHMENTS_DIR": str(self.workdir / "attachments"), "PYTHONPATH": str(ROOT)}
        env.pop("SMTP_HOST", None)
        env.update(self.env)
        log = self.log
        with open(log, "ab") as output:  # the server keeps its own copy of the handle
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "python:web.composition", "--workers", str(self.workers),
                 "--bind", f"127.0.0.1:{self.port}", "--timeout", "60", "web.app:create_app()"],
                cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"gunicorn did not start; see {log}")
            time.sleep(0.2)

    @property
    def log(self) -> Path:
        return self.workdir / f"gunicorn-{self.port}.log"

    def kill_hard(self) -> None:
        """kill -9 of the master and every worker at once, as a power cut would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self._port.release()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill_hard()
        self._port.release()


@contextmanager
def gunicorn(database_url: str, workdir: Path, workers: int = 4) -> Iterator[Gunicorn]:
    server = Gunicorn(database_url, workdir, workers).start()
    try:
        yield server
    finally:
        server.stop()


class TcpProxy:
    """Forwards 127.0.0.1:port to a target; `cut()` drops every connection and refuses new ones."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        # Kept while the proxy is cut, so the port it comes back on is still its own.
        self._port = ReservedPort()
        self.port = self._port.number
        self._listener: socket.socket | None = None
        self._connections: list[socket.socket] = []
        self._lock = threading.Lock()

    def up(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            connections, self._connections = self._connections, []
        if listener is not None:
            listener.close()
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            connection.close()

    def close(self) -> None:
        self.cut()
        self._port.release()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._listener is not listener:
                    client.close()
                    upstream.close()
                    return
                self._connections += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
