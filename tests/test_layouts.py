"""Sheet layouts beyond one plain table: formulas without a saved value,
several tables in one sheet, reports with months across and long files."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime

import openpyxl
import pandas as pd
import pytest

from kpi.errors import ImportProblem
from kpi.headers import is_header_row
from kpi.isolated_read import read_table_isolated
from kpi.mapping import guess_mapping
from kpi.model import ColumnMapping
from kpi.reading import clean_rows, read_table
from kpi.report_layout import header_date
from kpi.reshape import looks_like_report, looks_long, unpivot_report, widen_long
from kpi.table_blocks import find_tables
from kpi.xlsx_formulas import unsaved_formulas

SHEET_PART = "xl/worksheets/sheet1.xml"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _xlsx(rows: list[list[object]], title: str = "Sheet1") -> bytes:
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = title
    for row in rows:
        worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _with_sheet_xml(xlsx: bytes, change: dict[bytes, bytes]) -> bytes:
    """The workbook with byte strings in its first sheet's XML replaced."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.infolist():
            data = source.read(member)
            if member.filename == SHEET_PART:
                for old, new in change.items():
                    data = data.replace(old, new)
            target.writestr(member.filename, data)
    return buffer.getvalue()


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


# --- formulas without a saved value -------------------------------------------

# openpyxl saves "=B2*2" as <f>B2*2</f><v /> and never a result: as a file a
# script wrote and nobody opened in Excel.
FORMULA_ROWS: list[list[object]] = [
    ["date", "leads", "doubled"],
    ["2025-01-01", 3, "=B2*2"],
    ["2025-01-02", 4, "=B3*2"],
    ["2025-01-03", 5, "=B4*2"],
]
ALL_FORMULAS_NOTE = (
    "3 formula cells have no saved value (first at C2); open and save the file "
    'in Excel or Sheets, then upload it again. Column C ("doubled") holds only '
    "such formulas, so all its values read as empty."
)


def test_a_column_of_formulas_without_values_is_named_in_the_note() -> None:
    raw = read_table("script.xlsx", _xlsx(FORMULA_ROWS))

    assert ALL_FORMULAS_NOTE in raw.notes
    assert raw.frame["doubled"].tolist() == [None, None, None]


def test_one_formula_below_typed_values_is_counted_alone() -> None:
    rows = [*FORMULA_ROWS[:1], ["2025-01-01", 3, 6], ["2025-01-02", 4, 8]]
    raw = read_table("mixed.xlsx", _xlsx([*rows, ["Total", "=SUM(B2:B3)", 14]]))

    note = (
        "1 formula cell has no saved value (at B4); open and save the file in "
        "Excel or Sheets, then upload it again."
    )
    assert note in raw.notes
    assert not any("holds only" in n for n in raw.notes)


@pytest.mark.parametrize(
    "saved",
    [
        # Excel's saved results: a number, and an empty text result (t="str").
        {b"<f>B2*2</f><v />": b"<f>B2*2</f><v>6</v>"},
        {b'<c r="C2"><f>B2*2</f><v />': b'<c r="C2" t="str"><f>B2*2</f><v></v>'},
    ],
    ids=["number", "empty-text"],
)
def test_formulas_with_saved_values_give_no_note(saved: dict[bytes, bytes]) -> None:
    content = _with_sheet_xml(_xlsx(FORMULA_ROWS[:2]), saved)

    raw = read_table("excel.xlsx", content)

    assert not any("formula" in note for note in raw.notes)


def _sheet(body: str, prefix: str = "") -> bytes:
    colon = f"{prefix}:" if prefix else ""
    namespace = f"xmlns{':' + prefix if prefix else ''}"
    return (
        f'<{colon}worksheet {namespace}="{MAIN_NS}"><{colon}sheetData>'
        f"{body}</{colon}sheetData></{colon}worksheet>"
    ).encode()


@pytest.mark.parametrize(
    ("xml", "count", "first", "columns"),
    [
        (_sheet('<row r="1"><c r="A1"><v>1</v></c></row>'), 0, "", {}),
        (
            _sheet('<row r="2"><c r="A2"><v>1</v></c><c r="B2"><f>A2*2</f></c></row>'),
            1,
            "B2",
            {2: (1, 2)},
        ),
        # A shared formula repeats as <f t="shared" si="0"/>, each cell unsaved.
        (
            _sheet(
                '<row r="3"><c r="D3"><f t="shared" ref="D3:D4" si="0">C3</f></c></row>'
                '<row r="4"><c r="D4"><f t="shared" si="0"/><v/></c></row>'
            ),
            2,
            "D3",
            {4: (2, 3)},
        ),
        # Prefixed tags and cells without an r attribute (both allowed by the
        # format): the first row is 1, cells count from column A.
        (
            _sheet(
                "<x:row><x:c><x:v>1</x:v></x:c><x:c><x:f>A1</x:f><x:v/></x:c></x:row>"
                "<x:row><x:c><x:f>1</x:f></x:c></x:row>",
                prefix="x",
            ),
            2,
            "B1",
            {2: (1, 1), 1: (1, 2)},
        ),
    ],
    ids=["no-formula", "one", "shared", "prefixed-no-refs"],
)
def test_unsaved_formulas_in_sheet_xml(
    xml: bytes, count: int, first: str, columns: dict[int, tuple[int, int]]
) -> None:
    found = unsaved_formulas(xml)

    assert (found.count, found.first, found.columns) == (count, first, columns)


def test_ten_thousand_formula_rows_are_counted() -> None:
    rows = "".join(
        f'<row r="{n}"><c r="A{n}"><v>{n}</v></c><c r="B{n}"><f>A{n}</f></c></row>'
        for n in range(1, 10_001)
    )

    found = unsaved_formulas(_sheet(rows))

    assert (found.count, found.first, found.columns) == (10_000, "B1", {2: (10_000, 1)})


# --- several tables in one CSV or sheet -----------------------------------------

TWO_TABLES = (
    "Date,Region,Revenue\n"  # row 1
    "2025-01-01,East,100\n"
    "2025-01-02,West,200\n"
    "2025-01-03,East,50\n"  # row 4
    ",,\n"
    "\n"
    "Costs by team\n"  # row 7: a title above the second header
    "Team,Month,Cost\n"  # row 8
    "North,2025-01,10\n"
    "South,2025-01,20\n"  # row 10
)
TWO_LABELS = (
    "Table 1: rows 1–4 (Date, Region, Revenue)",
    "Table 2: rows 8–10 (Team, Month, Cost)",
)


def test_find_tables_parts_blocks_at_blank_rows() -> None:
    tables = find_tables(_rows(TWO_TABLES))

    found = [(t.first_row, t.last_row, t.names, t.row_count) for t in tables]
    assert found == [
        (1, 4, ("Date", "Region", "Revenue"), 3),
        (8, 10, ("Team", "Month", "Cost"), 2),
    ]


def test_a_text_table_below_a_table_of_numbers_is_a_table_of_its_own() -> None:
    text = "date,leads\n2025-01-01,3\n\nteam,owner\nNorth,Ann\nSouth,Bob\n"

    tables = find_tables(_rows(text))

    assert [(t.first_row, t.last_row, t.row_count) for t in tables] == [
        (1, 2, 1),
        (4, 6, 2),
    ]


def test_the_first_table_is_read_and_the_others_are_listed() -> None:
    raw = read_table("two.csv", TWO_TABLES.encode())

    assert raw.tables == TWO_LABELS
    assert raw.table == 0
    assert list(raw.frame.columns) == ["Date", "Region", "Revenue"]
    assert raw.frame["Revenue"].tolist() == ["100", "200", "50"]
    assert "This file holds 2 tables; the first is shown, pick another below." in (
        raw.notes
    )


def test_another_table_is_read_with_its_own_rows() -> None:
    raw = read_table("two.csv", TWO_TABLES.encode(), table=1)

    assert raw.table == 1
    assert raw.header_row == 8
    assert raw.frame.to_numpy().tolist() == [
        ["North", "2025-01", "10"],
        ["South", "2025-01", "20"],
    ]
    assert [raw.sheet_row(0), raw.sheet_row(1)] == [9, 10]
    note = "This file holds 2 tables; table 2 (rows 8–10) is shown, pick another below."
    assert note in raw.notes


def test_a_table_past_the_last_is_refused() -> None:
    with pytest.raises(
        ImportProblem, match=r'File "two\.csv" holds 2 tables; there is no table 3\.'
    ) as caught:
        read_table("two.csv", TWO_TABLES.encode(), table=2)

    assert caught.value.reason == "unknown_table"


def test_tables_in_a_sheet_say_sheet_and_reach_isolated_reads() -> None:
    content = _xlsx(_rows(TWO_TABLES), title="Q1")

    raw = read_table_isolated("two.xlsx", content, "Q1", 1)

    assert raw.sheet == "Q1"
    assert raw.tables == TWO_LABELS
    assert raw.frame["Team"].tolist() == ["North", "South"]
    assert any(note.startswith("This sheet holds 2 tables") for note in raw.notes)


def test_side_by_side_tables_name_their_columns() -> None:
    rows: list[list[object]] = [
        ["Date", "Leads", None, "Team", "Cost", "Cost"],
        ["2025-01-01", 3, None, "North", 5, 6],
        ["2025-01-02", 4, None, "South", 7, 8],
        [None, None, None, "East", 9, 10],
    ]

    raw = read_table("side.xlsx", _xlsx(rows), table=1)

    assert raw.tables == (
        "Table 1: rows 1–3, columns A–B (Date, Leads)",
        "Table 2: rows 1–4, columns D–F (Team, Cost, Cost)",
    )
    assert list(raw.frame.columns) == ["Team", "Cost", "Cost_2"]
    assert raw.frame["Cost_2"].tolist() == [6, 8, 10]
    # Column letters in notes count from the sheet's column A, not the table's.
    assert 'Column F repeats the header "Cost"; it is called "Cost_2".' in raw.notes


@pytest.mark.parametrize(
    ("text", "last_row", "row_count"),
    [
        # A blank row between data rows.
        ("a,b\n1,2\n,\n \n3,4\n", 5, 2),
        # A total line after a gap.
        ("team,leads\nNorth,3\nSouth,4\n\nTotal,7\n", 5, 3),
        # A table of text only: after the gap comes more of the same.
        ("team,owner\nNorth,Ann\n\nSouth,Bob\nEast,Cy\n", 5, 3),
        # A text row of the table (leads left empty) is no header: the rows
        # below it fill more cells than it names.
        ("date,team,leads\n2025-01-01,N,3\n\nS,Bob,\n2025-01-02,S,4\n", 5, 3),
        # The header printed again after a page break.
        ("date,leads\n2025-01-01,3\n\ndate,leads\n2025-01-02,4\n", 5, 3),
        # A spacer column inside a report: the label side holds no table.
        ("Region,,Jan 2025,Feb 2025\nEast,,1,2\nWest,,3,4\n", 3, 2),
        # Title rows above the only header.
        ("Leads report Q1\n\nteam,leads\nNorth,3\n", 4, 1),
    ],
    ids=["gap", "total", "text-only", "text-row", "repeat-header", "spacer", "title"],
)
def test_one_table_is_not_split(text: str, last_row: int, row_count: int) -> None:
    tables = find_tables(_rows(text))

    assert [(t.last_row, t.row_count) for t in tables] == [(last_row, row_count)]
    assert read_table("one.csv", text.encode()).tables == ()


# --- reports with months across ------------------------------------------------

# East and West by Jan-Mar 2025, with a Total column and a Total row.
# By hand: East 10 + 20 + 30 = 60, West 5 + 6 + 7 = 18; Jan 15, Feb 26, Mar 37;
# all 78, which is also the Total row's own Total cell.
REPORT_ROWS: list[list[object]] = [
    ["Revenue by region, 2025"],
    [],
    ["Region", datetime(2025, 1, 1), datetime(2025, 2, 1), datetime(2025, 3, 1)]
    + ["Total"],
    ["East", 10, 20, 30, 60],
    ["West", 5, 6, 7, 18],
    ["Total", 15, 26, 37, 78],
]
REPORT_NOTE = (
    "This looks like a report with months across (Jan 2025 … Mar 2025), not a "
    'table; choose "Turn into rows" to import it.'
)


def test_a_report_is_recognised_on_read() -> None:
    raw = read_table("report.xlsx", _xlsx(REPORT_ROWS))

    layout = looks_like_report(raw)

    assert REPORT_NOTE in raw.notes
    assert layout is not None
    assert layout.label_columns == ("Region",)
    assert [day for _, day in layout.periods] == [
        datetime(2025, month, 1) for month in (1, 2, 3)
    ]
    assert layout.left_out == ("Total",)


def test_a_report_turns_into_one_row_per_label_and_month() -> None:
    raw = read_table("report.xlsx", _xlsx(REPORT_ROWS))

    rows = unpivot_report(raw)

    months = [datetime(2025, month, 1) for month in (1, 2, 3)]
    assert list(rows.frame.columns) == ["Date", "Region", "Value"]
    assert rows.frame.to_numpy().tolist() == [
        [months[0], "East", 10],
        [months[1], "East", 20],
        [months[2], "East", 30],
        [months[0], "West", 5],
        [months[1], "West", 6],
        [months[2], "West", 7],
    ]
    assert rows.row_numbers == (4, 4, 4, 5, 5, 5)
    assert REPORT_NOTE not in rows.notes
    assert any('Columns left out: "Total"' in n and "row 6" in n for n in rows.notes)

    mapping = ColumnMapping(date="Date", dimensions=("Region",), numbers=("Value",))
    clean = clean_rows(rows, mapping)
    assert clean["Value"].sum() == 78.0
    by_month = clean.groupby("Date")["Value"].sum()
    assert by_month.tolist() == [15.0, 26.0, 37.0]


def test_group_labels_are_filled_and_subtotals_left_out() -> None:
    text = (
        "Region,Product,Jan-25,Feb-25,Mar-25,Total\n"
        "East,A,1,2,3,6\n"
        ",B,4,5,6,15\n"
        "East Total,,5,7,9,21\n"
        "West,A,7,,9,16\n"
    )

    rows = unpivot_report(read_table("pivot.csv", text.encode()))

    # 3 + 3 + 2 values (West's Feb is empty): 1+2+3+4+5+6+7+9 = 37.
    frame = rows.frame
    assert len(frame) == 8
    assert frame["Region"].tolist() == ["East"] * 6 + ["West"] * 2
    assert frame["Product"].tolist() == ["A"] * 3 + ["B"] * 3 + ["A"] * 2
    assert sum(int(value) for value in frame["Value"]) == 37
    assert rows.row_numbers == (2, 2, 2, 3, 3, 3, 5, 5)
    assert guess_mapping(rows).date == "Date"


def test_a_pivot_table_without_a_label_header_turns_into_rows() -> None:
    rows: list[list[object]] = [
        [None, datetime(2025, 1, 1), datetime(2025, 2, 1)],
        ["East", 1, 2],
        ["West", 3, 4],
    ]

    turned = unpivot_report(read_table("pivot.xlsx", _xlsx(rows)))

    assert list(turned.frame.columns) == ["Date", "column_1", "Value"]
    assert turned.frame["column_1"].tolist() == ["East", "East", "West", "West"]
    assert sum(turned.frame["Value"]) == 10  # 1 + 2 + 3 + 4


def test_a_weekly_report_has_dates_across() -> None:
    text = "Team,2025-01-06,2025-01-13\nNorth,3,4\nSouth,5,6\n"

    layout = looks_like_report(read_table("weeks.csv", text.encode()))

    assert layout is not None
    assert layout.describe() == "dates across (6 Jan 2025 … 13 Jan 2025)"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Jan 2025", datetime(2025, 1, 1)),
        ("January 2025", datetime(2025, 1, 1)),
        ("2025-02", datetime(2025, 2, 1)),
        ("02/2025", datetime(2025, 2, 1)),
        ("Feb-25", datetime(2025, 2, 1)),
        ("Mar '25", datetime(2025, 3, 1)),
        ("2025-03-31", datetime(2025, 3, 31)),
        ("2025", None),
        ("Jan", None),
        ("Total", None),
        ("Q1 2025", None),
    ],
)
def test_header_date(name: str, expected: datetime | None) -> None:
    assert header_date(name) == expected


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (["Region", datetime(2025, 1, 1), datetime(2025, 2, 1), "Total"], True),
        # A pivot table's header often leaves the label column blank.
        ([None, datetime(2025, 1, 1), datetime(2025, 2, 1)], True),
        # One date, or dates out of order: data, not a header.
        (["Exported", datetime(2025, 4, 2)], False),
        (["Region", datetime(2025, 2, 1), datetime(2025, 1, 1)], False),
        ([datetime(2025, 1, 1), 3, 4], False),
        (["date", "team", "leads"], True),
        (["North", "3"], False),
    ],
)
def test_header_rows_may_hold_dates_across(row: list[object], expected: bool) -> None:
    assert is_header_row(row) is expected


def test_a_plain_table_is_not_a_report() -> None:
    raw = read_table("t.csv", b"date,team,leads\n2025-01-01,North,3\n")

    assert looks_like_report(raw) is None
    with pytest.raises(
        ImportProblem, match=r'File "t\.csv" has no columns named by months'
    ) as caught:
        unpivot_report(raw)
    assert caught.value.reason == "not_a_report"


def test_months_over_text_cells_are_not_a_report() -> None:
    raw = read_table("plan.csv", b"Task,Jan 2025,Feb 2025\nSite,done,open\n")

    assert looks_like_report(raw) is None


# --- long files: metric names in one column, values in another ------------------

LONG = (
    "Date,Team,Metric,Value\n"
    "2025-01-01,North,Leads,10\n"  # row 2
    "2025-01-01,North,Spend,100\n"
    "2025-01-02,North,Leads,12\n"
    "2025-01-02,North,Spend,90\n"  # row 5
)


def test_a_long_file_is_recognised() -> None:
    assert looks_long(read_table("long.csv", LONG.encode())) == ("Metric", "Value")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Wide: each number column is already a metric.
        ("Date,Team,Leads,Spend\n2025-01-01,N,1,2\n2025-01-02,N,3,4\n", None),
        # No Metric-like name, but only one text column repeats a few names.
        (
            "Date,Kind,Amount\n2025-01-01,Leads,1\n2025-01-01,Spend,2\n"
            "2025-01-02,Leads,3\n2025-01-02,Spend,4\n",
            ("Kind", "Amount"),
        ),
        # Two such text columns and neither is named like a metric: no guess.
        (
            "Date,Team,Kind,Value\n2025-01-01,N,Leads,1\n2025-01-01,S,Spend,2\n"
            "2025-01-02,N,Leads,3\n2025-01-02,S,Spend,4\n",
            None,
        ),
    ],
    ids=["wide", "one-text-column", "two-text-columns"],
)
def test_looks_long_guesses(text: str, expected: tuple[str, str] | None) -> None:
    assert looks_long(read_table("f.csv", text.encode())) == expected


def test_a_long_file_widens_to_one_column_per_metric() -> None:
    raw = read_table("long.csv", LONG.encode())

    wide = widen_long(raw, "Metric", "Value")

    assert list(wide.frame.columns) == ["Date", "Team", "Leads", "Spend"]
    assert wide.frame.to_numpy().tolist() == [
        ["2025-01-01", "North", "10", "100"],
        ["2025-01-02", "North", "12", "90"],
    ]
    assert wide.row_numbers == (2, 4)
    assert 'Turned "Metric" and "Value" into one column per metric: Leads, Spend.' in (
        wide.notes
    )

    mapping = ColumnMapping(date="Date", team="Team", numbers=("Leads", "Spend"))
    clean = clean_rows(wide, mapping)
    # Leads 10 + 12 = 22, Spend 100 + 90 = 190.
    assert (clean["Leads"].sum(), clean["Spend"].sum()) == (22.0, 190.0)


def test_gaps_and_unnamed_rows_in_a_long_file() -> None:
    text = (
        "Date,Metric,Value\n"
        "2025-01-01,Leads,10\n"
        "2025-01-01,,7\n"  # row 3: no metric name
        "2025-01-02,Spend,90\n"
        "2025-01-02,Team,1\n"  # a metric named like a key column
    )

    wide = widen_long(read_table("gaps.csv", text.encode()), "Metric", "Value")

    assert list(wide.frame.columns) == ["Date", "Leads", "Spend", "Team"]
    assert wide.frame.to_numpy().tolist() == [
        ["2025-01-01", "10", None, None],
        ["2025-01-02", None, "90", "1"],
    ]
    assert '1 row without a name in "Metric" was skipped (row 3).' in wide.notes


def test_a_metric_named_like_a_key_column_gets_a_suffix() -> None:
    text = "Team,Metric,Value\nNorth,Leads,1\nNorth,Team,2\n"

    wide = widen_long(read_table("k.csv", text.encode()), "Metric", "Value")

    assert list(wide.frame.columns) == ["Team", "Leads", "Team_2"]
    assert wide.frame.to_numpy().tolist() == [["North", "1", "2"]]


def test_repeated_keys_in_a_long_file_are_refused() -> None:
    text = LONG + "2025-01-01,North,Spend,5\n2025-01-01, North ,Leads,11\n"

    with pytest.raises(
        ImportProblem,
        match=(
            r'File "long\.csv", column "Metric", row 2: rows 2 and 7 both hold '
            r'"Leads" for the same "Date", "Team" \(4 rows repeat in all\)\. '
            r"Remove the repeated rows"
        ),
    ) as caught:
        widen_long(read_table("long.csv", text.encode()), "Metric", "Value")

    problem = caught.value
    assert problem.reason == "duplicate_long_rows"
    assert problem.bad_rows.to_dict("records") == [
        {
            "row": 2,
            "column": "Metric",
            "value": "Leads",
            "problem": "repeated in row 7",
        },
        {
            "row": 3,
            "column": "Metric",
            "value": "Spend",
            "problem": "repeated in row 6",
        },
        {"row": 6, "column": "Metric", "value": "Spend", "problem": "repeats row 3"},
        {"row": 7, "column": "Metric", "value": "Leads", "problem": "repeats row 2"},
    ]


@pytest.mark.parametrize(
    ("name_column", "value_column", "pattern"),
    [
        ("Measure", "Value", r'column "Measure" is not in the file'),
        ("Metric", "Metric", r'column "Metric" cannot hold both'),
    ],
)
def test_widen_long_needs_two_columns_of_the_file(
    name_column: str, value_column: str, pattern: str
) -> None:
    raw = read_table("long.csv", LONG.encode())

    with pytest.raises(ImportProblem, match=pattern) as caught:
        widen_long(raw, name_column, value_column)

    assert caught.value.reason == "missing_column"


def test_a_long_file_without_metric_names_is_refused() -> None:
    raw = read_table("blank.csv", b"Date,Metric,Value\n2025-01-01,,3\n")

    with pytest.raises(
        ImportProblem, match=r'File "blank\.csv", column "Metric" holds no metric'
    ) as caught:
        widen_long(raw, "Metric", "Value")

    assert caught.value.reason == "empty_file"


def test_too_many_metric_names_are_refused() -> None:
    body = "".join(f"2025-01-01,name {n},{n}\n" for n in range(201))
    raw = read_table("ids.csv", f"Date,Id,Value\n{body}".encode())

    with pytest.raises(
        ImportProblem, match=r'column "Id" holds 201 different names'
    ) as caught:
        widen_long(raw, "Id", "Value")

    assert caught.value.reason == "too_many_metrics"


@pytest.mark.parametrize("reshape", ["unpivot", "widen"])
def test_reshaping_leaves_the_table_it_was_given_alone(reshape: str) -> None:
    if reshape == "unpivot":
        raw = read_table("report.xlsx", _xlsx(REPORT_ROWS))
        before = raw.frame.copy()
        unpivot_report(raw)
    else:
        raw = read_table("long.csv", LONG.encode())
        before = raw.frame.copy()
        widen_long(raw, "Metric", "Value")

    pd.testing.assert_frame_equal(raw.frame, before)
