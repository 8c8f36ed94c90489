"""Camunda 7 form definitions (``camunda:formData``): the field and form types, their checks, and
reading them from BPMN XML or SpiffWorkflow's parsed form."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NoReturn

from lxml import etree

from engine.forms.values import (
    LENGTH_CONSTRAINTS,
    RANGE_CONSTRAINTS,
    InvalidValue,
    coerce_value,
    constraint_limit,
    is_empty,
)

CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
FIELD_TYPES = ("string", "long", "boolean", "date", "enum")
CONSTRAINT_NAMES = ("required", "minlength", "maxlength", "min", "max", "readonly")


class FormDefinitionError(ValueError):
    """A form in a diagram (or a stored form) that cannot be used."""


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
                build_field(
                    item["id"], item.get("label"), item["type"], item.get("default"),
                    options=[(o["id"], o.get("name")) for o in item.get("options", ())],
                    constraints=[(c["name"], c.get("config")) for c in item.get("constraints", ())],
                    properties=[(p["id"], p.get("value")) for p in item.get("properties", ())],
                )
                for item in data
            ))
        except (KeyError, TypeError, AttributeError) as err:
            raise FormDefinitionError(f"stored form is malformed: {err!r}") from None


def build_field(
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
        if name in LENGTH_CONSTRAINTS and f.type != "string":
            fail(f"'{name}' applies to string fields only")
        if name in RANGE_CONSTRAINTS and f.type not in ("long", "date"):
            fail(f"'{name}' applies to long and date fields only")
    try:
        low, high = constraint_limit(f, "minlength"), constraint_limit(f, "maxlength")
        if low is not None and high is not None and low > high:
            fail(f"minlength {low} is greater than maxlength {high}")
        low, high = constraint_limit(f, "min"), constraint_limit(f, "max")
        if low is not None and high is not None and low > high:
            fail(f"min {f.constraint('min')} is later or greater than max {f.constraint('max')}")
    except InvalidValue as err:
        fail(err.message)

    for prop_id, value in f.properties:
        if not isinstance(prop_id, str) or not prop_id or not isinstance(value, str):
            fail("every property needs an id and a text value")

    if f.default is not None:
        if not isinstance(f.default, str):
            fail("defaultValue must be text")
        if "${" in f.default or "#{" in f.default:
            fail("expressions in defaultValue are not supported; give a literal value")
        if not is_empty(f.default):
            try:
                coerce_value(f, f.default)
            except InvalidValue as err:
                fail(f"defaultValue '{f.default}' is invalid: {err.message}")


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
        fields.append(build_field(
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
        build_field(
            f.id, f.label, f.type, f.default_value,
            options=[(o.id, o.name) for o in getattr(f, "options", ())] if f.type == "enum" else [],
            constraints=[(v.name, v.config) for v in f.validation],
            properties=[(p.id, p.value) for p in f.properties],
        )
        for f in spiff_form.fields
    ))
