"""workflows/date_rules.py: the `dates` rules a designer writes on a user task."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from engine.forms.submission import FormValidationError
from workflows.date_rules import compare, day_of, parse_rules


def test_rules_are_read_as_written():
    assert parse_rules("decisionDate >= meetingDate, reportedOn<=unitReportDate") == [
        ("decisionDate", ">=", "meetingDate"), ("reportedOn", "<=", "unitReportDate")]
    assert parse_rules("") == []


@pytest.mark.parametrize("text", ["decisionDate > meetingDate", "decisionDate >= ", "a <= b <= c"])
def test_a_malformed_rule_refuses_with_the_rule_named(text):
    with pytest.raises(FormValidationError) as refused:
        parse_rules(text)
    [error] = refused.value.errors
    assert error.code == "date_rules" and text.strip() in error.message


def test_dates_compare_as_calendar_days_of_any_form():
    assert day_of("2025-08-05T23:59:59+07:00") == date(2025, 8, 5)
    assert day_of(datetime(2025, 8, 5, 8, 0)) == date(2025, 8, 5)
    assert day_of("05/08/2025") is None
    assert compare("reportedOn", date(2025, 8, 8), "<=", "unitReportDate", "2025-08-08") is None
    late = compare("reportedOn", "2025-08-09", "<=", "unitReportDate", "2025-08-08")
    assert (late.field, late.code, late.params["date"], late.params["other_date"]) == (
        "reportedOn", "date_not_after", "09/08/2025", "08/08/2025")
    # A rule whose other date is not known yet is not applied.
    assert compare("decisionDate", "2025-08-01", ">=", "meetingDate", None) is None
