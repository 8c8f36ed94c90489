"""engine/repository/decision_table.py: a DMN decision table read as columns and rules, and the rows that
changed between two versions, matched by rule and column id."""
from __future__ import annotations

import pytest

from engine.repository.decision_table import diff_tables, read_table
from engine.errors import DeploymentError

DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d" namespace="x">
  <decision id="table" name="Bảng">
    <decisionTable id="t" hitPolicy="FIRST">
      <input id="In_age" label="Tuổi"><inputExpression id="e1" typeRef="integer"><text>age</text></inputExpression></input>
      {extra_input}
      <output id="Out_ok" label="Đạt" name="ok" typeRef="boolean"/>
      {rules}
    </decisionTable>
  </decision>
  <decision id="literal" name="Biểu thức">
    <literalExpression id="l"><text>1</text></literalExpression>
  </decision>
</definitions>"""


def rule(rule_id: str, age: str, ok: str, note: str = "") -> str:
    return (f'<rule id="{rule_id}"><description>{note}</description>'
            f'<inputEntry id="{rule_id}_i"><text>{age}</text></inputEntry>'
            f'<outputEntry id="{rule_id}_o"><text>{ok}</text></outputEntry></rule>')


def table(*rules: str, extra_input: str = ""):
    return read_table(DMN.format(rules="".join(rules), extra_input=extra_input).encode(), "table")


def test_reads_columns_and_rules_in_order():
    read = table(rule("A", "&gt;= 18", "true", "người lớn"), rule("B", "-", "false"))
    assert read.hit_policy == "FIRST" and read.name == "Bảng"
    assert [(c.id, c.kind, c.label, c.expression) for c in read.columns] == [
        ("In_age", "input", "Tuổi", "age"), ("Out_ok", "output", "Đạt", "ok")]
    assert [(r.id, r.cells, r.description) for r in read.rules] == [
        ("A", {"In_age": ">= 18", "Out_ok": "true"}, "người lớn"), ("B", {"In_age": "-", "Out_ok": "false"}, "")]


def test_a_decision_that_is_not_a_table_or_not_there_has_no_table():
    content = DMN.format(rules="", extra_input="").encode()
    assert read_table(content, "literal") is None
    assert read_table(content, "missing") is None


def test_malformed_xml_is_refused():
    with pytest.raises(DeploymentError):
        read_table(b"<definitions><decision", "table")


def test_rows_added_removed_changed_keep_their_places():
    before = table(rule("A", "1", "true"), rule("B", "2", "true"), rule("C", "3", "true", "cũ"))
    after = table(rule("A", "1", "true"), rule("C", "3", "false", "mới"), rule("D", "4", "true"))
    diff = diff_tables(before, after)
    assert [(row.rule.id, row.kind, row.number, row.changed) for row in diff.rows] == [
        ("A", "unchanged", 1, ()), ("B", "removed", None, ()), ("C", "changed", 2, ("Out_ok", "description")),
        ("D", "added", 3, ())]
    assert diff.ids("changed") == ["C"] and not diff.unchanged
    assert diff.rows[2].before.cells["Out_ok"] == "true"
    assert diff_tables(after, after).unchanged


def test_a_removed_first_rule_leads_and_an_added_column_is_a_changed_cell():
    before = table(rule("A", "1", "true"), rule("B", "2", "true"))
    extra = '<input id="In_x" label="X"><inputExpression id="e2" typeRef="string"><text>x</text></inputExpression></input>'
    after = read_table(DMN.format(extra_input=extra, rules=(
        '<rule id="B"><inputEntry id="b1"><text>2</text></inputEntry><inputEntry id="b2"><text>"y"</text></inputEntry>'
        '<outputEntry id="b3"><text>true</text></outputEntry></rule>')).encode(), "table")
    diff = diff_tables(before, after)
    assert [c.id for c in diff.columns] == ["In_age", "In_x", "Out_ok"]
    assert [(row.rule.id, row.kind, row.changed) for row in diff.rows] == [("A", "removed", ()),
                                                                           ("B", "changed", ("In_x",))]
