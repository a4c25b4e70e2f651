"""Reading uploads into RawTables and clean rows (kpi.reading)."""

from __future__ import annotations

import codecs
import io
import zipfile
from datetime import datetime
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from kpi.errors import ImportProblem
from kpi.import_check import check_rows
from kpi.mapping import guess_mapping, looks_like_identifier
from kpi.model import ColumnMapping
from kpi.reading import RawTable, clean_rows, content_hash, read_table, sheet_names
from kpi.values import parse_number_column


def _xlsx(sheets: dict[str, list[list[object]]], hidden: tuple[str, ...] = ()) -> bytes:
    """An XLSX made in memory: one sheet per entry, rows from A1."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        worksheet = workbook.create_sheet(title)
        for row in rows:
            worksheet.append(row)
        if title in hidden:
            worksheet.sheet_state = "hidden"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- CSV: encodings, delimiters, text cells ---------------------------------


def test_utf8_csv_cells_stay_text() -> None:
    raw = read_table("t.csv", b"date,team,leads\n2024-01-01,North,3\n2024-01-02,,007\n")

    assert raw.encoding == "utf-8"
    assert raw.sheet is None
    assert raw.header_row == 1
    assert list(raw.frame.columns) == ["date", "team", "leads"]
    assert raw.frame.to_numpy().tolist() == [
        ["2024-01-01", "North", "3"],
        ["2024-01-02", None, "007"],
    ]
    assert all(dtype == np.dtype(object) for dtype in raw.frame.dtypes)


def test_bom_and_quotes_are_stripped_from_the_header() -> None:
    content = codecs.BOM_UTF8 + b'"Team","Week"\r\n"Support A","2025-W10"\r\n'

    raw = read_table("bom.csv", content)

    assert raw.encoding == "utf-8-sig"
    assert list(raw.frame.columns) == ["Team", "Week"]
    assert raw.frame.columns[0] == "Team"  # no \ufeff, no quotes


def test_headers_are_trimmed() -> None:
    raw = read_table("t.csv", b" team , Sales\nNorth,1\n")

    assert list(raw.frame.columns) == ["team", "Sales"]


def test_cp1252_is_the_fallback_and_is_reported() -> None:
    text = "team,note\nCafé Ops,€ budget “soft” cap\nZoë's Team,x\n"

    raw = read_table("excel.csv", text.encode("cp1252"))

    assert raw.encoding == "cp1252"
    assert raw.frame["team"].tolist() == ["Café Ops", "Zoë's Team"]
    assert raw.frame["note"].iloc[0] == "€ budget “soft” cap"  # latin-1 would lose €
    # "team,note\nCaf" is 13 bytes, so the é (0xE9) is byte 13.
    assert any("Windows-1252" in note and "byte 13" in note for note in raw.notes)


@pytest.mark.parametrize(
    ("encoding", "named"),
    [
        ("utf-16", "utf-16"),
        ("utf-16-be", None),  # no mark: refused below as binary
        ("utf-32", "utf-32"),  # its mark starts like UTF-16's
    ],
)
def test_utf16_and_utf32_with_bom(encoding: str, named: str | None) -> None:
    content = "team\tspend\nZoë\t5\n".encode(encoding)
    if named is None:
        with pytest.raises(ImportProblem, match="byte 0 \\(0x00\\)"):
            read_table("u.csv", content)
        return
    raw = read_table("u.csv", content)

    assert raw.encoding == named
    assert raw.frame.to_numpy().tolist() == [["Zoë", "5"]]


def test_a_csv_wider_than_excel_allows_is_refused() -> None:
    content = (",".join(f"c{i}" for i in range(16_385)) + "\n").encode()

    with pytest.raises(ImportProblem, match="16,385 fields wide") as refused:
        read_table("wide.csv", content)
    assert refused.value.reason == "file_too_large"


@pytest.mark.parametrize(
    ("content", "delimiter_note"),
    [
        (b"a,b,c\n1,2,3\n", None),
        (b"a;b;c\n1,5;2;3\n", "semicolons"),
        (b"a\tb\tc\n1\t2\t3\n", "tabs"),
        (b"a|b|c\n1|2|3\n", "bars"),
        (b"sep=;\na;b;c\n1;2;3\n", "semicolons"),
    ],
)
def test_delimiter_is_detected(content: bytes, delimiter_note: str | None) -> None:
    raw = read_table("d.csv", content)

    assert list(raw.frame.columns) == ["a", "b", "c"]
    assert len(raw.frame) == 1
    notes = " ".join(raw.notes)
    assert (delimiter_note in notes) if delimiter_note else "separated" not in notes


def test_semicolon_file_with_decimal_commas_is_noted() -> None:
    content = b"Datum;Team;Kosten\n03.02.2025;Nord;1.234,50\n10.02.2025;Nord;980,00\n"

    raw = read_table("de.csv", content)

    assert raw.frame["Kosten"].tolist() == ["1.234,50", "980,00"]  # raw stays text
    assert any('"Kosten" uses a decimal comma' in note for note in raw.notes)
    assert not any('"Datum"' in note for note in raw.notes)


def test_codes_with_leading_zeros_stay_text() -> None:
    raw = read_table("codes.csv", b"cost_center,leads\n007,30\n7,5\n0420,12\n12E3,8\n")

    assert raw.frame["cost_center"].tolist() == ["007", "7", "0420", "12E3"]


def test_empty_rows_are_dropped_and_row_numbers_kept() -> None:
    raw = read_table("gaps.csv", b"a,b\n1,2\n,\n \n3,4\n")

    assert raw.frame.to_numpy().tolist() == [["1", "2"], ["3", "4"]]
    assert [raw.sheet_row(0), raw.sheet_row(1)] == [2, 5]


def test_title_rows_above_the_header_are_skipped() -> None:
    raw = read_table("t.csv", b"Leads report Q1\n\nteam,leads\nNorth,3\n")

    assert raw.header_row == 3
    assert list(raw.frame.columns) == ["team", "leads"]
    assert raw.sheet_row(0) == 4
    assert any("row 3" in note for note in raw.notes)


def test_duplicate_and_blank_headers_get_names_and_notes() -> None:
    raw = read_table("dup.csv", b"team,leads,leads,,notes,\nNorth,30,25,x,ok,\n")

    # The trailing column has neither header nor value: it is dropped.
    assert list(raw.frame.columns) == ["team", "leads", "leads_2", "column_4", "notes"]
    assert raw.frame.iloc[0].tolist() == ["North", "30", "25", "x", "ok"]
    assert any('"leads_2"' in note and "Column C" in note for note in raw.notes)
    assert any('"column_4"' in note and "Column D" in note for note in raw.notes)


def test_a_suffix_never_collides_with_an_existing_header() -> None:
    raw = read_table("dup.csv", b"leads,leads,leads_2\n1,2,3\n")

    assert list(raw.frame.columns) == ["leads", "leads_3", "leads_2"]


def test_content_hash_is_sha256() -> None:
    # The well-known SHA-256 test vector of "abc".
    expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert content_hash(b"abc") == expected


def test_sheet_row_without_row_numbers_follows_the_header() -> None:
    raw = RawTable("x.csv", None, pd.DataFrame({"a": ["1", "2"]}), "utf-8", 3)

    assert raw.sheet_row(1) == 5


# --- XLSX --------------------------------------------------------------------


def _report_workbook() -> bytes:
    return _xlsx(
        {
            "Summary": [
                ["Leads report Q1"],
                [],
                ["date", "team", "leads"],
                [datetime(2024, 1, 1), "North", 3],
                [datetime(2024, 1, 2), "South", 4.5],
            ],
            "Secret": [["a", "b"], [1, 2]],
            "Data": [["day", "spend"], ["2024-02-01", "$1,200.00"]],
        },
        hidden=("Secret",),
    )


def test_sheet_names_lists_visible_sheets_in_order() -> None:
    assert sheet_names("r.xlsx", _report_workbook()) == ["Summary", "Data"]
    assert sheet_names("r.csv", b"a,b\n1,2\n") == []


def test_xlsx_first_visible_sheet_with_native_values() -> None:
    raw = read_table("r.xlsx", _report_workbook())

    assert raw.sheet == "Summary"
    assert raw.encoding is None
    assert raw.header_row == 3
    assert raw.frame.to_numpy().tolist() == [
        [datetime(2024, 1, 1), "North", 3],
        [datetime(2024, 1, 2), "South", 4.5],
    ]
    assert [raw.sheet_row(0), raw.sheet_row(1)] == [4, 5]


def test_xlsx_named_sheet() -> None:
    raw = read_table("r.xlsx", _report_workbook(), sheet="Data")

    assert raw.sheet == "Data"
    assert raw.frame.to_numpy().tolist() == [["2024-02-01", "$1,200.00"]]


@pytest.mark.parametrize(
    ("sheet", "pattern"),
    [
        ("Secret", r'File "r\.xlsx", sheet "Secret" is hidden\. Pick one of: '),
        ("Nope", r'File "r\.xlsx", sheet "Nope" does not exist\. Pick one of: '),
    ],
)
def test_hidden_or_unknown_sheet(sheet: str, pattern: str) -> None:
    with pytest.raises(ImportProblem, match=pattern) as caught:
        read_table("r.xlsx", _report_workbook(), sheet=sheet)

    assert caught.value.reason == "unknown_sheet"
    assert '"Summary", "Data"' in caught.value.message


def test_xlsx_is_recognised_by_content_not_by_name() -> None:
    raw = read_table("export.csv", _report_workbook())
    assert raw.sheet == "Summary"

    raw = read_table("export.xlsx", b"a,b\n1,2\n")
    assert raw.sheet is None and raw.encoding == "utf-8"


def test_xlsx_merged_cells_are_filled_down() -> None:
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = "Q1"
    for row in [
        ["Report"],
        ["team", "month", "leads"],
        ["North", "2025-01", 1],
        [None, "2025-02", 2],
        ["South", "2025-01", 3],
        [None, "2025-02", 4],
    ]:
        worksheet.append(row)
    worksheet.merge_cells("A1:C1")
    worksheet.merge_cells("A3:A4")
    worksheet.merge_cells("A5:A6")
    buffer = io.BytesIO()
    workbook.save(buffer)

    raw = read_table("m.xlsx", buffer.getvalue())

    assert raw.header_row == 2
    assert raw.frame["team"].tolist() == ["North", "North", "South", "South"]
    assert any("A3:A4" in note and "A5:A6" in note for note in raw.notes)


# --- errors while reading -----------------------------------------------------


@pytest.mark.parametrize(
    ("content", "pattern"),
    [
        (b"", r'File "e\.csv" is empty\. Upload a CSV or XLSX'),
        (b"\r\n \n", r'File "e\.csv" is empty\.'),
        (b"a,b\n", r'File "e\.csv" has a header on row 1 but no rows of data\.'),
        (b"a,b\n,\n", r"header on row 1 but no rows of data"),
    ],
)
def test_empty_file(content: bytes, pattern: str) -> None:
    with pytest.raises(ImportProblem, match=pattern) as caught:
        read_table("e.csv", content)

    assert caught.value.reason == "empty_file"


def test_empty_sheet() -> None:
    with pytest.raises(ImportProblem, match=r'File "e\.xlsx", sheet "Blank"') as caught:
        read_table("e.xlsx", _xlsx({"Blank": []}))

    assert caught.value.reason == "empty_file"


def _zip_without_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "pattern"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\n", r'File "f\.bin" is a PDF document\. Open it'),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), r"old Excel \.xls workbook"),
        (_zip_without_workbook(), r"ZIP archive but not an Excel \.xlsx workbook"),
        (b"PK\x05\x06" + bytes(18), r"is a ZIP archive"),
        (b"ab\x00\x01\x02garbage", r"byte 2 \(0x00\) is a binary control code"),
        # "a,b\n" is 4 bytes; 0x81 is undefined in UTF-8 (as a lead byte) and cp1252.
        (
            b"a,b\n\x81x,1\n",
            r"neither UTF-8 \(byte 4 is not\) nor Windows-1252 \(byte 4",
        ),
    ],
)
def test_not_a_spreadsheet(content: bytes, pattern: str) -> None:
    with pytest.raises(ImportProblem, match=pattern) as caught:
        read_table("f.bin", content)

    assert caught.value.reason == "not_a_spreadsheet"
    assert caught.value.location.file == "f.bin"
    assert "upload" in caught.value.message  # says what to do next


def test_no_header() -> None:
    with pytest.raises(
        ImportProblem, match=r'File "n\.csv" has no header row'
    ) as caught:
        read_table("n.csv", b"1,2\n3,4\n")

    assert caught.value.reason == "no_header"
    assert "column names" in caught.value.message


# --- clean_rows ---------------------------------------------------------------

SALES_CSV = (
    b"date,team,owner,spend,rate\n"
    b'2024-01-01,North,Ann,"$1,200.50",12%\n'
    b"2024-01-02, South ,,(300),\n"
    b"2024-01-03,,Bob,,2.5%\n"
)
SALES_MAPPING = ColumnMapping(
    date="date",
    dimensions=("team",),
    numbers=("spend", "rate"),
    team="team",
    person="owner",
)


def test_clean_rows_types_every_mapped_column() -> None:
    raw = read_table("s.csv", SALES_CSV)
    before = raw.frame.copy()

    rows = clean_rows(raw, SALES_MAPPING)

    assert list(rows.columns) == ["date", "team", "owner", "spend", "rate"]
    assert rows["date"].dtype == "datetime64[ns]"
    assert rows["date"].tolist() == [pd.Timestamp(f"2024-01-0{d}") for d in (1, 2, 3)]
    assert pd.api.types.is_string_dtype(rows["team"])
    assert rows["team"].tolist() == ["North", "South", ""]
    assert rows["owner"].tolist() == ["Ann", "", "Bob"]
    assert not rows["team"].isna().any()
    assert rows["spend"].dtype == "float64"
    np.testing.assert_allclose(rows["spend"], [1200.5, -300.0, np.nan])
    np.testing.assert_allclose(rows["rate"], [0.12, np.nan, 0.025])
    pd.testing.assert_frame_equal(raw.frame, before)  # the input is untouched


def test_clean_rows_keeps_time_of_day_without_shifting() -> None:
    raw = read_table(
        "t.csv", b"when,n\n2024-10-30 15:15:11.744884,1\n2024-03-31 02:30,2\n"
    )

    rows = clean_rows(raw, ColumnMapping(date="when", numbers=("n",)))

    assert rows["when"].tolist() == [
        pd.Timestamp("2024-10-30 15:15:11.744884"),
        pd.Timestamp("2024-03-31 02:30"),
    ]


def test_clean_rows_reads_xlsx_native_values() -> None:
    raw = read_table("r.xlsx", _report_workbook())

    rows = clean_rows(
        raw, ColumnMapping(date="date", dimensions=("team",), numbers=("leads",))
    )

    assert rows["date"].tolist() == [
        pd.Timestamp("2024-01-01"),
        pd.Timestamp("2024-01-02"),
    ]
    assert rows["leads"].tolist() == [3.0, 4.5]


def test_rows_without_a_date_are_skipped_with_a_warning() -> None:
    content = b"date,spend\n2024-01-01,1\n,2\n2024-01-03,3\n,4\n"
    raw = read_table("s.csv", content)

    with pytest.warns(
        UserWarning, match=r"2 rows without a date were skipped \(rows 3, 5\)"
    ):
        rows = clean_rows(raw, ColumnMapping(date="date", numbers=("spend",)))

    assert rows["spend"].tolist() == [1.0, 3.0]
    assert rows.index.tolist() == [0, 1]


def test_bad_number_cells_set_their_rows_aside_and_are_all_listed() -> None:
    content = (
        b"date,team,spend,leads\n"
        b"2024-01-01,N,12,1\n"
        b"2024-01-02,S,abc,x\n"
        b"2024-01-03,S,n/a,3\n"
    )
    raw = read_table("s.csv", content)
    mapping = ColumnMapping(
        date="date", dimensions=("team",), numbers=("spend", "leads")
    )

    with pytest.warns(
        UserWarning,
        match=(
            r"^2 rows were set aside \(rows 3, 4\): "
            r'not a number in columns "spend", "leads"\.$'
        ),
    ):
        rows = clean_rows(raw, mapping)

    # Only sheet row 2 has numbers in both columns.
    assert rows.to_dict("list") == {
        "date": [pd.Timestamp("2024-01-01")],
        "team": ["N"],
        "spend": [12.0],
        "leads": [1.0],
    }
    reason = "not a number: expected a number such as 1,234.50, $99 or 12%"
    assert check_rows(raw, mapping).set_aside.to_dict("records") == [
        {"row": 3, "column": "spend", "value": "abc", "reason": reason},
        {"row": 3, "column": "leads", "value": "x", "reason": reason},
        {"row": 4, "column": "spend", "value": "n/a", "reason": reason},
    ]


def test_not_a_number_in_a_sheet_names_the_sheet() -> None:
    raw = read_table(
        "r.xlsx", _xlsx({"Q1": [["day", "spend"], ["2024-02-01", "lots"]]})
    )

    with pytest.raises(
        ImportProblem,
        match=r'File "r\.xlsx", sheet "Q1", column "spend", row 2: "lots"',
    ) as caught:
        clean_rows(raw, ColumnMapping(date="day", numbers=("spend",)))

    assert caught.value.reason == "not_a_number"


def test_a_row_without_a_date_is_skipped_whatever_else_it_holds() -> None:
    raw = read_table("s.csv", b"date,spend\n2024-01-01,1\n,TOTAL\n")

    with pytest.warns(UserWarning, match=r"1 row without a date was skipped \(row 3\)"):
        rows = clean_rows(raw, ColumnMapping(date="date", numbers=("spend",)))

    assert rows["spend"].tolist() == [1.0]


def test_cells_that_are_not_dates_set_their_rows_aside() -> None:
    raw = read_table("d.csv", b"date,spend\n2024-01-01,1\n2024-02-30,2\nsoon,3\n")
    mapping = ColumnMapping(date="date", numbers=("spend",))

    with pytest.warns(
        UserWarning,
        match=r'^2 rows were set aside \(rows 3, 4\): not a date in column "date"\.$',
    ):
        rows = clean_rows(raw, mapping)

    assert rows["spend"].tolist() == [1.0]
    set_aside = check_rows(raw, mapping).set_aside
    assert set_aside["row"].tolist() == [3, 4]
    assert set_aside["value"].tolist() == ["2024-02-30", "soon"]
    assert set(set_aside["reason"]) == {
        "not a date: expected a date such as 2025-03-31"
    }


def test_ambiguous_dates_ask_for_an_order() -> None:
    raw = read_table("a.csv", b"date,spend\n03/04/2026,1\n05/06/2026,2\n")

    with pytest.raises(
        ImportProblem,
        match=(
            r'File "a\.csv", column "date", row 2: the order of day and month in '
            r'dates such as "03/04/2026" cannot be told from this column\. '
            r"Choose day-first or month-first in the mapping\."
        ),
    ) as caught:
        clean_rows(raw, ColumnMapping(date="date", numbers=("spend",)))

    assert caught.value.reason == "ambiguous_dates"


@pytest.mark.parametrize(
    ("day_first", "expected"),
    [(True, ["2026-04-03", "2026-06-05"]), (False, ["2026-03-04", "2026-05-06"])],
)
def test_the_mapping_settles_the_date_order(
    day_first: bool, expected: list[str]
) -> None:
    raw = read_table("a.csv", b"date,spend\n03/04/2026,1\n05/06/2026,2\n")

    rows = clean_rows(
        raw, ColumnMapping(date="date", numbers=("spend",), day_first=day_first)
    )

    assert rows["date"].tolist() == [pd.Timestamp(day) for day in expected]


def test_missing_column() -> None:
    raw = read_table("s.csv", b"date,spend\n2024-01-01,1\n")

    with pytest.raises(
        ImportProblem,
        match=(
            r'File "s\.csv", column "Spend" is not in the file '
            r'\(its columns: "date", "spend"\)'
        ),
    ) as caught:
        clean_rows(raw, ColumnMapping(date="date", numbers=("Spend",)))

    assert caught.value.reason == "missing_column"
    assert "Pick another column in the mapping" in caught.value.message


def test_decimal_comma_applies_to_numbers_never_to_dates() -> None:
    raw = read_table(
        "de.csv", b"Datum;Kosten\n03.02.2025;1.234,50\n10.02.2025;980,00\n"
    )

    rows = clean_rows(raw, ColumnMapping(date="Datum", numbers=("Kosten",)))

    assert rows["Datum"].tolist() == [
        pd.Timestamp("2025-02-03"),
        pd.Timestamp("2025-02-10"),
    ]
    assert rows["Kosten"].tolist() == [1234.5, 980.0]


# --- shared cases (../shared/cases) ---------------------------------------------

CASES = Path(__file__).resolve().parents[2] / "shared" / "cases"


def _case(name: str) -> Path:
    if not CASES.is_dir():
        pytest.skip("../shared is absent")
    return CASES / name


def _read_case(name: str, file_name: str) -> RawTable:
    return read_table(file_name, (_case(name) / file_name).read_bytes())


def _guess_and_clean(raw: RawTable) -> tuple[ColumnMapping, pd.DataFrame]:
    mapping = guess_mapping(raw)
    return mapping, clean_rows(raw, mapping)


@pytest.mark.parametrize("file_name", ["input.csv", "input.xlsx"])
def test_case_01_excel_serial_dates(file_name: str) -> None:
    raw = _read_case("01-excel-serial-dates", file_name)

    mapping, rows = _guess_and_clean(raw)

    assert mapping.date == "week_start"
    assert mapping.team == "team"
    assert set(mapping.numbers) == {"spend", "leads"}
    expected_days = ["2024-01-01", "2024-01-01", "2024-01-08", "2024-01-08"]
    expected = [pd.Timestamp(day) for day in expected_days]
    assert rows["week_start"].tolist() == [*expected, pd.Timestamp("2024-01-15 18:00")]
    assert (rows["week_start"].dt.year == 2024).all()  # never 1970 or 1900
    # expected.md: spend 4500.00, leads 132; North 2700 / 87.
    assert rows["spend"].sum() == pytest.approx(4500.0)
    assert rows["leads"].sum() == pytest.approx(132.0)
    north = rows[rows["team"] == "North"]
    assert (north["spend"].sum(), north["leads"].sum()) == (2700.0, 87.0)


def test_case_03_decimal_comma_locale() -> None:
    raw = _read_case("03-decimal-comma-locale", "input.csv")

    mapping, rows = _guess_and_clean(raw)

    assert (mapping.date, mapping.team, mapping.day_first) == ("Datum", "Team", True)
    assert rows["Kosten"].tolist() == [1234.5, 980.0, 2010.75, 0.0]
    np.testing.assert_allclose(rows["Conversion"], [0.042, 0.039, 0.050, 0.0])
    days = ["2025-02-03", "2025-02-10", "2025-02-03", "2025-02-10"]
    assert rows["Datum"].tolist() == [pd.Timestamp(day) for day in days]
    assert rows["Team"].tolist() == ["Nord", "Nord", "Süd", "Süd"]
    # expected.md: Nord 2214.50 / 65, Süd 2010.75 / 41.
    by_team = rows.groupby("Team")[["Kosten", "Leads"]].sum()
    assert by_team.loc["Nord"].tolist() == pytest.approx([2214.5, 65.0])
    assert by_team.loc["Süd"].tolist() == pytest.approx([2010.75, 41.0])


def test_case_04_percent_strings() -> None:
    raw = _read_case("04-percent-strings", "input.csv")

    rates, bad = parse_number_column(raw.frame["conv_rate"])
    clicks, _ = parse_number_column(raw.frame["clicks"])
    conversions, _ = parse_number_column(raw.frame["conversions"])

    np.testing.assert_allclose(rates, [0.045, 0.09, 0.02, np.nan, 0.02])
    assert not bad.any()
    assert clicks.tolist() == [1200.0, 300.0, 850.0, 0.0, 1050.0]
    # expected.md: 119 / 3400 = 0.0350 overall.
    assert conversions.sum() / clicks.sum() == pytest.approx(119 / 3400)
    with pytest.raises(ImportProblem, match=r'File "input\.csv": no column looks like'):
        guess_mapping(raw)


def test_case_05_currency_accounting_negatives() -> None:
    raw = _read_case("05-currency-accounting-negatives", "input.csv")

    mapping, rows = _guess_and_clean(raw)

    assert mapping.numbers == ("revenue", "cost", "profit")
    assert rows["profit"].tolist() == [3299.5, -550.25, 1780.1, 0.0, -120.0]
    np.testing.assert_allclose(rows["revenue"] - rows["cost"], rows["profit"])
    assert rows["revenue"].sum() == pytest.approx(43230.10)
    assert rows["cost"].sum() == pytest.approx(38820.75)
    by_month = rows.groupby(rows["month"].dt.strftime("%Y-%m"))["profit"].sum()
    assert by_month.to_dict() == pytest.approx({"2025-01": 2749.25, "2025-02": 1660.10})


def test_case_06_utf8_bom_header() -> None:
    raw = _read_case("06-utf8-bom-header", "input.csv")

    mapping, rows = _guess_and_clean(raw)

    assert list(raw.frame.columns) == [
        "Team",
        "Week",
        "Tickets Opened",
        "Tickets Resolved",
    ]
    assert mapping.team == "Team"
    assert mapping.date == "Week"
    weeks = ["2025-03-03", "2025-03-03", "2025-03-10"]
    assert rows["Week"].tolist() == [pd.Timestamp(week) for week in weeks]
    # expected.md: Support A 66 / 78, Support B 25 / 25.
    by_team = rows.groupby("Team")[["Tickets Resolved", "Tickets Opened"]].sum()
    assert by_team.loc["Support A"].tolist() == [66.0, 78.0]
    assert by_team.loc["Support B"].tolist() == [25.0, 25.0]


def test_case_07_cp1252_encoding() -> None:
    raw = _read_case("07-cp1252-encoding", "input.csv")

    assert raw.encoding == "cp1252"
    assert raw.frame["team"].tolist() == ["Café Ops", "Zoë's Team", "Ångström"]
    assert raw.frame["owner_note"].iloc[1].startswith("€")
    spend, _ = parse_number_column(raw.frame["spend_eur"])
    budget, _ = parse_number_column(raw.frame["budget_eur"])
    # expected.md: all teams 8230.40 / 9500 = 86.6 %.
    assert (spend.sum(), budget.sum()) == pytest.approx((8230.40, 9500.0))


def test_case_08_title_rows_merged_cells() -> None:
    raw = _read_case("08-title-rows-merged-cells", "input.xlsx")

    # Row 11 reads "Total" in the team column (and has no month).
    with pytest.warns(
        UserWarning,
        match=r"^1 total row was set aside \(row 11\): Goalpost adds rows up itself",
    ):
        mapping, rows = _guess_and_clean(raw)

    assert raw.header_row == 4
    assert list(raw.frame.columns) == [
        "Team",
        "Month",
        "Spend",
        "Leads",
        "Target leads",
    ]
    assert mapping.team == "Team"
    assert rows["Team"].tolist() == ["North"] * 3 + ["South"] * 3
    # expected.md: North 3350 / 83 / 92, South 2250 / 57 / 62; no doubled Total.
    by_team = rows.groupby("Team")[["Spend", "Leads", "Target leads"]].sum()
    assert by_team.loc["North"].tolist() == [3350.0, 83.0, 92.0]
    assert by_team.loc["South"].tolist() == [2250.0, 57.0, 62.0]
    check = check_rows(raw, mapping)
    assert (check.rows_read, check.rows_kept) == (7, 6)
    assert check.set_aside.to_dict("records") == [
        {
            "row": 11,
            "column": "Team",
            "value": "Total",
            "reason": "a total row: Goalpost adds rows up itself",
        }
    ]


def test_case_11_duplicate_blank_headers() -> None:
    raw = _read_case("11-duplicate-blank-headers", "input.csv")

    mapping, rows = _guess_and_clean(raw)

    columns = ["team", "month", "leads", "leads_2", "spend", "column_6", "notes"]
    assert list(raw.frame.columns) == columns
    assert any("leads_2" in note for note in raw.notes)
    assert any("column_6" in note for note in raw.notes)
    assert {"leads", "leads_2", "spend"} <= set(mapping.numbers)
    # expected.md: target = first leads, actual = second; North 25 / 30, South 22 / 20.
    by_team = rows.set_index("team")
    assert by_team.loc["North", ["leads_2", "leads"]].tolist() == [25.0, 30.0]
    assert by_team.loc["South", ["leads_2", "leads"]].tolist() == [22.0, 20.0]
    assert by_team.loc["South", "spend"] / by_team.loc["South", "leads_2"] == (
        pytest.approx(36.36, abs=0.005)
    )


def test_case_12_leading_zeros_stay_text() -> None:
    raw = _read_case("12-gsheets-leading-zeros", "sheet_values.csv")

    codes = raw.frame["cost_center"]
    assert codes.tolist() == ["007", "010", "0420", "12E3", "7"]
    assert codes.nunique() == 5
    assert looks_like_identifier("cost_center", codes)
    assert parse_number_column(raw.frame["leads"])[0].tolist() == [
        30.0,
        20.0,
        12.0,
        8.0,
        5.0,
    ]
    with pytest.raises(ImportProblem) as caught:
        guess_mapping(raw)
    assert caught.value.reason == "no_date_column"
