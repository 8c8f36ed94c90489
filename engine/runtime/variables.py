"""Process variables coming from outside (REST, forms, CLI): names usable in expressions, plain values."""
from __future__ import annotations

import keyword
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Mapping

from engine.errors import EngineError
from engine.expressions import HELPER_NAMES

_SCALARS = (type(None), bool, int, float, str, date, datetime, Decimal)


class VariableError(EngineError, ValueError):
    pass


def check_variables(values: Mapping[str, Any] | None) -> dict[str, Any]:
    """Returns a copy with every string in NFC, or raises VariableError naming the variable."""
    checked = {}
    for name, value in (values or {}).items():
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
            raise VariableError(f"'{name}' is not a valid variable name (letters, digits and _; not a keyword)")
        if name.startswith("_") or name in HELPER_NAMES:
            raise VariableError(f"variable name '{name}' is reserved")
        checked[unicodedata.normalize("NFC", name)] = _plain(name, value, depth=0)
    return checked


def check_business_key(business_key: str | None) -> str | None:
    if business_key is None:
        return None
    if not isinstance(business_key, str) or not 0 < len(business_key) <= 255 or "\x00" in business_key:
        raise VariableError("a business key is text of 1 to 255 characters")
    return unicodedata.normalize("NFC", business_key)


def _plain(name: str, value: Any, depth: int) -> Any:
    if depth > 20:
        raise VariableError(f"variable '{name}' is nested too deeply")
    if isinstance(value, str):
        if "\x00" in value:
            raise VariableError(f"variable '{name}' contains a NUL character, which cannot be stored")
        return unicodedata.normalize("NFC", value)
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(name, item, depth + 1) for item in value]
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise VariableError(f"variable '{name}' has a non-text key")
        return {unicodedata.normalize("NFC", k): _plain(name, v, depth + 1) for k, v in value.items()}
    raise VariableError(f"variable '{name}' has a value of type {type(value).__name__}, which cannot be stored")
