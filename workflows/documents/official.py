"""What every official document shares under Nghị định 30/2020/NĐ-CP, Phụ lục I: the issuing body
under its parent, the national title, số and ký hiệu, the place-and-date line, the signer.

The issuer is data: a campaign may carry the start variable `issuer` (the keys of Issuer), so
another Office or province needs no release; the demo Office's values are the default.
"""
from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from typing import Any, Mapping

# The award names are the campaign's (the announcement's); documents re-export them from here.
from workflows.campaign_rules import AWARD_NAMES  # noqa: F401

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
# Page layout of the decree: A4; margins in millimetres; Times New Roman 13-14 pt.
PAGE = {"width_mm": 210, "height_mm": 297, "top_mm": 20, "bottom_mm": 20, "left_mm": 30, "right_mm": 15}
FONT = {"name": "Times New Roman", "body_pt": 14, "small_pt": 13}
# Column widths (mm) of the list tables by the row key, in the DOCX and the PDF alike; a column not
# named here shares what is left of the text width with the other unnamed ones, and a name column
# keeps at least NAME_MIN_MM of it.
COLUMN_WIDTHS_MM = {"no": 12, "kind_label": 20, "unit_name": 32, "position_unit": 32, "award_name": 30,
                    "votes_for": 16, "votes_against": 16, "votes_abstain": 16, "result": 16, "collective": 20,
                    "individual": 20, "total": 18, "decision_number": 35, "decision_date": 24, "attendance": 22,
                    "met": 20}
NAME_MIN_MM = 30
TEXT_WIDTH_MM = PAGE["width_mm"] - PAGE["left_mm"] - PAGE["right_mm"]


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@dataclass(frozen=True)
class Issuer:
    parent: str = "UBND TỈNH SƠN LA"
    name: str = "VĂN PHÒNG"
    place: str = "Sơn La"
    symbol: str = "VPUB"  # the issuer's part of a ký hiệu: "12/QĐ-VPUB"
    signer_title: str = "CHÁNH VĂN PHÒNG"
    signer_name: str = "Trần Bình Minh"

    @classmethod
    def of(cls, variables: Mapping[str, Any]) -> "Issuer":
        """The campaign's issuer (start variable `issuer`), the default for what it leaves out."""
        given = variables.get("issuer") if isinstance(variables.get("issuer"), Mapping) else {}
        known = {f.name for f in fields(cls)}
        return cls(**{k: nfc(str(v)) for k, v in given.items() if k in known and v})

    def as_context(self) -> dict:
        return asdict(self)


def as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip():
        return date.fromisoformat(value.strip()[:10])
    return None


def date_words(value: Any) -> str:
    """"ngày 05 tháng 8 năm 2025": the decree writes a day below 10 and the months 1 and 2 with a
    leading zero, the other months without."""
    day = as_date(value)
    if day is None:
        return "ngày ... tháng ... năm ..."
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def column_widths_mm(keys: list[str]) -> list[float]:
    """The widths of a list table's columns: the named ones as COLUMN_WIDTHS_MM says, the others
    sharing the rest (at least 20 mm each, a name NAME_MIN_MM); a table wider than the text is
    narrowed column by column in proportion, so it never runs into the right margin."""
    fixed = sum(COLUMN_WIDTHS_MM.get(k, 0) for k in keys)
    free = [k for k in keys if k not in COLUMN_WIDTHS_MM]
    rest = max(TEXT_WIDTH_MM - fixed, 20 * len(free)) / max(len(free), 1)
    widths = [COLUMN_WIDTHS_MM.get(k, max(rest, NAME_MIN_MM) if k == "full_name" else rest) for k in keys]
    scale = min(1.0, TEXT_WIDTH_MM / sum(widths)) if widths else 1.0
    return [round(w * scale, 2) for w in widths]


_LOWER_WORDS = {"TỈNH", "THÀNH", "PHỐ", "HUYỆN", "QUẬN", "XÃ", "PHƯỜNG"}


def prose(text: str) -> str:
    """A heading in capitals as it reads in a sentence: "CHÁNH VĂN PHÒNG" → "Chánh Văn phòng",
    "UBND TỈNH SƠN LA" → "UBND tỉnh Sơn La" (acronyms kept, administrative level in lower case)."""
    words = nfc(text).split()
    if words and words[0] in ("UBND", "HĐND"):
        return " ".join(w if w.isupper() and len(w) > 1 and i == 0 else w.lower() if w in _LOWER_WORDS
                        else w.capitalize() for i, w in enumerate(words))
    return nfc(text).capitalize().replace("văn phòng", "Văn phòng")


def body_name(issuer: Issuer) -> str:
    """"Văn phòng UBND tỉnh Sơn La": the issuing body named in a sentence."""
    return f"{prose(issuer.name)} {prose(issuer.parent)}"


def place_and_date(issuer: Issuer, value: Any) -> str:
    """"Sơn La, ngày 08 tháng 8 năm 2025" (set in italics under the national title)."""
    return f"{issuer.place}, {date_words(value)}"
