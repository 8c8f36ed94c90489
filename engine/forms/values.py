"""Form field values: turning submitted or configured text into typed values, and reading constraint limits.

Shared by the definition checks (engine/forms/definition.py) and submission validation (engine/forms/submission.py)."""
from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime
from typing import Any, Callable, Protocol


class FieldLike(Protocol):
    """What checking a value needs of a form field (engine/forms/definition.py's FormField, which
    imports this module: a protocol here keeps the two out of an import cycle)."""

    type: str

    def has_constraint(self, name: str) -> bool: ...

    def constraint(self, name: str) -> str | None: ...

    @property
    def option_ids(self) -> Any: ...

# Camunda stores `long` fields as Java longs; anything wider would overflow there and in BIGINT columns.
LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1

LENGTH_CONSTRAINTS = ("minlength", "maxlength")
RANGE_CONSTRAINTS = ("min", "max")


class InvalidValue(Exception):
    def __init__(self, code: str, message: str, **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.params = params


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def constraint_limit(f: FieldLike, name: str) -> Any:
    """The constraint's config as a number or date, or None when the field does not have it."""
    if not f.has_constraint(name):
        return None
    config = f.constraint(name)
    text = config.strip() if isinstance(config, str) else ""
    if name in LENGTH_CONSTRAINTS:
        if not re.fullmatch(r"[0-9]+", text, re.ASCII):
            raise InvalidValue("type", f"{name} needs a whole number of characters, not '{config}'")
        return int(text)
    if f.type == "long":
        try:
            return coerce_long(text)
        except InvalidValue:
            raise InvalidValue("type", f"{name} needs a whole number, not '{config}'") from None
    try:
        return parse_date_text(text)
    except InvalidValue:
        raise InvalidValue("type", f"{name} needs a date (yyyy-mm-dd or dd/mm/yyyy), not '{config}'") from None


def coerce_value(f: FieldLike, value: Any) -> Any:
    if f.type == "enum":
        return _coerce_enum(value, f.option_ids)
    return _COERCERS[f.type](value)


def coerce_string(value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidValue("type", "Must be text.", type="string")
    text = unicodedata.normalize("NFC", value)
    # PostgreSQL text cannot hold NUL, and lone surrogates cannot be encoded at all.
    if "\x00" in text or not _encodable(text):
        raise InvalidValue("type", "Contains characters that cannot be stored.", type="string")
    return text


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_LONG_TEXT = re.compile(r"[+-]?[0-9]+", re.ASCII)


def coerce_long(value: Any) -> int:
    invalid = InvalidValue("type", "Must be a whole number.", type="long")
    if isinstance(value, bool):
        raise invalid
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise invalid
        number = int(value)
    elif isinstance(value, str) and _LONG_TEXT.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        raise invalid
    if not LONG_MIN <= number <= LONG_MAX:
        raise InvalidValue("type", f"Must be between {LONG_MIN} and {LONG_MAX}.", type="long")
    return number


_BOOLEAN_TEXT = {"true": True, "on": True, "1": True, "false": False, "0": False, "": False}


def coerce_boolean(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _BOOLEAN_TEXT:
        return _BOOLEAN_TEXT[value.strip().lower()]
    raise InvalidValue("type", "Must be true or false.", type="boolean")


_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_FORM_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})", re.ASCII)
_REST_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?(?:Z|[+-](\d{2}):?(\d{2}))?", re.ASCII)


def _coerce_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return parse_date_text(value.strip())
    raise InvalidValue("type", "Must be a date (yyyy-mm-dd or dd/mm/yyyy).", type="date")


def parse_date_text(text: str) -> date:
    try:
        if match := _ISO_DATE.fullmatch(text):
            year, month, day = map(int, match.groups())
        elif match := _FORM_DATE.fullmatch(text):
            day, month, year = map(int, match.groups())
        elif match := _REST_DATETIME.fullmatch(text):
            year, month, day, hour, minute, second = map(int, match.groups()[:6])
            offset_hours, offset_minutes = (int(part or 0) for part in match.groups()[6:])
            datetime(year, month, day, hour, minute, second)  # rejects 25:00 and friends
            if offset_hours > 23 or offset_minutes > 59:
                raise ValueError("offset out of range")
        else:
            raise InvalidValue("type", "Must be a date (yyyy-mm-dd or dd/mm/yyyy).", type="date")
        # The calendar date as written: a REST timestamp's offset is not converted to ours.
        return date(year, month, day)
    except ValueError:
        raise InvalidValue("type", f"'{text}' is not a valid calendar date.", type="date") from None


def _coerce_enum(value: Any, option_ids: tuple[str, ...]) -> str:
    choice = unicodedata.normalize("NFC", value) if isinstance(value, str) else value
    if choice not in option_ids:
        raise InvalidValue("enum", f"Must be one of: {', '.join(option_ids)}.", options=list(option_ids))
    return choice


_COERCERS: dict[str, Callable[[Any], Any]] = {
    "string": coerce_string,
    "long": coerce_long,
    "boolean": coerce_boolean,
    "date": _coerce_date,
}
