"""Passwords and portal sign-in with its rate limit: the part of IdentityService that uses Argon2."""
from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from engine.runtime import EngineContext
from engine.identity.records import IdentityError, Principal, _principal
from engine.persistence import LoginThrottle, UserAccount

MIN_PASSWORD_LENGTH = 8


@dataclass(frozen=True)
class SignIn:
    """The outcome of a portal sign-in: the principal, or why not (wrong, or blocked until when)."""

    principal: Principal | None
    blocked_until: datetime | None = None


class PasswordSignIn:
    """IdentityService's passwords: checking, hashing and the sign-in throttle."""

    _ctx: EngineContext
    _hasher: PasswordHasher
    _dummy_hash: str | None

    def check_password(self, user_id: str, password: str) -> Principal | None:
        """The principal if the password is right and the user active, else None.

        Unknown users, users without a password and inactive users cost the same Argon2
        verification as a real one, so response time does not tell which user names exist.
        """
        with self._ctx.sessions() as session:
            user = session.get(UserAccount, user_id) if isinstance(user_id, str) else None
            principal = _principal(session, user) if user is not None else None
        stored = user.password_hash if user is not None else None
        candidate = _normalized_password(password) if isinstance(password, str) else ""
        if not self._verify(stored or self._dummy(), candidate) or stored is None or not user.active:
            return None
        if self._hasher.check_needs_rehash(stored):
            self._rehash(user_id, stored, candidate)
        return principal

    def sign_in(self, user_id: str, password: str) -> SignIn:
        """check_password with a rate limit kept in the database, shared by every web worker.

        After `login_max_failures` wrong passwords in a row the name is blocked for `login_block`,
        even for the right password. Names that are not accounts are counted the same way (in
        login_throttle), so neither the answer nor its timing tells which accounts exist.
        """
        name = _throttle_name(user_id)
        now = self._ctx.now()
        blocked_until = self._blocked_until(name, now)
        if blocked_until is not None:
            self._verify(self._dummy(), "")  # the same cost as a real attempt
            return SignIn(None, blocked_until)
        principal = self.check_password(name, password)
        if principal is not None:
            self._reset_failures(name)
            return SignIn(principal)
        return SignIn(None, self._record_failure(name, now))

    def _blocked_until(self, name: str, now: datetime) -> datetime | None:
        with self._ctx.sessions() as session:
            row = session.get(UserAccount, name) or session.get(LoginThrottle, name)
            until = row.login_blocked_until if row is not None else None
        return until if until is not None and until > now else None

    def _reset_failures(self, name: str) -> None:
        with self._ctx.sessions.begin() as session:
            # Only when there is something to forget: API clients sign in on every request.
            session.execute(update(UserAccount)
                            .where(UserAccount.id == name, (UserAccount.failed_logins != 0)
                                   | UserAccount.login_blocked_until.is_not(None))
                            .values(failed_logins=0, login_blocked_until=None)
                            .execution_options(synchronize_session=False))

    def _record_failure(self, name: str, now: datetime) -> datetime | None:
        """Counts one wrong password; returns the end of the block when this one starts it."""
        limit, block = self._ctx.config.login_max_failures, self._ctx.config.login_block
        for attempt in range(2):
            try:
                with self._ctx.sessions.begin() as session:
                    row = session.get(UserAccount, name, with_for_update=True)
                    if row is None:
                        row = session.get(LoginThrottle, name, with_for_update=True)
                    if row is None:
                        row = LoginThrottle(name=name, failed_logins=0)
                        session.add(row)
                    row.failed_logins = (row.failed_logins or 0) + 1
                    if row.failed_logins < limit:
                        return None
                    # Counting starts again once the block ends: the next ten guesses earn the next block.
                    row.failed_logins, row.login_blocked_until = 0, now + block
                    return row.login_blocked_until
            except IntegrityError:
                if attempt:
                    raise
        return None

    def _hash(self, user_id: str, password: str) -> str:
        if not isinstance(password, str):
            raise IdentityError("the password must be text")
        password = _normalized_password(password)
        if len(password) < MIN_PASSWORD_LENGTH:
            raise IdentityError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
        if password.casefold() == str(user_id).casefold():
            raise IdentityError("the password must not be the user name")
        return self._hasher.hash(password)

    def _verify(self, stored: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False

    def _dummy(self) -> str:
        # Made with this hasher's own parameters so that it costs what a real verification costs.
        if self._dummy_hash is None:
            self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(16))
        return self._dummy_hash

    def _rehash(self, user_id: str, old_hash: str, password: str) -> None:
        new_hash = self._hasher.hash(password)
        with self._ctx.sessions.begin() as session:
            # Only if unchanged meanwhile: a concurrent set_password must win over an upgrade.
            session.execute(update(UserAccount)
                            .where(UserAccount.id == user_id, UserAccount.password_hash == old_hash)
                            .values(password_hash=new_hash)
                            .execution_options(synchronize_session=False))


def _throttle_name(user_id: str) -> str:
    # What the counters are kept under: whatever was typed, bounded, so junk cannot grow the table's keys.
    return unicodedata.normalize("NFC", user_id if isinstance(user_id, str) else "").strip().lower()[:64]


def _normalized_password(password: str) -> str:
    # Keyboards of accented languages differ in sending precomposed or combining diacritics for the same password.
    return unicodedata.normalize("NFC", password)
