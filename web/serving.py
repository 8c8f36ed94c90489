"""`thidua serve`: the portal under gunicorn, as in production (docker-compose.yml), never Flask's
development server. Each worker builds its own app and starts a scheduler (web/composition.py's
hooks); the scheduler's database lock (a PostgreSQL advisory lock, or a flock beside the SQLite
file) lets exactly one of them act, and a worker that stops releases it for the others.
"""
from __future__ import annotations

from gunicorn.app.base import BaseApplication

from web import composition


class PortalServer(BaseApplication):
    def __init__(self, host: str, port: int, workers: int, timeout: int = 60) -> None:
        self.options = {"bind": f"{host}:{port}", "workers": workers, "timeout": timeout,
                        "post_worker_init": composition.post_worker_init, "worker_exit": composition.worker_exit,
                        # One line per request, like the development server it replaces.
                        "accesslog": "-",
                        # Recent gunicorn opens a control socket at one path per user: a second portal
                        # (another checkout, a test) would take it over. Nothing here uses it.
                        "control_socket_disable": True}
        super().__init__()

    def load_config(self) -> None:
        for name, value in self.options.items():
            if name in self.cfg.settings:  # gunicorn before the control socket has no switch for it
                self.cfg.set(name, value)

    def load(self):
        # In each worker, after the fork: every worker has its own engine and database pool.
        from web.app import create_app
        return create_app()


def serve(host: str, port: int, workers: int) -> None:
    if workers < 1:
        raise ValueError(f"--workers must be 1 or more (got {workers}) / số tiến trình phải từ 1 trở lên")
    PortalServer(host, port, workers).run()
