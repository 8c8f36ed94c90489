"""Identity service: users, groups, memberships, passwords and API tokens (Camunda's IdentityService).

Group ids are what BPMN `candidateGroups` name; user ids are what assignees and history actors
name. Nothing here knows about the web: the portal and the REST API turn a password or a token
into a `Principal` and hand its user id and groups to the task service. Passwords and sign-in live in
engine/identity/passwords.py, API tokens in engine/identity/tokens.py, the shared checks in
engine/identity/records.py; their public names are importable from here as before.
"""
from __future__ import annotations

import re
from typing import Iterable

from argon2 import PasswordHasher
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from engine.runtime import EngineContext
from engine.errors import ConflictError, NotFoundError
from engine.identity.passwords import MIN_PASSWORD_LENGTH, PasswordSignIn, SignIn  # noqa: F401  (re-exported)
from engine.identity.records import (  # noqa: F401  (re-exported)
    GROUP_ID,
    GROUP_TYPES,
    USER_ID,
    IdentityError,
    Principal,
    _check_group,
    _check_user_id,
    _email,
    _group_ids,
    _principal,
    _require_groups,
    _require_user,
    _text,
)
from engine.identity.tokens import LAST_USED_GRANULARITY, TOKEN_PREFIX, ApiTokens  # noqa: F401  (re-exported)
from engine.persistence import Membership, UserAccount, UserGroup


class IdentityService(PasswordSignIn, ApiTokens):
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
        """Users in the order the office lists people (EngineConfig.name_order), then by id."""
        statement = select(UserAccount)
        if unit is not None:
            statement = statement.where(UserAccount.unit == unit)
        if group is not None:
            statement = statement.join(Membership, Membership.user_id == UserAccount.id).where(
                Membership.group_id == group)
        with self._ctx.sessions() as session:
            users = list(session.scalars(statement))
        return sorted(users, key=lambda u: (self._ctx.config.name_order(u.display_name), u.id))

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
