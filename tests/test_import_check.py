"""The validation report of an import (kpi.import_check.check_rows).

Every set-aside line below is written out by hand from the CSV beside it:
sheet row numbers count the header as row 1.
"""

from __future__ import annotations

import io
from datetime import datetime

import openpyxl
import pandas as pd
import pytest

from kpi.errors import ImportProblem
from kpi.import_check import ImportCheck, check_rows
from kpi.model import ColumnMapping
from kpi.reading import clean_rows, read_table

NO_DATE = "no date: a row needs one to count in a period"
TOTAL = "a total row: Goalpost adds rows up itself"
NOT_A_NUMBER = "not a number: expected a number such as 1,234.50, $99 or 12%"
NOT_A_DATE = "not a date: expected a date such as 2025-03-31"

SIX_ROWS = (
    b"date,team,revenue,leads\n"
    b"2025-03-03,North,100,4\n"  # row 2: kept
    b",South,80,2\n"  # row 3: no date
    b'2025-03-04,South,"$1,250.50",5\n'  # row 4: kept
    b"2025-03-05,North,n/a,3\n"  # row 5: revenue is not a number
    b"2025-03-05,Total,180,9\n"  # row 6: a total row
    b"2025-03-06,East,(20),1\n"  # row 7: kept, accounting negative
)
SALES = ColumnMapping(
    date="date", dimensions=("team",), numbers=("revenue", "leads"), team="team"
)
SALES_LEADS = ColumnMapping(date="date", dimensions=("team",), numbers=("leads",))


def lines(check: ImportCheck) -> list[tuple[int, str, str, str]]:
    """The set-aside table as (row, column, value, reason) tuples."""
    return list(check.set_aside.itertuples(index=False, name=None))


def test_six_row_file_keeps_three_and_lists_one_line_per_offending_cell() -> None:
    raw = read_table("sales.csv", SIX_ROWS)
    before = raw.frame.copy()

    check = check_rows(raw, SALES)

    assert (check.rows_read, check.rows_kept) == (6, 3)
    assert lines(check) == [
        (3, "date", "", NO_DATE),
        (5, "revenue", "n/a", NOT_A_NUMBER),
        (6, "team", "Total", TOTAL),
    ]
    assert check.rows.to_dict("list") == {
        "date": [
            pd.Timestamp(day) for day in ("2025-03-03", "2025-03-04", "2025-03-06")
        ],
        "team": ["North", "South", "East"],
        "revenue": [100.0, 1250.5, -20.0],
        "leads": [4.0, 5.0, 1.0],
    }
    # 100 + 1250.50 - 20 = 1330.50; the Total row's 180 is not added again.
    assert check.rows["revenue"].sum() == 1330.5
    assert check.notes == ()
    pd.testing.assert_frame_equal(raw.frame, before)


def test_set_aside_table_has_its_four_columns_typed_even_when_empty() -> None:
    raw = read_table("ok.csv", b"date,leads\n2025-03-03,4\n")

    check = check_rows(raw, ColumnMapping(date="date", numbers=("leads",)))

    assert list(check.set_aside.columns) == ["row", "column", "value", "reason"]
    assert check.set_aside.empty
    assert str(check.set_aside["row"].dtype) == "int64"
    assert (check.rows_read, check.rows_kept) == (1, 1)


def test_clean_rows_is_the_report_rows_with_one_warning_per_reason() -> None:
    raw = read_table("sales.csv", SIX_ROWS)

    with pytest.warns(UserWarning) as caught:
        rows = clean_rows(raw, SALES)

    pd.testing.assert_frame_equal(rows, check_rows(raw, SALES).rows)
    assert [str(warning.message) for warning in caught] == [
        "1 total row was set aside (row 6): Goalpost adds rows up itself.",
        '1 row without a date was skipped (row 3): column "date" is empty.',
        '1 row was set aside (row 5): not a number in column "revenue".',
    ]


@pytest.mark.parametrize(
    ("label", "is_total"),
    [
        ("Total", True),
        ("Grand total", True),
        ("Subtotal", True),
        ("Sum", True),
        ("Totals", True),
        ("TOTAL:", True),
        ("total", True),
        # A labelled total on a dated row is a name unless its label is a
        # value of the table: "North" is, "East" and "Rewards" are not.
        ("Total North", True),
        ("North Total", True),
        ("Subtotal: North", True),
        ("Total East", False),
        ("Total Rewards", False),
        ("Sum Pro", False),
        ("Sub-total", True),
        ("Totally new", False),
        ("Summer", False),
        ("Summit", False),
        ("Not counted in the total", False),  # a sentence, not a label
    ],
)
def test_total_labels_in_a_dimension(label: str, is_total: bool) -> None:
    content = f"date,team,leads\n2025-03-03,North,4\n2025-03-03,{label},4\n"
    raw = read_table("t.csv", content.encode())

    check = check_rows(raw, SALES_LEADS)

    expected = [(3, "team", label.strip(), TOTAL)] if is_total else []
    assert lines(check) == expected
    assert check.rows_kept == (1 if is_total else 2)


@pytest.mark.parametrize(
    ("rows", "kept"),
    [
        # Undated labelled totals are totals, whatever their label.
        ("2025-03-03,North,4\n,Total East,4\n", 1),
        ("2025-03-03,North,4\nTotal,Total East,4\n", 1),
        # A team named like a total, on every row, is a team.
        ("2025-03-03,Total Rewards,3\n2025-03-10,Total Rewards,2\n", 2),
        # Its subtotal line, undated, still goes.
        ("2025-03-03,Total Rewards,3\n,Total Rewards Total,3\n", 1),
    ],
)
def test_labelled_totals_need_no_date_or_a_known_label(rows: str, kept: int) -> None:
    raw = read_table("t.csv", f"date,team,leads\n{rows}".encode())

    assert check_rows(raw, SALES_LEADS).rows_kept == kept


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        # "Total" in the date cell: the row is a total, not a bad date.
        (b"Total,,8\n", [(4, "date", "Total", TOTAL)]),
        (b"Grand total:,,8\n", [(4, "date", "Grand total:", TOTAL)]),
        # A total row with a bad number is listed once, for its label.
        (b"2025-03-04,Total,lots\n", [(4, "team", "Total", TOTAL)]),
        # A row with two problems has a line for each cell.
        (
            b",North,lots\n",
            [(4, "date", "", NO_DATE), (4, "leads", "lots", NOT_A_NUMBER)],
        ),
        (
            b"soon,North,lots\n",
            [(4, "date", "soon", NOT_A_DATE), (4, "leads", "lots", NOT_A_NUMBER)],
        ),
    ],
)
def test_which_cells_a_set_aside_row_lists(row: bytes, expected: list) -> None:
    content = b"date,team,leads\n2025-03-02,North,4\n2025-03-03,South,4\n" + row

    check = check_rows(read_table("t.csv", content), SALES_LEADS)

    assert lines(check) == expected
    assert check.rows["leads"].tolist() == [4.0, 4.0]


@pytest.mark.parametrize(
    ("day_first", "dates", "reason"),
    [
        (True, "31/03/2025", NOT_A_DATE + " or 31/03/2025 (day first)"),
        (False, "03/31/2025", NOT_A_DATE + " or 03/31/2025 (month first)"),
    ],
)
def test_a_bad_date_says_what_was_expected_in_the_order_in_use(
    day_first: bool, dates: str, reason: str
) -> None:
    content = f"date,leads\n{dates},1\n2025-02-30,2\n".encode()
    mapping = ColumnMapping(date="date", numbers=("leads",), day_first=day_first)

    check = check_rows(read_table("d.csv", content), mapping)

    assert lines(check) == [(3, "date", "2025-02-30", reason)]
    assert check.rows["date"].tolist() == [pd.Timestamp("2025-03-31")]


@pytest.mark.parametrize(
    ("content", "mapping", "reason", "message"),
    [
        (
            b"date,spend\n2025-03-03,1\n",
            ColumnMapping(date="date", numbers=("Spend",)),
            "missing_column",
            r'File "x\.csv", column "Spend" is not in the file '
            r'\(its columns: "date", "spend"\)\. Pick another column',
        ),
        (
            b"date,spend\n03/04/2026,1\n05/06/2026,2\n",
            ColumnMapping(date="date", numbers=("spend",)),
            "ambiguous_dates",
            r'column "date", row 2: the order of day and month in dates such as '
            r'"03/04/2026" cannot be told from this column\. Choose day-first',
        ),
        (
            b"date,team\n2025-03-03,North\n2025-03-04,South\n",
            ColumnMapping(date="date", numbers=("team",)),
            "not_a_number",
            r'File "x\.csv", column "team", row 2: "North" is not a number, and no '
            r"cell of this column is a number \(2 cells\)\. Map the column as a "
            r"dimension, or fix the cells\.",
        ),
        (
            b"when,leads\nsoon,1\nlater,2\n",
            ColumnMapping(date="when", numbers=("leads",)),
            "not_a_date",
            r'File "x\.csv", column "when", row 2: "soon" is not a date, and no '
            r"cell of this column is a date \(2 cells\)\. Pick the date column",
        ),
        (
            b"when,leads\n,1\n,2\n",
            ColumnMapping(date="when", numbers=("leads",)),
            "not_a_date",
            r'File "x\.csv", column "when" is empty in every row, so no row has '
            r"a date\. Pick the date column in the mapping",
        ),
        (
            b"date,stock\n2025-03-03,1\n",
            ColumnMapping(
                date="date", numbers=("stock",), number_kinds=(("stock", "level"),)
            ),
            "unknown_number_kind",
            r'column "stock": "level" is not a kind of number\. Choose one of '
            r"per_period, running_total, snapshot in the mapping\.",
        ),
    ],
)
def test_column_problems_still_refuse_the_import(
    content: bytes, mapping: ColumnMapping, reason: str, message: str
) -> None:
    raw = read_table("x.csv", content)

    with pytest.raises(ImportProblem, match=message) as caught:
        check_rows(raw, mapping)

    assert caught.value.reason == reason


def test_a_column_refusal_lists_every_cell_it_could_not_read() -> None:
    raw = read_table("x.csv", b"date,team\n2025-03-03,North\n2025-03-04,South\n")

    with pytest.raises(ImportProblem) as caught:
        check_rows(raw, ColumnMapping(date="date", numbers=("team",)))

    assert caught.value.bad_rows.to_dict("records") == [
        {"row": 2, "column": "team", "value": "North", "problem": "not a number"},
        {"row": 3, "column": "team", "value": "South", "problem": "not a number"},
    ]


GERMAN = b"Datum;Kosten\n03.02.2025;1,234\n10.02.2025;2,5\n"


@pytest.mark.parametrize(
    ("decimal_comma", "costs", "set_aside", "note"),
    [
        # Detected: "2,5" ends in a comma and one digit, so commas are decimal.
        (
            None,
            [1.234, 2.5],
            [],
            'Column "Kosten" uses a decimal comma: "1,234" is read as 1.234.',
        ),
        (
            True,
            [1.234, 2.5],
            [],
            'Column "Kosten" uses a decimal comma: "1,234" is read as 1.234.',
        ),
        # Forced off: "1,234" groups thousands and "2,5" is no number at all.
        (
            False,
            [1234.0],
            [(3, "Kosten", "2,5", NOT_A_NUMBER)],
            'Column "Kosten" is read with a decimal point, as the mapping says: '
            '"1,234" is read as 1234.',
        ),
    ],
)
def test_the_decimal_comma_setting_applies_to_numbers_never_to_dates(
    decimal_comma: bool | None, costs: list[float], set_aside: list, note: str
) -> None:
    mapping = ColumnMapping(
        date="Datum", numbers=("Kosten",), decimal_comma=decimal_comma
    )

    check = check_rows(read_table("de.csv", GERMAN), mapping)

    assert check.rows["Kosten"].tolist() == costs
    assert lines(check) == set_aside
    assert check.notes == (note,)
    # 03.02.2025 is 3 February whatever the number setting says.
    assert check.rows["Datum"].iloc[0] == pd.Timestamp("2025-02-03")


def test_notes_say_what_running_totals_and_snapshots_mean() -> None:
    content = b"date,team,sales_ytd,headcount,leads\n2025-03-03,North,10,4,1\n"
    mapping = ColumnMapping(
        date="date",
        dimensions=("team",),
        numbers=("sales_ytd", "headcount", "leads"),
        team="team",
        number_kinds=(("sales_ytd", "running_total"), ("headcount", "snapshot")),
    )

    check = check_rows(read_table("k.csv", content), mapping)

    assert check.notes == (
        'Column "sales_ytd" holds running totals: metrics count the change from '
        'one date to the next within each "team", and a fall as the count '
        "starting again.",
        'Column "headcount" holds snapshots (a level on each date): metrics take '
        "the latest value and never add them up.",
    )
    # Stored as the file has them: running totals are converted when read.
    assert check.rows[["sales_ytd", "headcount"]].values.tolist() == [[10.0, 4.0]]


def _workbook(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Q1"
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_rows_are_numbered_as_the_sheet_shows_them() -> None:
    content = _workbook(
        [
            ["Leads by team"],
            [],
            ["day", "team", "leads"],
            [datetime(2025, 3, 3), "North", 4],
            [datetime(2025, 3, 3), "South", "lots"],
            [None, "Grand Total", 4],
            [datetime(2025, 3, 4, 9, 30), "North", 2.5],
        ]
    )
    raw = read_table("leads.xlsx", content)
    mapping = ColumnMapping(date="day", dimensions=("team",), numbers=("leads",))

    check = check_rows(raw, mapping)

    # Header on sheet row 3; "lots" is on row 5, the total on row 6.
    assert lines(check) == [
        (5, "leads", "lots", NOT_A_NUMBER),
        (6, "team", "Grand Total", TOTAL),
    ]
    assert check.rows["day"].tolist() == [
        pd.Timestamp("2025-03-03"),
        pd.Timestamp("2025-03-04 09:30"),
    ]
    assert check.rows["leads"].tolist() == [4.0, 2.5]


@pytest.mark.parametrize(
    ("last_row", "kept"),
    [
        # No label, and 4 + 6 + 5 = 15: a sum line, set aside.
        (",,15\n", 3),
        # No label but not the sum: a row without a date is set aside anyway,
        # so the unlabelled rows below carry a date.
        ("2025-03-03,,14\n", 4),
        ("2025-03-03,,15\n", 3),
        # Labelled: a team of its own, even when it equals the sum.
        ("2025-03-03,West,15\n", 4),
    ],
)
def test_an_unlabelled_last_row_that_sums_the_rows_above_is_a_total(
    last_row: str, kept: int
) -> None:
    content = (
        "date,team,leads\n2025-03-03,North,4\n2025-03-03,South,6\n"
        f"2025-03-03,East,5\n{last_row}"
    )
    check = check_rows(read_table("t.csv", content.encode()), SALES_LEADS)

    assert check.rows_kept == kept
