"""Sends the outbox through SMTP with yagmail: retries with exponential back-off, one mail per
person per run for those who chose a digest.

SMTP is configured by the environment (SMTP_HOST, SMTP_PORT, SMTP_TLS, SMTP_USER, SMTP_PASSWORD,
SMTP_SENDER); a wrong value stops the sender from being built, with the variable named.
"""
from __future__ import annotations

import json
import logging
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Mapping

import yagmail
from sqlalchemy import select, update

from engine.runtime import EngineContext
from engine.errors import EngineError
from engine.mail.message import MailTexts, compose
from engine.persistence import Task, UserAccount, OutboxMail

OUTBOX = OutboxMail.__table__
SECURITY = {"starttls": "starttls", "on": "starttls", "true": "starttls", "yes": "starttls", "1": "starttls",
            "ssl": "ssl", "tls": "ssl", "off": "off", "false": "off", "no": "off", "0": "off", "none": "off"}
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "off": 25}
_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+$")

log = logging.getLogger(__name__)


class MailConfigError(EngineError, ValueError):
    pass


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # "starttls", "ssl" or "off"
    user: str | None
    password: str | None
    sender: str
    sender_name: str | None = None
    timeout: float = 15.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "SmtpSettings | None":
        """The settings the SMTP_* variables give; None when SMTP_HOST is not set (mail is off)."""
        host = (env.get("SMTP_HOST") or "").strip()
        if not host:
            return None
        raw_security = (env.get("SMTP_TLS") or "starttls").strip().lower()
        security = SECURITY.get(raw_security)
        if security is None:
            raise MailConfigError(f"SMTP_TLS='{raw_security}' is not understood: use starttls, ssl or off")
        raw_port = (env.get("SMTP_PORT") or str(DEFAULT_PORTS[security])).strip()
        if not raw_port.isdigit() or not 0 < int(raw_port) < 65536:
            raise MailConfigError(f"SMTP_PORT='{raw_port}' is not a port number (1-65535)")
        user = (env.get("SMTP_USER") or "").strip() or None
        password = env.get("SMTP_PASSWORD") or None
        if user and not password:
            raise MailConfigError("SMTP_USER is set but SMTP_PASSWORD is not: give both to log in, or neither")
        sender_name, sender = parseaddr((env.get("SMTP_SENDER") or user or "").strip())
        if not _ADDRESS.match(sender or ""):
            raise MailConfigError("SMTP_SENDER must be an e-mail address such as "
                                  "'Reminders <reminders@example.org>'"
                                  + (f" (got '{env.get('SMTP_SENDER')}')" if env.get("SMTP_SENDER") else ""))
        if user and "@" in user and user.lower() != sender.lower():
            raise MailConfigError(f"SMTP_SENDER ({sender}) must be the address SMTP_USER ({user}) logs in as")
        return cls(host, int(raw_port), security, user, password, sender, sender_name or None)


@dataclass
class SendReport:
    sent: int = 0  # mails
    failed: int = 0  # mails that will be retried or gave up
    cancelled: int = 0  # reminders whose task was done before they went


class OutboxSender:
    def __init__(self, ctx: EngineContext, settings: SmtpSettings, texts: MailTexts, *, max_attempts: int = 8,
                 backoff: timedelta = timedelta(minutes=1), max_backoff: timedelta = timedelta(hours=6),
                 lease: timedelta = timedelta(minutes=10)) -> None:
        self._ctx, self.settings, self.texts = ctx, settings, texts
        self.max_attempts, self.backoff, self.max_backoff, self.lease = max_attempts, backoff, max_backoff, lease

    def send_due(self, now: datetime | None = None) -> SendReport:
        now = now or self._ctx.now()
        report = SendReport(cancelled=self._cancel_done_tasks_and_recover(now))
        for batch in self._batches(now):
            ids = [row.id for row in batch]
            if not self._claim(ids, now):
                continue
            try:
                self._deliver(batch)
            except Exception as err:  # any SMTP or network failure counts as one attempt
                log.warning("mail to %s failed: %s", batch[0].email, err)
                self._failed(batch, now, err)
                report.failed += 1
            else:
                self._finish(ids, status="sent", sent_at=now, last_error=None)
                report.sent += 1
        return report

    # -- steps -----------------------------------------------------------------------------

    def _cancel_done_tasks_and_recover(self, now: datetime) -> int:
        with self._ctx.db.begin() as conn:
            # A run that died while sending left its rows claimed: they go again (at least once).
            conn.execute(update(OUTBOX).where(OUTBOX.c.status == "sending", OUTBOX.c.next_attempt_at <= now)
                         .values(status="pending"))
            done = conn.execute(update(OUTBOX).where(
                OUTBOX.c.status == "pending", OUTBOX.c.task_id.not_in(select(Task.id)))
                .values(status="cancelled", last_error=self.texts.cancelled_note))
            return done.rowcount

    def _batches(self, now: datetime) -> list[list]:
        with self._ctx.db.connect() as conn:
            rows = conn.execute(
                select(OUTBOX, UserAccount.reminder_mode)
                .join(UserAccount, UserAccount.id == OUTBOX.c.recipient, isouter=True)
                .where(OUTBOX.c.status == "pending", OUTBOX.c.next_attempt_at <= now)
                .order_by(OUTBOX.c.remind_at, OUTBOX.c.id)).all()
        digests: dict[tuple[str, str], list] = defaultdict(list)
        batches = []
        for row in rows:
            if row.reminder_mode == "immediate":
                batches.append([row])
            else:
                digests[(row.recipient, row.email)].append(row)
        return batches + list(digests.values())

    def _claim(self, ids: list[int], now: datetime) -> bool:
        with self._ctx.db.begin() as conn:
            claimed = conn.execute(update(OUTBOX).where(OUTBOX.c.id.in_(ids), OUTBOX.c.status == "pending")
                                   .values(status="sending", next_attempt_at=now + self.lease)).rowcount
            if claimed != len(ids):
                conn.rollback()  # another sender has some of them: leave the whole batch to it
                return False
        return True

    def _deliver(self, batch: list) -> None:
        content = compose(self.texts, [json.loads(row.payload_json) for row in batch], batch[0].email)
        s = self.settings
        smtp = yagmail.SMTP(
            user={s.user or s.sender: s.sender_name} if s.sender_name else (s.user or s.sender),
            password=s.password, host=s.host, port=s.port, smtp_starttls=s.security == "starttls",
            smtp_ssl=s.security == "ssl", smtp_skip_login=not s.user, soft_email_validation=False,
            timeout=s.timeout)
        try:
            # The To header carries the name; smtplib takes the bare address for the envelope.
            if smtp.send(to=content.to, subject=content.subject, contents=content.contents, prettify_html=False) is False:
                raise ConnectionError("the SMTP server dropped the connection")
        finally:
            smtp.close()

    def _failed(self, batch: list, now: datetime, err: Exception) -> None:
        attempts = max(row.attempts for row in batch) + 1
        gave_up = attempts >= self.max_attempts
        delay = min(self.backoff * 2 ** (attempts - 1), self.max_backoff)
        self._finish([row.id for row in batch], status="failed" if gave_up else "pending", attempts=attempts,
                     next_attempt_at=now + delay, last_error=f"{type(err).__name__}: {err}"[:2000])

    def _finish(self, ids: list[int], **values) -> None:
        with self._ctx.db.begin() as conn:
            if "attempts" not in values:
                values["attempts"] = OUTBOX.c.attempts + 1
            conn.execute(update(OUTBOX).where(OUTBOX.c.id.in_(ids)).values(**values))
