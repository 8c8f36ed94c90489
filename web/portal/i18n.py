"""The portal's two languages: Vietnamese first, English second; dates as an office writes them.

Catalogs are JSON files in `translations/`, one per page group and language:
`core.vi.json` / `core.en.json`, `campaign.vi.json` / `campaign.en.json`, ... Each maps a dotted
key ("inbox.title") to text with `{name}` placeholders. A key must exist in every language and
in one file only; `catalog_problems()` says what is wrong and the test suite checks it.
In templates: `{{ _("inbox.title") }}`, `{{ due_at | vndate }}`, `{{ due_at | vndatetime }}`.
"""
from __future__ import annotations

import json
import unicodedata
from datetime import date, datetime, timezone
from functools import lru_cache
from pathlib import Path

from flask import Flask, current_app, session

from workflows.vietnamese import person_sort_key

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
CATALOG_DIR = Path(__file__).parent / "translations"
SESSION_KEY = "lang"


class MissingTranslation(KeyError):
    pass


@lru_cache(maxsize=1)
def catalogs() -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {language: {} for language in LANGUAGES}
    for path in sorted(CATALOG_DIR.glob("*.json")):
        language = path.stem.rsplit(".", 1)[-1]
        if language not in found:
            raise ValueError(f"{path.name}: name it <group>.<language>.json with a language of {LANGUAGES}")
        entries = json.loads(path.read_text(encoding="utf-8"))
        clash = found[language].keys() & entries.keys()
        if clash:
            raise ValueError(f"{path.name}: keys already defined in another catalog: {', '.join(sorted(clash))}")
        # NFC so that a catalog saved by an editor that decomposes accents still renders correctly.
        found[language].update({k: unicodedata.normalize("NFC", v) for k, v in entries.items()})
    return found


def catalog_problems() -> list[str]:
    """Keys missing from a language, and texts that were not stored in NFC."""
    found = catalogs()
    every = set().union(*(entries.keys() for entries in found.values()))
    problems = [f"{language}: missing {key}" for language in LANGUAGES for key in sorted(every - found[language].keys())]
    for path in sorted(CATALOG_DIR.glob("*.json")):
        if not unicodedata.is_normalized("NFC", path.read_text(encoding="utf-8")):
            problems.append(f"{path.name}: not NFC")
    return problems


def current_language() -> str:
    language = session.get(SESSION_KEY)
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def translate(key: str, /, **params) -> str:
    """The text of `key` in the current language, with `{placeholders}` filled in."""
    text = catalogs()[current_language()].get(key)
    if text is None:
        if current_app.testing:
            raise MissingTranslation(f"no '{current_language()}' text for '{key}'")
        current_app.logger.warning("missing translation %s", key)
        text = catalogs()[DEFAULT_LANGUAGE].get(key, key)
    return text.format(**params) if params else text


def in_language(message: str) -> str:
    """The reader's half of a "Vietnamese / English" message of the engine or the workflows."""
    vietnamese, _, english = message.partition(" / ")
    return english if english and current_language() == "en" else vietnamese


def has_text(key: str) -> bool:
    return key in catalogs()[current_language()]


# --- dates: dd/mm/yyyy and HH:MM in the office's time zone -----------------------------------

def _office_time(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)  # the engine stores UTC
    return value.astimezone(current_app.extensions["thidua.engine"].context.config.timezone)


def _as_date_or_time(value):
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
        except ValueError:
            return value
    return value


def vndate(value) -> str:
    value = _as_date_or_time(value)
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = _office_time(value)
    return value.strftime("%d/%m/%Y") if isinstance(value, date) else str(value)


def vndatetime(value) -> str:
    value = _as_date_or_time(value)
    if isinstance(value, datetime):
        return _office_time(value).strftime("%d/%m/%Y %H:%M")
    return vndate(value)


def sort_people(items, attribute: str | None = None):
    """Jinja filter: people by given name, then middle, then family name (Vietnamese collation)."""
    def name(item):
        return getattr(item, attribute) if attribute and not isinstance(item, dict) else (
            item[attribute] if attribute else item)
    return sorted(items, key=lambda item: person_sort_key(name(item) or ""))


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(_=translate, t=translate, current_language=current_language, LANGUAGES=LANGUAGES)
    app.jinja_env.filters.update(vndate=vndate, vndatetime=vndatetime, sort_people=sort_people,
                           in_language=in_language)
