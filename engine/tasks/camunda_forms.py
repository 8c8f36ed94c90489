"""Camunda Forms (`camunda:formRef` to a deployed `.form` file): finding the schema and validating
a submission on the server, with the rules form-js applies in the browser.

The browser's checks are a convenience; these are the ones that count. Errors are the same
FieldError / FormValidationError as for generated forms, so every caller reports them alike.
Supported: textfield, textarea, number, checkbox, checklist, radio, select, taglist, datetime
(inside groups too), with `validate.required / minLength / maxLength / min / max / pattern /
validationType` and static `values`. Display-only components carry no data and are ignored.
"""
from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Iterator, Mapping

from sqlalchemy import select

from engine.runtime import EngineContext
from engine.errors import NotFoundError
from engine.forms import FieldError, FormValidationError
from engine.persistence import Deployment, Resource

FORM_SUFFIX = ".form"
TEXT_TYPES = ("textfield", "textarea")
CHOICE_TYPES = ("radio", "select")
LIST_TYPES = ("checklist", "taglist")
INPUT_TYPES = (*TEXT_TYPES, *CHOICE_TYPES, *LIST_TYPES, "number", "checkbox", "datetime")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PHONE = re.compile(r"\+?[0-9 ().-]{6,20}")
MAX_TEXT = 100_000


class CamundaFormService:
    def __init__(self, ctx: EngineContext) -> None:
        self._ctx = ctx

    def schema(self, form_id: str) -> dict:
        """The latest deployed `.form` whose `id` is `form_id` (Camunda's default `latest` binding)."""
        statement = (select(Resource.content).join(Deployment, Deployment.id == Resource.deployment_id)
                     .where(Resource.name.like(f"%{FORM_SUFFIX}"))
                     .order_by(Deployment.deployed_at.desc(), Resource.id))
        with self._ctx.sessions() as session:
            for content in session.scalars(statement):
                try:
                    schema = json.loads(content)
                except ValueError:
                    continue
                if isinstance(schema, dict) and schema.get("id") == form_id:
                    return schema
        raise NotFoundError(f"no deployed form has the id '{form_id}'")


def input_components(schema: Mapping[str, Any]) -> Iterator[dict]:
    """The components that hold a value, in the order of the form, groups flattened."""
    for component in schema.get("components") or []:
        if not isinstance(component, dict):
            continue
        if component.get("type") in INPUT_TYPES and isinstance(component.get("key"), str):
            yield component
        elif component.get("components"):
            yield from input_components(component)


def form_keys(schema: Mapping[str, Any]) -> list[str]:
    return [c["key"] for c in input_components(schema)]


def validate_form_submission(schema: Mapping[str, Any], submitted: Mapping[str, Any]) -> dict[str, Any]:
    """Checked and converted values of the schema's editable fields, or FormValidationError."""
    if not isinstance(submitted, Mapping):
        raise FormValidationError([FieldError("", "type", "The submission must be an object.")])
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    known = set()
    for component in input_components(schema):
        key = component["key"]
        known.add(key)
        if component.get("readonly") or component.get("disabled"):
            continue  # the server keeps what it has; a browser cannot change it
        try:
            value = _value(component, submitted.get(key))
        except _Invalid as err:
            errors.append(FieldError(key, err.code, err.message, err.params))
            continue
        if value is not None or key in submitted:
            values[key] = value
    errors.extend(FieldError(str(key), "unknown", "This is not a field of the form.", {})
                  for key in submitted if key not in known)
    if errors:
        raise FormValidationError(errors)
    return values


class _Invalid(Exception):
    def __init__(self, code: str, message: str, **params: Any) -> None:
        super().__init__(message)
        self.code, self.message, self.params = code, message, params


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or (isinstance(value, str) and not value.strip())


def _value(component: dict, value: Any) -> Any:
    kind, rules = component["type"], component.get("validate") or {}
    if kind == "checkbox":
        if value not in (None, True, False):
            raise _Invalid("type", "Must be true or false.", type="boolean")
        if rules.get("required") and value is not True:
            raise _Invalid("required", "This field is required.")
        return bool(value)
    if _empty(value):
        if rules.get("required"):
            raise _Invalid("required", "This field is required.")
        return None
    if kind in TEXT_TYPES:
        return _text(value, rules)
    if kind == "number":
        return _number(value, rules)
    if kind in CHOICE_TYPES:
        return _choice(component, value)
    if kind in LIST_TYPES:
        if not isinstance(value, list):
            raise _Invalid("type", "Must be a list.", type="list")
        return [_choice(component, item) for item in value]
    return _datetime(component, value)


def _text(value: Any, rules: Mapping[str, Any]) -> str:
    if not isinstance(value, str) or "\x00" in value or len(value) > MAX_TEXT:
        raise _Invalid("type", "Must be text.", type="string")
    low, high = rules.get("minLength"), rules.get("maxLength")
    if isinstance(low, int) and len(value) < low:
        raise _Invalid("minlength", f"Must be at least {low} characters long.", minlength=low, length=len(value))
    if isinstance(high, int) and len(value) > high:
        raise _Invalid("maxlength", f"Must be at most {high} characters long.", maxlength=high, length=len(value))
    pattern = rules.get("pattern")
    if isinstance(pattern, str) and pattern and not re.fullmatch(pattern, value):
        raise _Invalid("pattern", "Does not have the expected form.", pattern=pattern)
    kind = rules.get("validationType")
    if kind == "email" and not EMAIL.fullmatch(value):
        raise _Invalid("email", "Must be an e-mail address.")
    if kind == "phone" and not PHONE.fullmatch(value):
        raise _Invalid("phone", "Must be a phone number.")
    return value


def _number(value: Any, rules: Mapping[str, Any]) -> int | float:
    if isinstance(value, bool):
        raise _Invalid("type", "Must be a number.", type="number")
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise _Invalid("type", "Must be a number.", type="number") from None
    if not number.is_finite():
        raise _Invalid("type", "Must be a number.", type="number")
    low, high = rules.get("min"), rules.get("max")
    if isinstance(low, (int, float)) and number < Decimal(str(low)):
        raise _Invalid("min", f"Must be at least {low}.", min=low)
    if isinstance(high, (int, float)) and number > Decimal(str(high)):
        raise _Invalid("max", f"Must be at most {high}.", max=high)
    return int(number) if number == number.to_integral_value() else float(number)


def _choice(component: dict, value: Any) -> Any:
    options = component.get("values")
    if not isinstance(options, list):
        return value  # options from a variable (valuesKey): nothing static to check against
    allowed = [o.get("value") for o in options if isinstance(o, dict)]
    if value not in allowed:
        raise _Invalid("enum", f"Must be one of: {', '.join(map(str, allowed))}.", options=[str(a) for a in allowed])
    return value


def _datetime(component: dict, value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid("type", "Must be a date.", type="date")
    if component.get("subtype", "date") == "date":
        try:
            date.fromisoformat(value)
        except ValueError:
            raise _Invalid("type", "Must be a date (yyyy-mm-dd).", type="date") from None
    elif len(value) > 64:
        raise _Invalid("type", "Must be a date and time.", type="date")
    return value
