"""Process variables as office staff read them: labelled, formatted, lists of records as tables.

Labels come from the models' form fields first, then from the vocabulary the application was
given (`app.extensions["thidua.vocabulary"]`, set by `web.composition.portal_vocabulary`): labels
and coded values in both languages, and the keys that are technical (shown in the technical view only).
Each shown variable is a `Shown(name, label, kind, value)` where kind is
"text" (a short string), "long" (wrapped text), "table" (columns, rows) or "record" (label, Shown) pairs.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app

from web.portal.i18n import current_language, translate, vndate, vndatetime

VOCABULARY_KEY = "thidua.vocabulary"
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?")
LONG_TEXT = 120  # characters: longer text gets its own wrapped block


@dataclass(frozen=True)
class Shown:
    name: str
    label: str
    kind: str
    value: object


def vocabulary() -> dict:
    return current_app.extensions.get(VOCABULARY_KEY) or {}


def _in_language(pair) -> str:
    if isinstance(pair, str):
        return pair
    return pair[0] if current_language() == "vi" else pair[-1]


def is_technical(name: str) -> bool:
    known = vocabulary()
    return (name.startswith("_") or name in known.get("technical", ())
            or name.endswith(tuple(known.get("technical_suffixes", ()))))


def label_of(name: str, fields: dict | None = None) -> str:
    """The form field's label, else the vocabulary's name in the user's language, else the code name."""
    label = ((fields or {}).get(name) or {}).get("label")
    if label:
        return nfc(label)
    known = vocabulary().get("labels", {}).get(name)
    return nfc(_in_language(known)) if known else name


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def scalar_text(value, name: str = "", field: dict | None = None) -> str:
    """One value as text: an option's or a coded value's name, dates dd/mm/yyyy (HH:MM in the
    office's time zone), Có/Không, "—" for nothing."""
    options = {o["id"]: o["name"] for o in (field or {}).get("options") or []}
    if isinstance(value, str) and value in options:
        return nfc(options[value])
    coded = vocabulary().get("values", {}).get(name, {})
    if isinstance(value, str) and value in coded:
        return nfc(_in_language(coded[value]))
    if isinstance(value, bool):
        return translate("instance.value.yes") if value else translate("instance.value.no")
    if isinstance(value, datetime):
        return vndatetime(value)
    if isinstance(value, date):
        return vndate(value)
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        if ISO_DATE.fullmatch(value):
            return vndate(value)
        if ISO_DATETIME.fullmatch(value):
            return vndatetime(value)
        return nfc(value)
    return str(value)


def shown(name: str, value, fields: dict | None = None) -> Shown:
    """`value` of variable (or record key) `name` in the form its kind reads best in."""
    label = label_of(name, fields)
    if isinstance(value, dict):
        return Shown(name, label, "record", record(value))
    if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        return Shown(name, label, "table", table(value))
    if isinstance(value, list):
        return Shown(name, label, "text", ", ".join(scalar_text(item, name) for item in value) or "—")
    text = scalar_text(value, name, (fields or {}).get(name))
    return Shown(name, label, "long" if len(text) > LONG_TEXT or "\n" in text else "text", text)


def record(value: dict) -> list[Shown]:
    return [shown(key, item) for key, item in value.items() if not is_technical(key)]


def table(rows: list[dict]) -> dict:
    """Columns from the rows' keys (in first-seen order, technical ones left out), labelled where known."""
    keys: list[str] = []
    for row in rows:
        keys.extend(key for key in row if key not in keys and not is_technical(key))
    return {"columns": [label_of(key) for key in keys],
            "rows": [[shown(key, row.get(key)) for key in keys] for row in rows]}


def references(variables: dict, people: dict[str, str] | None = None) -> dict[str, tuple[dict, str | None]]:
    """Record key -> ({id: what it stands for}, the record key that already shows it), from the
    vocabulary's references over `variables` and, for its person keys, `people` (user id -> name)."""
    found: dict[str, tuple[dict, str | None]] = {}
    for key, sources in vocabulary().get("references", {}).items():
        names: dict = {}
        for variable, id_key, shown_key in sources:
            rows = variables.get(variable)
            if isinstance(rows, list):
                names.update({row.get(id_key): row.get(shown_key) for row in rows if isinstance(row, dict)})
        if names:
            found[key] = (names, sources[0][2])
    for key, shown_key in vocabulary().get("person_keys", {}).items():
        found[key] = (people or {}, shown_key)
    return found


def resolved(value, refs: dict[str, tuple[dict, str | None]]):
    """`value` with each referencing key's id replaced by what it stands for (when known); a record
    that shows it already loses the id."""
    if isinstance(value, list):
        return [resolved(item, refs) for item in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        if key not in refs:
            out[key] = resolved(item, refs)
            continue
        names, shown_key = refs[key]
        if shown_key and shown_key in value and shown_key != key:
            continue
        out[key] = [names.get(i, i) for i in item] if isinstance(item, list) else (
            names.get(item, item) if isinstance(item, str) else item)
    return out


def shown_variables(variables: dict, fields: dict, people: dict[str, str] | None = None
                    ) -> tuple[list[Shown], list[Shown]]:
    """(the short ones, for one compact list; the lists, records and long texts, each in its own
    collapsible group), technical variables left out."""
    refs = references(variables, people)
    every = [shown(name, resolved({name: value}, refs).get(name, value), fields)
             for name, value in variables.items() if not is_technical(name)]
    return [s for s in every if s.kind == "text"], [s for s in every if s.kind != "text"]
