"""Refusing hostile uploads before any reader opens them.

``check_upload`` looks only at sizes the file declares and at the first few KB
of each XML part, so a zip bomb or a sheet claiming a billion cells is refused
in milliseconds without being unpacked. ``assert_defused`` makes sure openpyxl
parses XML through defusedxml, which refuses entity expansion ("billion
laughs") and external entities.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter

import openpyxl.xml
import openpyxl.xml.functions

from kpi.errors import GoalpostError
from kpi.file_rows import MAX_SHEET_COLUMNS, XLSX_MAGIC

# Default upload cap for callers; Streamlit's own uploader default is 200 MB.
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
# A real workbook has a few dozen parts; 10,000 allows huge multi-sheet books.
MAX_ZIP_MEMBERS = 10_000
# Unpacked total a reader may face: ~25x the largest KPI export we have seen.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
# Deflate tops out near 1032:1; real sheet XML packs 5-50:1, blank styled
# sheets up to ~200:1, so 400:1 on a part is a bomb, not a spreadsheet.
MAX_COMPRESSION_RATIO = 400
# Tiny parts (e.g. an empty sharedStrings.xml) have absurd ratios and no risk.
RATIO_CHECK_FROM_BYTES = 1024 * 1024
# 2,000,000 cells as Python objects take ~200 MB in a RawTable.
MAX_SHEET_CELLS = 2_000_000
# Office writes <dimension> and any DTD before the cell data, within 4 KB.
XML_HEAD_BYTES = 4096

_SMALLER_ADVICE = "Save it as a smaller file or split it, and upload the parts."
_RESAVE_ADVICE = "Open and save it again in Excel, and upload that."
_DIMENSION = re.compile(
    rb'<(?:\w+:)?dimension\s+ref="([A-Z]{1,3})([0-9]{1,7})(?::([A-Z]{1,3})([0-9]{1,7}))?"'
)
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)")


def check_upload(name: str, data: bytes, *, max_bytes: int) -> None:
    """Refuse an upload too large or built to exhaust a reader; None when fine.

    Every file: at most ``max_bytes``. An XLSX (a zip) also: at most
    MAX_ZIP_MEMBERS parts, no two with one name, at most MAX_UNPACKED_BYTES
    declared in all, no part over RATIO_CHECK_FROM_BYTES packed more than
    MAX_COMPRESSION_RATIO:1, no DTD in an XML part, and no sheet whose
    ``<dimension>`` spans more than MAX_SHEET_CELLS cells (A1:XFD1048576 is
    16,384 x 1,048,576 = 17,179,869,184 cells). A zip that cannot be opened is
    left to the reader, which explains it. Raises GoalpostError with reason
    ``file_too_large`` or ``file_damaged``.
    """
    if len(data) > max_bytes:
        what = f"is {_megabytes(len(data))}, more than the {_megabytes(max_bytes)}"
        raise _too_large(name, f"{what} Goalpost reads.")
    if not data.startswith(XLSX_MAGIC):
        return
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        return
    with archive:
        members = archive.infolist()
        _check_members(name, members)
        _check_xml_heads(name, archive, members)


def assert_defused() -> None:
    """Fail at start-up unless openpyxl parses XML through defusedxml.

    openpyxl switches to defusedxml at import when it is installed and the
    environment variable OPENPYXL_DEFUSEDXML is not "False".
    """
    try:
        import defusedxml  # noqa: F401
    except ImportError:
        raise RuntimeError(
            "defusedxml is not installed, so openpyxl would expand XML entities "
            "in uploaded workbooks. Run: pip install 'defusedxml>=0.7,<1'"
        ) from None
    parser_module = openpyxl.xml.functions.iterparse.__module__
    if openpyxl.xml.DEFUSEDXML is not True or not parser_module.startswith(
        "defusedxml"
    ):
        raise RuntimeError(
            "openpyxl does not use defusedxml although it is installed. Unset "
            "OPENPYXL_DEFUSEDXML (or set it to True) and restart the app."
        )


def _check_members(name: str, members: list[zipfile.ZipInfo]) -> None:
    if len(members) > MAX_ZIP_MEMBERS:
        what = (
            f"has {len(members):,} parts inside; a workbook has far fewer "
            f"(at most {MAX_ZIP_MEMBERS:,} are read)."
        )
        raise _damaged(name, what)

    counts = Counter(member.filename for member in members)
    twice = [part for part, count in counts.items() if count > 1]
    if twice:
        raise _damaged(name, f'has two parts both named "{twice[0]}".')

    # zipfile never inflates past a part's declared size, so declared sizes bound
    # the work; a part lying about its size fails its checksum instead.
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNPACKED_BYTES:
        what = (
            f"unpacks to {_megabytes(unpacked)}, more than the "
            f"{_megabytes(MAX_UNPACKED_BYTES)} Goalpost reads."
        )
        raise _too_large(name, what)
    for member in members:
        if member.file_size < RATIO_CHECK_FROM_BYTES:
            continue
        ratio = member.file_size / max(member.compress_size, 1)
        if ratio > MAX_COMPRESSION_RATIO:
            what = (
                f'has a part "{member.filename}" packed {ratio:,.0f}:1 '
                f"(unpacking to {_megabytes(member.file_size)}); "
                f"spreadsheets pack at most {MAX_COMPRESSION_RATIO}:1."
            )
            raise _too_large(name, what)


def _check_xml_heads(
    name: str, archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]
) -> None:
    for member in members:
        if not member.filename.endswith(".xml"):
            continue
        try:
            with archive.open(member) as part:
                head = part.read(XML_HEAD_BYTES)
        except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError):
            what = f'has a part "{member.filename}" that cannot be unpacked.'
            raise _damaged(name, what) from None
        if _DTD.search(head):
            what = (
                f'has a part "{member.filename}" with a DTD, which Excel never '
                "writes (it can make a reader expand text without end)."
            )
            raise _damaged(name, what)
        _check_dimension(name, member.filename, head)


def _check_dimension(name: str, part: str, head: bytes) -> None:
    """Refuse a sheet whose declared range is too big; ``ref="A1"`` alone is 1 cell."""
    found = _DIMENSION.search(head)
    if found is None:
        return
    first_col, first_row, last_col, last_row = found.groups()
    columns = _column_number(last_col or first_col) - _column_number(first_col) + 1
    rows = int(last_row or first_row) - int(first_row) + 1
    cells = columns * rows
    if columns > MAX_SHEET_COLUMNS:
        what = (
            f'has a sheet "{part}" {columns:,} columns wide, wider than Excel allows.'
        )
        raise _damaged(name, what)
    if cells > MAX_SHEET_CELLS:
        what = (
            f'has a sheet "{part}" spanning {rows:,} rows x {columns:,} columns '
            f"({cells:,} cells); Goalpost reads at most {MAX_SHEET_CELLS:,} cells. "
            "If the data is smaller, clear the unused rows and columns."
        )
        raise _too_large(name, what)


def _column_number(letters: bytes) -> int:
    """Spreadsheet column letters as a number: A=1, Z=26, AA=27, XFD=16384."""
    number = 0
    for letter in letters:
        number = number * 26 + letter - ord("A") + 1
    return number


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f} MB"


def _too_large(name: str, what: str) -> GoalpostError:
    return GoalpostError("file_too_large", f'File "{name}" {what} {_SMALLER_ADVICE}')


def _damaged(name: str, what: str) -> GoalpostError:
    return GoalpostError(
        "file_damaged", f'File "{name}" {what} It looks damaged. {_RESAVE_ADVICE}'
    )
