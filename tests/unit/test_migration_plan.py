"""What a migration plan reads in BPMN text: the variables expressions read, and which variables a
new version requires (engine/runtime/migration_plan.py)."""
from __future__ import annotations

import pytest

from engine.runtime.migration_plan import (
    MigrationInstruction, MigrationPlan, expression_variables, required_variables, version_model,
)


@pytest.mark.parametrize("xml, names", [
    ('camunda:assignee="${nominee.userId}"', {"nominee"}),
    ('camunda:dueDate="${dateTime().plusDays(3)}"', set()),
    ("<bpmn:conditionExpression>${route == &quot;council&quot; &amp;&amp; !empty report}</bpmn:conditionExpression>",
     {"route", "report"}),
    ("<conditionExpression>${kind == 'individual' and not approved}</conditionExpression>", {"kind", "approved"}),
    ('camunda:candidateGroups="${headGroup}, tchcqt" camunda:collection="#{units}"', {"headGroup", "units"}),
    ('name="no expression here"', set()),
])
def test_expression_variables(xml, names):
    assert expression_variables(xml) == names


class Spec:
    """A process spec as version_model reads it: task specs by name."""

    def __init__(self, **task_specs) -> None:
        self.task_specs = task_specs


class Decision:
    name = bpmn_id = "Rule_grade"
    decision_xml = '<dmn:output id="o1" name="grade" typeRef="string" />'


def test_required_variables_are_new_reads_the_new_version_does_not_set():
    before = version_model("p:1", Spec(), {}, 'camunda:assignee="${owner}"', None)
    after = version_model("p:2", Spec(Rule_grade=Decision()), {}, """camunda:assignee="${owner}"
        camunda:candidateGroups="${signers}" <camunda:formField id="comment" /> camunda:dueDate="${comment}"
        <camunda:out source="x" target="fromCall" /> ${fromCall} ${grade} ${item} camunda:elementVariable="item"
        <bpmn:script>total = 3
        lines[0] = 1</bpmn:script> ${total &gt; 2} ${lines} ${reviewer == total}""", None)
    assert after.produced == {"comment", "fromCall", "grade", "item", "total", "lines"}
    assert after.elements == {"Rule_grade": (None, "Decision")}
    assert required_variables(before, after) == {"signers": "read by an expression the new version added",
                                                 "reviewer": "read by an expression the new version added"}


def test_the_plan_maps_one_source_to_one_target():
    plan = MigrationPlan("p:1", "p:2", (MigrationInstruction(("A",), ("B",), True),
                                        MigrationInstruction(("C", "D"), ("E",))))
    assert plan.mapping() == {"A": "B"}
    assert plan.update_triggers() == frozenset({"B"})
