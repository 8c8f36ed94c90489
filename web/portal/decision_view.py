"""The decisions an instance's business rule tasks evaluated, as the instance page shows them: for
each, the decision's name, the step, the inputs it read, the rule(s) that matched and what they
gave (the eligibility reasons of a nomination, for one). Generic for any DMN: labels are the
table's own column labels, values are formatted as the page's variables are."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from engine.history import DecisionInstanceQuery
from web.portal.auth import engine
from web.portal.variable_view import Shown, is_technical, nfc, shown

# At most this many evaluations are shown (a long-running instance evaluating in a loop).
MAX_SHOWN = 200


@dataclass
class MatchedRule:
    rule_id: str | None
    order: int | None
    outputs: list[Shown]


@dataclass
class Evaluation:
    decision: str
    step: str | None
    time: datetime
    inputs: list[Shown]
    rules: list[MatchedRule]
    collect_result: Shown | None = None
    required: list["Evaluation"] = field(default_factory=list)  # the decisions it required, evaluated first


def _labelled(label: str | None, name: str | None, value) -> Shown:
    """`value` formatted as the variable `name` would be (a coded value by its office name), under
    the table's own column label."""
    shown_value = shown(name or label or "", value)
    return replace(shown_value, label=nfc(label or name or ""))


def _evaluation(record) -> Evaluation:
    row = record.row
    # Columns that steer the process (a reason's code) are left out, as on the rest of the page.
    inputs = [_labelled(i.get("clauseName"), i.get("expression") or i.get("clauseId"), i.get("value"))
              for i in record.inputs if not is_technical(i.get("expression") or "")]
    rules = [MatchedRule(rule.get("ruleId"), rule.get("ruleOrder"),
                         [_labelled(o.get("clauseName"), o.get("variableName"), o.get("value"))
                          for o in rule.get("outputs") or [] if not is_technical(o.get("variableName") or "")])
             for rule in record.rules]
    collect = None if record.collect_result is None else _labelled(None, "Σ", record.collect_result)
    return Evaluation(nfc(row.decision_name or row.decision_key), row.activity_name or row.activity_id,
                      row.evaluated_at, inputs, rules, collect)


def instance_evaluations(instance_id: str) -> list[Evaluation]:
    """The instance's evaluated decisions, newest first, each with the decisions it required."""
    records = engine().decision_history.list(DecisionInstanceQuery(instance_id=instance_id, limit=MAX_SHOWN))
    roots = {r.row.id: _evaluation(r) for r in records if r.row.root_id is None}
    for record in records:
        root = roots.get(record.row.root_id or "")
        if root is not None:
            root.required.append(_evaluation(record))
    return sorted(roots.values(), key=lambda e: e.time, reverse=True)
