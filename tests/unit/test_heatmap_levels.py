"""web/portal/heatmap.py: a count's colour level is its share of the campaign's units, and the
legend's ranges cover every count from 1 to the total once, each on the level it is drawn in."""
from __future__ import annotations

import pytest
from flask import Flask

from web.portal.heatmap import heat_levels, legend, level


@pytest.mark.parametrize("count, total, expected", [
    (1, 7, 1), (2, 7, 2), (3, 7, 2), (4, 7, 3), (5, 7, 3), (6, 7, 4), (7, 7, 4),
    (1, 1, 4), (1, 2, 2), (2, 2, 4), (9, 7, 4),  # more than the total (a unit moved meanwhile): the top
    (0, 7, 1), (3, 0, 1),  # nothing to compare with: the lowest
])
def test_level_is_the_share_of_units(count, total, expected):
    assert level(count, total) == expected


def test_heat_levels_of_each_element():
    assert heat_levels({"a": 1, "b": 7}, 7) == {"a": 1, "b": 4}
    assert heat_levels({}, 0) == {}


@pytest.mark.parametrize("total", [0, 1, 2, 3, 4, 5, 7, 12, 63])
def test_legend_covers_every_count_once_on_its_level(total):
    app = Flask(__name__)
    app.testing = True  # a missing catalog text fails instead of falling back
    with app.test_request_context():
        entries = legend(total)
    covered = []
    for entry in entries:
        numbers = entry["label"].split(" ")[0].split("–")
        low, high = int(numbers[0]), int(numbers[-1])
        assert all(level(count, total) == entry["level"] for count in range(low, high + 1)), entry
        covered += range(low, high + 1)
    assert covered == list(range(1, total + 1))
