"""API tokens: the part of IdentityService that issues, checks and revokes the REST API's bearer tokens."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from uuid import uuid4

from sqlalchemy import bindparam, select, update

from engine.runtime import EngineContext
from engine.errors import NotFoundError
from engine.identity.records import IdentityError, Principal, _require_user, _text
from engine.persistence import ApiToken, Membership, UserAccount

TOKEN_PREFIX = "tdf_"
# last_used_at is for spotting forgotten tokens, not auditing: writing it on every request would
# turn each API read into a write transaction, which serializes on SQLite.
LAST_USED_GRANULARITY = timedelta(minutes=1)


class ApiTokens:
    """IdentityService's API tokens; only a token's SHA-256 is stored."""

    _ctx: EngineContext

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
        # The token, its user and the user's groups in one read, outside a transaction: a
        # request's authentication costs one round trip, and a write once a minute at most.
        with self._ctx.reading() as conn:
            rows = conn.execute(AUTHENTICATE, {"token_hash": _token_hash(secret)}).all()
        if not rows:
            return None
        token_id, expires_at, revoked_at, last_used_at, user_id, display_name, unit, active = rows[0][:8]
        expired = expires_at is not None and expires_at <= now
        if revoked_at is not None or expired or not active:
            return None
        if last_used_at is None or now - last_used_at >= LAST_USED_GRANULARITY:
            with self._ctx.db.begin() as conn:
                conn.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))
        return Principal(user_id, display_name, unit, frozenset(row[8] for row in rows if row[8] is not None))

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


AUTHENTICATE = (select(ApiToken.id, ApiToken.expires_at, ApiToken.revoked_at, ApiToken.last_used_at, UserAccount.id,
                       UserAccount.display_name, UserAccount.unit, UserAccount.active, Membership.group_id)
                .join(UserAccount, UserAccount.id == ApiToken.user_id)
                .outerjoin(Membership, Membership.user_id == UserAccount.id)
                .where(ApiToken.token_hash == bindparam("token_hash")))


def _token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
