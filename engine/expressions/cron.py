"""Quartz cron expressions in a timeCycle, as Camunda 7 accepts them (`0 0/5 * * * ?`).

Quartz has 6 or 7 fields: seconds, minutes, hours, day-of-month, month, day-of-week and an
optional year; `?` means "no specific value"; its day-of-week counts 1=SUN..7=SAT. APScheduler's
CronTrigger does the calendar arithmetic, so each field is mapped to its notation (where
day-of-week is mon..sun). Quartz's `L`, `W` and `#` have no faithful APScheduler equivalent and
are refused at deploy time rather than run with a different meaning.

Fire times are computed in the engine's time zone (EngineConfig.timezone): Camunda uses the
server's zone, which for this service is the office's.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone, tzinfo

from apscheduler.triggers.cron import CronTrigger

FIELDS = ("seconds", "minutes", "hours", "day-of-month", "month", "day-of-week", "year")
_APSCHEDULER_FIELDS = ("second", "minute", "hour", "day", "month", "day_of_week", "year")
_QUARTZ_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")  # Quartz 1..7
_APSCHEDULER_DAYS = {"SUN": "sun", "MON": "mon", "TUE": "tue", "WED": "wed", "THU": "thu", "FRI": "fri",
                     "SAT": "sat"}
_ISO_CYCLE = re.compile(r"R\d*/.*", re.ASCII | re.IGNORECASE | re.DOTALL)
_DAY_ITEM = re.compile(r"(?P<first>\*|\w+)(?:-(?P<last>\w+))?(?:/(?P<step>\d+))?", re.ASCII)


class CronError(ValueError):
    """Why a cron expression is refused, naming the field."""


def looks_like_cron(text: str) -> bool:
    """Whether a timeCycle is meant as a cron expression rather than an ISO-8601 repeating interval."""
    return not _ISO_CYCLE.fullmatch(text.strip()) and len(text.split()) >= 5


def quartz_trigger(text: str, zone: tzinfo) -> CronTrigger:
    """The APScheduler trigger of a Quartz cron expression; CronError says which field is wrong."""
    fields = text.split()
    if len(fields) not in (6, 7):
        raise CronError(f"a cron expression needs 6 or 7 fields (seconds, minutes, hours, day-of-month, "
                        f"month, day-of-week, optional year), not {len(fields)}; e.g. 0 0 8 * * ?")
    mapped = {}
    for name, target, value in zip(FIELDS, _APSCHEDULER_FIELDS, fields):
        if (name == "day-of-month" and re.search(r"[LW]", value.upper())) or (
                name == "day-of-week" and re.search(r"[L#]", value.upper())):
            raise CronError(f"{name} '{value}': Quartz's L, W and # are not supported here")
        if value == "?" and name not in ("day-of-month", "day-of-week"):
            raise CronError(f"{name} '?': '?' is allowed only in day-of-month or day-of-week")
        mapped[target] = _day_of_week(value) if name == "day-of-week" else ("*" if value == "?" else value)
        try:
            CronTrigger(**{target: mapped[target]}, timezone=zone)
        except ValueError as err:
            raise CronError(f"{name} '{value}': {err}") from None
    if fields[3] not in ("?", "*") and fields[5] not in ("?", "*"):
        # Quartz refuses both too: it would not say whether both or either must match.
        raise CronError("give '?' in day-of-month or in day-of-week: both cannot be specific")
    return CronTrigger(**mapped, timezone=zone)


def check_cron(text: str) -> None:
    """Raises CronError unless `text` is a Quartz cron expression this engine runs."""
    quartz_trigger(text, timezone.utc)


def next_cron_time(text: str, after: datetime, zone: tzinfo) -> datetime | None:
    """The first fire time strictly after `after` (aware), or None when the years given are past."""
    trigger = quartz_trigger(text, zone)
    # CronTrigger's "now" is inclusive and cron counts whole seconds: a time equal to `after` fired.
    return trigger.get_next_fire_time(None, after.replace(microsecond=0) + timedelta(seconds=1))


def _day_of_week(value: str) -> str:
    """Quartz day-of-week (1=SUN..7=SAT or SUN..SAT, ranges, steps) as an explicit APScheduler list,
    because the two numberings start on different days and a range such as 1-7 would not map."""
    if value in ("?", "*"):
        return "*"
    days: list[str] = []
    for item in value.upper().split(","):
        match = _DAY_ITEM.fullmatch(item)
        if match is None:
            raise CronError(f"day-of-week '{value}': expected 1-7 or SUN-SAT, ranges, lists and steps")
        first = 1 if match["first"] == "*" else _day_number(match["first"], value)
        last = 7 if match["first"] == "*" or (match["step"] and not match["last"]) else first
        if match["last"]:
            last = _day_number(match["last"], value)
        if last < first:
            raise CronError(f"day-of-week '{value}': the range {item} ends before it starts")
        step = int(match["step"] or 1)
        if step == 0:
            raise CronError(f"day-of-week '{value}': a step of 0")
        days += [_APSCHEDULER_DAYS[_QUARTZ_DAYS[n - 1]] for n in range(first, last + 1, step)]
    return ",".join(dict.fromkeys(days))


def _day_number(token: str, value: str) -> int:
    if token.isdigit() and 1 <= int(token) <= 7:
        return int(token)
    if token in _QUARTZ_DAYS:
        return _QUARTZ_DAYS.index(token) + 1
    raise CronError(f"day-of-week '{value}': '{token}' is not 1-7 (1 = Sunday) or SUN-SAT")

