"""What every list form shares: rows posted as "<table>-<index>-<field>", the submission kept
for redisplay, and the error that carries translated messages keyed like the inputs."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Mapping

from web.portal.i18n import translate

MAX_TEXT = 4000
MAX_ROWS = 200
ROW_FIELD = re.compile(r"(\w+)-(\d{1,3})-(\w+)")
VN_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def iso_day(text: str) -> str:
    """dd/mm/yyyy as yyyy-mm-dd; anything else is passed on for the check to refuse."""
    match = VN_DATE.fullmatch(text)
    return f"{match[3]}-{int(match[2]):02d}-{int(match[1]):02d}" if match else text


def vn_day(text: Any) -> str:
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", str(text or "")[:10])
    return f"{match[3]}/{match[2]}/{match[1]}" if match else str(text or "")


class ListFormInvalid(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class Submission:
    """What a list form posted, kept for redisplay, and the variables once valid."""

    rows: list[dict] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)


def posted_rows(posted: Mapping[str, str], prefix: str) -> list[dict]:
    """Rows of a table, in the order of their indexes ("nominees-3-award" is row 3's award)."""
    rows: dict[int, dict] = {}
    for key in posted:
        match = ROW_FIELD.fullmatch(key)
        if match and match.group(1) == prefix:
            rows.setdefault(int(match.group(2)), {})[match.group(3)] = posted[key]
    if len(rows) > MAX_ROWS:
        raise ListFormInvalid({prefix: translate("list.error.too_many", limit=MAX_ROWS)})
    return [rows[index] for index in sorted(rows)]


def text_of(value: Any) -> str:
    return unicodedata.normalize("NFC", value).strip() if isinstance(value, str) else ""
