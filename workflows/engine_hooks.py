"""What the Office's campaigns tell the generic engine through its hooks (EngineConfig fields and
service attributes that web/composition.py fills): who hears of overdue work, how names sort, whose public holidays move deadlines.

The engine knows no office role and no language: escalation is "group@days" with a `{unit}`
placeholder, name order is a key function. The Office's answers live here.
"""
from __future__ import annotations

from dataclasses import replace

from engine import EngineConfig
from workflows.vietnamese import person_sort_key

# After 1 working day overdue the head of the instance's unit (group head:<unit>) hears of it,
# after 3 the Chief of Office (group chief); THIDUA_ESCALATE_TO or a campaign's setting says otherwise.
ESCALATE_TO = "head:{unit}@1, chief@3"
# Vietnam's public holidays (Tết, 30/4, 1/5, 2/9 ...) and its swapped working days move deadlines.
HOLIDAY_COUNTRY = "VN"
# What reminder mails quote of a campaign's (or unit evaluation's) variables.
MAIL_VARIABLES = ("campaignName", "unitName")


def office_config(config: EngineConfig) -> EngineConfig:
    """`config` with the Office's answers where it leaves the engine's hooks open."""
    return replace(config, escalate_to=config.escalate_to or ESCALATE_TO, name_order=person_sort_key,
                   holiday_country=config.holiday_country or HOLIDAY_COUNTRY)
