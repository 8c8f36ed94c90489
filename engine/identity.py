"""Identity service: users, groups, memberships, passwords and API tokens (Camunda's IdentityService).

Group ids are what BPMN `candidateGroups` name; user ids are what assignees and history actors
name. Nothing here knows about the web: the portal and the REST API turn a password or a token
into a `Principal` and hand its user id and groups to the task service.
"""
from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable
from uuid import uuid4

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.context import EngineContext
from engine.errors import ConflictError, EngineError, NotFoundError
from engine.models import ApiToken, LoginThrottle, Membership, UserAccount, UserGroup
from engine.vietnamese import person_sort_key

# A letter or digit first: user names end up in URLs and on command lines (`--user`), where
# ".." or a leading "-" would be read as something else.
USER_ID = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
# Group ids appear inside comma-separated candidateGroups, so no commas or spaces; ":" allows "unit:x".
GROUP_ID = re.compile(r"[a-z0-9][a-z0-9._:-]{0,63}")
GROUP_TYPES = ("role", "unit", "workgroup")
MIN_PASSWORD_LENGTH = 8
TOKEN_PREFIX = "tdf_"
# last_used_at is for spotting forgotten tokens, not auditing: writing it on every request would
# turn each API read into a write transaction, which serializes on SQLite.
LAST_USED_GRANULARITY = timedelta(minutes=1)


@dataclass(frozen=True)
class Principal:
    """Who is acting: what the task service needs to decide which tasks a user may see and do."""

    user_id: str
    display_name: str
    unit: str | None
    groups: frozenset[str]


@dataclass(frozen=True)
class SignIn:
    """The outcome of a portal sign-in: the principal, or why not (wrong, or blocked until when)."""

    principal: Principal | None
    blocked_until: datetime | None = None


class IdentityError(EngineError, ValueError):
    """Bad input to the identity service: nothing was written."""


class IdentityService:
    def __init__(self, ctx: EngineContext, password_hasher: PasswordHasher | None = None) -> None:
        self._ctx = ctx
        self._hasher = password_hasher or PasswordHasher()
        self._dummy_hash: str | None = None

    # -- users -------------------------------------------------------------------------------

    def create_user(self, user_id: str, display_name: str, *, password: str | None = None,
                    email: str | None = None, unit: str | None = None, groups: Iterable[str] = ()) -> Principal:
        """Creates an active user in the given (existing) groups.

        Bad input raises IdentityError, an existing user id ConflictError; either way nothing is written.
        """
        _check_user_id(user_id)
        display_name = _text(display_name, "display name", 255)
        email = _email(email)
        if unit is not None:
            unit = _text(unit, "unit", 64)
        group_ids = _group_ids(groups)
        # Hashing takes tens of milliseconds: do it before the transaction, not inside it.
        password_hash = self._hash(user_id, password) if password is not None else None
        try:
            with self._ctx.sessions.begin() as session:
                if session.get(UserAccount, user_id) is not None:
                    raise ConflictError(f"user '{user_id}' already exists")
                _require_groups(session, group_ids)
                session.add(UserAccount(id=user_id, display_name=display_name, email=email,
                                        password_hash=password_hash, unit=unit, active=True,
                                        created_at=self._ctx.now()))
                session.flush()
                session.add_all(Membership(user_id=user_id, group_id=g) for g in sorted(group_ids))
        except IntegrityError:
            raise ConflictError(f"user '{user_id}' or one of its groups changed at the same time; "
                                "try again") from None
        return Principal(user_id, display_name, unit, frozenset(group_ids))

    def set_password(self, user_id: str, password: str | None) -> None:
        """Sets a new password; None removes it, leaving the user API tokens only."""
        password_hash = self._hash(user_id, password) if password is not None else None
        with self._ctx.sessions.begin() as session:
            _require_user(session, user_id).password_hash = password_hash

    def set_active(self, user_id: str, active: bool) -> None:
        """An inactive user keeps groups and tokens but can no longer sign in by either."""
        if not isinstance(active, bool):
            raise IdentityError("active must be true or false")
        with self._ctx.sessions.begin() as session:
            _require_user(session, user_id).active = active

    def update_user(self, user_id: str, *, display_name: str, email: str | None = None, unit: str | None = None,
                    groups: Iterable[str] = ()) -> None:
        """Replaces the user's name, e-mail, unit and groups at once; bad input changes nothing."""
        display_name = _text(display_name, "display name", 255)
        email = _email(email)
        if unit is not None:
            unit = _text(unit, "unit", 64)
        group_ids = _group_ids(groups)
        with self._ctx.sessions.begin() as session:
            user = _require_user(session, user_id)
            _require_groups(session, group_ids)
            user.display_name, user.email, user.unit = display_name, email, unit
            session.execute(delete(Membership).where(Membership.user_id == user_id))
            session.add_all(Membership(user_id=user_id, group_id=g) for g in sorted(group_ids))

    def principal(self, user_id: str) -> Principal:
        with self._ctx.sessions() as session:
            return _principal(session, _require_user(session, user_id))

    def active_principal(self, user_id: str) -> Principal | None:
        """The principal of an active account, else None: what a portal session is re-checked against."""
        with self._ctx.sessions() as session:
            user = session.get(UserAccount, user_id) if isinstance(user_id, str) else None
            return _principal(session, user) if user is not None and user.active else None

    def language(self, user_id: str) -> str | None:
        with self._ctx.sessions() as session:
            user = session.get(UserAccount, user_id) if isinstance(user_id, str) else None
            return user.language if user is not None else None

    def set_language(self, user_id: str, language: str | None) -> None:
        """The portal language the user chose ("vi", "en"); None follows the portal's default."""
        if language is not None and (not isinstance(language, str) or not re.fullmatch(r"[a-z]{2}", language)):
            raise IdentityError(f"invalid language {language!r}: use a two-letter code such as 'vi' or 'en'")
        with self._ctx.sessions.begin() as session:
            _require_user(session, user_id).language = language

    def list_users(self, *, unit: str | None = None, group: str | None = None) -> list[UserAccount]:
        """Users sorted as a Vietnamese office lists people; see `name_sort_key`."""
        statement = select(UserAccount)
        if unit is not None:
            statement = statement.where(UserAccount.unit == unit)
        if group is not None:
            statement = statement.join(Membership, Membership.user_id == UserAccount.id).where(
                Membership.group_id == group)
        with self._ctx.sessions() as session:
            users = list(session.scalars(statement))
        return sorted(users, key=lambda u: (name_sort_key(u.display_name), u.id))

    # -- groups ------------------------------------------------------------------------------

    def create_group(self, group_id: str, name: str, type: str = "workgroup") -> None:
        """Creates a group; repeating an identical creation is harmless, a different one a ConflictError."""
        group_id, name, type = _check_group(group_id, name, type)
        try:
            with self._ctx.sessions.begin() as session:
                existing = session.get(UserGroup, group_id)
                if existing is None:
                    session.add(UserGroup(id=group_id, name=name, type=type))
        except IntegrityError:
            # Created concurrently between our read and our insert: compare with what was stored.
            with self._ctx.sessions() as session:
                existing = session.get(UserGroup, group_id)
        if existing is not None and (existing.name, existing.type) != (name, type):
            raise ConflictError(f"group '{group_id}' already exists as '{existing.name}' ({existing.type})")

    def ensure_group(self, group_id: str, name: str, type: str) -> None:
        """Creates the group if it is missing; an existing group is left as it is."""
        group_id, name, type = _check_group(group_id, name, type)
        try:
            with self._ctx.sessions.begin() as session:
                if session.get(UserGroup, group_id) is None:
                    session.add(UserGroup(id=group_id, name=name, type=type))
        except IntegrityError:
            pass  # created concurrently, which is all that was asked

    def rename_group(self, group_id: str, name: str) -> None:
        name = _text(name, "group name", 255)
        with self._ctx.sessions.begin() as session:
            group = session.get(UserGroup, group_id) if isinstance(group_id, str) else None
            if group is None:
                raise NotFoundError(f"group '{group_id}' does not exist")
            group.name = name

    def list_groups(self, type: str | None = None) -> list[UserGroup]:
        statement = select(UserGroup).order_by(UserGroup.id)
        if type is not None:
            if type not in GROUP_TYPES:
                raise IdentityError(f"unknown group type '{type}' (use one of {', '.join(GROUP_TYPES)})")
            statement = statement.where(UserGroup.type == type)
        with self._ctx.sessions() as session:
            return list(session.scalars(statement))

    def members(self, group_id: str) -> list[str]:
        """The user ids in a group, sorted; empty for a group nobody defined (a BPMN typo is not a crash)."""
        statement = select(Membership.user_id).where(Membership.group_id == group_id).order_by(Membership.user_id)
        with self._ctx.sessions() as session:
            return list(session.scalars(statement))

    def add_membership(self, user_id: str, group_id: str) -> None:
        """Adds the user to the group; already being a member is fine."""
        try:
            with self._ctx.sessions.begin() as session:
                _require_user(session, user_id)
                _require_groups(session, {group_id}, error=NotFoundError)
                if session.get(Membership, (user_id, group_id)) is None:
                    session.add(Membership(user_id=user_id, group_id=group_id))
        except IntegrityError:
            # Either the same membership was added concurrently (done) or user or group vanished.
            with self._ctx.sessions() as session:
                if session.get(Membership, (user_id, group_id)) is None:
                    raise ConflictError(f"user '{user_id}' or group '{group_id}' changed at the same time; "
                                        "try again") from None

    def remove_membership(self, user_id: str, group_id: str) -> None:
        """Removes the user from the group; not being a member is fine."""
        with self._ctx.sessions.begin() as session:
            session.execute(delete(Membership).where(Membership.user_id == user_id,
                                                     Membership.group_id == group_id))

    # -- passwords ---------------------------------------------------------------------------

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

    # -- API tokens --------------------------------------------------------------------------

    def create_token(self, user_id: str, name: str, *, expires_at: datetime | None = None) -> str:
        """Returns the token's secret: shown to the user once, only its SHA-256 is kept.

        A token with `expires_at` stops working at that moment; without it, when it is revoked.
        """
        name = _text(name, "token name", 255)
        if expires_at is not None and (not isinstance(expires_at, datetime) or expires_at.tzinfo is None):
            raise IdentityError("a token's expiry must be a date and time with its time zone")
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self._ctx.sessions.begin() as session:
            _require_user(session, user_id)
            session.add(ApiToken(id=str(uuid4()), user_id=user_id, name=name, token_hash=_token_hash(secret),
                                 created_at=self._ctx.now(), expires_at=expires_at))
        return secret

    def authenticate_token(self, secret: str) -> Principal | None:
        """The token's user if the token is known, not revoked nor expired and its user active, else None.

        The secret has 256 random bits, so looking up its hash leaks nothing a timing attack
        could use; no constant-time comparison is needed.
        """
        if not isinstance(secret, str) or not secret.startswith(TOKEN_PREFIX):
            return None
        now = self._ctx.now()
        with self._ctx.sessions.begin() as session:
            row = session.execute(select(ApiToken, UserAccount)
                                  .join(UserAccount, UserAccount.id == ApiToken.user_id)
                                  .where(ApiToken.token_hash == _token_hash(secret))).first()
            if row is None:
                return None
            token, user = row
            expired = token.expires_at is not None and token.expires_at <= now
            if token.revoked_at is not None or expired or not user.active:
                return None
            if token.last_used_at is None or now - token.last_used_at >= LAST_USED_GRANULARITY:
                token.last_used_at = now
            return _principal(session, user)

    def revoke_token(self, token_id: str) -> None:
        """Revokes the token for good; revoking it again keeps the first revocation time."""
        with self._ctx.sessions.begin() as session:
            token = session.get(ApiToken, token_id)
            if token is None:
                raise NotFoundError(f"API token '{token_id}' does not exist")
            if token.revoked_at is None:
                token.revoked_at = self._ctx.now()

    def list_tokens(self, user_id: str) -> list[ApiToken]:
        statement = (select(ApiToken).where(ApiToken.user_id == user_id)
                     .order_by(ApiToken.created_at, ApiToken.id))
        with self._ctx.sessions() as session:
            return list(session.scalars(statement))


def name_sort_key(display_name: str) -> tuple:
    """How a Vietnamese office lists people: see engine.vietnamese.person_sort_key."""
    return person_sort_key(display_name)


def _throttle_name(user_id: str) -> str:
    # What the counters are kept under: whatever was typed, bounded, so junk cannot grow the table's keys.
    return unicodedata.normalize("NFC", user_id if isinstance(user_id, str) else "").strip().lower()[:64]


def _token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _normalized_password(password: str) -> str:
    # Vietnamese keyboards differ in sending precomposed or combining diacritics for the same password.
    return unicodedata.normalize("NFC", password)


def _check_user_id(user_id: str) -> None:
    if not isinstance(user_id, str) or not USER_ID.fullmatch(user_id):
        raise IdentityError(f"invalid user name {user_id!r}: use 2 to 64 lower-case letters, digits, "
                            "'.', '_' or '-', starting with a letter or digit")


def _check_group(group_id: str, name: str, type: str) -> tuple[str, str, str]:
    if not isinstance(group_id, str) or not GROUP_ID.fullmatch(group_id):
        raise IdentityError(f"invalid group id {group_id!r}: use up to 64 lower-case letters, digits, "
                            "'.', '_', ':' or '-', starting with a letter or digit")
    if type not in GROUP_TYPES:
        raise IdentityError(f"unknown group type {type!r} (use one of {', '.join(GROUP_TYPES)})")
    return group_id, _text(name, "group name", 255), type


def _group_ids(groups: Iterable[str]) -> set[str]:
    if isinstance(groups, str):
        raise IdentityError("groups must be a list of group ids, not one string")
    group_ids = set(groups)
    if not all(isinstance(g, str) for g in group_ids):
        raise IdentityError("group ids must be text")
    return group_ids


def _text(value: str, what: str, max_length: int) -> str:
    """Trimmed, NFC-normalised so that the same name typed on two keyboards compares equal."""
    if not isinstance(value, str):
        raise IdentityError(f"the {what} must be text")
    value = unicodedata.normalize("NFC", value).strip()
    if not value:
        raise IdentityError(f"the {what} must not be empty")
    if len(value) > max_length:
        raise IdentityError(f"the {what} must have at most {max_length} characters")
    return value


def _email(email: str | None) -> str | None:
    if email is None:
        return None
    email = _text(email, "e-mail address", 255)
    local, at, domain = email.rpartition("@")
    if not at or not local or "." not in domain or any(c.isspace() for c in email):
        raise IdentityError(f"invalid e-mail address {email!r}")
    return email


def _require_user(session: Session, user_id: str) -> UserAccount:
    user = session.get(UserAccount, user_id) if isinstance(user_id, str) else None
    if user is None:
        raise NotFoundError(f"user '{user_id}' does not exist")
    return user


def _require_groups(session: Session, group_ids: set[str], error: type[EngineError] = IdentityError) -> None:
    if not group_ids:
        return
    found = set(session.scalars(select(UserGroup.id).where(UserGroup.id.in_(group_ids))))
    missing = sorted(group_ids - found)
    if missing:
        raise error(f"unknown group{'s' if len(missing) > 1 else ''}: {', '.join(missing)}")


def _principal(session: Session, user: UserAccount) -> Principal:
    groups = session.scalars(select(Membership.group_id).where(Membership.user_id == user.id))
    return Principal(user.id, user.display_name, user.unit, frozenset(groups))
