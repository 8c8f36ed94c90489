"""The app on a real socket, and Debian's Chromium, for the tests that speak HTTP or drive a browser."""
from __future__ import annotations

import os
import socket
import threading
from contextlib import contextmanager
from typing import Iterator

import pytest
from werkzeug.serving import make_server

from tests.conftest import IN_CI

CHROMIUM = "/usr/bin/chromium"


class ReservedPort:
    """A port of 127.0.0.1 kept for a server that binds it by number (gunicorn, aiosmtpd, a proxy
    that goes down and comes back). Probing a free port and closing the probe leaves the port to
    whoever binds next: another test, the other pytest-xdist worker, another checkout's suite. This
    socket stays bound with SO_REUSEADDR and never listens, so no other bind gets the port, while a
    server that also sets SO_REUSEADDR (gunicorn, asyncio, TcpProxy do) can listen on it; with no
    server listening, a connection to it is refused, as to a stopped server."""

    def __init__(self) -> None:
        self._socket = socket.socket()
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.number: int = self._socket.getsockname()[1]

    def release(self) -> None:
        self._socket.close()


@contextmanager
def serving(app) -> Iterator[str]:
    """Serves `app` (threaded) on a free port of 127.0.0.1; yields "http://127.0.0.1:PORT"."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-app", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def unavailable(reason: str, in_ci: bool = IN_CI):
    """Fails under CI (a green run must have run the browser tests), skips elsewhere."""
    if in_ci:
        pytest.fail(f"browser tests must run under CI=true: {reason}")
    pytest.skip(reason)


def sync_playwright_or_stop(chromium: str = CHROMIUM, in_ci: bool = IN_CI):
    if not os.access(chromium, os.X_OK):
        unavailable(f"{chromium} is missing (`make browser` installs Debian's chromium)", in_ci)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as err:
        unavailable(f"the playwright package is not installed: {err}", in_ci)
    return sync_playwright


@contextmanager
def chromium() -> Iterator[object]:
    """A headless Debian Chromium (Playwright's own browser download is not used), without its
    sandbox: containers and CI runners refuse the user namespaces it needs."""
    with sync_playwright_or_stop()() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"], headless=True)
        try:
            yield launched
        finally:
            launched.close()
