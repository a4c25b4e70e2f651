"""Metric aggregation: base metrics, derived ratios of sums, slices, buckets."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kpi.errors import DefinitionError, FormulaError
from kpi.metrics import (
    Rows,
    Slice,
    breakdown,
    metric_inputs,
    metric_series,
    metric_value,
    validate_metric,
)
from kpi.model import ColumnMapping, Definitions, Filter, Metric

SHARED = Path(__file__).resolve().parents[2] / "shared"
TS = pd.Timestamp

MAPPING = ColumnMapping(
    date="date",
    dimensions=("team", "rep", "channel", "code"),
    numbers=("spend", "leads", "amount", "tickets"),
    team="team",
    person="rep",
)


def clean_frame(data: dict[str, list]) -> pd.DataFrame:
    """A frame as the reading code returns it: naive datetime64[ns] dates,
    text dimensions with "" for missing, float64 numbers with NaN."""
    frame = pd.DataFrame(data)
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
    for column in frame.columns.drop("date"):
        if column in MAPPING.numbers:
            frame[column] = frame[column].astype("float64")
        else:
            frame[column] = frame[column].astype("str")
    return frame


def rows_of(data: dict[str, list], mapping: ColumnMapping = MAPPING) -> dict:
    return {"ds": Rows(mapping, clean_frame(data))}


def base(name: str, column: str | None, aggregation: str = "sum", **extra) -> Metric:
    return Metric(
        name, name, dataset="ds", column=column, aggregation=aggregation, **extra
    )


def derived(name: str, formula: str) -> Metric:
    return Metric(name, name, formula=formula)


def definitions(*metrics: Metric) -> Definitions:
    return Definitions(metrics=metrics)


ADS = definitions(
    base("spend", "spend"),
    base("leads", "leads"),
    derived("cost_per_lead", "spend / leads"),
)


def shared_case(name: str) -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is absent")
    return SHARED / "cases" / name


# --- base aggregations -----------------------------------------------------

# File order is not date order. Dates 2026-03-02 .. 2026-03-04 lie in the
# Monday week starting 2026-03-02.
SALES = {
    "date": ["2026-03-04", "2026-03-04", "2026-03-02", "2026-03-02", "2026-03-03"],
    "rep": ["cy", "ann", "ann", "bob", ""],
    "amount": [6.0, 7.0, 10.0, np.nan, 4.0],
}


@pytest.mark.parametrize(
    ("aggregation", "column", "expected"),
    [
        ("sum", "amount", 27.0),  # 6 + 7 + 10 + 4, the empty cell skipped
        ("mean", "amount", 6.75),  # 27 / 4
        ("median", "amount", 6.5),  # 4 6 | 7 10 -> (6 + 7) / 2
        ("count", "amount", 4.0),  # non-empty amounts
        ("count", None, 5.0),  # rows
        ("count", "rep", 4.0),  # non-empty reps ("" is empty)
        ("nunique", "rep", 3.0),  # ann, bob, cy
        ("min", "amount", 4.0),
        ("max", "amount", 10.0),
        # latest date 2026-03-04 holds 6 (cy) then 7 (ann): last in file order
        ("last", "amount", 7.0),
    ],
)
def test_every_aggregation(aggregation, column, expected):
    defs = definitions(base("m", column, aggregation))
    rows = rows_of(SALES)
    window = {"start": date(2026, 3, 2), "end": date(2026, 3, 8)}

    assert metric_value(defs, "m", rows, **window) == pytest.approx(expected)
    weekly = metric_series(defs, "m", rows, period="week", **window)
    assert list(weekly["bucket"]) == [TS("2026-03-02")]
    assert weekly["value"].tolist() == pytest.approx([expected])


def test_last_skips_an_empty_latest_cell():
    rows = rows_of(
        {"date": ["2026-03-02", "2026-03-03", "2026-03-04"], "amount": [5, 8, np.nan]}
    )
    defs = definitions(base("level", "amount", "last"))

    value = metric_value(
        defs, "level", rows, start=date(2026, 3, 1), end=date(2026, 3, 31)
    )

    assert value == 8.0


def test_nunique_works_on_numbers_too():
    rows = rows_of({"date": ["2026-03-02"] * 4, "amount": [1.0, 1.0, 2.0, np.nan]})
    defs = definitions(base("distinct", "amount", "nunique"))
    value = metric_value(
        defs, "distinct", rows, start=date(2026, 3, 2), end=date(2026, 3, 2)
    )
    assert value == 2.0  # {1, 2}; the empty cell is not a value


@pytest.mark.parametrize(
    ("aggregation", "expected"),
    [
        # rows only in the first week; the second week has none
        ("sum", [9.0, 0.0]),
        ("count", [2.0, 0.0]),
        ("nunique", [2.0, 0.0]),
        ("mean", [4.5, np.nan]),
        ("median", [4.5, np.nan]),
        ("min", [4.0, np.nan]),
        ("max", [5.0, np.nan]),
        ("last", [5.0, np.nan]),
    ],
)
def test_bucket_without_rows_is_zero_for_sums_and_missing_otherwise(
    aggregation, expected
):
    rows = rows_of({"date": ["2026-03-02", "2026-03-03"], "amount": [4.0, 5.0]})
    defs = definitions(base("m", "amount", aggregation))

    weekly = metric_series(
        defs, "m", rows, period="week", start=date(2026, 3, 2), end=date(2026, 3, 15)
    )

    assert list(weekly["bucket"]) == [TS("2026-03-02"), TS("2026-03-09")]
    np.testing.assert_array_equal(weekly["value"].to_numpy(), expected)


def test_dataset_without_rows_in_the_window_has_no_value():
    rows = rows_of({"date": ["2026-03-02"], "amount": [4.0]})
    defs = definitions(base("m", "amount"))
    window = {"start": date(2026, 4, 1), "end": date(2026, 4, 14)}

    weekly = metric_series(defs, "m", rows, period="week", **window)

    # Wed 1 April .. Tue 14 April touches three Monday weeks
    assert list(weekly["bucket"]) == [
        TS("2026-03-30"),
        TS("2026-04-06"),
        TS("2026-04-13"),
    ]
    assert weekly["value"].isna().all()
    assert metric_value(defs, "m", rows, **window) is None


def test_window_cuts_a_bucket_to_its_in_window_days():
    days = [f"2026-03-{day:02d}" for day in range(2, 12)]  # Mon 2 .. Wed 11
    values = [1, 2, 3, 4, 5, 6, 7, 10, 20, 100]
    rows = rows_of({"date": days, "amount": values})
    defs = definitions(base("m", "amount"))

    weekly = metric_series(
        defs, "m", rows, period="week", start=date(2026, 3, 5), end=date(2026, 3, 10)
    )

    # week of 03-02 keeps 5..8 March: 4 + 5 + 6 + 7 = 22
    # week of 03-09 keeps 9..10 March: 10 + 20 = 30 (11 March is outside)
    assert list(weekly["bucket"]) == [TS("2026-03-02"), TS("2026-03-09")]
    assert weekly["value"].tolist() == [22.0, 30.0]


def test_months_across_new_year_stay_apart_and_in_order():
    rows = rows_of(
        {
            "date": [
                "2026-01-20",
                "2025-01-10",
                "2025-12-05",
                "2026-01-03",
                "2025-11-30",
            ],
            "amount": [1.0, 1000.0, 20.0, 300.0, 4000.0],
        }
    )
    defs = definitions(base("m", "amount"))

    monthly = metric_series(
        defs, "m", rows, period="month", start=date(2025, 12, 1), end=date(2026, 2, 28)
    )

    # Dec 2025: 20; Jan 2026: 1 + 300; Feb 2026: no rows -> 0.
    # Jan 2025 (1000) and Nov 2025 (4000) lie outside the window.
    assert list(monthly["bucket"]) == [
        TS("2025-12-01"),
        TS("2026-01-01"),
        TS("2026-02-01"),
    ]
    assert monthly["value"].tolist() == [20.0, 301.0, 0.0]


def test_sunday_weeks_and_fiscal_quarters():
    rows = rows_of(
        {
            "date": ["2025-01-04", "2025-01-05", "2025-03-31", "2025-04-01"],
            "amount": [1, 2, 4, 8],
        }
    )
    defs = definitions(base("m", "amount"))

    weekly = metric_series(
        defs,
        "m",
        rows,
        period="week",
        start=date(2025, 1, 1),
        end=date(2025, 1, 11),
        week_start="sunday",
    )
    quarterly = metric_series(
        defs,
        "m",
        rows,
        period="quarter",
        start=date(2025, 1, 1),
        end=date(2025, 6, 30),
        fiscal_start_month=4,
    )

    # Sat 4 Jan is in the week of Sun 29 Dec; Sun 5 Jan opens the next week.
    assert list(weekly["bucket"]) == [TS("2024-12-29"), TS("2025-01-05")]
    assert weekly["value"].tolist() == [1.0, 2.0]
    # Fiscal year from April: Jan-Mar 2025 = 1 + 2 + 4; Apr-Jun 2025 = 8
    assert list(quarterly["bucket"]) == [TS("2025-01-01"), TS("2025-04-01")]
    assert quarterly["value"].tolist() == [7.0, 8.0]


# --- filters and slices ------------------------------------------------------

CAMPAIGNS = {
    "date": ["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06"],
    "team": ["North", "South", "North", "North", ""],
    "rep": ["ann", "bob", "cy", "ann", "dan"],
    "channel": ["organic", "paid", "organic", "", "paid"],
    "code": ["007", "7", "007", "7", "7"],
    "spend": [10.0, 20.0, 5.0, 7.0, 1.0],
}
MARCH = {"start": date(2026, 3, 1), "end": date(2026, 3, 31)}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ((), 43.0),  # 10 + 20 + 5 + 7 + 1
        ((Filter("channel", "organic"),), 15.0),  # 10 + 5
        ((Filter("channel", "organic", negate=True),), 28.0),  # 20 + 7 + 1
        # neither organic nor blank: 20 + 1
        ((Filter("channel", "organic", True), Filter("channel", "", True)), 21.0),
        ((Filter("code", "7"),), 28.0),  # text compare: "007" is not "7"
        ((Filter("code", "007"),), 15.0),
    ],
)
def test_metric_filters(filters, expected):
    defs = definitions(base("m", "spend", filters=filters))
    assert metric_value(defs, "m", rows_of(CAMPAIGNS), **MARCH) == expected


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        (Slice(), 43.0),
        (Slice(team="North"), 22.0),  # 10 + 5 + 7
        (Slice(team="South"), 20.0),
        (Slice(person="ann"), 17.0),  # 10 + 7
        (Slice(team="North", person="cy"), 5.0),
        (Slice(team="North", filters=(Filter("channel", "organic"),)), 15.0),
        (Slice(filters=(Filter("channel", "paid"),)), 21.0),  # 20 + 1
        (Slice(team="West"), 0.0),  # the dataset has rows: nothing for West is 0
    ],
)
def test_team_and_person_slices(where, expected):
    value = metric_value(ADS, "spend", rows_of(CAMPAIGNS), where=where, **MARCH)
    assert value == expected


def test_slice_on_text_columns_with_missing_values():
    rows = rows_of(CAMPAIGNS)
    frame = rows["ds"].frame.assign(
        team=pd.array(["North", pd.NA, "North", "North", ""], dtype="string")
    )
    rows = {"ds": Rows(MAPPING, frame)}
    value = metric_value(ADS, "spend", rows, where=Slice(team="North"), **MARCH)
    assert value == 22.0


@pytest.mark.parametrize(
    ("where", "reason", "message"),
    [
        (Slice(team="North"), "no_team_column", 'Dataset "ds" has no team column'),
        (Slice(person="ann"), "no_person_column", 'Dataset "ds" has no person column'),
    ],
)
def test_slice_needs_a_team_or_person_column(where, reason, message):
    mapping = ColumnMapping(date="date", numbers=("spend",))
    rows = rows_of({"date": ["2026-03-02"], "spend": [1.0]}, mapping)

    with pytest.raises(DefinitionError, match=message) as caught:
        metric_value(ADS, "spend", rows, where=where, **MARCH)

    assert caught.value.reason == reason


# --- by-breakdowns -------------------------------------------------------------


def test_series_by_team_lists_every_team_in_every_bucket():
    weekly = metric_series(
        ADS,
        "spend",
        rows_of(CAMPAIGNS),
        period="week",
        start=date(2026, 3, 2),
        end=date(2026, 3, 15),
        by="team",
    )

    # week of 03-02: "" 1; North 10 + 5 + 7 = 22; South 20; week of 03-09: none
    assert list(weekly.columns) == ["bucket", "team", "value"]
    assert weekly.to_dict("list") == {
        "bucket": [TS("2026-03-02")] * 3 + [TS("2026-03-09")] * 3,
        "team": ["", "North", "South"] * 2,
        "value": [1.0, 22.0, 20.0, 0.0, 0.0, 0.0],
    }


def test_breakdown_sorts_largest_first_and_no_value_last():
    rows = rows_of(
        {
            "date": ["2026-03-02"] * 5,
            "team": ["North", "North", "South", "West", "East"],
            "spend": [100.0, 300.0, 50.0, 20.0, 90.0],
            "leads": [20.0, 10.0, 0.0, 1.0, 3.0],
        }
    )

    table = breakdown(ADS, "cost_per_lead", rows, by="team", **MARCH)

    # North 400 / 30 = 13.33; South 50 / 0 -> no value; West 20 / 1 = 20;
    # East 90 / 3 = 30
    assert list(table.columns) == ["team", "value"]
    assert table["team"].tolist() == ["East", "West", "North", "South"]
    assert table["value"].tolist()[:3] == pytest.approx([30.0, 20.0, 400 / 30])
    assert np.isnan(table["value"].iloc[3])


def test_breakdown_by_an_unknown_column():
    with pytest.raises(DefinitionError, match='column "region"') as caught:
        breakdown(ADS, "spend", rows_of(CAMPAIGNS), by="region", **MARCH)
    assert caught.value.reason == "unknown_column"


# --- derived metrics: ratios of sums --------------------------------------------

THREE_DAYS = {
    "date": ["2026-03-02", "2026-03-03", "2026-03-04"],
    "spend": [100.0, 300.0, 50.0],
    "leads": [20.0, 10.0, 0.0],
}


def test_cost_per_lead_is_a_ratio_of_sums():
    rows = rows_of(THREE_DAYS)
    window = {"start": date(2026, 3, 2), "end": date(2026, 3, 4)}

    # (100 + 300 + 50) / (20 + 10 + 0) = 450 / 30 = 15.00,
    # not the mean of the daily ratios (5 + 30) / 2 = 17.50
    assert metric_value(ADS, "cost_per_lead", rows, **window) == pytest.approx(15.0)

    daily = metric_series(ADS, "cost_per_lead", rows, period="day", **window)
    # 100 / 20 = 5; 300 / 10 = 30; 50 / 0 has no value
    np.testing.assert_array_equal(daily["value"].to_numpy(), [5.0, 30.0, np.nan])


def test_ratio_of_sums_per_month():
    rows = rows_of(
        {
            "date": ["2026-01-05", "2026-01-20", "2026-02-10", "2026-03-03"],
            "spend": [100.0, 300.0, 0.0, 60.0],
            "leads": [10.0, 5.0, 0.0, 4.0],
        }
    )

    monthly = metric_series(
        ADS,
        "cost_per_lead",
        rows,
        period="month",
        start=date(2026, 1, 1),
        end=date(2026, 3, 31),
    )

    # Jan (100 + 300) / (10 + 5) = 26.67; Feb 0 / 0 none; Mar 60 / 4 = 15
    np.testing.assert_allclose(monthly["value"], [400 / 15, np.nan, 15.0])
    quarter = metric_value(
        ADS, "cost_per_lead", rows, start=date(2026, 1, 1), end=date(2026, 3, 31)
    )
    assert quarter == pytest.approx(460 / 19)  # (400 + 0 + 60) / (15 + 0 + 4)


def test_nested_derived_metrics():
    defs = definitions(
        base("revenue", "amount"),
        base("cost", "spend"),
        derived("profit", "revenue - cost"),
        derived("margin", "profit / revenue"),
        derived("margin_pct", "100 * margin"),
    )
    rows = rows_of(
        {
            "date": ["2026-03-02", "2026-03-03"],
            "amount": [300.0, 100.0],
            "spend": [200.0, 100.0],
        }
    )

    value = metric_value(defs, "margin_pct", rows, **MARCH)

    # (400 - 300) / 400 = 0.25 -> 25 %
    assert value == pytest.approx(25.0)
    assert [m.name for m in metric_inputs(defs, "margin_pct")] == ["cost", "revenue"]


def test_tickets_per_rep_divides_by_distinct_reps_each_week():
    defs = definitions(
        base("tickets", "tickets"),
        base("reps", "rep", "nunique"),
        derived("tickets_per_rep", "tickets / reps"),
    )
    rows = rows_of(
        {
            "date": [
                "2026-03-02",
                "2026-03-03",
                "2026-03-04",
                "2026-03-09",
                "2026-03-10",
                "2026-03-11",
                "2026-03-12",
            ],
            "rep": ["ann", "ann", "bob", "ann", "bob", "cy", ""],
            "tickets": [30.0, 20.0, 40.0, 10.0, 20.0, 30.0, 5.0],
        }
    )

    weekly = metric_series(
        defs,
        "tickets_per_rep",
        rows,
        period="week",
        start=date(2026, 3, 2),
        end=date(2026, 3, 22),
    )

    # week 1: (30 + 20 + 40) / {ann, bob} = 90 / 2 = 45
    # week 2: (10 + 20 + 30 + 5) / {ann, bob, cy} = 65 / 3 (blank rep not a rep)
    # week 3: no rows -> 0 / 0, no value
    np.testing.assert_allclose(weekly["value"], [45.0, 65 / 3, np.nan])


def test_derived_metric_over_two_datasets():
    defs = Definitions(
        metrics=(
            Metric("spend", "Spend", dataset="ads", column="spend"),
            Metric(
                "signups", "Signups", dataset="crm", column=None, aggregation="count"
            ),
            derived("cost_per_signup", "spend / signups"),
        )
    )
    ads = clean_frame({"date": ["2026-03-02", "2026-03-09"], "spend": [90.0, 30.0]})
    crm = clean_frame({"date": ["2026-03-03", "2026-03-04", "2026-03-05"]})
    rows = {"ads": Rows(MAPPING, ads), "crm": Rows(ColumnMapping(date="date"), crm)}

    weekly = metric_series(
        defs,
        "cost_per_signup",
        rows,
        period="week",
        start=date(2026, 3, 2),
        end=date(2026, 3, 15),
    )

    # week of 03-02: 90 / 3 signups = 30; week of 03-09: 30 / 0 -> no value
    np.testing.assert_array_equal(weekly["value"].to_numpy(), [30.0, np.nan])


# --- shared cases ------------------------------------------------------------------


def read_case_21() -> dict[str, Rows]:
    frame = pd.read_csv(shared_case("21-ratio-of-sums") / "weekly_team.csv")
    # "2025-W10" -> the Monday of that ISO week, 2025-03-03
    frame["week"] = pd.to_datetime(frame["week"] + "-1", format="%G-W%V-%u")
    frame = frame.astype(
        {
            "week": "datetime64[ns]",
            "team": "str",
            "spend": "float64",
            "leads": "float64",
            "visits": "float64",
        }
    )
    mapping = ColumnMapping(
        date="week",
        dimensions=("team",),
        numbers=("spend", "leads", "visits"),
        team="team",
    )
    return {"weekly": Rows(mapping, frame)}


CASE_21 = Definitions(
    metrics=(
        Metric("spend", "Spend", dataset="weekly", column="spend"),
        Metric("leads", "Leads", dataset="weekly", column="leads"),
        Metric("visits", "Visits", dataset="weekly", column="visits"),
        derived("cost_per_lead", "spend / leads"),
        derived("conversion", "leads / visits"),
    )
)
CASE_21_WINDOW = {"start": date(2025, 3, 3), "end": date(2025, 3, 16)}  # W10..W11


@pytest.mark.parametrize(
    ("team", "cost_per_lead", "conversion"),
    [
        ("North", 1100 / 51, 51 / 2080),  # 21.57, 2.45 %
        ("South", 3500 / 140, 140 / 6400),  # 25.00, 2.19 %
        (None, 4600 / 191, 191 / 8480),  # 24.08, 2.25 %
    ],
)
def test_case_21_ratio_of_sums(team, cost_per_lead, conversion):
    rows = read_case_21()
    where = Slice(team=team)

    cpl = metric_value(CASE_21, "cost_per_lead", rows, where=where, **CASE_21_WINDOW)
    rate = metric_value(CASE_21, "conversion", rows, where=where, **CASE_21_WINDOW)

    assert cpl == pytest.approx(cost_per_lead)
    assert rate == pytest.approx(conversion)


def test_case_21_table_as_expected_md_prints_it():
    rows = read_case_21()

    table = breakdown(CASE_21, "cost_per_lead", rows, by="team", **CASE_21_WINDOW)
    overall = metric_value(CASE_21, "cost_per_lead", rows, **CASE_21_WINDOW)

    assert dict(zip(table["team"], table["value"].round(2), strict=True)) == {
        "South": 25.00,
        "North": 21.57,
    }
    assert round(overall, 2) == 24.08  # not 42.50, the mean of row ratios


def test_case_21_weeks_roll_up_to_the_month():
    rows = read_case_21()

    weekly = metric_series(
        CASE_21, "cost_per_lead", rows, period="week", **CASE_21_WINDOW
    )
    monthly = metric_series(
        CASE_21, "cost_per_lead", rows, period="month", **CASE_21_WINDOW
    )

    # W10: (1000 + 2000) / (50 + 80) = 23.08; W11: (100 + 1500) / (1 + 60) = 26.23
    np.testing.assert_allclose(weekly["value"], [3000 / 130, 1600 / 61])
    np.testing.assert_allclose(monthly["value"], [4600 / 191])


def read_case_22() -> dict[str, Rows]:
    frame = pd.read_csv(shared_case("22-zero-denominators") / "monthly.csv")
    frame["month"] = pd.to_datetime(frame["month"], format="%Y-%m")
    frame = frame.astype(
        {
            "month": "datetime64[ns]",
            "team": "str",
            "spend": "float64",
            "leads": "float64",
        }
    )
    mapping = ColumnMapping(
        date="month", dimensions=("team",), numbers=("spend", "leads"), team="team"
    )
    return {"monthly": Rows(mapping, frame)}


CASE_22 = Definitions(
    metrics=(
        Metric("spend", "Spend", dataset="monthly", column="spend"),
        Metric("leads", "Leads", dataset="monthly", column="leads"),
        derived("cost_per_lead", "spend / leads"),
    )
)


def test_case_22_zero_denominators_give_no_value():
    rows = read_case_22()
    window = {"start": date(2025, 1, 1), "end": date(2025, 2, 28)}

    monthly = metric_series(
        CASE_22, "cost_per_lead", rows, period="month", by="team", **window
    )
    total = metric_value(CASE_22, "cost_per_lead", rows, **window)

    values = {
        (f"{row.bucket:%Y-%m}", row.team): row.value for row in monthly.itertuples()
    }
    assert values["2025-02", "Web"] == pytest.approx(50.0)  # 500 / 10
    for key in [("2025-01", "Web"), ("2025-01", "Partners"), ("2025-02", "Partners")]:
        assert np.isnan(values[key])  # 0/0, 300/0, 0/0
    assert not np.isinf(monthly["value"]).any()
    assert total == pytest.approx(80.0)  # (0 + 500 + 300 + 0) / (0 + 10 + 0 + 0)


# --- definitions: inputs, cycles, validation ------------------------------------------


def test_metric_inputs_of_a_base_metric_is_itself():
    assert metric_inputs(ADS, "spend") == [ADS.metric("spend")]
    assert [m.name for m in metric_inputs(ADS, "cost_per_lead")] == ["leads", "spend"]


@pytest.mark.parametrize(
    ("metrics", "message"),
    [
        ((derived("a", "a + 1"),), r'"a" depends on itself \(a -> a\)'),
        (
            (derived("a", "b * 2"), derived("b", "c + 1"), derived("c", "a / 3")),
            r'"a" depends on itself \(a -> b -> c -> a\)',
        ),
    ],
)
def test_cycles_are_refused(metrics, message):
    defs = definitions(*metrics)
    rows = rows_of(THREE_DAYS)

    with pytest.raises(DefinitionError, match=message) as caught:
        metric_value(defs, "a", rows, **MARCH)
    assert caught.value.reason == "formula_cycle"
    with pytest.raises(DefinitionError, match=message):
        metric_inputs(defs, "a")


@pytest.mark.parametrize(
    ("metric", "reason", "message"),
    [
        (base("m", "spend", "average"), "unknown_aggregation", 'aggregation "average"'),
        (base("m", "spend", unit="euros"), "unknown_unit", 'unit "euros"'),
        (base("m", "spend", direction="up"), "unknown_direction", 'direction "up"'),
        (
            Metric("Cost per lead", "x", dataset="ds", column="spend"),
            "bad_metric_name",
            "cannot be used in formulas",
        ),
        (derived("m", "spend / visits"), "unknown_metric", 'no metric named "visits"'),
        (
            derived("m", "spend ** 2"),
            "formula_not_allowed",
            r'"spend \*\* 2" is not allowed',
        ),
        (
            derived("leads", "cost_per_lead * 2"),
            "formula_cycle",
            "leads -> cost_per_lead -> leads",
        ),
        (
            Metric("m", "m", column="spend"),
            "no_dataset",
            "neither a dataset nor a formula",
        ),
        (base("m", None, "sum"), "no_column", "names no column"),
        (
            Metric("m", "m", dataset="crm", column="spend"),
            "unknown_dataset",
            'dataset "crm"',
        ),
        (base("m", "cost"), "unknown_column", 'column "cost"'),
        (
            base("m", "spend", filters=(Filter("region", "EU"),)),
            "unknown_column",
            'column "region"',
        ),
        (base("m", "team", "mean"), "not_a_number_column", 'column "team"'),
    ],
)
def test_validate_metric_refuses(metric, reason, message):
    with pytest.raises(DefinitionError, match=message) as caught:
        validate_metric(ADS, metric, {"ds": MAPPING})
    assert caught.value.reason == reason


@pytest.mark.parametrize(
    "metric",
    [
        base("m", "spend", "mean"),
        base("m", None, "count"),
        base("m", "rep", "nunique"),
        base("m", "spend", filters=(Filter("channel", "paid"),)),
        derived("m", "cost_per_lead * 100"),
        # an edit that replaces an existing metric is checked as edited
        derived("cost_per_lead", "spend / (leads + 1)"),
    ],
)
def test_validate_metric_accepts(metric):
    validate_metric(ADS, metric, {"ds": MAPPING})
    validate_metric(ADS, metric)


def test_formula_errors_are_definition_errors():
    assert issubclass(FormulaError, DefinitionError)


@pytest.mark.parametrize(
    ("metric", "reason", "message"),
    [
        (base("m", "cost"), "unknown_column", 'column "cost"'),
        (base("m", "team", "sum"), "not_a_number_column", 'column "team"'),
        (base("m", "spend", "total"), "unknown_aggregation", 'aggregation "total"'),
        (
            base("m", "spend", filters=(Filter("region", "EU"),)),
            "unknown_column",
            'filter on column "region"',
        ),
    ],
)
def test_computing_reports_definition_problems(metric, reason, message):
    with pytest.raises(DefinitionError, match=message) as caught:
        metric_value(definitions(metric), "m", rows_of(CAMPAIGNS), **MARCH)
    assert caught.value.reason == reason


def test_computing_needs_the_dataset_and_the_metric():
    with pytest.raises(DefinitionError, match='reads dataset "ds", which is not '):
        metric_value(ADS, "spend", {}, **MARCH)
    with pytest.raises(DefinitionError, match='no metric named "clicks"') as caught:
        metric_value(ADS, "clicks", rows_of(CAMPAIGNS), **MARCH)
    assert caught.value.reason == "unknown_metric"


def test_window_must_not_end_before_it_starts():
    with pytest.raises(DefinitionError, match="ends .* before it starts") as caught:
        metric_value(
            ADS,
            "spend",
            rows_of(CAMPAIGNS),
            start=date(2026, 3, 5),
            end=date(2026, 3, 1),
        )
    assert caught.value.reason == "bad_time_frame"


# --- promises about inputs and speed --------------------------------------------------


def test_inputs_are_not_mutated():
    rows = rows_of(CAMPAIGNS)
    before = rows["ds"].frame.copy()

    metric_series(
        ADS, "spend", rows, period="week", by="team", where=Slice(team="North"), **MARCH
    )
    breakdown(ADS, "spend", rows, by="rep", **MARCH)
    metric_value(ADS, "spend", rows, **MARCH)

    pd.testing.assert_frame_equal(rows["ds"].frame, before)


def test_repeated_index_labels_do_not_matter():
    rows = rows_of(SALES)
    frame = rows["ds"].frame.set_axis([0, 0, 1, 1, 1])
    defs = definitions(base("m", "amount", "last"), base("n", "rep", "nunique"))
    rows = {"ds": Rows(MAPPING, frame)}

    assert metric_value(defs, "m", rows, **MARCH) == 7.0
    assert metric_value(defs, "n", rows, **MARCH) == 3.0


def test_a_large_frame_aggregates_by_month_quickly():
    size = 100_000
    generator = np.random.default_rng(7)
    offsets = pd.to_timedelta(generator.integers(0, 3 * 365, size), unit="D")
    data = {
        "date": (TS("2023-01-01") + offsets).astype("datetime64[ns]"),
        "team": pd.Series(
            generator.choice(["North", "South", "East"], size), dtype="str"
        ),
        "rep": pd.Series(generator.choice(list("abcdefghij"), size), dtype="str"),
    }
    for number in range(27):
        data[f"n{number}"] = generator.random(size)
    frame = pd.DataFrame(data)
    mapping = ColumnMapping(
        date="date",
        dimensions=("team", "rep"),
        numbers=tuple(f"n{i}" for i in range(27)),
        team="team",
    )
    rows = {"ds": Rows(mapping, frame)}
    defs = definitions(base("m", "n3"))
    window = {"start": date(2023, 1, 1), "end": date(2025, 12, 31)}

    monthly = metric_series(defs, "m", rows, period="month", **window)

    assert len(monthly) == 36
    assert monthly["value"].sum() == pytest.approx(frame["n3"].sum())
