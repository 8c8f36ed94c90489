"""Lists of nominees as the Office reads them: grouped by form of award, in the order the plan
names the awards (Bức trướng, Bằng khen, Giấy khen), collectives before individuals."""
from __future__ import annotations

from typing import Any, Mapping

from workflows.campaign_rules import AWARD_NAMES, candidate_sort_key


def by_award(entries: list[Mapping[str, Any]]) -> list[dict]:
    """[{award, entries}] in the order of AWARD_NAMES (Bức trướng, Bằng khen, Giấy khen), collectives
    first within an award, then people by given name; an award nobody is proposed for is left out,
    an unknown one comes last as it is."""
    order = list(AWARD_NAMES)
    groups: dict[str, list] = {}
    for entry in entries:
        groups.setdefault(entry.get("award") or "", []).append(dict(entry))
    keys = sorted(groups, key=lambda a: (order.index(a) if a in order else len(order), a))
    return [{"award": award, "entries": sorted(groups[award], key=candidate_sort_key)} for award in keys]
