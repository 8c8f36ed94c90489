"""The DMN history read back: each evaluated decision with its inputs, matched rules and outputs
(Camunda 7's historic decision instances), filtered as a unit may see them."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, or_, select

from engine.errors import NotFoundError
from engine.persistence import DecisionInstance, ProcessInstance, decode_data
from engine.runtime import EngineContext, Involvement, takes_part_in

SORT_COLUMNS = {"evaluationTime": DecisionInstance.evaluated_at}


@dataclass
class DecisionInstanceQuery:
    ids: list[str] | None = None
    definition_id: str | None = None
    definition_key: str | None = None
    instance_id: str | None = None
    activity_ids: list[str] | None = None
    root_id: str | None = None
    evaluated_before: datetime | None = None
    evaluated_after: datetime | None = None
    # None: every evaluation (office-wide roles); else the instances the person takes part in,
    # and the evaluations outside any instance that they made themselves.
    visible_to: Involvement | None = None
    sort_by: str = "evaluationTime"
    descending: bool = False
    first: int = 0
    limit: int | None = None


@dataclass
class DecisionRecord:
    """One evaluated decision; `rules` are the matched rules, each {ruleId, ruleOrder, outputs}."""

    row: DecisionInstance
    inputs: list[dict[str, Any]] = field(default_factory=list)
    rules: list[dict[str, Any]] = field(default_factory=list)
    collect_result: Any = None


class DecisionHistoryService:
    def __init__(self, ctx: EngineContext) -> None:
        self._ctx = ctx

    def list(self, query: DecisionInstanceQuery | None = None) -> list[DecisionRecord]:
        query = query or DecisionInstanceQuery()
        column = SORT_COLUMNS.get(query.sort_by, DecisionInstance.evaluated_at)
        # Within one evaluation the required decisions come before the one that requires them.
        order = ([column.desc(), DecisionInstance.root_id.is_(None).desc()] if query.descending
                 else [column, DecisionInstance.root_id.is_(None)])
        statement = (_where(select(DecisionInstance), query).order_by(*order, DecisionInstance.id)
                     .offset(query.first).limit(query.limit))
        with self._ctx.sessions() as session:
            return [_record(row) for row in session.scalars(statement)]

    def count(self, query: DecisionInstanceQuery | None = None) -> int:
        statement = _where(select(func.count()).select_from(DecisionInstance), query or DecisionInstanceQuery())
        with self._ctx.sessions() as session:
            return session.scalar(statement)

    def get(self, decision_instance_id: str, visible_to: Involvement | None = None) -> DecisionRecord:
        found = self.list(DecisionInstanceQuery(ids=[decision_instance_id], visible_to=visible_to))
        if not found:  # Camunda's words; one the person may not see is as absent
            raise NotFoundError(f"Historic decision instance with id '{decision_instance_id}' does not exist")
        return found[0]


def _where(statement, q: DecisionInstanceQuery):
    filters = []
    if q.ids is not None:
        filters.append(DecisionInstance.id.in_(q.ids))
    if q.definition_id:
        filters.append(DecisionInstance.decision_definition_id == q.definition_id)
    if q.definition_key:
        filters.append(DecisionInstance.decision_key == q.definition_key)
    if q.instance_id:
        filters.append(DecisionInstance.instance_id == q.instance_id)
    if q.activity_ids is not None:
        filters.append(DecisionInstance.activity_id.in_(q.activity_ids))
    if q.root_id:
        filters.append(or_(DecisionInstance.root_id == q.root_id, DecisionInstance.id == q.root_id))
    if q.evaluated_before is not None:
        filters.append(DecisionInstance.evaluated_at <= q.evaluated_before)
    if q.evaluated_after is not None:
        filters.append(DecisionInstance.evaluated_at >= q.evaluated_after)
    if q.visible_to is not None:
        in_visible_instance = exists().where(ProcessInstance.id == DecisionInstance.instance_id,
                                             takes_part_in(q.visible_to))
        own = DecisionInstance.instance_id.is_(None) & (DecisionInstance.user_id == q.visible_to.user_id)
        filters.append(or_(in_visible_instance, own))
    return statement.where(*filters)


def _record(row: DecisionInstance) -> DecisionRecord:
    collect = None if row.collect_result_json is None else decode_data(json.loads(row.collect_result_json))
    return DecisionRecord(row, decode_data(json.loads(row.inputs_json)), decode_data(json.loads(row.rules_json)),
                          collect)
