"""A DMN decision table read as a designer sees it (input and output columns, one row per rule),
and the rows that changed between two versions of it.

Rows are matched by the rule's id, which Camunda Modeler keeps when a rule is edited, and cells
by the column's id, so a moved or renamed column does not show every row as changed.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from engine.repository.xml_safety import parse_xml


@dataclass(frozen=True)
class Column:
    id: str
    kind: str  # "input" or "output"
    label: str
    expression: str  # the input's expression or the output's variable name


@dataclass(frozen=True)
class Rule:
    id: str
    description: str
    cells: dict[str, str]  # column id -> entry text


@dataclass(frozen=True)
class DecisionTable:
    key: str
    name: str | None
    hit_policy: str
    columns: list[Column]
    rules: list[Rule]


@dataclass(frozen=True)
class RowChange:
    """One row of the compared table: `kind` is "added", "removed", "changed" or "unchanged";
    `changed` names the columns (and "description") whose text differs."""

    number: int | None  # the rule's position in the newer table (None: removed)
    rule: Rule
    kind: str
    before: Rule | None = None
    changed: tuple[str, ...] = ()


@dataclass
class TableDiff:
    columns: list[Column]
    rows: list[RowChange] = field(default_factory=list)

    def ids(self, kind: str) -> list[str]:
        return [row.rule.id for row in self.rows if row.kind == kind]

    @property
    def unchanged(self) -> bool:
        return all(row.kind == "unchanged" for row in self.rows)


def read_table(content: bytes, key: str, *, file_name: str = "decision", max_bytes: int = 10_000_000
               ) -> DecisionTable | None:
    """The decision table of decision `key`, or None when that decision is not a table."""
    root = parse_xml(content, file_name, max_bytes)
    decision = next((d for d in root.iter("{*}decision") if d.get("id") == key), None)
    table = decision.find("{*}decisionTable") if decision is not None else None
    if table is None:
        return None
    columns = [Column(node.get("id"), "input", node.get("label") or "", _text(node.find("{*}inputExpression")))
               for node in table.findall("{*}input")]
    columns += [Column(node.get("id"), "output", node.get("label") or node.get("name") or "", node.get("name") or "")
                for node in table.findall("{*}output")]
    rules = []
    for node in table.findall("{*}rule"):
        entries = node.findall("{*}inputEntry") + node.findall("{*}outputEntry")
        # Entries follow the columns in order (DMN's rule); a short row leaves the rest empty.
        cells = {column.id: _text(entry) for column, entry in zip(columns, entries)}
        rules.append(Rule(node.get("id") or "", (node.findtext("{*}description") or "").strip(), cells))
    return DecisionTable(key, decision.get("name"), table.get("hitPolicy") or "UNIQUE", columns, rules)


def diff_tables(before: DecisionTable, after: DecisionTable) -> TableDiff:
    """Every row of `after` in its order, each removed row of `before` after the row it followed."""
    after_ids = {column.id for column in after.columns}
    columns = after.columns + [c for c in before.columns if c.id not in after_ids]
    old = {rule.id: rule for rule in before.rules}
    new_ids = {rule.id for rule in after.rules}
    removed_after: dict[str | None, list[Rule]] = {}
    previous_id = None
    for rule in before.rules:
        if rule.id not in new_ids:
            removed_after.setdefault(previous_id, []).append(rule)
        else:
            previous_id = rule.id
    diff = TableDiff(columns)
    diff.rows += [RowChange(None, rule, "removed") for rule in removed_after.get(None, [])]
    for number, rule in enumerate(after.rules, start=1):
        earlier = old.get(rule.id)
        if earlier is None:
            diff.rows.append(RowChange(number, rule, "added"))
        else:
            changed = tuple(c.id for c in columns if earlier.cells.get(c.id, "") != rule.cells.get(c.id, ""))
            if earlier.description != rule.description:
                changed += ("description",)
            diff.rows.append(RowChange(number, rule, "changed" if changed else "unchanged", earlier, changed))
        diff.rows += [RowChange(None, gone, "removed") for gone in removed_after.get(rule.id, [])]
    return diff


def _text(node: etree._Element | None) -> str:
    if node is None:
        return ""
    text = node.find("{*}text")
    return (text.text or "").strip() if text is not None else ""
