"""Camunda 7 typed variables: `{"name": {"value": ..., "type": "String", "valueInfo": {}}}`.

`from_typed` turns what a Camunda client sends into plain Python values for the engine;
`to_typed` turns the engine's values into what a Camunda client expects back. Dates travel in
Camunda's default format `yyyy-MM-dd'T'HH:mm:ss.SSSZ` (e.g. `2025-06-30T17:00:00.000+0700`),
rendered in the service time zone (`THIDUA_TIMEZONE`, default `Asia/Ho_Chi_Minh`).

Self-contained on purpose: nothing here imports the engine or Flask.
"""
from __future__ import annotations

import json
import math
import os
import re
import unicodedata
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["TypedValueError", "from_typed", "to_typed", "format_datetime", "parse_datetime", "service_zone"]

INTEGER_RANGE = (-2**31, 2**31 - 1)
LONG_RANGE = (-2**63, 2**63 - 1)
SHORT_RANGE = (-2**15, 2**15 - 1)
_INT_RANGES = {"Integer": INTEGER_RANGE, "Long": LONG_RANGE, "Short": SHORT_RANGE}

# Camunda resolves type names with the first letter lower-cased ("string" == "String"); names
# are matched without regard to case here, which accepts both and nothing ambiguous.
_TYPES = {name.lower(): name for name in
          ("String", "Boolean", "Integer", "Long", "Short", "Double", "Date", "Json", "Null", "Object")}
_UNSUPPORTED = {"bytes": "Bytes", "file": "File", "xml": "Xml", "number": "Number"}
_DIGITS = re.compile(r"[+-]?\d+")
# yyyy-MM-ddTHH:mm:ss, optional fraction (Camunda sends 3 digits), optional offset
# (+0700 as Camunda writes it, +07:00 as ISO 8601 writes it, or Z).
_DATETIME = re.compile(
    # A space for the plus sign is an unencoded "+" in a query string (…000+0700 -> …000 0700).
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+ -]\d{2}:?\d{2})?")


class TypedValueError(ValueError):
    """A variable that cannot be read or written as a Camunda typed value; the message names it."""


def service_zone() -> ZoneInfo:
    """The office's time zone; read on each call so it follows the environment."""
    name = os.environ.get("THIDUA_TIMEZONE", "Asia/Ho_Chi_Minh")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"THIDUA_TIMEZONE={name!r} is not a known time zone") from exc


# ---------------------------------------------------------------------------------------------
# dates


def format_datetime(value: datetime | None) -> str | None:
    """Camunda's date format in the service time zone, e.g. `2025-08-08T23:59:59.000+0700`.

    A naive datetime is taken to be UTC (the engine stores UTC). The shape is exactly the one
    pycamunda's `from_isoformat` (`%Y-%m-%dT%H:%M:%S.%f%z`) and Java's SimpleDateFormat read.
    """
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise TypeError(f"format_datetime needs a datetime, not {type(value).__name__}")
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    local = value.astimezone(service_zone())
    return f"{local:%Y-%m-%dT%H:%M:%S}.{local.microsecond // 1000:03d}{local:%z}"


def parse_datetime(text: str) -> datetime:
    """Reads Camunda's format and its ISO 8601 cousins into a timezone-aware datetime.

    Accepted: `2025-06-30T17:00:00.000+0700`, `...+07:00`, `...Z`, with or without the
    fraction (1 to 9 digits, kept to the microsecond); a space instead of the offset's "+" (a
    query string whose "+" was not encoded as %2B) is read as "+". Without an offset the time is read in
    the service time zone (pycamunda sends naive datetimes that way). Anything else, including
    a date without a time, raises TypedValueError.
    """
    if not isinstance(text, str):
        raise TypedValueError(f"{text!r} is not a date text")
    match = _DATETIME.fullmatch(text.strip())
    if match is None:
        raise TypedValueError(f"'{text}' is not a date in Camunda's format yyyy-MM-dd'T'HH:mm:ss.SSSZ "
                              f"(e.g. 2025-06-30T17:00:00.000+0700)")
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    if offset is None:
        tz = service_zone()
    elif offset == "Z":
        tz = timezone.utc
    else:
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:])
        if hours > 23 or minutes > 59:
            raise TypedValueError(f"'{text}' has an impossible time zone offset {offset}")
        tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
    try:
        return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), micro, tzinfo=tz)
    except ValueError as exc:
        raise TypedValueError(f"'{text}' is not a valid date: {exc}") from None


# ---------------------------------------------------------------------------------------------
# typed -> plain


def from_typed(variables: Mapping[str, Any] | None) -> dict[str, Any]:
    """Camunda typed variables -> plain Python values (strings in NFC); raises TypedValueError.

    Each entry is `{"value": ..., "type": ..., "valueInfo": {...}}`; `type` may be missing or
    null (the camunda external-task client and pycamunda send it so), in which case the type is
    inferred from the JSON value. A missing `value` is null.
    """
    if variables is None:
        return {}
    if not isinstance(variables, Mapping):
        raise TypedValueError(f"variables must be a JSON object of name -> {{value, type}}, "
                              f"not {type(variables).__name__}")
    plain: dict[str, Any] = {}
    for name, entry in variables.items():
        if not isinstance(name, str):
            raise TypedValueError(f"variable name {name!r} is not a string")
        if not isinstance(entry, Mapping):
            raise TypedValueError(f"variable '{name}': expected an object with 'value' and 'type', "
                                  f"got {_describe(entry)}")
        plain[unicodedata.normalize("NFC", name)] = _from_entry(name, entry)
    return plain


def _from_entry(name: str, entry: Mapping[str, Any]) -> Any:
    value = entry.get("value")
    raw_type = entry.get("type")
    if raw_type is None:
        return _infer(name, value)
    if not isinstance(raw_type, str):
        raise TypedValueError(f"variable '{name}': type {raw_type!r} is not a string")
    type_ = _TYPES.get(raw_type.lower())
    if type_ is None:
        if raw_type.lower() in _UNSUPPORTED:
            raise TypedValueError(f"variable '{name}': type '{raw_type}' is not supported; "
                                  f"use String, Boolean, Integer, Long, Short, Double, Date, Json or Null")
        raise TypedValueError(f"variable '{name}': unknown type '{raw_type}'")
    value_info = entry.get("valueInfo") or {}
    if not isinstance(value_info, Mapping):
        raise TypedValueError(f"variable '{name}': valueInfo must be an object")
    if type_ == "Null" or value is None:
        return None  # Camunda allows a null value of any type
    if type_ == "String":
        if not isinstance(value, str):
            raise TypedValueError(f"variable '{name}': value {_describe(value)} is not a String")
        return unicodedata.normalize("NFC", value)
    if type_ == "Boolean":
        if isinstance(value, bool):
            return value
        if value in ("true", "false"):
            return value == "true"
        raise TypedValueError(f"variable '{name}': value {_describe(value)} is not a Boolean (true or false)")
    if type_ in _INT_RANGES:
        return _integer(name, value, type_)
    if type_ == "Double":
        return _double(name, value)
    if type_ == "Date":
        if not isinstance(value, str):
            raise TypedValueError(f"variable '{name}': value {_describe(value)} is not a Date text")
        try:
            return parse_datetime(value)
        except TypedValueError as err:
            raise TypedValueError(f"variable '{name}': {err}") from None
    if type_ == "Object":
        data_format = value_info.get("serializationDataFormat")
        if data_format != "application/json":
            raise TypedValueError(
                f"variable '{name}': Object values are only accepted with valueInfo.serializationDataFormat "
                f"'application/json' (got {data_format!r}); send the value as type Json")
    return _json(name, value)  # Json, or Object serialized as JSON


def _integer(name: str, value: Any, type_: str) -> int:
    if isinstance(value, bool):
        raise TypedValueError(f"variable '{name}': value {_describe(value)} is not {_a(type_)}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise TypedValueError(f"variable '{name}': value {_describe(value)} is not {_a(type_)}")
        if not value.is_integer():
            raise TypedValueError(f"variable '{name}': value {_describe(value)} is not {_a(type_)} (it has a fraction)")
        number = int(value)
    elif isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        raise TypedValueError(f"variable '{name}': value {_describe(value)} is not {_a(type_)}")
    low, high = _INT_RANGES[type_]
    if not low <= number <= high:
        raise TypedValueError(f"variable '{name}': value {number} is out of range for {_a(type_)} ({low} to {high})")
    return number


def _double(name: str, value: Any) -> float:
    if isinstance(value, bool):
        raise TypedValueError(f"variable '{name}': value {_describe(value)} is not a Double")
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise TypedValueError(f"variable '{name}': value {_describe(value)} is not a Double") from None
    else:
        raise TypedValueError(f"variable '{name}': value {_describe(value)} is not a Double")
    if not math.isfinite(number):
        raise TypedValueError(f"variable '{name}': value {_describe(value)} is not a finite Double")
    return number


def _json(name: str, value: Any) -> Any:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as err:
            raise TypedValueError(f"variable '{name}': value is not valid JSON ({err})") from None
    return _nfc(value)


def _infer(name: str, value: Any) -> Any:
    """No type given: the JSON value decides, as Camunda does for untyped values."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return _integer(name, value, "Long")
    if isinstance(value, float):
        return _double(name, value)
    if isinstance(value, (str, dict, list)):
        return _nfc(value)
    raise TypedValueError(f"variable '{name}': cannot infer a type for {_describe(value)}")


def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [_nfc(item) for item in value]
    if isinstance(value, dict):
        return {(unicodedata.normalize("NFC", k) if isinstance(k, str) else k): _nfc(v) for k, v in value.items()}
    return value


def _a(type_name: str) -> str:
    return f"{'an' if type_name[0] in 'AEIOU' else 'a'} {type_name}"


def _describe(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 60 else text[:57] + "..."


# ---------------------------------------------------------------------------------------------
# plain -> typed


def to_typed(values: Mapping[str, Any]) -> dict[str, dict]:
    """Plain Python values -> Camunda typed variables (every entry has value, type, valueInfo)."""
    typed: dict[str, dict] = {}
    for name, value in (values or {}).items():
        if not isinstance(name, str):
            raise TypedValueError(f"variable name {name!r} is not a string")
        typed[name] = typed_value(value)
    return typed


def typed_value(value: Any) -> dict:
    """One plain value as `{"value", "type", "valueInfo"}`."""
    if value is None:
        return _entry(None, "Null")
    if isinstance(value, bool):
        return _entry(value, "Boolean")
    if isinstance(value, int):
        if INTEGER_RANGE[0] <= value <= INTEGER_RANGE[1]:
            return _entry(value, "Integer")
        if LONG_RANGE[0] <= value <= LONG_RANGE[1]:
            return _entry(value, "Long")
        return _entry(str(value), "String")  # beyond a Java long: the digits, exactly, rather than a rounded Double
    if isinstance(value, float):
        # NaN and infinities have no JSON form; their text keeps the information.
        return _entry(value, "Double") if math.isfinite(value) else _entry(str(value), "String")
    if isinstance(value, Decimal):
        return _entry(float(value), "Double") if value.is_finite() else _entry(str(value), "String")
    if isinstance(value, str):
        return _entry(value, "String")
    if isinstance(value, datetime):
        return _entry(format_datetime(value), "Date")
    if isinstance(value, date):
        # A calendar date is the start of that day in the office's time zone.
        return _entry(format_datetime(datetime.combine(value, time(0, 0), tzinfo=service_zone())), "Date")
    if isinstance(value, (dict, list, tuple)):
        return _entry(json.dumps(value, ensure_ascii=False, default=_json_default), "Json")
    return _entry(str(value), "String")


def _entry(value: Any, type_: str) -> dict:
    return {"value": value, "type": type_, "valueInfo": {}}


def _json_default(value: Any) -> Any:
    """Values json cannot write natively, found inside a Json variable."""
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value) if value.is_finite() else str(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    return str(value)
