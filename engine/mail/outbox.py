"""What the admin sees of the outbox (sent, failed, pending mail) and the resend button."""
from __future__ import annotations

from sqlalchemy import func, select, update

from engine.runtime import EngineContext
from engine.errors import InvalidStateError, NotFoundError
from engine.persistence import OUTBOX_STATUSES, OutboxMail

OUTBOX = OutboxMail.__table__


class OutboxService:
    def __init__(self, ctx: EngineContext) -> None:
        self._ctx = ctx

    def list(self, status: str | None = None, limit: int = 200) -> list[OutboxMail]:
        if status is not None and status not in OUTBOX_STATUSES:
            raise ValueError(f"outbox status must be one of {', '.join(OUTBOX_STATUSES)}")
        statement = select(OutboxMail).order_by(OutboxMail.remind_at.desc(), OutboxMail.id.desc()).limit(limit)
        if status is not None:
            statement = statement.where(OutboxMail.status == status)
        with self._ctx.sessions() as session:
            return list(session.scalars(statement))

    def counts(self) -> dict[str, int]:
        with self._ctx.db.connect() as conn:
            found = dict(conn.execute(select(OUTBOX.c.status, func.count()).group_by(OUTBOX.c.status)).all())
        return {status: found.get(status, 0) for status in OUTBOX_STATUSES}

    def resend(self, mail_id: int) -> None:
        """Sends a mail again at the sender's next run: a failed one, or a sent one someone lost."""
        with self._ctx.db.begin() as conn:
            status = conn.scalar(select(OUTBOX.c.status).where(OUTBOX.c.id == mail_id))
            if status is None:
                raise NotFoundError(f"mail {mail_id} is not in the outbox")
            if status == "sending":
                raise InvalidStateError(f"mail {mail_id} is being sent right now")
            conn.execute(update(OUTBOX).where(OUTBOX.c.id == mail_id).values(
                status="pending", attempts=0, next_attempt_at=self._ctx.now(), last_error=None))
