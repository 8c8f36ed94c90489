"""Reading the campaign's spreadsheets back as an office's Excel would: the title block, the header
row (the row that starts with "STT"), the body, and the layout every sheet must keep."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from io import BytesIO
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from tests.artefacts import ARTEFACTS, keep


@dataclass
class Sheet:
    title: list[str]  # the title block's texts, top to bottom, left to right
    header: list[str]
    rows: list[tuple]  # the body, section rows included
    worksheet: object

    @property
    def entries(self) -> list[tuple]:
        """The numbered rows without their number (section headings and the total row left out)."""
        return [row[1:] for row in self.rows if isinstance(row[0], int)]

    @property
    def sections(self) -> list[str]:
        return [row[0] for row in self.rows if isinstance(row[0], str) and all(c is None for c in row[1:])]


def read(data: bytes, keep_as: str | None = None) -> dict[str, Sheet]:
    """Every sheet, checked for the layout on the way: header frozen, widths set, the decree's
    font, NFC text. `keep_as` also writes the file under build/artefacts/ to open by hand."""
    if keep_as:
        keep(ARTEFACTS / keep_as, data)
    workbook = load_workbook(BytesIO(data))
    sheets = {}
    for ws in workbook.worksheets:
        values = list(ws.iter_rows(values_only=True))
        header_at = next(i for i, row in enumerate(values) if row[0] == "STT")
        assert ws.freeze_panes == f"A{header_at + 2}", (ws.title, ws.freeze_panes)  # the rows below it scroll
        assert ws.print_title_rows == f"${header_at + 1}:${header_at + 1}"  # repeated on every printed page
        for column in range(1, ws.max_column + 1):
            width = ws.column_dimensions[get_column_letter(column)].width
            assert width and 6 <= width <= 60, (ws.title, column, width)
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    assert cell.font.name == "Times New Roman", (ws.title, cell.coordinate)
                if isinstance(cell.value, str):
                    assert unicodedata.is_normalized("NFC", cell.value), cell.value
        title = [v for row in values[:header_at] for v in row if v is not None]
        sheets[ws.title] = Sheet(title, list(values[header_at]), values[header_at + 1:], ws)
    return sheets
