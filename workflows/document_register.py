"""Numbers for the documents the Office issues, and the `number_document` service-task handler."""
from __future__ import annotations

import zlib
from datetime import date, datetime
from typing import Any, Mapping

from sqlalchemy import Connection, Engine, false, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from engine.errors import ConflictError, EngineError
from engine.handlers import Handler, ServiceTaskContext
from workflows.models import IssuedDocument

TOPIC = "number_document"
DOCUMENT = IssuedDocument.__table__
ATTEMPTS = 5
# PostgreSQL advisory locks of the register: this number, then one per kind and year.
REGISTER_LOCK_SPACE = 0x5144  # "QD"


class DocumentRegisterError(EngineError, ValueError):
    pass


class DocumentRegister:
    def __init__(self, db: Engine) -> None:
        self._db = db

    @property
    def db(self) -> Engine:
        return self._db

    def issue(self, kind: str, year: int, reference: str, title: str | None = None) -> str:
        """The next number of this kind in this year ("07/QĐ-VPUB").

        Asking again for the same reference gives the number already issued, so a retried step
        does not use up a second number; issuers at the same moment take turns, and the
        register's unique key stays the last guard (the loser tries again).
        """
        if not kind or "/" in kind or len(kind) > 32:
            raise DocumentRegisterError(f"'{kind}' is not a document kind such as QĐ-VPUB")
        for _ in range(ATTEMPTS):
            try:
                with self._db.begin() as conn:
                    _take_turn(conn, kind, year)
                    issued = conn.scalar(select(DOCUMENT.c.number).where(
                        DOCUMENT.c.kind == kind, DOCUMENT.c.year == year, DOCUMENT.c.reference == reference))
                    if issued is None:
                        issued = (conn.scalar(select(func.max(DOCUMENT.c.number)).where(
                            DOCUMENT.c.kind == kind, DOCUMENT.c.year == year)) or 0) + 1
                        conn.execute(insert(DOCUMENT).values(kind=kind, year=year, number=issued,
                                                             reference=reference, title=title))
                return f"{issued:02d}/{kind}"
            except IntegrityError:
                continue
        raise ConflictError(f"could not issue a {kind} number for {year}: the register is busy, try again")

    def issued(self, kind: str, year: int) -> list[IssuedDocument]:
        with self._db.connect() as conn:
            rows = conn.execute(select(DOCUMENT).where(DOCUMENT.c.kind == kind, DOCUMENT.c.year == year)
                                .order_by(DOCUMENT.c.number))
            return [IssuedDocument(**row._mapping) for row in rows]


def _take_turn(conn: Connection, kind: str, year: int) -> None:
    """Issuers of one kind and year go one after another, each reading the number the one before
    it committed. Without this, every issuer racing for a number but one had to try again, and
    with more issuers than attempts the last one gave up (seen with six at once on PostgreSQL).
    """
    if conn.dialect.name == "postgresql":
        key = zlib.crc32(f"{kind}/{year}".encode()) - 2**31  # the lock takes a signed 32-bit key
        conn.execute(text("SELECT pg_advisory_xact_lock(:space, :key)"), {"space": REGISTER_LOCK_SPACE, "key": key})
    elif conn.dialect.name == "sqlite":
        # A write statement first takes SQLite's single write lock (waiting as the busy timeout
        # allows), so the reads after it see the latest committed number.
        conn.execute(update(DOCUMENT).where(false()).values(number=DOCUMENT.c.number))


def year_of(value: Any, name: str) -> int:
    if isinstance(value, (date, datetime)):
        return value.year
    try:
        return date.fromisoformat(str(value)[:10]).year
    except ValueError:
        raise DocumentRegisterError(f"variable '{name}' ({value!r}) is not a date") from None


def make_number_document_handler(register: DocumentRegister) -> Handler:
    """Topic `number_document` (the models before issue_document, which numbers and stores the
    document too; kept for the instances still running on them). The service task's camunda:properties say what to number:
    `documentKind` (e.g. QĐ-VPUB), `target` (the variable that receives the number), `yearFrom`
    (a date variable whose year the numbering belongs to) and optionally `title`."""

    def number_document(ctx: ServiceTaskContext) -> dict:
        properties: Mapping[str, str] = ctx.properties
        missing = [name for name in ("documentKind", "target", "yearFrom") if not properties.get(name)]
        if missing:
            raise DocumentRegisterError(f"service task '{ctx.element_id}' needs the properties {', '.join(missing)}")
        year_variable = properties["yearFrom"]
        if ctx.variables.get(year_variable) is None:
            raise DocumentRegisterError(f"service task '{ctx.element_id}' needs the variable '{year_variable}'")
        number = register.issue(properties["documentKind"], year_of(ctx.variables[year_variable], year_variable),
                                f"{ctx.business_key or ctx.instance_id}:{ctx.element_id}", properties.get("title"))
        return {properties["target"]: number}

    return number_document
