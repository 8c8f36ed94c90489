"""Generated task forms (`camunda:formData`) as HTML inputs, and the engine's errors in the user's language.

The engine validates (engine/forms/submission.py); this module only says how each field is drawn, what the
browser sent means, and how each FieldError reads in Vietnamese or English.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Mapping

from engine.forms import FieldError, Form, FormField
from web.portal.i18n import has_text, translate

# Dates are typed as dd/mm/yyyy in a text input: a browser's own date picker shows the order of the
# browser's language (mm/dd/yyyy in an English browser), which is not how an office writes dates.
INPUT_TYPES = {"string": "text", "long": "number", "boolean": "checkbox", "date": "text", "enum": "select"}
# A string field longer than this (or marked with the property `multiline`) is a textarea.
TEXTAREA_FROM = 255


@dataclass(frozen=True)
class FieldView:
    field: FormField
    value: Any
    error: str | None

    @property
    def id(self) -> str:
        return self.field.id

    @property
    def label(self) -> str:
        return self.field.label or self.field.id

    @property
    def input_type(self) -> str:
        if self.field.type == "string":
            properties = dict(self.field.properties)
            maxlength = self.field.constraint("maxlength")
            if properties.get("multiline") == "true" or (maxlength and maxlength.isdigit()
                                                            and int(maxlength) > TEXTAREA_FROM):
                return "textarea"
        return INPUT_TYPES[self.field.type]

    @property
    def is_date(self) -> bool:
        return self.field.type == "date"

    @property
    def text(self) -> str:
        """The value as the input shows it."""
        if self.value is None:
            return ""
        if isinstance(self.value, datetime):
            return self.value.strftime("%d/%m/%Y")
        if isinstance(self.value, date):
            return self.value.strftime("%d/%m/%Y")
        if self.is_date:
            try:  # a stored or default ISO date; anything else (a user's typo) is shown as typed
                return date.fromisoformat(str(self.value)[:10]).strftime("%d/%m/%Y")
            except ValueError:
                pass
        return str(self.value)

    @property
    def checked(self) -> bool:
        return self.value is True or str(self.value).lower() in ("true", "on", "1")

    def attribute(self, name: str) -> str | None:
        return self.field.constraint(name)


def field_views(form: Form, values: Mapping[str, Any], errors: Mapping[str, str] | None = None) -> list[FieldView]:
    errors = errors or {}
    return [FieldView(f, values.get(f.id, f.default), errors.get(f.id)) for f in form.fields]


def submitted_values(form: Form, posted: Mapping[str, str]) -> dict[str, Any]:
    """What the browser sent, as the engine's complete() expects: readonly fields left out,
    an unchecked checkbox left out (the engine reads it as false)."""
    values: dict[str, Any] = {}
    for f in form.fields:
        if f.readonly:
            continue
        if f.type == "boolean":
            if f.id in posted:
                values[f.id] = True
            continue
        if f.id in posted:
            values[f.id] = posted[f.id]
    return values


def error_message(error: FieldError) -> str:
    """The engine's FieldError in the current language; type errors say which type was expected."""
    key = f"form.error.{error.code}"
    if error.code == "type" and error.params.get("type"):
        key = f"form.error.type.{error.params['type']}"
    if not has_text(key):
        return error.message
    params = {k: (", ".join(v) if isinstance(v, list) else v) for k, v in error.params.items()}
    return translate(key, **params)


def error_messages(errors: list[FieldError]) -> dict[str, str]:
    messages: dict[str, str] = {}
    for error in errors:
        messages.setdefault(error.field, error_message(error))
    return messages
