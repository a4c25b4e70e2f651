"""Period arithmetic: buckets, ranges, labels and time frames."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from kpi.periods import (
    bucket_end,
    bucket_start,
    days_inclusive,
    parse_time_frame,
    period_label,
    period_range,
    time_frame_label,
)
from kpi.settings import WorkspaceSettings

SHARED = Path(__file__).resolve().parents[2] / "shared"
TS = pd.Timestamp


def dates(*values: str) -> pd.Series:
    return pd.Series(pd.to_datetime(list(values)), name="date").astype("datetime64[ns]")


def shared_case(name: str) -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is absent")
    return SHARED / "cases" / name


# Weekdays used below: 2026-03-14 is a Saturday, 2025-01-01 a Wednesday,
# 2025-01-05 a Sunday, 2025-01-06 a Monday, 1969-12-31 a Wednesday.
@pytest.mark.parametrize(
    ("day", "period", "week_start", "fiscal_start_month", "expected"),
    [
        ("2026-03-14", "day", "monday", 1, "2026-03-14"),
        ("2026-03-14 17:45", "day", "monday", 1, "2026-03-14"),
        ("2026-03-14", "week", "monday", 1, "2026-03-09"),
        ("2026-03-14", "week", "sunday", 1, "2026-03-08"),
        ("2025-01-01", "week", "monday", 1, "2024-12-30"),
        ("2025-01-01", "week", "sunday", 1, "2024-12-29"),
        ("2025-01-05", "week", "monday", 1, "2024-12-30"),
        ("2025-01-05", "week", "sunday", 1, "2025-01-05"),
        ("2025-01-06", "week", "monday", 1, "2025-01-06"),
        ("2025-01-06", "week", "sunday", 1, "2025-01-05"),
        ("1969-12-31", "week", "monday", 1, "1969-12-29"),
        ("2026-03-14", "month", "monday", 1, "2026-03-01"),
        ("2025-12-31", "month", "monday", 1, "2025-12-01"),
        ("1969-12-31", "month", "monday", 1, "1969-12-01"),
        ("2026-02-15", "quarter", "monday", 1, "2026-01-01"),
        ("2026-05-10", "quarter", "monday", 1, "2026-04-01"),
        ("2026-12-31", "quarter", "monday", 1, "2026-10-01"),
        # Fiscal year from April: quarters start Apr, Jul, Oct, Jan.
        ("2026-05-10", "quarter", "monday", 4, "2026-04-01"),
        ("2026-03-31", "quarter", "monday", 4, "2026-01-01"),
        # Fiscal year from February: quarters start Feb, May, Aug, Nov.
        ("2026-05-10", "quarter", "monday", 2, "2026-05-01"),
        ("2026-01-15", "quarter", "monday", 2, "2025-11-01"),
        ("2026-05-10", "year", "monday", 1, "2026-01-01"),
        ("2026-05-10", "year", "monday", 4, "2026-04-01"),
        ("2026-03-31", "year", "monday", 4, "2025-04-01"),
    ],
)
def test_bucket_start(day, period, week_start, fiscal_start_month, expected):
    result = bucket_start(dates(day), period, week_start, fiscal_start_month)
    assert result.iloc[0] == TS(expected)


def test_bucket_start_keeps_index_name_missing_dates_and_input():
    raw = pd.Series(
        pd.to_datetime(["2026-03-14", None, "2026-01-31"]),
        index=[7, 7, 3],
        name="when",
    )
    before = raw.copy()

    result = bucket_start(raw, "month")

    assert list(result.index) == [7, 7, 3]
    assert result.name == "when"
    assert str(result.dtype) == "datetime64[ns]"
    assert result.iloc[0] == TS("2026-03-01")
    assert pd.isna(result.iloc[1])
    assert result.iloc[2] == TS("2026-01-01")
    pd.testing.assert_series_equal(raw, before)


def test_bucket_start_of_no_dates_is_empty():
    assert bucket_start(dates(), "quarter", fiscal_start_month=4).empty


def read_case_19() -> pd.DataFrame:
    frame = pd.read_csv(shared_case("19-iso-week-year-boundary") / "daily.csv")
    return frame.assign(date=pd.to_datetime(frame["date"]).astype("datetime64[ns]"))


@pytest.mark.parametrize(
    ("week_start", "expected"),
    [
        # daily values 26 Dec .. 7 Jan: 4 6 3 2 | 5 7 1 8 6 4 3 | 9 5
        # Monday weeks: 4+6+3+2 = 15; 5+7+1+8+6+4+3 = 34; 9+5 = 14
        (
            "monday",
            {
                ("2024-12-23", "2024-W52"): 15,
                ("2024-12-30", "2025-W01"): 34,
                ("2025-01-06", "2025-W02"): 14,
            },
        ),
        # Sunday weeks: 4+6+3 = 13; 2+5+7+1+8+6+4 = 33; 3+9+5 = 17
        (
            "sunday",
            {
                ("2024-12-22", "Week of 2024-12-22"): 13,
                ("2024-12-29", "Week of 2024-12-29"): 33,
                ("2025-01-05", "Week of 2025-01-05"): 17,
            },
        ),
    ],
)
def test_weeks_across_new_year_case_19(week_start, expected):
    frame = read_case_19()

    buckets = bucket_start(frame["date"], "week", week_start)
    sums = frame["tickets"].groupby(buckets).sum()

    found = {
        (f"{start:%Y-%m-%d}", period_label(start, "week", week_start)): total
        for start, total in sums.items()
    }
    assert found == expected
    assert list(sums.index) == sorted(sums.index)


def test_iso_week_never_pairs_calendar_year_with_iso_week_case_19():
    frame = read_case_19()
    buckets = bucket_start(frame["date"], "week")
    labels = {period_label(start, "week") for start in buckets}

    # The wrong grouping (calendar year + ISO week) would invent "2024-W01".
    assert labels == {"2024-W52", "2025-W01", "2025-W02"}


def test_months_sort_across_years_and_never_merge():
    frame = pd.DataFrame(
        {
            "date": dates("2026-01-15", "2025-12-20", "2025-01-10", "2026-01-02"),
            "value": [1.0, 2.0, 4.0, 8.0],
        }
    )

    sums = frame["value"].groupby(bucket_start(frame["date"], "month")).sum()

    # Jan 2025: 4; Dec 2025: 2; Jan 2026: 1 + 8 = 9
    assert [period_label(start, "month") for start in sums.index] == [
        "Jan 2025",
        "Dec 2025",
        "Jan 2026",
    ]
    assert list(sums) == [4.0, 2.0, 9.0]


def test_fiscal_quarter_from_april():
    start = bucket_start(dates("2026-05-10"), "quarter", fiscal_start_month=4)
    assert start.iloc[0] == TS("2026-04-01")
    assert period_label(start.iloc[0], "quarter", fiscal_start_month=4) == ("FY2027 Q1")


@pytest.mark.parametrize(
    ("start", "end", "period", "week_start", "fiscal_start_month", "expected"),
    [
        (
            date(2026, 1, 15),
            date(2026, 3, 2),
            "month",
            "monday",
            1,
            ["2026-01-01", "2026-02-01", "2026-03-01"],
        ),
        (
            date(2024, 12, 26),
            date(2025, 1, 7),
            "week",
            "monday",
            1,
            ["2024-12-23", "2024-12-30", "2025-01-06"],
        ),
        (
            date(2024, 12, 26),
            date(2025, 1, 7),
            "week",
            "sunday",
            1,
            ["2024-12-22", "2024-12-29", "2025-01-05"],
        ),
        (
            date(2026, 1, 1),
            date(2026, 12, 31),
            "quarter",
            "monday",
            2,
            # fiscal quarters from February start Nov, Feb, May, Aug
            ["2025-11-01", "2026-02-01", "2026-05-01", "2026-08-01", "2026-11-01"],
        ),
        (
            date(2026, 3, 30),
            date(2026, 4, 1),
            "day",
            "monday",
            1,
            ["2026-03-30", "2026-03-31", "2026-04-01"],
        ),
        (date(2026, 5, 5), date(2026, 5, 5), "year", "monday", 1, ["2026-01-01"]),
        (date(2026, 5, 5), date(2026, 5, 4), "day", "monday", 1, []),
    ],
)
def test_period_range(start, end, period, week_start, fiscal_start_month, expected):
    found = period_range(start, end, period, week_start, fiscal_start_month)
    assert found == [TS(day) for day in expected]


@pytest.mark.parametrize(
    ("bucket", "period", "expected"),
    [
        ("2026-03-14", "day", "2026-03-14"),
        ("2024-12-30", "week", "2025-01-05"),
        ("2026-02-01", "month", "2026-02-28"),
        ("2024-02-01", "month", "2024-02-29"),
        ("2026-04-01", "quarter", "2026-06-30"),
        ("2025-11-01", "quarter", "2026-01-31"),
        ("2026-01-01", "year", "2026-12-31"),
        ("2026-04-01", "year", "2027-03-31"),
    ],
)
def test_bucket_end(bucket, period, expected):
    assert bucket_end(TS(bucket), period) == TS(expected)


@pytest.mark.parametrize(
    ("bucket", "period", "week_start", "fiscal_start_month", "expected"),
    [
        ("2026-03-14", "day", "monday", 1, "2026-03-14"),
        ("2024-12-23", "week", "monday", 1, "2024-W52"),
        ("2024-12-30", "week", "monday", 1, "2025-W01"),
        # 2020 has 53 ISO weeks: Thursday 31 Dec 2020 lies in the week of 28 Dec.
        ("2020-12-28", "week", "monday", 1, "2020-W53"),
        ("2026-03-09", "week", "monday", 1, "2026-W11"),
        ("2024-12-29", "week", "sunday", 1, "Week of 2024-12-29"),
        ("2026-03-01", "month", "monday", 1, "Mar 2026"),
        ("2026-01-01", "quarter", "monday", 1, "Q1 2026"),
        ("2026-10-01", "quarter", "monday", 1, "Q4 2026"),
        ("2026-01-01", "year", "monday", 1, "2026"),
        ("2026-04-01", "quarter", "monday", 4, "FY2027 Q1"),
        ("2027-01-01", "quarter", "monday", 4, "FY2027 Q4"),
        ("2026-04-01", "year", "monday", 4, "FY2027"),
        ("2025-07-01", "quarter", "monday", 7, "FY2026 Q1"),
        ("2026-05-01", "quarter", "monday", 2, "FY2027 Q2"),
    ],
)
def test_period_label(bucket, period, week_start, fiscal_start_month, expected):
    label = period_label(TS(bucket), period, week_start, fiscal_start_month)
    assert label == expected


@pytest.mark.parametrize(
    ("bucket", "period", "fiscal_start_month", "named_by", "expected"),
    [
        # April 2026 - March 2027: named by the year it ends in, or starts in.
        ("2026-04-01", "year", 4, "end", "FY2027"),
        ("2026-04-01", "year", 4, "start", "FY2026"),
        # January 2027 is the fourth quarter of the same fiscal year.
        ("2027-01-01", "quarter", 4, "end", "FY2027 Q4"),
        ("2027-01-01", "quarter", 4, "start", "FY2026 Q4"),
        # July 2025 - June 2026 (Australia): "FY2026" by its end.
        ("2025-07-01", "quarter", 7, "start", "FY2025 Q1"),
        # A January year is just the calendar year, whatever the naming.
        ("2026-01-01", "year", 1, "start", "2026"),
    ],
)
def test_fiscal_year_naming(bucket, period, fiscal_start_month, named_by, expected):
    settings = WorkspaceSettings(
        fiscal_start_month=fiscal_start_month, fiscal_year_named_by=named_by
    )
    assert settings.label(TS(bucket), period) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 3, 1), date(2026, 3, 31), 31),
        (date(2026, 3, 14), date(2026, 3, 14), 1),
        (date(2024, 1, 1), date(2024, 12, 31), 366),
        (date(2026, 1, 1), date(2026, 3, 31), 31 + 28 + 31),
    ],
)
def test_days_inclusive(start, end, expected):
    assert days_inclusive(start, end) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 1, 1), date(2026, 3, 31), "Q1 2026"),
        (date(2026, 10, 1), date(2026, 12, 31), "Q4 2026"),
        (date(2026, 1, 1), date(2026, 12, 31), "2026"),
        (date(2026, 3, 1), date(2026, 3, 31), "Mar 2026"),
        (date(2024, 2, 1), date(2024, 2, 29), "Feb 2024"),
        (date(2026, 1, 5), date(2026, 2, 20), "2026-01-05 – 2026-02-20"),
        (date(2026, 2, 1), date(2026, 3, 31), "2026-02-01 – 2026-03-31"),
        (date(2026, 2, 1), date(2026, 4, 30), "2026-02-01 – 2026-04-30"),
        (date(2025, 12, 1), date(2026, 2, 28), "2025-12-01 – 2026-02-28"),
        (date(2026, 3, 1), date(2026, 3, 30), "2026-03-01 – 2026-03-30"),
    ],
)
def test_time_frame_label(start, end, expected):
    assert time_frame_label(start, end) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026", (date(2026, 1, 1), date(2026, 12, 31))),
        (" 2026 ", (date(2026, 1, 1), date(2026, 12, 31))),
        ("2026-Q1", (date(2026, 1, 1), date(2026, 3, 31))),
        ("2026-q4", (date(2026, 10, 1), date(2026, 12, 31))),
        ("2026-03", (date(2026, 3, 1), date(2026, 3, 31))),
        ("2024-02", (date(2024, 2, 1), date(2024, 2, 29))),
        # ISO 2026-W01 starts Monday 2025-12-29 (1 Jan 2026 is a Thursday);
        # W05 starts 4 weeks later: 2025-12-29 + 28 days = 2026-01-26.
        ("2026-W05", (date(2026, 1, 26), date(2026, 2, 1))),
        ("2025-W01", (date(2024, 12, 30), date(2025, 1, 5))),
        ("2026-01-05..2026-02-20", (date(2026, 1, 5), date(2026, 2, 20))),
        ("2026-01-05 .. 2026-02-20", (date(2026, 1, 5), date(2026, 2, 20))),
    ],
)
def test_parse_time_frame(text, expected):
    assert parse_time_frame(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Q1 2026", r'"Q1 2026" is not a time frame\. Write a year \(2026\)'),
        ("last month", "is not a time frame"),
        ("", "is not a time frame"),
        ("2026-13", r'"2026-13" is not a valid time frame: month must be'),
        ("2026-W54", r'"2026-W54" is not a valid time frame'),
        ("2026-02-30..2026-03-01", "is not a valid time frame"),
        ("2026-02-20..2026-01-05", "ends before it starts"),
    ],
)
def test_parse_time_frame_refuses(text, message):
    with pytest.raises(ValueError, match=message):
        parse_time_frame(text)


@pytest.mark.parametrize(
    ("period", "week_start", "fiscal_start_month", "message"),
    [
        ("fortnight", "monday", 1, 'Unknown period "fortnight"'),
        ("week", "friday", 1, 'Unknown week start "friday"'),
        ("quarter", "monday", 13, "Fiscal year start month 13 is not a month"),
    ],
)
def test_bucket_start_refuses_unknown_settings(
    period, week_start, fiscal_start_month, message
):
    with pytest.raises(ValueError, match=message):
        bucket_start(dates("2026-03-14"), period, week_start, fiscal_start_month)
