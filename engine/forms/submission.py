"""Camunda 7 generated task forms (``camunda:formData``): definition checks and submission validation.

Designers draw forms in Camunda Modeler; the same definition is checked when a diagram is
deployed (FormDefinitionError) and when a user submits the form (FormValidationError). The
rules follow Camunda 7's form field types and built-in validators, with the differences
documented on ``validate_submission``.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field as dataclass_field
from datetime import date
from functools import lru_cache
from typing import Any

# Definitions and value coercion live in their own modules; their public names stay importable from here.
from engine.forms.definition import (  # noqa: F401
    CAMUNDA_NS,
    CONSTRAINT_NAMES,
    FIELD_TYPES,
    Form,
    FormDefinitionError,
    FormField,
    form_from_spiff,
    form_from_xml,
)
from engine.forms.values import (  # noqa: F401
    LONG_MAX,
    LONG_MIN,
    InvalidValue,
    coerce_boolean,
    coerce_string,
    coerce_value,
    constraint_limit,
    is_empty,
)


@dataclass
class FieldError:
    field: str
    code: str
    message: str
    params: dict = dataclass_field(default_factory=dict)


class FormValidationError(ValueError):
    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__("invalid form submission: " + "; ".join(f"{e.field}: {e.message}" for e in self.errors))


def validate_submission(
    form: Form,
    submitted: Mapping[str, Any],
    current: Mapping[str, Any] | None = None,
    *,
    partial: bool = False,
    allow_extra: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """Coerced values for every field of ``form``, or FormValidationError listing every problem.

    ``current`` is the task's present data. Choices beyond the plain rules:
    - An empty value (None, '' or whitespace only) means "no value": None for long, date and
      enum (as Camunda converts ''), kept as given for string, False for boolean.
    - A required field left out of ``submitted`` is satisfied by a non-empty current value
      (Camunda's RequiredValidator does the same); a default alone does not satisfy it.
    - A boolean left out is False (an unchecked HTML checkbox), unless it is readonly.
    - minlength/maxlength/min/max only judge non-empty values; emptiness is ``required``'s job.
    - A readonly field left out keeps its current value, or its default when there is none.
    """
    current = current or {}
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    for form_field in form.fields:
        try:
            values[form_field.id] = _field_value(form_field, submitted, current, partial)
        except InvalidValue as err:
            errors.append(FieldError(form_field.id, err.code, err.message, err.params))
    known = {f.id for f in form.fields}
    errors.extend(
        FieldError(str(key), "unknown", "This is not a field of the form.", {})
        for key in submitted if key not in known and key not in allow_extra
    )
    if errors:
        raise FormValidationError(errors)
    return values


def _field_value(f: FormField, submitted: Mapping[str, Any], current: Mapping[str, Any], partial: bool) -> Any:
    present = f.id in submitted
    if f.readonly:
        kept = current[f.id] if f.id in current else _default(f)
        if present and _comparable(f, submitted[f.id]) != _comparable(f, kept):
            raise InvalidValue("readonly", "This field is read-only and cannot be changed.")
        return kept
    if f.type == "boolean":
        return coerce_boolean(submitted[f.id]) if present else False
    if not present:
        if f.required and not partial and is_empty(current.get(f.id)):
            raise InvalidValue("required", "This field is required.")
        return current[f.id] if f.id in current else _default(f)
    raw = submitted[f.id]
    if is_empty(raw):
        if f.required and not partial:
            raise InvalidValue("required", "This field is required.")
        return coerce_string(raw) if f.type == "string" and raw is not None else None
    value = coerce_value(f, raw)
    _check_limits(f, value)
    return value


def _default(f: FormField) -> Any:
    if f.type == "boolean":
        return coerce_boolean(f.default)
    if f.default is None or (f.type != "string" and is_empty(f.default)):
        return None
    return coerce_value(f, f.default)


def _comparable(f: FormField, value: Any) -> Any:
    if f.type != "boolean" and is_empty(value):
        return None
    try:
        return coerce_value(f, value)
    except InvalidValue:
        # Uncoercible values compare raw: a bad submission then differs from the kept value.
        return value


def _check_limits(f: FormField, value: Any) -> None:
    if f.type == "string":
        length = len(value)
        low, high = constraint_limit(f, "minlength"), constraint_limit(f, "maxlength")
        if low is not None and length < low:
            raise InvalidValue("minlength", f"Must be at least {low} characters long.", minlength=low, length=length)
        if high is not None and length > high:
            raise InvalidValue("maxlength", f"Must be at most {high} characters long.", maxlength=high, length=length)
    elif f.type in ("long", "date"):
        low, high = constraint_limit(f, "min"), constraint_limit(f, "max")
        # Dates go into params as ISO text so the error stays JSON-serialisable.
        if low is not None and value < low:
            shown = low.isoformat() if isinstance(low, date) else low
            raise InvalidValue("min", f"Must be at least {shown}.", min=shown)
        if high is not None and value > high:
            shown = high.isoformat() if isinstance(high, date) else high
            raise InvalidValue("max", f"Must be at most {shown}.", max=shown)


@lru_cache(maxsize=512)
def parsed_form(form_json: str) -> Form:
    """A stored form definition; forms are fixed per definition version and checking one costs
    more than the query that found it."""
    return Form.from_json(json.loads(form_json))
