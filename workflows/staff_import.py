"""Importing the staff directory from the spreadsheet an Office keeps (CSV or XLSX).

Two steps, so that a person can look before anything is written:

    importer = StaffImporter(directory)
    preview = importer.preview(content, "can_bo.xlsx")   # parses and checks every row, writes nothing
    preview.errors                                       # ["Dòng 7: Ngày bắt đầu công tác ... không hợp lệ", ...]
    importer.apply(preview)                              # all rows in one transaction, or none

Columns are recognised by their Vietnamese headers, whatever their case, accents or order:
"Mã cán bộ", "Họ và tên", "Đơn vị" (code or name), "Ngày bắt đầu công tác tại Văn phòng"
(dd/mm/yyyy or yyyy-mm-dd) are required; "Chức vụ", "Email" and "Xếp loại <năm>" (one column per
year, the Vietnamese rating names) are optional. A file is refused as a whole when it is larger than
5 MB, has more than 5,000 rows, is neither CSV (UTF-8, comma or semicolon) nor XLSX, or lacks a
required column.
"""
from __future__ import annotations
from dataclasses import dataclass
from pathlib import PurePath
from typing import Callable

from workflows.staff_directory import StaffDirectory, StaffDirectoryError, Staff
from workflows.staff_import_read import (
    MAX_BYTES, MAX_ROWS, REQUIRED, ImportRefused, _columns, _format, _limited, _read_csv, _read_xlsx, _split_header,
)
from workflows.staff_import_rows import FieldError, ImportRow, _parse_row, _unit_resolver, parse_date, parse_rating

__all__ = ["MAX_ROWS", "FieldError", "ImportHasErrors", "ImportPreview", "ImportRefused", "ImportResult",
           "ImportRow", "StaffImporter", "parse_date", "parse_rating"]


# progress(done, total, phase, item): how far a long import got (engine/management/batches.py Progress).
Progress = Callable[..., None]


def _no_progress(*_args, **_kwargs) -> None:
    return None


class ImportHasErrors(StaffDirectoryError):
    """apply() was given a preview with row errors: nothing was written."""

    def __init__(self, errors: list["FieldError"]) -> None:
        self.errors = list(errors)
        # Each half whole, so that a reader of one language reads the row errors in that language too.
        halves = [e.message.partition(" / ")[::2] for e in self.errors[:20]]
        rest = len(self.errors) - 20
        vietnamese = "; ".join(vi for vi, _ in halves) + (f" (và {rest} lỗi khác)" if rest > 0 else "")
        english = "; ".join(en for _, en in halves) + (f" (and {rest} more)" if rest > 0 else "")
        super().__init__(f"Tệp có {len(self.errors)} lỗi, không ghi dòng nào: {vietnamese} / "
                         f"{len(self.errors)} error(s) in the file, no row was written: {english}")


@dataclass(frozen=True)
class ImportPreview:
    filename: str
    format: str  # "csv" or "xlsx"
    rows: tuple[ImportRow, ...]
    rating_years: tuple[int, ...]
    warnings: tuple[str, ...]
    existing_ids: frozenset[str]  # people of the file already in the directory (they will be updated)
    fields: frozenset[str] = frozenset(REQUIRED)  # the columns the file has

    @property
    def update_fields(self) -> set[str]:
        """What an update may change: a column the file lacks ("Email"...) keeps the stored value."""
        names = {"full_name", "unit_code", "office_start_date", "active"}
        return names | {f for f in ("position", "email") if f in self.fields}

    @property
    def errors(self) -> list[FieldError]:
        return [error for row in self.rows for error in row.errors]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def staff(self) -> list[Staff]:
        return [row.staff for row in self.rows if row.staff is not None]

    @property
    def new_ids(self) -> list[str]:
        return [s.id for s in self.staff if s.id not in self.existing_ids]


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    ratings: int


class StaffImporter:
    def __init__(self, directory: StaffDirectory) -> None:
        self._directory = directory

    def preview(self, content: bytes, filename: str, progress: Progress | None = None) -> ImportPreview:
        """Reads and checks the file; raises ImportRefused for a file that cannot be imported at all.
        `progress` (a batch's, engine/management/batches.py) hears of each row checked, out of rows + 1."""
        progress = progress or _no_progress
        if not isinstance(content, (bytes, bytearray)):
            raise ImportRefused("Nội dung tệp phải là bytes", "the file content must be bytes")
        name = PurePath(filename or "").name or "(không tên)"
        if len(content) > MAX_BYTES:
            raise ImportRefused(f"Tệp '{name}' lớn hơn 5 MB ({len(content) / 1024 / 1024:.1f} MB): "
                                "hãy chia thành nhiều tệp",
                                f"the file '{name}' is larger than 5 MB ({len(content) / 1024 / 1024:.1f} MB): "
                                "split it into several files")
        kind = _format(name, bytes(content))
        progress(0, 1, "reading", name)
        table = _read_xlsx(bytes(content), name) if kind == "xlsx" else _read_csv(bytes(content), name)
        header_row, header, records = _split_header(table, name)
        columns, rating_columns, warnings = _columns(header, name)
        rows_in = list(_limited(records, name))
        if not rows_in:
            raise ImportRefused(f"Tệp '{name}' không có dòng dữ liệu nào dưới dòng tiêu đề (dòng {header_row})",
                                f"the file '{name}' has no row of data below the header row (row {header_row})")

        resolve_unit = _unit_resolver(self._directory.list_units(include_inactive=True))
        seen: dict[str, int] = {}
        rows = []
        for done, (number, cells) in enumerate(rows_in):
            progress(done, len(rows_in) + 1, "checking", f"dòng {number} / row {number}")
            rows.append(_parse_row(number, cells, len(header), columns, rating_columns, resolve_unit, seen))
        ids = {row.staff.id for row in rows if row.staff is not None}
        existing = frozenset(s.id for s in self._directory.list_staff(include_inactive=True) if s.id in ids)
        return ImportPreview(filename=name, format=kind, rows=tuple(rows),
                             rating_years=tuple(sorted(rating_columns.values())), warnings=tuple(warnings),
                             existing_ids=existing, fields=frozenset(columns))

    def apply(self, preview: ImportPreview, progress: Progress | None = None) -> ImportResult:
        """Writes every row of the preview in one transaction; with any row error, writes nothing."""
        if progress is not None:
            progress(len(preview.rows), len(preview.rows) + 1, "saving", None)
        errors = preview.errors
        if errors:
            raise ImportHasErrors(errors)
        staff = preview.staff
        ratings = {row.staff.id: row.ratings for row in preview.rows if row.staff is not None and row.ratings}
        self._directory.save(staff, ratings=ratings, update_fields=preview.update_fields)
        created = len(preview.new_ids)
        return ImportResult(created=created, updated=len(staff) - created,
                            ratings=sum(len(r) for r in ratings.values()))

