"""How long a portal session lives: it ends after THIDUA_SESSION_IDLE_MINUTES without a request
(default 30), and everywhere at once when the account's password changes.

Sessions are signed cookies, so nothing is kept on the server: the cookie carries the time of
its last request and the password stamp (engine.identity.credential_stamps) of its sign-in, and both are
checked on every request before any page runs. Idle time is wall-clock time (the app setting
THIDUA_SESSION_CLOCK, for tests), not the engine's clock: that one is business time, which tests
move by weeks while people stay signed in.
"""
from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_login import current_user, logout_user

from engine.identity import CredentialStamps
from web.portal.i18n import SESSION_KEY, current_language, translate

STAMP_KEY, SEEN_KEY = "credential_stamp", "seen_at"
DEFAULT_IDLE_MINUTES = 30
# The last-request time is rewritten at most this often: most clicks then send no new cookie.
SEEN_GRANULARITY = timedelta(seconds=60)


def idle_minutes_from_env() -> int:
    raw = os.environ.get("THIDUA_SESSION_IDLE_MINUTES", str(DEFAULT_IDLE_MINUTES))
    try:
        minutes = int(raw)
    except ValueError:
        minutes = 0
    if minutes < 1:
        raise ValueError(f"THIDUA_SESSION_IDLE_MINUTES must be a whole number of minutes, at least 1 (got {raw!r})")
    return minutes


def _engine():
    return current_app.extensions["thidua.engine"]


def _now() -> datetime:
    return current_app.config["THIDUA_SESSION_CLOCK"]()


def begin(user_id: str) -> None:
    """Called right after sign-in, in the fresh session."""
    session[STAMP_KEY] = CredentialStamps(_engine().context).stamp(user_id)
    session[SEEN_KEY] = _now().timestamp()


def _ended() -> bool:
    """Whether the signed-in session is over; if not, notes this request as its last."""
    idle = timedelta(minutes=current_app.config["THIDUA_SESSION_IDLE_MINUTES"])
    seen = session.get(SEEN_KEY)
    now = _now()
    if not isinstance(seen, (int, float)) or now - datetime.fromtimestamp(seen, timezone.utc) > idle:
        return True
    if session.get(STAMP_KEY) != CredentialStamps(_engine().context).stamp(current_user.get_id()):
        return True
    if now - datetime.fromtimestamp(seen, timezone.utc) >= SEEN_GRANULARITY:
        session[SEEN_KEY] = now.timestamp()
    return False


def check_session():
    # Static files and /engine-rest (Basic or Bearer on each request) carry no portal session.
    if request.endpoint in (None, "static") or (request.blueprint or "").startswith("engine_rest"):
        return None
    if "_user_id" not in session:
        return None
    # A deactivated or deleted account loads as nobody: its session is ended, not kept for a
    # reactivation to bring back.
    if current_user.is_authenticated and not _ended():
        return None
    language = session.get(SESSION_KEY) or current_language()
    logout_user()
    session.clear()
    session[SESSION_KEY] = language
    if request.blueprint == "auth":
        return None  # the sign-in page itself, or signing out: carry on, now signed out
    return to_sign_in("auth.session_expired")


def to_sign_in(message: str):
    """To the sign-in page and back here afterwards; htmx requests get the redirect as a header."""
    target = url_for("auth.login", next=request.full_path.rstrip("?"))
    if request.headers.get("HX-Request"):
        return "", 401, {"HX-Redirect": target}
    flash(translate(message), "info")
    return redirect(target)


def init_app(app: Flask) -> None:
    app.config.setdefault("THIDUA_SESSION_IDLE_MINUTES", idle_minutes_from_env())
    app.config.setdefault("THIDUA_SESSION_CLOCK", lambda: datetime.now(timezone.utc))
    app.before_request(check_session)
