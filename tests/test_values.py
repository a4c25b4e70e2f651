"""Numbers and dates as people type them (kpi.values)."""

from __future__ import annotations

import math
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from kpi.values import (
    DateOrderVotes,
    blank_mask,
    date_order_votes,
    parse_date,
    parse_date_column,
    parse_number,
    parse_number_column,
    uses_decimal_comma,
)


@pytest.mark.parametrize(
    ("text", "decimal_comma", "expected"),
    [
        ("$1,234.50", False, 1234.5),
        ("(550.25)", False, -550.25),
        ("($550.25)", False, -550.25),
        ("-$120.00", False, -120.0),
        ("$-120.00", False, -120.0),
        ("12%", False, 0.12),
        (" 2% ", False, 0.02),
        ("4.5%", False, 0.045),
        ("1,050", False, 1050.0),
        ("1,234,567.8", False, 1234567.8),
        ("7", False, 7.0),
        ("-3.25", False, -3.25),
        (".5", False, 0.5),
        ("5-", False, -5.0),  # trailing minus, as SAP exports it
        ("\u22125", False, -5.0),  # the Unicode minus sign
        ("1\u00a0234", False, 1234.0),  # no-break space between thousands
        ("€ 12", False, 12.0),
        ("12E3", False, 12000.0),
        ("1.5e-3", False, 0.0015),
        ("1.234,50", True, 1234.5),
        ("980,00", True, 980.0),
        ("4,2%", True, 0.042),
        ("12,5 €", True, 12.5),
        ("US$\u00a00,00", True, 0.0),
        ("1\u202f234,50", True, 1234.5),  # narrow no-break space
        ("1,050", True, 1.05),  # in a decimal-comma column 1,050 is 1.05
    ],
)
def test_parse_number_reads_what_people_type(
    text: str, decimal_comma: bool, expected: float
) -> None:
    assert parse_number(text, decimal_comma) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("text", ["", "   ", "\u00a0"])
def test_parse_number_of_an_empty_cell_is_none(text: str) -> None:
    assert parse_number(text) is None


@pytest.mark.parametrize(
    ("text", "decimal_comma"),
    [
        ("abc", False),
        ("1,5", False),  # a comma that does not group thousands
        ("12 34", False),  # a space that does not group thousands
        ("1.2.3", False),
        ("--5", False),
        ("(-5)", False),
        ("$", False),
        ("-", False),
        ("nan", False),
        ("inf", False),
        ("1.5", True),  # a dot that does not group thousands, with decimal comma
        ("(550.25)", True),
    ],
)
def test_parse_number_refuses_what_is_not_a_number(
    text: str, decimal_comma: bool
) -> None:
    with pytest.raises(ValueError, match="is not a number"):
        parse_number(text, decimal_comma)


def test_parse_number_column_marks_bad_cells_and_keeps_native_numbers() -> None:
    values = pd.Series(["$1,234.50", None, "", "abc", 5, 2.5, True], dtype=object)

    numbers, bad = parse_number_column(values)

    assert numbers.dtype == "float64"
    expected = [1234.5, math.nan, math.nan, math.nan, 5.0, 2.5, math.nan]
    np.testing.assert_allclose(numbers.to_numpy(), expected)
    assert bad.tolist() == [False, False, False, True, False, False, True]


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["1.234,50", "980,00", "2.010,75"], [1234.5, 980.0, 2010.75]),
        (["4,2%", "3,9%"], [0.042, 0.039]),
        (["1,050", "2,000"], [1050.0, 2000.0]),  # three digits after: thousands
        (["1,234.50", "7"], [1234.5, 7.0]),
    ],
)
def test_parse_number_column_detects_the_decimal_comma(
    cells: list[str], expected: list[float]
) -> None:
    numbers, bad = parse_number_column(pd.Series(cells, dtype=object))

    np.testing.assert_allclose(numbers.to_numpy(), expected)
    assert not bad.any()


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["1.234,50"], True),
        (["980,00"], True),
        (["4,2%"], True),
        (["US$ 0,00"], True),
        (["1,050"], False),
        (["1,234.50"], False),
        (["Smith, Jo"], False),
        ([12.5, None], False),
    ],
)
def test_uses_decimal_comma(cells: list[object], expected: bool) -> None:
    assert uses_decimal_comma(pd.Series(cells, dtype=object)) is expected


@pytest.mark.parametrize(
    ("value", "day_first", "expected"),
    [
        ("2016-11-08", None, datetime(2016, 11, 8)),
        ("2016-11-8", None, datetime(2016, 11, 8)),
        ("2016/11/08", None, datetime(2016, 11, 8)),
        ("11/8/2016", False, datetime(2016, 11, 8)),
        ("11/8/2016", True, datetime(2016, 8, 11)),
        ("1/9/2014", False, datetime(2014, 1, 9)),
        ("31-08-2023", True, datetime(2023, 8, 31)),
        ("31-08-2023", None, datetime(2023, 8, 31)),  # 31 can only be a day
        ("11/13/2016", None, datetime(2016, 11, 13)),  # 13 can only be a day
        ("05/05/2024", None, datetime(2024, 5, 5)),  # the same either way
        ("03.02.2025", None, datetime(2025, 2, 3)),  # dotted dates are day-first
        ("17-09-14", True, datetime(2014, 9, 17)),
        ("1/2/99", False, datetime(1999, 1, 2)),
        # Excel serial: 45292 is 2024-01-01 (45292 days after 1899-12-30),
        # +14 days is 2024-01-15 and 0.75 of a day is 18:00.
        (45306.75, None, datetime(2024, 1, 15, 18, 0)),
        ("45306.75", None, datetime(2024, 1, 15, 18, 0)),
        (45292, None, datetime(2024, 1, 1)),
        (
            "2024-10-30 15:15:11.744884",
            None,
            datetime(2024, 10, 30, 15, 15, 11, 744884),
        ),
        ("2024-10-30T15:15", None, datetime(2024, 10, 30, 15, 15)),
        ("2024-01-05T10:00:00+02:00", None, datetime(2024, 1, 5, 10, 0)),  # no shift
        ("2024-01-05 10:00:00Z", None, datetime(2024, 1, 5, 10, 0)),
        ("12/31/2024 2:30 PM", None, datetime(2024, 12, 31, 14, 30)),
        ("12/31/2024 12:05 am", None, datetime(2024, 12, 31, 0, 5)),
        (
            "2025-W10",
            None,
            datetime(2025, 3, 3),
        ),  # ISO week 10 of 2025 starts Mon 3 Mar
        ("2025-W01-3", None, datetime(2025, 1, 1)),  # Wednesday of ISO week 1
        ("2025-01", None, datetime(2025, 1, 1)),
        ("5 Jan 2024", None, datetime(2024, 1, 5)),
        ("05-Jan-2024", None, datetime(2024, 1, 5)),
        ("Jan 5, 2024", None, datetime(2024, 1, 5)),
        ("September 2024", None, datetime(2024, 9, 1)),
        (datetime(2024, 3, 1, 9, 30), None, datetime(2024, 3, 1, 9, 30)),
        (date(2024, 3, 1), None, datetime(2024, 3, 1)),
        (np.datetime64("2024-03-01T06:00"), None, datetime(2024, 3, 1, 6, 0)),
    ],
)
def test_parse_date_reads_what_people_type(
    value: object, day_first: bool | None, expected: datetime
) -> None:
    assert parse_date(value, day_first) == expected


@pytest.mark.parametrize(
    ("value", "day_first", "excel_serials"),
    [
        ("11/8/2016", None, True),  # day-first or month-first: cannot tell alone
        ("31-08-2023", False, True),  # month 31
        ("2023-02-30", None, True),
        ("13/13/2024", None, True),
        ("hello", None, True),
        ("2025-W54", None, True),
        ("Smarch 5, 2024", None, True),
        ("25:00 2024-01-01", None, True),
        ("2024-01-01 25:00", None, True),
        ("0001-01-01", None, True),  # out of range for datetime64[ns]
        (30, None, True),  # far below any plausible serial
        (45306.75, None, False),  # serials only where allowed
        (True, None, True),
    ],
)
def test_parse_date_refuses_what_is_not_a_date(
    value: object, day_first: bool | None, excel_serials: bool
) -> None:
    with pytest.raises(ValueError):
        parse_date(value, day_first, excel_serials)


@pytest.mark.parametrize("value", [None, "", "  ", math.nan])
def test_parse_date_of_an_empty_cell_is_none(value: object) -> None:
    assert parse_date(value) is None


def test_parse_date_column_decides_the_order_from_its_values() -> None:
    values = pd.Series(
        ["11/8/2016", "1/9/2014", None, "bad", "11/13/2016"], dtype=object
    )

    dates, bad = parse_date_column(values)

    assert dates.dtype == "datetime64[ns]"
    expected = ["2016-11-08", "2014-01-09", None, None, "2016-11-13"]
    assert dates.tolist() == [
        pd.NaT if e is None else pd.Timestamp(e) for e in expected
    ]
    assert bad.tolist() == [False, False, False, True, False]


def test_parse_date_column_without_an_order_marks_ambiguous_values_bad() -> None:
    values = pd.Series(["03/04/2026", "2026-04-05"], dtype=object)

    dates, bad = parse_date_column(values, day_first=None)

    assert bad.tolist() == [True, False]
    assert dates.iloc[1] == pd.Timestamp("2026-04-05")


@pytest.mark.parametrize(
    ("cells", "votes", "decided", "needs_choice"),
    [
        (["31/08/2023", "02/08/2023"], DateOrderVotes(1, 0, 1), True, False),
        (["11/13/2016", "11/8/2016"], DateOrderVotes(0, 1, 1), False, False),
        (["03/04/2026", "05/06/2026"], DateOrderVotes(0, 0, 2), None, True),
        (["31/08/2023", "11/13/2016"], DateOrderVotes(1, 1, 0), None, True),
        (["2024-01-02", "45292"], DateOrderVotes(0, 0, 0), None, False),
        (["03.02.2025", "10.02.2025"], DateOrderVotes(2, 0, 0), True, False),
        (["05/05/2024"], DateOrderVotes(0, 0, 0), None, False),
    ],
)
def test_date_order_votes(
    cells: list[str],
    votes: DateOrderVotes,
    decided: bool | None,
    needs_choice: bool,
) -> None:
    counted = date_order_votes(pd.Series(cells, dtype=object))

    assert counted == votes
    assert counted.decided is decided
    assert counted.needs_choice is needs_choice


def test_blank_mask() -> None:
    values = pd.Series([None, "", "  ", "x", 0, math.nan, "\u00a0"], dtype=object)

    assert blank_mask(values).tolist() == [True, True, True, False, False, True, True]
