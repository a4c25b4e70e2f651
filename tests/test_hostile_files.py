"""Hostile uploads: the guard before reading, and reading in a limited child.

Every hostile file is generated here in memory; none is committed.
"""

from __future__ import annotations

import io
import time
import warnings
import zipfile
from collections.abc import Callable

import defusedxml
import openpyxl
import openpyxl.xml
import pandas as pd
import pytest

from kpi.errors import DefinitionError, GoalpostError, ImportProblem, Location
from kpi.file_guard import assert_defused, check_upload
from kpi.isolated_read import read_isolated, read_table_isolated, sheet_names_isolated
from kpi.reading import RawTable, read_table

MB = 1024 * 1024
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET = "xl/worksheets/sheet1.xml"
CSV = b"date,team,leads\n2024-01-01,North,3\n2024-01-02,South,5\n"


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


SMALL_XLSX = _xlsx([["date", "team", "leads"], ["2024-01-01", "North", 3]])


def _rewritten(xlsx: bytes, part: str, change: Callable[[bytes], bytes]) -> bytes:
    """The workbook with one part's bytes replaced by ``change(old bytes)``."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.infolist():
            data = source.read(member)
            target.writestr(
                member.filename, change(data) if member.filename == part else data
            )
    return buffer.getvalue()


def _with_dimension(ref: str) -> bytes:
    """SMALL_XLSX whose sheet declares the range ``ref`` (openpyxl wrote A1:C2)."""
    return _rewritten(
        SMALL_XLSX,
        SHEET,
        lambda xml: xml.replace(b'ref="A1:C2"', f'ref="{ref}"'.encode()),
    )


def _with_extra_parts(parts: dict[str, int], level: int = 9) -> bytes:
    """SMALL_XLSX plus parts of ``size`` zero bytes each, written 1 MB at a time."""
    buffer = io.BytesIO(SMALL_XLSX)
    with zipfile.ZipFile(
        buffer, "a", zipfile.ZIP_DEFLATED, compresslevel=level
    ) as archive:
        for name, size in parts.items():
            with archive.open(name, "w", force_zip64=True) as part:
                for start in range(0, size, MB):
                    part.write(bytes(min(MB, size - start)))
    return buffer.getvalue()


def _billion_laughs(xml: bytes) -> bytes:
    """The sheet with a DTD of nested entities and one cell that uses them."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
    ]
    dtd = f"<!DOCTYPE worksheet [{''.join(entities)}]>".encode()
    xml = dtd + xml  # openpyxl writes no <?xml ...?> declaration
    cell = b'<c r="A3" t="inlineStr"><is><t>&lol9;</t></is></c>'
    return xml.replace(b"</sheetData>", b'<row r="3">' + cell + b"</row></sheetData>")


BILLION_LAUGHS_XLSX = _rewritten(SMALL_XLSX, SHEET, _billion_laughs)


def _many_parts(count: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        for number in range(count):
            archive.writestr(f"xl/media/p{number}.bin", b"")
    return buffer.getvalue()


def _duplicate_part() -> bytes:
    buffer = io.BytesIO(SMALL_XLSX)
    with (
        warnings.catch_warnings(),
        zipfile.ZipFile(buffer, "a") as archive,
    ):
        warnings.simplefilter("ignore")  # zipfile warns "Duplicate name"
        archive.writestr(SHEET, b"<worksheet/>")
    return buffer.getvalue()


# --- check_upload: refused before any reader runs ----------------------------


@pytest.mark.parametrize(
    ("content", "reason", "message"),
    [
        # 17,179,869,184 cells = 16,384 columns x 1,048,576 rows
        (_with_dimension("A1:XFD1048576"), "file_too_large", r"17,179,869,184 cells"),
        # 2 x 1,000,001 = 2,000,002 cells, one over the cap
        (_with_dimension("A1:B1000001"), "file_too_large", r"1,000,001 rows x 2 col"),
        # "ZZZ" is column 26*676 + 26*26 + 26 = 18,278, past XFD
        (_with_dimension("A1:ZZZ1"), "file_damaged", r"18,278 columns wide"),
        # 50 MB of zeros deflates ~1000:1, past the 400:1 cap
        (
            _with_extra_parts({"xl/media/zeros.bin": 50 * MB}),
            "file_too_large",
            "packed",
        ),
        # 256 MB declared in one part, past the 200 MB total
        (
            _with_extra_parts({"xl/media/zeros.bin": 256 * MB}, level=1),
            "file_too_large",
            r"unpacks to 2\d\d\.\d MB",
        ),
        (_many_parts(20_000), "file_damaged", r"has 20,001 parts"),
        (_duplicate_part(), "file_damaged", f'two parts both named "{SHEET}"'),
        (BILLION_LAUGHS_XLSX, "file_damaged", "with a DTD"),
    ],
    ids=[
        "XFD1048576",
        "one-cell-over",
        "past-XFD",
        "zip-bomb-ratio",
        "zip-bomb-total",
        "20000-parts",
        "duplicate-part",
        "billion-laughs",
    ],
)
def test_hostile_xlsx_is_refused(content: bytes, reason: str, message: str) -> None:
    with pytest.raises(GoalpostError, match=message) as caught:
        check_upload("book.xlsx", content, max_bytes=50 * MB)

    assert caught.value.reason == reason
    assert caught.value.message.startswith('File "book.xlsx" ')
    advice = "split it" if reason == "file_too_large" else "save it again in Excel"
    assert advice in caught.value.message


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("t.csv", CSV),
        ("book.xlsx", SMALL_XLSX),
        # 2 x 1,000,000 = 2,000,000 cells, exactly the cap
        ("book.xlsx", _with_dimension("A1:B1000000")),
        # 1,000 zero bytes pack far past 400:1, but parts under 1 MB are not judged
        ("book.xlsx", _with_extra_parts({"xl/media/empty.bin": 1000})),
        ("broken.xlsx", b"PK\x03\x04" + bytes(30)),  # left to the reader
    ],
)
def test_ordinary_files_pass(name: str, content: bytes) -> None:
    assert check_upload(name, content, max_bytes=len(content)) is None


@pytest.mark.parametrize("content", [CSV, SMALL_XLSX])
def test_a_file_over_the_size_cap_is_refused(content: bytes) -> None:
    with pytest.raises(GoalpostError, match=r"more than the 0\.0 MB") as caught:
        check_upload("big.csv", content, max_bytes=len(content) - 1)

    assert caught.value.reason == "file_too_large"
    assert "Save it as a smaller file or split it" in caught.value.message


def _causes(error: BaseException | None) -> list[type[BaseException]]:
    found = []
    while error is not None:
        found.append(type(error))
        error = error.__cause__ or error.__context__
    return found


@pytest.mark.parametrize("reader", [read_table, read_isolated])
def test_billion_laughs_without_the_guard_is_refused_by_defusedxml(
    reader: Callable[..., object],
) -> None:
    """What kpi.reading does today: openpyxl's failure becomes not_a_spreadsheet."""
    arguments = ("book.xlsx", BILLION_LAUGHS_XLSX)
    if reader is read_isolated:
        arguments = (read_table, *arguments)  # type: ignore[assignment]

    with pytest.raises(ImportProblem, match="not an Excel .xlsx workbook") as caught:
        reader(*arguments)

    assert caught.value.reason == "not_a_spreadsheet"
    if reader is read_table:  # the cause chain stays in the child process
        assert defusedxml.EntitiesForbidden in _causes(caught.value)


def test_assert_defused_passes_here() -> None:
    assert assert_defused() is None


def test_assert_defused_fails_when_openpyxl_skips_defusedxml(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(openpyxl.xml, "DEFUSEDXML", False)

    with pytest.raises(RuntimeError, match="OPENPYXL_DEFUSEDXML"):
        assert_defused()


# --- read_isolated: limits in a child process ---------------------------------


def allocate_four_gigabytes() -> int:
    return len(bytearray(4 * 1024 * MB))


def sleep_past_the_limit() -> None:
    time.sleep(30)


def spin_past_the_limit() -> None:
    while True:
        pass


# Built inside the child from their key, so each one crosses back pickled.
ERRORS: dict[str, Callable[[], GoalpostError]] = {
    "GoalpostError": lambda: GoalpostError("file_damaged", "File broke. Save again."),
    "DefinitionError": lambda: DefinitionError(
        "no_target", "KPI has no target. Add one.", subject="Leads"
    ),
    "ImportProblem": lambda: ImportProblem(
        "not_a_number",
        'File "t.csv", row 3: "x" is not a number.',
        Location("t.csv", None, 3, "leads"),
        pd.DataFrame({"row": [3], "column": ["leads"], "value": ["x"]}),
    ),
}


def raise_error(key: str) -> None:
    raise ERRORS[key]()


@pytest.mark.parametrize("key", ERRORS)
def test_goalpost_errors_come_back_unchanged(key: str) -> None:
    error = ERRORS[key]()

    with pytest.raises(GoalpostError) as caught:
        read_isolated(raise_error, key)

    assert type(caught.value) is type(error)
    assert (caught.value.reason, caught.value.message) == (error.reason, error.message)
    assert str(caught.value) == str(error)
    for name, value in vars(error).items():
        if isinstance(value, pd.DataFrame):
            pd.testing.assert_frame_equal(getattr(caught.value, name), value)
        else:
            assert getattr(caught.value, name) == value


def test_an_import_problem_of_read_table_comes_back_unchanged() -> None:
    with pytest.raises(ImportProblem) as direct:
        read_table("empty.csv", b"  \n")
    with pytest.raises(ImportProblem) as isolated:
        read_isolated(read_table, "empty.csv", b"  \n")

    assert isolated.value.reason == direct.value.reason == "empty_file"
    assert isolated.value.message == direct.value.message
    assert isolated.value.location == direct.value.location


def raise_value_error() -> None:
    raise ValueError("bad cell")


def raise_entities_forbidden() -> None:
    raise defusedxml.EntitiesForbidden("lol1", "&lol0;", None, None, None, None)


def raise_unpicklable_problem() -> None:
    rows = pd.DataFrame({"row": [3], "value": [lambda: None]})  # cannot pickle
    raise ImportProblem("not_a_number", "Row 3 is odd.", Location("t.csv"), rows)


def test_an_error_that_cannot_pickle_keeps_its_reason_and_message() -> None:
    with pytest.raises(GoalpostError, match="^Row 3 is odd\\.$") as caught:
        read_isolated(raise_unpicklable_problem)

    assert caught.value.reason == "not_a_number"


def test_other_exceptions_come_back_as_raised_or_as_runtime_errors() -> None:
    with pytest.raises(ValueError, match="^bad cell$"):
        read_isolated(raise_value_error)
    # EntitiesForbidden does not survive pickling, so its type and text come back.
    with pytest.raises(RuntimeError, match="^EntitiesForbidden: EntitiesForbidden"):
        read_isolated(raise_entities_forbidden)


def _same_table(isolated: RawTable, direct: RawTable) -> None:
    pd.testing.assert_frame_equal(isolated.frame, direct.frame)
    assert (isolated.file_name, isolated.sheet, isolated.encoding) == (
        direct.file_name,
        direct.sheet,
        direct.encoding,
    )
    assert (isolated.header_row, isolated.notes, isolated.row_numbers) == (
        direct.header_row,
        direct.notes,
        direct.row_numbers,
    )


@pytest.mark.parametrize(("name", "content"), [("t.csv", CSV), ("b.xlsx", SMALL_XLSX)])
def test_isolated_read_gives_the_direct_table(name: str, content: bytes) -> None:
    direct = read_table(name, content)

    _same_table(read_isolated(read_table, name, content), direct)
    _same_table(read_table_isolated(name, content), direct)
    assert list(direct.frame.columns) == ["date", "team", "leads"]


def test_sheet_names_isolated_lists_the_sheets() -> None:
    assert sheet_names_isolated("b.xlsx", SMALL_XLSX) == ["Sheet"]
    assert sheet_names_isolated("t.csv", CSV) == []


def test_read_table_isolated_runs_the_guard_first() -> None:
    with pytest.raises(GoalpostError, match="with a DTD") as caught:
        read_table_isolated("book.xlsx", BILLION_LAUGHS_XLSX)

    assert caught.value.reason == "file_damaged"


def test_the_data_page_refuses_a_hostile_file_and_the_app_keeps_serving(app_env):
    from tests.test_pages import open_app

    app = open_app("pages/data.py")
    hostile = _with_dimension("A1:XFD1048576")
    app.file_uploader[0].set_value(("huge.xlsx", hostile, XLSX_TYPE)).run()
    assert not app.exception, [e.value for e in app.exception]
    message = " ".join(e.value for e in app.error)
    assert "huge.xlsx" in message and "smaller file" in message

    # Everyone else's pages still answer.
    overview = open_app("pages/overview.py")
    assert not overview.exception and overview.dataframe
