"""The `staff_facts` service task (bpmn/unit_evaluation.bpmn, "Tra cứu hồ sơ cán bộ").

Reads the nominee of the current loop iteration and sets the facts bpmn/eligibility.dmn reads:
yearsAtOffice, yearsSinceDiscipline, worstRatingLast10, missingRatingYears (the directory's), the
first case open on that date, pendingCase and its pendingCaseText (workflows/pending_cases.py), and
sameAwardInCampaign (workflows/award_register.py). The date they are computed on comes
from the campaign's variables (by default the end of the campaign period, `campaignEndsAt`),
never from the clock or the code.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Callable, Mapping

from engine.handlers import Handler, ServiceTaskContext
from workflows.award_register import AwardRegister
from workflows.pending_cases import PendingCases
from workflows.staff_directory import StaffDirectory, StaffDirectoryError

TOPIC = "staff_facts"
NO_FACTS = {"yearsAtOffice": None, "yearsSinceDiscipline": None, "worstRatingLast10": None,
            "missingRatingYears": None, "pendingCase": None, "pendingCaseText": None, "sameAwardInCampaign": None}


def date_of(value: Any, name: str) -> date:
    """A date from a date, a datetime (its own calendar date) or an ISO text of either."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            # "2025-08-05T23:59:59+07:00" is 5/8 in the office, whatever the day is in UTC.
            return datetime.fromisoformat(value.strip()).date()
        except ValueError:
            pass
    raise StaffDirectoryError(f"the variable '{name}' must be an ISO date or date-time "
                              f"(e.g. 2025-08-05T23:59:59+07:00), not {value!r}")


def campaign_end_date(variables: Mapping[str, Any]) -> date:
    """The default date of the facts: the calendar day of the variable `campaignEndsAt`."""
    if variables.get("campaignEndsAt") is None:
        raise StaffDirectoryError("the process has no variable 'campaignEndsAt' to compute the staff facts on")
    return date_of(variables["campaignEndsAt"], "campaignEndsAt")


def make_staff_facts_handler(directory: StaffDirectory,
                             as_of: Callable[[Mapping[str, Any]], date] = campaign_end_date, *,
                             cases: PendingCases | None = None, awards: AwardRegister | None = None) -> Handler:
    """The handler to register for topic `staff_facts`.

    A collective (any nominee that is not an individual) gets every fact as None, which the
    decision table does not read for collectives. An individual's `userId` must be in the
    directory: an unknown person raises, so the engine retries and then raises an incident naming
    the person, instead of letting the decision decide on missing facts. Pending cases and the
    award register are read from the directory's database unless given.
    """
    cases = cases or PendingCases(directory.db)
    awards = awards or AwardRegister(directory.db)

    def staff_facts(ctx: ServiceTaskContext) -> dict:
        nominee = ctx.variables.get("nominee")
        if not isinstance(nominee, Mapping):
            raise StaffDirectoryError(f"the service task '{ctx.element_id}' needs a variable 'nominee' "
                                      f"(an object), got {nominee!r}")
        if nominee.get("kind") != "individual":
            return dict(NO_FACTS)
        user_id = nominee.get("userId")
        if not isinstance(user_id, str) or not user_id:
            raise StaffDirectoryError(f"the individual nominee {nominee.get('fullName') or nominee.get('id')!r} "
                                      "has no userId to look up in the staff directory")
        day = as_of(ctx.variables)
        # The unit's instance carries its campaign's business key (camunda:in businessKey).
        same = awards.has(user_id, nominee.get("award"), ctx.business_key) if ctx.business_key else None
        return {**directory.facts(user_id, day), **cases.facts(user_id, day), "sameAwardInCampaign": same}

    return staff_facts
