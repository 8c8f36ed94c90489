"""Counting a person's service record for the eligibility facts: whole years, the worst rating,
the years that had to be rated."""
from __future__ import annotations

from datetime import date
from typing import Iterable

from workflows.models import RATINGS

# How many full years before the date of the facts the ratings are looked at.
RATING_YEARS = 10
# A person at the Office for under six months of a year is not rated that year (Nghị định
# 90/2020/NĐ-CP): a start after this day of the year leaves that year without a rating.
LAST_RATED_START = (7, 1)
RATING_RANK = {code: rank for rank, code in enumerate(RATINGS)}  # 0 is best


def whole_years(start: date, end: date) -> int:
    """Completed years from `start` to `end` (an anniversary on `end` counts); 0 if `end` is earlier.

    Someone who started on 29/02 completes a year on 01/03 of a common year.
    """
    years = end.year - start.year - ((end.month, end.day) < (start.month, start.day))
    return max(years, 0)


def rated_years(office_start: date, first_year: int, last_year: int) -> range:
    """The years of the window in which the person had to be rated."""
    start_year = office_start.year if (office_start.month, office_start.day) <= LAST_RATED_START \
        else office_start.year + 1
    return range(max(first_year, start_year), last_year + 1)


def worst_rating(ratings: Iterable[str]) -> str | None:
    ranked = [r for r in ratings if r in RATING_RANK]
    return max(ranked, key=RATING_RANK.__getitem__) if ranked else None
