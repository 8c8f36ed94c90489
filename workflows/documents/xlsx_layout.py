"""The shape every spreadsheet of a campaign shares: the issuer and the national title on top (as on
the paper the sheet goes with), the document's name and what it belongs to, then one table whose
header row stays frozen while the office scrolls, printed on A4 with the header repeated.

A table is a list of rows: a list of cell values, or a `Section` (a group heading across the
table, "I. BẰNG KHEN ..."). Dates are written as dates shown dd/mm/yyyy, so a sheet sorts and
filters them as dates; text is NFC.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from typing import Any, Iterable, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from workflows.documents.official import FONT, MOTTO, NATIONAL_TITLE, Issuer, as_date

DATE_FORMAT = "dd/mm/yyyy"
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
# Column widths in characters: wide enough for the longest cell, never a page wide.
MIN_WIDTH, MAX_WIDTH = 6, 60
TABLE_SIZE = 12  # a table of many columns stays legible on A4 at 12 pt; the title block takes the decree's 13
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


@dataclass(frozen=True)
class Section:
    """A group heading inside a table; numbering of the rows restarts under it."""
    text: str


@dataclass(frozen=True)
class Head:
    """The top of a sheet: who issues it (parent above, name bold), the document, its context."""
    issuer_lines: tuple[str, str]
    document: str
    subtitles: tuple[str, ...] = ()


def nfc(value: Any) -> Any:
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def dmy(value: Any) -> str:
    """A date as dd/mm/yyyy for running text; empty when there is none."""
    day = as_date(value) if value else None
    return day.strftime("%d/%m/%Y") if day else ""


def office_head(issuer: Issuer, document: str, *subtitles: str) -> Head:
    return Head((issuer.parent, issuer.name), document, tuple(s for s in subtitles if s))


def font(bold: bool = False, italic: bool = False, size: int = FONT["small_pt"]) -> Font:
    return Font(name=FONT["name"], size=size, bold=bold, italic=italic)


def new_workbook() -> Workbook:
    workbook = Workbook()
    workbook.remove(workbook.active)
    return workbook


def add_sheet(workbook: Workbook, title: str, head: Head, headers: Sequence[str],
              rows: Iterable[Sequence[Any] | Section], *, numbered: bool = True,
              landscape: bool = False) -> Worksheet:
    """A sheet with the title block, the frozen header row and the rows (numbered "STT" first
    when `numbered`); returns it for a caller that adds a total row."""
    sheet = workbook.create_sheet(title[:31])  # Excel's limit on a sheet's name
    columns = (["STT"] if numbered else []) + [nfc(h) for h in headers]
    header_row = _title_block(sheet, head, len(columns))
    for index, text in enumerate(columns, start=1):
        cell = sheet.cell(header_row, index, text)
        cell.font, cell.border = font(bold=True, size=TABLE_SIZE), _BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    row_number, number, sections = header_row, 0, 0
    for row in rows:
        row_number += 1
        if isinstance(row, Section):
            number, sections = 0, sections + 1
            _section(sheet, row_number, f"{ROMAN[sections - 1] if sections <= len(ROMAN) else sections}. {row.text}",
                     len(columns))
            continue
        number += 1
        values = ([number] if numbered else []) + list(row)
        for index, value in enumerate(values, start=1):
            _cell(sheet, row_number, index, value)
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    _fit_widths(sheet, header_row, len(columns))
    return sheet


def add_total(sheet: Worksheet, label: str, values: Sequence[Any]) -> None:
    """A bold last row: the label under the name column, the totals after it."""
    row = sheet.max_row + 1
    _cell(sheet, row, 1, None)
    _cell(sheet, row, 2, nfc(label), bold=True)
    for index, value in enumerate(values, start=3):
        _cell(sheet, row, index, value, bold=True)


def to_bytes(workbook: Workbook) -> bytes:
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _title_block(sheet: Worksheet, head: Head, width: int) -> int:
    """Rows 1-2: issuer left, national title right; then the document's name and its subtitles.
    Returns the header row's number."""
    left = max(2, (width + 1) // 2 - 1) if width >= 3 else 1  # the issuer's half: two columns at least
    parent, name = head.issuer_lines
    _merged(sheet, 1, 1, left, nfc(parent), font(size=FONT["small_pt"]))
    _merged(sheet, 2, 1, left, nfc(name), font(bold=True))
    if width > left:
        _merged(sheet, 1, left + 1, width, NATIONAL_TITLE, font(bold=True, size=TABLE_SIZE))
        _merged(sheet, 2, left + 1, width, MOTTO, font(bold=True))
    _merged(sheet, 4, 1, width, nfc(head.document).upper(), font(bold=True, size=FONT["body_pt"]))
    row = 5
    for subtitle in head.subtitles:
        _merged(sheet, row, 1, width, nfc(subtitle), font(italic=True))
        row += 1
    return row + 1


def _merged(sheet: Worksheet, row: int, first: int, last: int, text: str, style: Font) -> None:
    if last > first:
        sheet.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
    cell = sheet.cell(row, first, text)
    cell.font = style
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _section(sheet: Worksheet, row: int, text: str, width: int) -> None:
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    cell = sheet.cell(row, 1, nfc(text))
    cell.font = font(bold=True, size=TABLE_SIZE)
    for index in range(1, width + 1):
        sheet.cell(row, index).border = _BOX


def _cell(sheet: Worksheet, row: int, column: int, value: Any, bold: bool = False) -> None:
    if isinstance(value, datetime):
        value = value.date()
    cell = sheet.cell(row, column, nfc(value))
    cell.font, cell.border = font(bold=bold, size=TABLE_SIZE), _BOX
    if isinstance(value, date):
        cell.number_format = DATE_FORMAT
        cell.alignment = Alignment(horizontal="center", vertical="top")
    elif isinstance(value, (int, float)):
        cell.alignment = Alignment(horizontal="center", vertical="top")
    else:
        cell.alignment = Alignment(vertical="top", wrap_text=True)


def _fit_widths(sheet: Worksheet, header_row: int, width: int) -> None:
    """Each column as wide as its longest line (header words may wrap), within MIN/MAX_WIDTH."""
    spanning = {r.min_row for r in sheet.merged_cells.ranges if r.min_row > header_row}
    for index in range(1, width + 1):
        longest = max((len(word) for word in str(sheet.cell(header_row, index).value or "").split()), default=0)
        for row in range(header_row + 1, sheet.max_row + 1):
            if row in spanning:
                continue  # a section heading spans the table: it does not widen its first column
            value = sheet.cell(row, index).value
            text = "dd/mm/yyyy" if isinstance(value, (date, datetime)) else str(value if value is not None else "")
            longest = max([longest, *(len(line) for line in text.splitlines())])
        sheet.column_dimensions[get_column_letter(index)].width = min(MAX_WIDTH, max(MIN_WIDTH, longest + 2))
