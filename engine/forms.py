"""Camunda 7 generated task forms (``camunda:formData``): definition checks and submission validation.

Designers draw forms in Camunda Modeler; the same definition is checked when a diagram is
deployed (FormDefinitionError) and when a user submits the form (FormValidationError). The
rules follow Camunda 7's form field types and built-in validators, with the differences
documented on ``validate_submission``.
"""
from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field as dataclass_field
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Callable, NoReturn

from lxml import etree

CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
FIELD_TYPES = ("string", "long", "boolean", "date", "enum")
CONSTRAINT_NAMES = ("required", "minlength", "maxlength", "min", "max", "readonly")
# Camunda stores `long` fields as Java longs; anything wider would overflow there and in BIGINT columns.
LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1

_LENGTH_CONSTRAINTS = ("minlength", "maxlength")
_RANGE_CONSTRAINTS = ("min", "max")


class FormDefinitionError(ValueError):
    """A form in a diagram (or a stored form) that cannot be used."""


# --- definition ------------------------------------------------------------------------------

@dataclass(frozen=True)
class FormField:
    id: str
    label: str
    type: str
    default: str | None = None
    options: tuple[tuple[str, str], ...] = ()
    constraints: tuple[tuple[str, str | None], ...] = ()
    properties: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        _check_definition(self)

    @property
    def required(self) -> bool:
        return self.has_constraint("required")

    @property
    def readonly(self) -> bool:
        return self.has_constraint("readonly")

    def has_constraint(self, name: str) -> bool:
        return any(existing == name for existing, _ in self.constraints)

    def constraint(self, name: str) -> str | None:
        """The constraint's config; None when absent or configured without a value (``required``)."""
        return next((config for existing, config in self.constraints if existing == name), None)

    @property
    def option_ids(self) -> tuple[str, ...]:
        return tuple(option_id for option_id, _ in self.options)


@dataclass(frozen=True)
class Form:
    fields: tuple[FormField, ...] = ()

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for form_field in self.fields:
            if form_field.id in seen:
                raise FormDefinitionError(f"form field '{form_field.id}': the id is used by more than one field")
            seen.add(form_field.id)

    def to_json(self) -> list[dict]:
        return [
            {
                "id": f.id,
                "label": f.label,
                "type": f.type,
                "default": f.default,
                "options": [{"id": option_id, "name": name} for option_id, name in f.options],
                "constraints": [{"name": name, "config": config} for name, config in f.constraints],
                "properties": [{"id": prop_id, "value": value} for prop_id, value in f.properties],
            }
            for f in self.fields
        ]

    @classmethod
    def from_json(cls, data: list[dict]) -> Form:
        try:
            return cls(tuple(
                _build_field(
                    item["id"], item.get("label"), item["type"], item.get("default"),
                    options=[(o["id"], o.get("name")) for o in item.get("options", ())],
                    constraints=[(c["name"], c.get("config")) for c in item.get("constraints", ())],
                    properties=[(p["id"], p.get("value")) for p in item.get("properties", ())],
                )
                for item in data
            ))
        except (KeyError, TypeError, AttributeError) as err:
            raise FormDefinitionError(f"stored form is malformed: {err!r}") from None


def _build_field(
    field_id: Any, label: Any, field_type: Any, default: Any, *,
    options: Iterable[tuple[Any, Any]],
    constraints: Iterable[tuple[Any, Any]],
    properties: Iterable[tuple[Any, Any]],
) -> FormField:
    # Camunda treats a missing label, option name or property value as empty.
    return FormField(
        id=field_id or "",
        label=label or "",
        type=field_type or "",
        default=default,
        options=tuple((option_id, name or "") for option_id, name in options),
        constraints=tuple(constraints),
        properties=tuple((prop_id, value or "") for prop_id, value in properties),
    )


def _check_definition(f: FormField) -> None:
    def fail(problem: str) -> NoReturn:
        raise FormDefinitionError(f"form field '{f.id}': {problem}")

    if not isinstance(f.id, str) or not f.id.strip():
        raise FormDefinitionError(f"a form field (label '{f.label}') has no id")
    if not isinstance(f.label, str):
        fail("the label must be text")
    if not f.type:
        fail("no type given")
    if f.type not in FIELD_TYPES:
        fail(f"type '{f.type}' is not supported (use {', '.join(FIELD_TYPES)})")

    if f.type == "enum":
        if not f.options:
            fail("an enum field needs at least one value")
        ids = f.option_ids
        if not all(isinstance(option_id, str) and option_id for option_id in ids):
            fail("every enum value needs an id")
        if len(set(ids)) != len(ids):
            fail("enum value ids must be unique")
    elif f.options:
        fail("only enum fields have values")

    names = [name for name, _ in f.constraints]
    for name in names:
        if name not in CONSTRAINT_NAMES:
            fail(f"validation constraint '{name}' is not supported (use {', '.join(CONSTRAINT_NAMES)})")
        if names.count(name) > 1:
            fail(f"validation constraint '{name}' is given more than once")
        if name in _LENGTH_CONSTRAINTS and f.type != "string":
            fail(f"'{name}' applies to string fields only")
        if name in _RANGE_CONSTRAINTS and f.type not in ("long", "date"):
            fail(f"'{name}' applies to long and date fields only")
    try:
        low, high = _limit(f, "minlength"), _limit(f, "maxlength")
        if low is not None and high is not None and low > high:
            fail(f"minlength {low} is greater than maxlength {high}")
        low, high = _limit(f, "min"), _limit(f, "max")
        if low is not None and high is not None and low > high:
            fail(f"min {f.constraint('min')} is later or greater than max {f.constraint('max')}")
    except _Invalid as err:
        fail(err.message)

    for prop_id, value in f.properties:
        if not isinstance(prop_id, str) or not prop_id or not isinstance(value, str):
            fail("every property needs an id and a text value")

    if f.default is not None:
        if not isinstance(f.default, str):
            fail("defaultValue must be text")
        if "${" in f.default or "#{" in f.default:
            fail("expressions in defaultValue are not supported; give a literal value")
        if not _is_empty(f.default):
            try:
                _coerce(f, f.default)
            except _Invalid as err:
                fail(f"defaultValue '{f.default}' is invalid: {err.message}")


def _limit(f: FormField, name: str) -> Any:
    """The constraint's config as a number or date, or None when the field does not have it."""
    if not f.has_constraint(name):
        return None
    config = f.constraint(name)
    text = config.strip() if isinstance(config, str) else ""
    if name in _LENGTH_CONSTRAINTS:
        if not re.fullmatch(r"[0-9]+", text, re.ASCII):
            raise _Invalid("type", f"{name} needs a whole number of characters, not '{config}'")
        return int(text)
    if f.type == "long":
        try:
            return _coerce_long(text)
        except _Invalid:
            raise _Invalid("type", f"{name} needs a whole number, not '{config}'") from None
    try:
        return _parse_date_text(text)
    except _Invalid:
        raise _Invalid("type", f"{name} needs a date (yyyy-mm-dd or dd/mm/yyyy), not '{config}'") from None


# --- reading definitions ---------------------------------------------------------------------

def _camunda(tag: str) -> str:
    return f"{{{CAMUNDA_NS}}}{tag}"


def form_from_xml(form_data_element: etree._Element) -> Form:
    """Builds and checks the form of a ``camunda:formData`` element."""
    if form_data_element.tag != _camunda("formData"):
        raise FormDefinitionError(f"expected a camunda:formData element, got {form_data_element.tag}")
    fields = []
    for node in form_data_element.iterchildren(_camunda("formField")):
        field_type = node.get("type")
        fields.append(_build_field(
            node.get("id"), node.get("label"), field_type, node.get("defaultValue"),
            # Like Camunda (and SpiffWorkflow's parser), values only mean something on an enum.
            options=[(v.get("id"), v.get("name")) for v in node.iterchildren(_camunda("value"))]
            if field_type == "enum" else [],
            constraints=[
                (c.get("name"), c.get("config"))
                for validation in node.iterchildren(_camunda("validation"))
                for c in validation.iterchildren(_camunda("constraint"))
            ],
            properties=[
                (p.get("id"), p.get("value"))
                for group in node.iterchildren(_camunda("properties"))
                for p in group.iterchildren(_camunda("property"))
            ],
        ))
    return Form(tuple(fields))


def form_from_spiff(spiff_form: Any) -> Form:
    """Builds and checks a form from ``SpiffWorkflow.camunda.specs.user_task.Form``."""
    return Form(tuple(
        _build_field(
            f.id, f.label, f.type, f.default_value,
            options=[(o.id, o.name) for o in getattr(f, "options", ())] if f.type == "enum" else [],
            constraints=[(v.name, v.config) for v in f.validation],
            properties=[(p.id, p.value) for p in f.properties],
        )
        for f in spiff_form.fields
    ))


# --- submission ------------------------------------------------------------------------------

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


class _Invalid(Exception):
    def __init__(self, code: str, message: str, **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.params = params


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
        except _Invalid as err:
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
            raise _Invalid("readonly", "This field is read-only and cannot be changed.")
        return kept
    if f.type == "boolean":
        return _coerce_boolean(submitted[f.id]) if present else False
    if not present:
        if f.required and not partial and _is_empty(current.get(f.id)):
            raise _Invalid("required", "This field is required.")
        return current[f.id] if f.id in current else _default(f)
    raw = submitted[f.id]
    if _is_empty(raw):
        if f.required and not partial:
            raise _Invalid("required", "This field is required.")
        return _coerce_string(raw) if f.type == "string" and raw is not None else None
    value = _coerce(f, raw)
    _check_limits(f, value)
    return value


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _default(f: FormField) -> Any:
    if f.type == "boolean":
        return _coerce_boolean(f.default)
    if f.default is None or (f.type != "string" and _is_empty(f.default)):
        return None
    return _coerce(f, f.default)


def _comparable(f: FormField, value: Any) -> Any:
    if f.type != "boolean" and _is_empty(value):
        return None
    try:
        return _coerce(f, value)
    except _Invalid:
        # Uncoercible values compare raw: a bad submission then differs from the kept value.
        return value


def _check_limits(f: FormField, value: Any) -> None:
    if f.type == "string":
        length = len(value)
        low, high = _limit(f, "minlength"), _limit(f, "maxlength")
        if low is not None and length < low:
            raise _Invalid("minlength", f"Must be at least {low} characters long.", minlength=low, length=length)
        if high is not None and length > high:
            raise _Invalid("maxlength", f"Must be at most {high} characters long.", maxlength=high, length=length)
    elif f.type in ("long", "date"):
        low, high = _limit(f, "min"), _limit(f, "max")
        # Dates go into params as ISO text so the error stays JSON-serialisable.
        if low is not None and value < low:
            shown = low.isoformat() if isinstance(low, date) else low
            raise _Invalid("min", f"Must be at least {shown}.", min=shown)
        if high is not None and value > high:
            shown = high.isoformat() if isinstance(high, date) else high
            raise _Invalid("max", f"Must be at most {shown}.", max=shown)


# --- coercion --------------------------------------------------------------------------------

def _coerce(f: FormField, value: Any) -> Any:
    if f.type == "enum":
        return _coerce_enum(value, f.option_ids)
    return _COERCERS[f.type](value)


def _coerce_string(value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid("type", "Must be text.", type="string")
    text = unicodedata.normalize("NFC", value)
    # PostgreSQL text cannot hold NUL, and lone surrogates cannot be encoded at all.
    if "\x00" in text or not _encodable(text):
        raise _Invalid("type", "Contains characters that cannot be stored.", type="string")
    return text


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_LONG_TEXT = re.compile(r"[+-]?[0-9]+", re.ASCII)


def _coerce_long(value: Any) -> int:
    invalid = _Invalid("type", "Must be a whole number.", type="long")
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
        raise _Invalid("type", f"Must be between {LONG_MIN} and {LONG_MAX}.", type="long")
    return number


_BOOLEAN_TEXT = {"true": True, "on": True, "1": True, "false": False, "0": False, "": False}


def _coerce_boolean(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _BOOLEAN_TEXT:
        return _BOOLEAN_TEXT[value.strip().lower()]
    raise _Invalid("type", "Must be true or false.", type="boolean")


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
        return _parse_date_text(value.strip())
    raise _Invalid("type", "Must be a date (yyyy-mm-dd or dd/mm/yyyy).", type="date")


def _parse_date_text(text: str) -> date:
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
            raise _Invalid("type", "Must be a date (yyyy-mm-dd or dd/mm/yyyy).", type="date")
        # The calendar date as written: a REST timestamp's offset is not converted to ours.
        return date(year, month, day)
    except ValueError:
        raise _Invalid("type", f"'{text}' is not a valid calendar date.", type="date") from None


def _coerce_enum(value: Any, option_ids: tuple[str, ...]) -> str:
    choice = unicodedata.normalize("NFC", value) if isinstance(value, str) else value
    if choice not in option_ids:
        raise _Invalid("enum", f"Must be one of: {', '.join(option_ids)}.", options=list(option_ids))
    return choice


_COERCERS: dict[str, Callable[[Any], Any]] = {
    "string": _coerce_string,
    "long": _coerce_long,
    "boolean": _coerce_boolean,
    "date": _coerce_date,
}


@lru_cache(maxsize=512)
def parsed_form(form_json: str) -> Form:
    """A stored form definition; forms are fixed per definition version and checking one costs
    more than the query that found it."""
    return Form.from_json(json.loads(form_json))
