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


def place_and_date(issuer: Issuer, value: Any) -> str:
    """"Sơn La, ngày 08 tháng 8 năm 2025" (set in italics under the national title)."""
    return f"{issuer.place}, {date_words(value)}"
