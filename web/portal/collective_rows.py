"""A collective's row in the nominee list form (web/portal/list_forms.py NomineesForm): its name
(blank: the unit itself) and, for each of the campaign's collective criteria, "met" and the evidence.

The campaign's criteria reach the page as the instance variable `collectiveCriteria`; the page
posts them back as hidden `collectiveCriteria-<k>-id` / `-text` inputs beside each row's
`nominees-<i>-met_<k>` checkbox and `nominees-<i>-evidence_<k>` text, k the criterion's place.
What was posted is only a convenience for the form: the `nominees` completion check
(workflows/collectives.py) holds every criterion against the instance's own list.
"""
from __future__ import annotations

from typing import Any, Mapping

from web.portal.list_rows import posted_rows, text_of
from workflows.collectives import collective_id

ROW_FIELDS = ("kind", "userId", "award", "achievements", "name")


def initial_row(nominee: Mapping[str, Any]) -> dict:
    """A stored nominee as the form shows it: text fields as text, a collective's name and its
    checked criteria kept as they are."""
    row = {k: ("" if v is None else str(v)) for k, v in nominee.items() if k != "criteria"}
    if nominee.get("kind") == "collective":
        row["name"] = row.get("fullName", "")
        row["criteria"] = [dict(c) for c in nominee.get("criteria") or [] if isinstance(c, Mapping)]
    return row


def posted_criteria(posted: Mapping[str, str]) -> list[dict]:
    """The campaign's criteria as the page carried them: [{id, text}]."""
    return [{"id": text_of(c.get("id")), "text": text_of(c.get("text"))} for c in posted_rows(posted, "collectiveCriteria")]


def parse_row(row: Mapping[str, str], criteria: list[dict]) -> dict:
    """One posted row, with the checklist of each criterion (checkbox ticked = met)."""
    parsed = {k: text_of(row.get(k)) for k in ROW_FIELDS}
    parsed["criteria"] = [{**c, "met": bool(row.get(f"met_{k}")), "evidence": text_of(row.get(f"evidence_{k}"))}
                          for k, c in enumerate(criteria)]
    return parsed


def collective_nominee(row: Mapping[str, Any], unit: str | None, unit_name: str) -> dict:
    """The nominee a collective row stands for: the unit itself unless a sub-team is named."""
    name = row.get("name") or unit_name
    return {"id": collective_id(unit or "", unit_name, name), "kind": "collective", "userId": None,
            "fullName": name, "collectiveOf": unit, "award": row.get("award"),
            "achievements": row.get("achievements"), "criteria": [dict(c) for c in row.get("criteria") or []]}


def checklist(row: Mapping[str, Any], criteria: list[dict]) -> list[dict]:
    """What the page shows for a row: each campaign criterion, with what the row says of it."""
    given = {c.get("id"): c for c in row.get("criteria") or [] if isinstance(c, Mapping)}
    return [{**c, "met": bool(given.get(c["id"], {}).get("met")), "evidence": given.get(c["id"], {}).get("evidence") or ""}
            for c in criteria]
