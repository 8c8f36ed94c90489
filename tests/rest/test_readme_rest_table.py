"""The README's REST table is the list a Camunda user reads: it must name every /engine-rest
route the service serves, and nothing it does not."""
from __future__ import annotations

import re
from pathlib import Path

from web.rest.openapi import OPERATIONS

README = Path(__file__).resolve().parents[2] / "README.md"
ROW = re.compile(r"^\| `(GET|POST|PUT|DELETE) (/[^`]*)` \| (.+) \|$")


def _camunda_path(path: str) -> str:
    # The routes name their ids (definition_id, task_id ...); Camunda's reference writes {id}.
    return re.sub(r"\{[a-z_]*id\}", "{id}", path)


def readme_rows() -> dict[tuple[str, str], str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Camunda REST API at `/engine-rest`"):]
    section = section[:section.index("\n## ", 1)]
    rows = {}
    for line in section.splitlines():
        match = ROW.match(line)
        if match:
            # An endpoint may come again in a topic's own table, with more detail.
            rows.setdefault((match.group(1), match.group(2)), match.group(3).strip())
    return rows


def test_the_readme_table_lists_every_endpoint_and_only_those():
    rows = readme_rows()
    served = {(op.method.upper(), _camunda_path(op.path)) for op in OPERATIONS}
    assert len(served) == len(OPERATIONS)
    assert sorted(served - set(rows)) == [], "served but missing from the README's REST table"
    assert sorted(set(rows) - served) == [], "in the README's REST table but not served"
    assert all(len(text) > 8 for text in rows.values()), "every row says what the endpoint does"
