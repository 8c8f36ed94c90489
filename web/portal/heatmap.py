"""The heatmap's colours: each element's count of units placed on one of four levels, by its
share of the campaign's units, with the legend naming the counts each level stands for."""
from __future__ import annotations

from math import ceil

from web.portal.i18n import translate

LEVELS = 4


def level(count: int, total: int) -> int:
    """1 (a few of the units) to 4 (nearly all of them); a count above `total` is level 4."""
    if total <= 0 or count <= 0:
        return 1
    return min(LEVELS, max(1, ceil(count * LEVELS / total)))


def heat_levels(heatmap: dict[str, int], total: int) -> dict[str, int]:
    return {element: level(count, total) for element, count in heatmap.items()}


def legend(total: int) -> list[dict]:
    """The levels a campaign of `total` units can show, each with its range of counts
    ("1–2 đơn vị"); with few units some levels hold no count and are left out."""
    entries, low = [], 1
    for step in range(1, LEVELS + 1):
        high = total * step // LEVELS
        if high >= low:
            label = (translate("campaign.diagram.heat_one", count=low) if high == low
                     else translate("campaign.diagram.heat_range", low=low, high=high))
            entries.append({"level": step, "label": label})
            low = high + 1
    return entries
