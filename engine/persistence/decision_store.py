"""Writing the DMN history: one decision_instance row per evaluated decision, in the transaction
of the step (or the REST call) that evaluated it.

An evaluation is read duck-typed (key, name, inputs, rules, collect_result: see
engine/repository/dmn_evaluation.py DecisionEvaluation), as this package sits below the one that
evaluates decisions.
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Iterable
from uuid import uuid4

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from engine.persistence.data_codec import encode_data
from engine.persistence.models import DecisionDefinition, ProcessDefinition
from engine.persistence.models_decision import DecisionInstance


def _json(value: Any) -> str:
    return json.dumps(encode_data(value), ensure_ascii=False, default=str)


def decision_rows(evaluations: list, *, now: datetime, definition_ids: dict[str, str | None],
                  context: dict[str, Any]) -> list[dict]:
    """Rows of one evaluation: the evaluated decision is the last, its required decisions point
    at it as their root (Camunda's rootDecisionInstanceId; the root's own is null)."""
    ids = [str(uuid4()) for _ in evaluations]
    root = ids[-1] if ids else None
    return [{
        "id": row_id, "root_id": None if row_id == root else root,
        "decision_definition_id": definition_ids.get(evaluation.key), "decision_key": evaluation.key,
        "decision_name": evaluation.name, "evaluated_at": now,
        "inputs_json": _json(evaluation.inputs), "rules_json": _json(evaluation.rules),
        "collect_result_json": None if evaluation.collect_result is None else _json(evaluation.collect_result),
        **context,
    } for row_id, evaluation in zip(ids, evaluations)]


def insert_decisions(conn, rows: list[dict]) -> None:
    if rows:
        conn.execute(insert(DecisionInstance.__table__), rows)


def record_task_decisions(conn: Connection, evaluated: Iterable[dict], *, now: datetime, instance,
                          actor: str | None) -> None:
    """The decisions a step's business rule tasks evaluated (engine/specs.py DecisionTask)."""
    rows = []
    for item in evaluated:
        evaluations = item["outcome"].evaluations
        rows += decision_rows(evaluations, now=now, definition_ids=_definition_ids(
            conn, {e.key for e in evaluations}, instance.definition_id), context={
            "process_definition_id": instance.definition_id, "process_definition_key": instance.definition_key,
            "instance_id": instance.id, "activity_id": item["activity_id"], "activity_name": item.get("activity_name"),
            "activity_instance_id": item["activity_instance_id"], "user_id": actor})
    insert_decisions(conn, rows)


def _definition_ids(conn, keys: set[str], process_definition_id: str) -> dict[str, str | None]:
    """The decision definition a process version runs, by key: a process carries a copy of the
    decision made at its deployment: the one deployed with it, else the newest version."""
    own = conn.execute(select(ProcessDefinition.deployment_id)
                       .where(ProcessDefinition.id == process_definition_id)).scalar()
    found: dict[str, str | None] = {}
    for key in keys:
        rows = conn.execute(select(DecisionDefinition.id, DecisionDefinition.deployment_id)
                            .where(DecisionDefinition.key == key)
                            .order_by(DecisionDefinition.version.desc())).all()
        found[key] = next((r.id for r in rows if r.deployment_id == own), rows[0].id if rows else None)
    return found
