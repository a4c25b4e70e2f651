"""The bytes of an uploaded file as rows of cells, before any header is found.

CSV: the encoding and the delimiter are detected and every cell stays text.
XLSX: one visible sheet through openpyxl, merged cells filled down, formulas
without a saved value counted in a note. Files that are neither (PDF, old
.xls, other archives, binary data) are refused with an ``ImportProblem`` of
reason ``not_a_spreadsheet`` that says what to do instead.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
import zipfile
from collections import Counter
from typing import Any

import openpyxl
from openpyxl.worksheet.cell_range import CellRange

from kpi.errors import ImportProblem, Location
from kpi.xlsx_formulas import unsaved_formula_note, unsaved_formulas

# Excel's own column limit (XFD); a wider sheet or CSV is refused.
MAX_SHEET_COLUMNS = 16_384

XLSX_MAGIC = b"PK\x03\x04"
DELIMITER_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "bars (|)"}
UPLOAD_ADVICE = "Upload a CSV or XLSX file with a header row and rows of data below it."
_RESAVE_ADVICE = 'Save it again as "CSV UTF-8" or XLSX and upload that.'
_OFFICE_ADVICE = (
    "Open it in Excel or LibreOffice, save it as .xlsx or CSV, and upload that."
)
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_BINARY_KINDS = {
    b"%PDF": "a PDF document",
    b"\xd0\xcf\x11\xe0": "an old Excel .xls workbook (or another Office file)",
    b"PK": "a ZIP archive, not an Excel .xlsx workbook",
}
_MERGE_CELL = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')


def problem(reason: str, location: Location, what: str, advice: str) -> ImportProblem:
    """An ImportProblem whose message is what happened, then what to do."""
    return ImportProblem(reason, f"{what} {advice}", location)


def decode_text(file_name: str, content: bytes) -> tuple[str, str, list[str]]:
    """(text, encoding, notes) of a text file.

    A BOM decides (utf-8-sig, utf-16); otherwise strict UTF-8, then cp1252,
    never latin-1 (which turns 0x80 into a control character instead of €).
    """
    location = Location(file_name)
    for magic, kind in _BINARY_KINDS.items():
        if content.startswith(magic):
            what = f"{location.describe()} is {kind}."
            raise problem("not_a_spreadsheet", location, what, _OFFICE_ADVICE)
    # UTF-32's little-endian mark starts with UTF-16's, so it is tried first.
    for marks, encoding, label in (
        ((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE), "utf-32", "UTF-32"),
        ((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE), "utf-16", "UTF-16"),
    ):
        if not content.startswith(marks):
            continue
        try:
            return content.decode(encoding), encoding, []
        except UnicodeDecodeError as error:
            where = f"byte {error.start}"
            what = f"{location.describe()} starts as {label} but {where} is not."
            raise problem("not_a_spreadsheet", location, what, _RESAVE_ADVICE) from None

    control = _CONTROL_BYTES.search(content)
    if control is not None:
        what = (
            f"{location.describe()} is not a text table: byte {control.start()} "
            f"(0x{content[control.start()]:02X}) is a binary control code."
        )
        advice = "Export the table as CSV or XLSX and upload that."
        raise problem("not_a_spreadsheet", location, what, advice)
    return _decode_utf8_or_cp1252(location, content)


def _decode_utf8_or_cp1252(
    location: Location, content: bytes
) -> tuple[str, str, list[str]]:
    has_bom = content.startswith(codecs.BOM_UTF8)
    body = content.removeprefix(codecs.BOM_UTF8)
    try:
        return body.decode("utf-8"), "utf-8-sig" if has_bom else "utf-8", []
    except UnicodeDecodeError as error:
        utf8_offset = error.start
    try:
        text = body.decode("cp1252")
    except UnicodeDecodeError as error:
        what = (
            f"{location.describe()} is neither UTF-8 (byte {utf8_offset} is not) "
            f"nor Windows-1252 (byte {error.start} is not)."
        )
        raise problem("not_a_spreadsheet", location, what, _RESAVE_ADVICE) from None
    note = f"Read as Windows-1252 (cp1252): byte {utf8_offset} is not UTF-8."
    return text, "cp1252", [note]


def csv_rows(file_name: str, text: str) -> tuple[list[list[str]], str]:
    """The CSV records of ``text`` and their delimiter (Excel's ``sep=;`` wins)."""
    declared = re.match(r"sep=([,;\t|])\r?\n", text)
    if declared:
        delimiter, text = declared[1], text[declared.end() :]
    else:
        delimiter = _sniff_delimiter(text)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        location = Location(file_name)
        what = f"{location.describe()} cannot be read as CSV ({error})."
        raise problem("not_a_spreadsheet", location, what, _RESAVE_ADVICE) from error
    widest = max((len(row) for row in rows), default=0)
    if widest > MAX_SHEET_COLUMNS:
        location = Location(file_name)
        what = (
            f"{location.describe()} has rows {widest:,} fields wide; Goalpost reads "
            f"at most {MAX_SHEET_COLUMNS:,} columns, as Excel does."
        )
        advice = "Keep only the columns you need, save it and upload it again."
        raise problem("file_too_large", location, what, advice)
    return rows, delimiter


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines most consistently into 2+ fields.

    ``1.234,50;Nord`` splits into 2 fields on both ``,`` and ``;`` in one line,
    but only ``;`` gives every line of a German export the same width.
    """
    lines = text[:65_536].splitlines()[:50]
    best, best_score = ",", (0.0, 0)
    for delimiter in DELIMITER_NAMES:
        widths = [len(r) for r in csv.reader(lines, delimiter=delimiter) if any(r)]
        if not widths:
            continue
        width, count = Counter(widths).most_common(1)[0]
        score = (count / len(widths), width)
        if width >= 2 and score > best_score:
            best, best_score = delimiter, score
    return best


def visible_sheets(file_name: str, content: bytes) -> list[str]:
    """The titles of an XLSX's visible worksheets, in workbook order."""
    workbook = _open_workbook(file_name, content, read_only=True)
    try:
        return [ws.title for ws in workbook.worksheets if ws.sheet_state == "visible"]
    finally:
        workbook.close()


def xlsx_rows(
    file_name: str, content: bytes, sheet: str | None
) -> tuple[list[list[Any]], str, list[str]]:
    """(rows of native cell values, sheet title, notes) of one visible sheet.

    ``sheet=None`` takes the first visible sheet; a hidden or unknown name
    raises ImportProblem ``unknown_sheet``. Notes name the merged ranges
    filled down and the formula cells that have no saved value.
    """
    workbook = _open_workbook(file_name, content, read_only=True)
    try:
        worksheet = _pick_sheet(file_name, workbook, sheet)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about unsupported extras
            worksheet.reset_dimensions()  # some writers store a wrong sheet size
            rows = [list(row) for row in worksheet.iter_rows(values_only=True)]
        width = max((len(row) for row in rows), default=0)
        rows = [[*row, *([None] * (width - len(row)))] for row in rows]
        xml = _sheet_xml(content, worksheet)
        notes = _fill_merged_cells(_merged_ranges(xml), rows)
        notes += unsaved_formula_note(unsaved_formulas(xml), rows)
        return rows, worksheet.title, notes
    finally:
        workbook.close()


def _open_workbook(file_name: str, content: bytes, read_only: bool) -> Any:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(
                io.BytesIO(content), read_only=read_only, data_only=True
            )
    except Exception as error:  # openpyxl raises many kinds for a zip that is no xlsx
        location = Location(file_name)
        what = (
            f"{location.describe()} is a ZIP archive but not an Excel .xlsx workbook."
        )
        raise problem("not_a_spreadsheet", location, what, _OFFICE_ADVICE) from error


def _pick_sheet(file_name: str, workbook: Any, sheet: str | None) -> Any:
    visible = [ws for ws in workbook.worksheets if ws.sheet_state == "visible"]
    if sheet is None and visible:
        return visible[0]
    for worksheet in visible:
        if worksheet.title == sheet:
            return worksheet

    location = Location(file_name, sheet)
    if sheet is None:
        what = f"{location.describe()} has no visible sheet."
        raise problem("empty_file", location, what, UPLOAD_ADVICE)
    hidden = sheet in [ws.title for ws in workbook.worksheets]
    names = ", ".join(f'"{ws.title}"' for ws in visible)
    what = f"{location.describe()} {'is hidden' if hidden else 'does not exist'}."
    raise problem("unknown_sheet", location, what, f"Pick one of: {names}.")


def _sheet_xml(content: bytes, worksheet: Any) -> bytes:
    """The XML part of a read-only sheet; b"" when openpyxl names none."""
    part = getattr(worksheet, "_worksheet_path", None)
    if part is None:
        return b""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read(part)


def _merged_ranges(xml: bytes) -> list[CellRange]:
    """The merged ranges of a sheet, read from its XML part.

    Read-only mode (fast, small memory) does not expose merges, and loading
    the whole workbook is ten times slower, so the sheet's ``mergeCell``
    elements are read directly.
    """
    return [CellRange(ref.decode()) for ref in _MERGE_CELL.findall(xml)]


def _fill_merged_cells(merges: list[CellRange], rows: list[list[Any]]) -> list[str]:
    """Copy each vertically merged value down its range; a note for the user.

    Only the first column of a range is filled, so a title merged across the
    top of a sheet stays one cell and is not taken for a header.
    """
    filled = []
    for merged in sorted(merges, key=lambda r: (r.min_col, r.min_row)):
        column = merged.min_col - 1
        if merged.max_row > len(rows) or column >= len(rows[0]):
            continue
        value = rows[merged.min_row - 1][column]
        if merged.max_row == merged.min_row or value is None:
            continue
        for row_number in range(merged.min_row + 1, merged.max_row + 1):
            rows[row_number - 1][column] = value
        filled.append(merged.coord)
    if not filled:
        return []
    return [f"Merged cells {', '.join(filled)} were filled down with their value."]
