"""What the identity service's parts share: ids and their rules, `Principal`, `IdentityError`, input checks
and the lookups of users, groups and memberships."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import EngineError, NotFoundError
from engine.persistence import Membership, UserAccount, UserGroup

# A letter or digit first: user names end up in URLs and on command lines (`--user`), where
# ".." or a leading "-" would be read as something else.
USER_ID = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
# Group ids appear inside comma-separated candidateGroups, so no commas or spaces; ":" allows "unit:x".
GROUP_ID = re.compile(r"[a-z0-9][a-z0-9._:-]{0,63}")
GROUP_TYPES = ("role", "unit", "workgroup")


@dataclass(frozen=True)
class Principal:
    """Who is acting: what the task service needs to decide which tasks a user may see and do."""

    user_id: str
    display_name: str
    unit: str | None
    groups: frozenset[str]


class IdentityError(EngineError, ValueError):
    """Bad input to the identity service: nothing was written."""


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
