"""What a portal session remembers of the password it was opened with, to end when it changes.

A session cookie holds the stamp of the account's password hash at sign-in; each request compares
it with the stamp now. A new password (set by the person, reset by an admin, or removed) gives a
new stamp, so every session opened with the old one ends at its next request, on every worker,
without a table of sessions. The stamp is a SHA-256 of the Argon2 hash, which is itself salted:
it tells a reader of the cookie nothing that helps to guess the password.
"""
from __future__ import annotations

import hashlib

from sqlalchemy import select

from engine.runtime import EngineContext
from engine.persistence import UserAccount

STAMP_LENGTH = 32  # hex digits: 128 bits, far beyond an accidental match


class CredentialStamps:
    def __init__(self, ctx: EngineContext) -> None:
        self._ctx = ctx

    def stamp(self, user_id: str) -> str | None:
        """The account's current stamp; None when there is no such active account."""
        if not isinstance(user_id, str):
            return None
        with self._ctx.sessions() as session:
            row = session.execute(select(UserAccount.password_hash, UserAccount.active)
                                  .where(UserAccount.id == user_id)).first()
        if row is None or not row.active:
            return None
        return password_stamp(row.password_hash)


def password_stamp(password_hash: str | None) -> str:
    # No password (API tokens only) has a stamp too: removing the password also ends the sessions.
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:STAMP_LENGTH]
