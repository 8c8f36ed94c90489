"""Prepared hot-path statements write and read exactly what the ORM does, in the caller's transaction."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import bindparam, insert, select, text

from engine.persistence.models import HistoryEvent
from engine.persistence.raw_sql import PreparedStatement

HISTORY = HistoryEvent.__table__
KEYS = ("time", "event_type", "actor", "instance_id")
INSERT = PreparedStatement(insert(HISTORY), KEYS)
AFTER = PreparedStatement(select(HISTORY.c.time, HISTORY.c.actor).where(HISTORY.c.time > bindparam("after"))
                          .order_by(HISTORY.c.time).limit(10))
T0 = datetime(2025, 8, 8, 16, 59, 59, tzinfo=timezone.utc)


def row(time: datetime, actor: str) -> dict:
    return {"time": time, "event_type": "complete", "actor": actor, "instance_id": "i-1"}


def test_prepared_rows_compare_and_convert_like_orm_rows(engine):
    db = engine.context.db
    with engine.context.sessions.begin() as session:
        # Whole seconds and a time zone other than UTC: both must be stored as the ORM stores them.
        session.add(HistoryEvent(time=T0, event_type="complete", actor="orm"))
    with db.begin() as conn:
        INSERT.execute_many(conn, [row(T0 + timedelta(microseconds=1), "raw"),
                                   row((T0 + timedelta(hours=1)).astimezone(timezone(timedelta(hours=7))), "raw+7")])
    with db.connect() as conn:
        found = AFTER.rows(conn, {"after": T0})
        by_orm = conn.execute(select(HISTORY.c.actor).where(HISTORY.c.time > T0).order_by(HISTORY.c.time)).scalars()
        assert [actor for _, actor in found] == list(by_orm) == ["raw", "raw+7"]
        assert found[0][0] == T0 + timedelta(microseconds=1) and found[0][0].tzinfo == timezone.utc
        assert found[1][0] == T0 + timedelta(hours=1)
        if db.dialect.name == "sqlite":
            stored = conn.execute(text("SELECT time FROM history_event ORDER BY id")).scalars().all()
            assert {len(value) for value in stored} == {len("2025-08-08 16:59:59.000000")}


def test_prepared_statements_run_in_the_callers_transaction(engine):
    db = engine.context.db
    with pytest.raises(RuntimeError):
        with db.begin() as conn:
            INSERT.execute(conn, row(T0, "rolled-back"))
            raise RuntimeError("the step failed after writing")
    with db.connect() as conn:
        assert conn.execute(select(HISTORY.c.actor)).scalars().all() == []


def test_a_missing_parameter_is_an_error_not_a_null(engine):
    with engine.context.db.begin() as conn:
        with pytest.raises(KeyError):
            INSERT.execute(conn, {"time": T0, "event_type": "complete"})
        # The LIMIT written into the statement needs no value; a given one is still required.
        assert AFTER.rows(conn, {"after": T0}) == []
        with pytest.raises(KeyError):
            AFTER.rows(conn, {})
