"""ISO-8601 dates, date-times, durations and repeating intervals, and timer expressions
translated into Python source."""
from __future__ import annotations

import re
from datetime import date, datetime, time, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from engine.expressions.cron import CronError, check_cron, looks_like_cron
from engine.expressions.juel import juel_to_python
from engine.expressions.source import ExpressionError, _py_str, _verified

_TIMER_KINDS = ("timeDate", "timeDuration", "timeCycle")
_TIMER_EXPECTATIONS = {
    "timeDate": "a date or date-time such as 2025-06-30T17:00:00+07:00",
    "timeDuration": "an ISO-8601 duration such as PT5M",
    "timeCycle": "an ISO-8601 repeating interval such as R3/PT10M or a Quartz cron expression such as 0 0 8 * * ?",
}


class _BadValue(ValueError):
    """The reason a date, duration or cycle is invalid; callers add the context."""


_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_DATETIME_RE = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:\d{2})?", re.ASCII
)
_N = r"\d+(?:[.,]\d+)?"
_DURATION_RE = re.compile(
    rf"P(?:(?P<years>{_N})Y)?(?:(?P<months>{_N})M)?(?:(?P<days>{_N})D)?"
    rf"(?:(?P<time>T)(?:(?P<hours>{_N})H)?(?:(?P<minutes>{_N})M)?(?:(?P<seconds>{_N})S)?)?",
    re.ASCII | re.IGNORECASE,
)
_WEEKS_RE = re.compile(rf"P(?P<weeks>{_N})W", re.ASCII | re.IGNORECASE)
_CYCLE_RE = re.compile(r"R(?P<count>\d*)/(?P<rest>.+)", re.ASCII | re.IGNORECASE | re.DOTALL)
_UNIT_SECONDS = {
    "years": 365.25 * 86400, "months": 30.44 * 86400, "weeks": 7 * 86400, "days": 86400,
    "hours": 3600, "minutes": 60, "seconds": 1,
}
# SpiffWorkflow walks a duration month by month and adds it to the current time, so an
# absurd length hangs or overflows at run time; refuse it at deploy time instead.
_MAX_DURATION_SECONDS = 1000 * _UNIT_SECONDS["years"]
_DURATION_EXAMPLES = "e.g. PT5M, PT1H30M, P3D or P2W"
_MOMENT_EXAMPLES = "e.g. 2025-06-30 or 2025-06-30T17:00:00+07:00"


def _parse_date(text: str) -> date:
    # date.fromisoformat alone would also take forms like 20250630 or 2025-W26-1.
    if not _DATE_RE.fullmatch(text):
        raise _BadValue("not a valid date (expected YYYY-MM-DD, e.g. 2025-06-30)")
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise _BadValue(f"not a valid date: {exc}") from None


def _parse_datetime(text: str) -> datetime:
    if not _DATETIME_RE.fullmatch(text):
        raise _BadValue(f"not a valid ISO-8601 date-time ({_MOMENT_EXAMPLES})")
    try:
        return datetime.fromisoformat(text)
    except ValueError as exc:
        raise _BadValue(f"not a valid date-time: {exc}") from None


def _parse_feel_datetime(text: str, zone: tzinfo | None) -> datetime:
    """FEEL date-time text, with an optional offset or '@Zone/Id'; naive values get `zone`."""
    moment_text, at, zone_name = text.partition("@")
    moment = _parse_datetime(moment_text)
    if at:
        if moment.tzinfo is not None:
            raise _BadValue("give either a UTC offset or an @zone, not both")
        try:
            return moment.replace(tzinfo=ZoneInfo(zone_name))
        except (ZoneInfoNotFoundError, ValueError):
            raise _BadValue(f"unknown time zone '{zone_name}'") from None
    if moment.tzinfo is None and zone is not None:
        return moment.replace(tzinfo=zone)
    return moment


def _check_duration(text: str) -> None:
    match = _WEEKS_RE.fullmatch(text) or _DURATION_RE.fullmatch(text)
    if match is None:
        raise _BadValue(f"not a valid ISO-8601 duration ({_DURATION_EXAMPLES})")
    groups = match.groupdict()
    parts = [(name, value) for name, value in groups.items() if value is not None and name != "time"]
    if groups.get("time") and not any(name in ("hours", "minutes", "seconds") for name, _ in parts):
        raise _BadValue("'T' in a duration must be followed by hours, minutes or seconds, e.g. PT5M")
    if not parts:
        raise _BadValue(f"a duration needs at least one number and unit ({_DURATION_EXAMPLES})")
    # ISO 8601 (and SpiffWorkflow's parser) allow a fraction only on the smallest unit.
    if any(("." in value or "," in value) for _, value in parts[:-1]):
        raise _BadValue("only the last number of a duration may have a fraction, e.g. PT1H30.5M")
    seconds = sum(float(value.replace(",", ".")) * _UNIT_SECONDS[name] for name, value in parts)
    if seconds > _MAX_DURATION_SECONDS:
        raise _BadValue("the duration is longer than 1000 years")


def _check_moment(text: str, zone: tzinfo | None) -> tuple[str, bool]:
    """Validates a date or date-time; returns (text, whether it had no zone).

    With `zone`, a zone-less value comes back as an ISO date-time in that zone, because
    SpiffWorkflow would otherwise read it in the server's local zone.
    """
    if _DATE_RE.fullmatch(text):
        day = _parse_date(text)
        if zone is None:
            return text, True
        return datetime.combine(day, time(), zone).isoformat(), True
    if not _DATETIME_RE.fullmatch(text):
        raise _BadValue(f"not a valid ISO-8601 date or date-time ({_MOMENT_EXAMPLES})")
    moment = _parse_datetime(text)
    if moment.tzinfo is not None:
        return text, False
    if zone is None:
        return text, True
    return moment.replace(tzinfo=zone).isoformat(), True


def _check_timer_text(text: str, kind: str, zone: tzinfo | None) -> tuple[str, bool]:
    """Validates timer text of `kind`; returns (text, whether it has a zone-less date or time)."""
    if not text:
        raise _BadValue("the timer value is empty")
    if kind == "timeDuration":
        _check_duration(text)
        return text, False
    if kind == "timeDate":
        if text[:1] in "Pp":
            raise _BadValue(f"a timeDate timer needs {_TIMER_EXPECTATIONS['timeDate']}; "
                            "for a delay such as PT5M use a timeDuration timer")
        return _check_moment(text, zone)
    return _check_cycle(text, zone)


def _check_cycle(text: str, zone: tzinfo | None) -> tuple[str, bool]:
    match = _CYCLE_RE.fullmatch(text)
    if match is None:
        if looks_like_cron(text):
            try:
                check_cron(text)
            except CronError as exc:
                raise _BadValue(f"cron expression '{text}': {exc}") from None
            return text, False  # its times are read in the engine's zone when it runs
        raise _BadValue("not a valid ISO-8601 repeating interval (expected e.g. R3/PT10M, R/P1D "
                        "or R5/2025-06-30T08:00:00+07:00/P1D) nor a Quartz cron expression (0 0 8 * * ?)")
    parts = match["rest"].split("/")
    durations = [part for part in parts if part[:1] in "Pp"]
    if len(parts) > 2 or len(durations) != 1:
        raise _BadValue("a repeating interval needs exactly one duration and at most one start or end, "
                        "e.g. R3/PT10M or R3/2025-06-30T08:00:00+07:00/P1D")
    checked, naive = [], False
    for part in parts:
        if part in durations:
            _check_duration(part)
            checked.append(part)
        else:
            moment, part_naive = _check_moment(part, zone)
            checked.append(moment)
            naive = naive or part_naive
    return text[0] + match["count"] + "/" + "/".join(checked), naive


def _check_timer_kind(kind: str) -> None:
    if kind not in _TIMER_KINDS:
        raise ValueError(f"unknown timer kind {kind!r}; expected one of {', '.join(_TIMER_KINDS)}")


def timer_to_python(text: str, kind: str) -> str:
    """A Python expression giving the ISO-8601 text of a timeDate, timeDuration or timeCycle.

    Literals are validated now. A literal date or date-time without a zone goes through
    timer_iso so that it is read in the service time zone, not the server's.
    """
    _check_timer_kind(kind)
    if text is None or not text.strip():
        raise ExpressionError.invalid(text or "", "the timer expression is empty")
    if "${" in text or "#{" in text:
        return _verified(text, f"timer_iso({juel_to_python(text)}, {_py_str(kind)})")
    literal = text.strip()
    try:
        _, zoneless = _check_timer_text(literal, kind, None)
    except _BadValue as exc:
        raise ExpressionError.invalid(text, str(exc)) from None
    source = _py_str(literal)
    if zoneless:
        source = f"timer_iso({source}, {_py_str(kind)})"
    return _verified(text, source)


def validate_iso_duration(text: str) -> None:
    """Raises ExpressionError unless `text` is PnYnMnDTnHnMnS or PnW (a fraction on the last number)."""
    if text is None:
        raise ExpressionError.invalid("", "the duration is empty")
    try:
        _check_duration(text.strip())
    except _BadValue as exc:
        raise ExpressionError.invalid(text, str(exc)) from None
