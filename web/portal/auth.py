"""Signing in and out of the portal, and what every portal page needs to know who is acting.

Conventions for page modules:
- build the blueprint with `portal_blueprint(name)`: every route in it requires a signed-in user
  (anonymous users are sent to the sign-in page; htmx requests get a 401 with `HX-Redirect`);
- ask `current_principal()` for the engine `Principal` and decide with `web.authorization`;
- every POST form carries `{{ csrf_token() }}` (CSRFProtect refuses it otherwise with 400).
"""
from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from flask import (Blueprint, Flask, abort, current_app, flash, redirect, render_template, request, session,
                   url_for)
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect

from engine.identity import Principal
from web.portal import session_guard
from web.portal.i18n import LANGUAGES, SESSION_KEY, current_language, translate, vndatetime

csrf = CSRFProtect()
login_manager = LoginManager()
auth = Blueprint("auth", __name__)
LOOPBACK_HOSTS = ("localhost",)


class PortalUser(UserMixin):
    def __init__(self, principal: Principal) -> None:
        self.principal = principal

    def get_id(self) -> str:
        return self.principal.user_id

    @property
    def display_name(self) -> str:
        return self.principal.display_name


def current_principal() -> Principal:
    """The signed-in user as the engine knows them; only call it in a login-protected view."""
    if not current_user.is_authenticated:
        abort(401)
    return current_user.principal


def engine():
    return current_app.extensions["thidua.engine"]


def require_login():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def portal_blueprint(name: str, import_name: str, **options) -> Blueprint:
    """A blueprint whose every route requires a signed-in user."""
    blueprint = Blueprint(name, import_name, **options)
    blueprint.before_request(require_login)
    return blueprint


# --- configuration ---------------------------------------------------------------------------

class PortalSessionInterface(SecureCookieSessionInterface):
    """Secure cookies unless told otherwise (THIDUA_SECURE_COOKIES=0/1) or plainly not needed:
    debug, testing, or a browser on this very machine (http://127.0.0.1:5000 of `make run`)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        configured = app.config.get("THIDUA_SECURE_COOKIES")
        if configured is not None:
            return bool(configured)
        if app.debug or app.testing:
            return False
        return not _loopback(request.host.rsplit(":", 1)[0].strip("[]")) if request else True


def _loopback(host: str) -> bool:
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def secret_key(app: Flask) -> str:
    """THIDUA_SECRET_KEY, or a key generated once and kept in the instance folder for development."""
    configured = os.environ.get("THIDUA_SECRET_KEY")
    if configured:
        return configured
    path = Path(app.instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # Written aside, then linked into place: of several workers starting at once, one key wins
        # and no worker ever reads a half-written file.
        candidate = path.with_name(f".secret_key.{os.getpid()}")
        candidate.write_text(secrets.token_urlsafe(48))
        candidate.chmod(0o600)
        try:
            os.link(candidate, path)
        except FileExistsError:
            pass
        finally:
            candidate.unlink()
    return path.read_text().strip()


def configure(app: Flask) -> None:
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(app)
    secure = os.environ.get("THIDUA_SECURE_COOKIES")
    # None: decided per request by PortalSessionInterface.
    app.config.setdefault("THIDUA_SECURE_COOKIES", None if secure is None else secure.lower() in ("1", "true", "yes"))
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      REMEMBER_COOKIE_HTTPONLY=True, REMEMBER_COOKIE_SAMESITE="Lax",
                      WTF_CSRF_HEADERS=["X-CSRFToken"],
                      # A dossier form can stay open for hours; the token lives as long as the session.
                      WTF_CSRF_TIME_LIMIT=None)
    app.session_interface = PortalSessionInterface()
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    session_guard.init_app(app)
    app.register_error_handler(CSRFError, csrf_refused)


@login_manager.user_loader
def load_user(user_id: str) -> PortalUser | None:
    # Checked on every request: a deactivated account is signed out at its next click.
    principal = engine().identity.active_principal(user_id)
    return PortalUser(principal) if principal is not None else None


@login_manager.unauthorized_handler
def unauthorized():
    return session_guard.to_sign_in("auth.please_sign_in")


def csrf_refused(error: CSRFError):
    return render_template("portal/error.html", title=translate("error.csrf.title"),
                           message=translate("error.csrf.message")), 400


# --- routes ----------------------------------------------------------------------------------

def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to another host."""
    if not target:
        return url_for("inbox.inbox")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("inbox.inbox")
    return target


@auth.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_safe_next(request.args.get("next")))
    if request.method == "GET":
        return render_template("portal/login.html", user_name="", error=None)
    user_name = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    if not user_name or not password:
        return render_template("portal/login.html", user_name=user_name,
                               error=translate("auth.error.empty")), 400
    result = engine().identity.sign_in(user_name, password)
    if result.blocked_until is not None:
        return render_template("portal/login.html", user_name=user_name,
                               error=translate("auth.error.blocked", until=vndatetime(result.blocked_until))), 429
    if result.principal is None:
        return render_template("portal/login.html", user_name=user_name,
                               error=translate("auth.error.wrong")), 401
    language = engine().identity.language(result.principal.user_id) or current_language()
    session.clear()  # a fresh session on sign-in: nothing planted before it survives, a new CSRF token
    session[SESSION_KEY] = language
    login_user(PortalUser(result.principal))
    session_guard.begin(result.principal.user_id)
    return redirect(_safe_next(request.form.get("next") or request.args.get("next")))


@auth.post("/logout")
def logout():
    language = current_language()
    logout_user()
    session.clear()
    session[SESSION_KEY] = language
    flash(translate("auth.signed_out"), "success")
    return redirect(url_for("auth.login"))


@auth.post("/language")
def switch_language():
    language = request.form.get("language")
    if language not in LANGUAGES:
        abort(400)
    session[SESSION_KEY] = language
    if current_user.is_authenticated:
        engine().identity.set_language(current_user.get_id(), language)
    return redirect(_safe_next(request.form.get("next")))
