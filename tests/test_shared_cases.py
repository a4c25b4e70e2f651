"""The shared cases 19, 21, 22 and 23 (../shared/cases) through kpi.

Each case folder holds input files and an expected.md. The inputs are read
the way the upload page reads them (read_table -> clean_rows with a column
mapping), and every value expected.md lists is asserted through the library.
Expected numbers are worked out by hand in comments, or with plain pandas on
the same file, never taken from the code under test.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kpi.charts import kpi_chart
from kpi.compare import change_between, comparison_windows, like_for_like
from kpi.evaluate import KpiReport, evaluate_kpi
from kpi.formatting import NO_VALUE, format_change, format_fraction, format_value
from kpi.metrics import Rows, Slice, breakdown, metric_series, metric_value
from kpi.model import KPI, ColumnMapping, Definitions, Metric, Target
from kpi.periods import period_label
from kpi.progress import safe_ratio
from kpi.reading import clean_rows, read_table
from kpi.settings import WorkspaceSettings

CASES = Path(__file__).resolve().parents[2] / "shared" / "cases"
FORBIDDEN_TEXT = ("inf", "nan", "infinity")


def case_path(folder: str, file_name: str) -> Path:
    if not (CASES / folder).is_dir():
        pytest.skip(f"shared case folder {CASES / folder} is missing")
    return CASES / folder / file_name


def case_rows(folder: str, file_name: str, mapping: ColumnMapping) -> dict[str, Rows]:
    """The case file read as an upload: dataset "data" with ``mapping``."""
    path = case_path(folder, file_name)
    raw = read_table(file_name, path.read_bytes())
    return {"data": Rows(mapping, clean_rows(raw, mapping))}


def plain_frame(folder: str, file_name: str) -> pd.DataFrame:
    """The same file read with nothing but pandas, for independent sums."""
    return pd.read_csv(case_path(folder, file_name))


# ---------------------------------------------------------------------------
# 19 - week numbers around New Year
# ---------------------------------------------------------------------------

WEEKS = "19-iso-week-year-boundary"
TICKETS_MAPPING = ColumnMapping(
    date="date", dimensions=("team",), numbers=("tickets",), team="team"
)
TICKETS = Definitions(metrics=(Metric("tickets", "Tickets", "data", "tickets"),))
FIRST_DAY, LAST_DAY = date(2024, 12, 26), date(2025, 1, 7)

# Monday weeks: W52 (23-29 Dec) holds 26-29 Dec: 4 + 6 + 3 + 2 = 15;
# W01 (30 Dec-5 Jan): 5 + 7 + 1 + 8 + 6 + 4 + 3 = 34; W02 (6-12 Jan): 9 + 5 = 14.
ISO_WEEKS = [
    ("2024-12-23", "2024-W52", 15.0),
    ("2024-12-30", "2025-W01", 34.0),
    ("2025-01-06", "2025-W02", 14.0),
]
# Sunday weeks: 22-28 Dec: 4 + 6 + 3 = 13; 29 Dec-4 Jan: 2 + 5 + 7 + 1 + 8 + 6 + 4
# = 33; 5-11 Jan: 3 + 9 + 5 = 17.
SUNDAY_WEEKS = [
    ("2024-12-22", "Week of 2024-12-22", 13.0),
    ("2024-12-29", "Week of 2024-12-29", 33.0),
    ("2025-01-05", "Week of 2025-01-05", 17.0),
]
# Calendar year paired with the ISO week number: 30-31 Dec (5 + 7 = 12) land
# in a "2024 week 1" of their own, and 1-5 Jan (1 + 8 + 6 + 4 + 3 = 22) in
# "2025 week 1".
FORBIDDEN_WEEKS = {(2024, 52): 15, (2024, 1): 12, (2025, 1): 22, (2025, 2): 14}


@pytest.mark.parametrize(
    ("week_start", "expected"),
    [("monday", ISO_WEEKS), ("sunday", SUNDAY_WEEKS)],
)
def test_weeks_across_new_year(week_start: str, expected: list) -> None:
    rows = case_rows(WEEKS, "daily.csv", TICKETS_MAPPING)

    series = metric_series(
        TICKETS,
        "tickets",
        rows,
        period="week",
        start=FIRST_DAY,
        end=LAST_DAY,
        week_start=week_start,
    )

    labels = [period_label(bucket, "week", week_start) for bucket in series["bucket"]]
    days = series["bucket"].dt.strftime("%Y-%m-%d")
    found = list(zip(days, labels, series["value"], strict=True))
    assert found == expected


@pytest.mark.parametrize(
    ("week_start", "pandas_week"),
    # A pandas weekly period named by its last day: W-SUN weeks run Monday to
    # Sunday, W-SAT weeks Sunday to Saturday.
    [("monday", "W-SUN"), ("sunday", "W-SAT")],
)
def test_weeks_match_plain_pandas(week_start: str, pandas_week: str) -> None:
    plain = plain_frame(WEEKS, "daily.csv")
    days = pd.to_datetime(plain["date"])
    by_week = plain.groupby(days.dt.to_period(pandas_week))["tickets"].sum()
    expected = [
        (week.start_time.strftime("%Y-%m-%d"), float(total))
        for week, total in by_week.items()
    ]

    series = metric_series(
        TICKETS,
        "tickets",
        case_rows(WEEKS, "daily.csv", TICKETS_MAPPING),
        period="week",
        start=FIRST_DAY,
        end=LAST_DAY,
        week_start=week_start,
    )

    days = series["bucket"].dt.strftime("%Y-%m-%d")
    found = list(zip(days, series["value"], strict=True))
    assert found == expected


def test_calendar_year_with_iso_week_grouping_never_appears() -> None:
    plain = plain_frame(WEEKS, "daily.csv")
    days = pd.to_datetime(plain["date"])
    wrong = plain.groupby([days.dt.year, days.dt.isocalendar().week])["tickets"].sum()
    assert {key: int(value) for key, value in wrong.items()} == FORBIDDEN_WEEKS

    series = metric_series(
        TICKETS,
        "tickets",
        case_rows(WEEKS, "daily.csv", TICKETS_MAPPING),
        period="week",
        start=FIRST_DAY,
        end=LAST_DAY,
    )

    labels = [period_label(bucket, "week") for bucket in series["bucket"]]
    assert "2024-W01" not in labels
    assert len(series) == 3 != len(FORBIDDEN_WEEKS)
    # 12 and 22 only exist when 30-31 December are split from 1-5 January.
    assert not set(series["value"]) & {12.0, 22.0}
    assert series["value"].sum() == plain["tickets"].sum()


@pytest.mark.parametrize(
    ("settings", "start", "end", "labels"),
    [
        (
            WorkspaceSettings(),
            date(2024, 12, 23),
            date(2025, 1, 12),
            ["2024-W52", "2025-W01", "2025-W02"],
        ),
        (
            WorkspaceSettings(week_start="sunday"),
            date(2024, 12, 22),
            date(2025, 1, 11),
            ["Week of 2024-12-22", "Week of 2024-12-29", "Week of 2025-01-05"],
        ),
    ],
)
def test_weekly_chart_is_ordered_by_week_start(
    settings: WorkspaceSettings, start: date, end: date, labels: list[str]
) -> None:
    # 2 tickets a week; judged on 7 January, the last week is the running one.
    weekly = KPI(
        "tickets", "Tickets", "tickets", Target("per_period", 2, "week"), start, end
    )

    report = evaluate_kpi(
        weekly,
        TICKETS,
        case_rows(WEEKS, "daily.csv", TICKETS_MAPPING),
        today=LAST_DAY,
        settings=settings,
    )

    series = report.series
    assert series["bucket"].is_monotonic_increasing
    assert series["label"].tolist() == labels
    assert series["partial"].tolist() == [False, False, True]

    spec = kpi_chart(series, unit="number", cumulative=False).to_dict()
    assert spec["layer"][0]["encoding"]["x"]["type"] == "temporal"
    (points,) = spec["datasets"].values()
    days = [point["day"] for point in points]
    assert days == sorted(days) == series["bucket"].dt.strftime("%Y-%m-%d").tolist()


# ---------------------------------------------------------------------------
# 21 - averaging ratios instead of dividing sums
# ---------------------------------------------------------------------------

RATIOS = "21-ratio-of-sums"
WEEKLY_MAPPING = ColumnMapping(
    date="week",
    dimensions=("team",),
    numbers=("spend", "leads", "visits"),
    team="team",
)
FUNNEL = Definitions(
    metrics=(
        Metric("spend", "Spend", "data", "spend", unit="currency", direction="lower"),
        Metric("leads", "Leads", "data", "leads"),
        Metric("visits", "Visits", "data", "visits"),
        Metric(
            "cost_per_lead",
            "Cost per lead",
            formula="spend / leads",
            unit="currency",
            direction="lower",
        ),
        Metric("conversion", "Conversion", formula="leads / visits", unit="percent"),
    )
)
# 2025-W10 starts Monday 3 March, 2025-W11 ends Sunday 16 March.
WEEKS_10_11 = (date(2025, 3, 3), date(2025, 3, 16))

# North: 1000 + 100 = 1100 spend, 50 + 1 = 51 leads, 2000 + 80 = 2080 visits;
# 1100 / 51 = 21.5686; 51 / 2080 = 2.4519 %.
# South: 2000 + 1500 = 3500, 80 + 60 = 140, 4000 + 2400 = 6400; 3500 / 140 =
# 25.00; 140 / 6400 = 2.1875 %.
# All: 4600, 191, 8480; 4600 / 191 = 24.0838; 191 / 8480 = 2.2524 %.
LEVELS = [
    ("North", 1100, 51, 2080, 21.57, "$21.57", 2.45),
    ("South", 3500, 140, 6400, 25.00, "$25.00", 2.19),
    (None, 4600, 191, 8480, 24.08, "$24.08", 2.25),
]


@pytest.mark.parametrize(
    ("team", "spend", "leads", "visits", "cpl", "cpl_shown", "conversion_pct"),
    LEVELS,
)
def test_ratio_of_sums_per_team_and_overall(
    team: str | None,
    spend: float,
    leads: float,
    visits: float,
    cpl: float,
    cpl_shown: str,
    conversion_pct: float,
) -> None:
    rows = case_rows(RATIOS, "weekly_team.csv", WEEKLY_MAPPING)
    start, end = WEEKS_10_11

    def value(metric: str) -> float | None:
        return metric_value(
            FUNNEL, metric, rows, start=start, end=end, where=Slice(team=team)
        )

    assert (value("spend"), value("leads"), value("visits")) == (spend, leads, visits)
    cost_per_lead = value("cost_per_lead")
    conversion = value("conversion")
    assert cost_per_lead is not None and conversion is not None
    assert round(cost_per_lead, 2) == cpl
    assert format_value(cost_per_lead, "currency") == cpl_shown
    assert round(conversion * 100, 2) == conversion_pct


def test_ratio_of_sums_is_not_the_mean_of_row_ratios() -> None:
    plain = plain_frame(RATIOS, "weekly_team.csv")
    row_cpl = plain["spend"] / plain["leads"]
    row_conversion = plain["leads"] / plain["visits"]
    # Rows: 1000/50 = 20, 100/1 = 100, 2000/80 = 25, 1500/60 = 25.
    assert row_cpl.mean() == pytest.approx(42.50)
    assert row_cpl[plain["team"] == "North"].mean() == pytest.approx(60.00)
    # Rows: 2.5 %, 1.25 %, 2.0 %, 2.5 %; mean 8.25 / 4 = 2.0625 %.
    assert row_conversion.mean() == pytest.approx(0.020625)

    rows = case_rows(RATIOS, "weekly_team.csv", WEEKLY_MAPPING)
    start, end = WEEKS_10_11
    overall = metric_value(FUNNEL, "cost_per_lead", rows, start=start, end=end)
    north = metric_value(
        FUNNEL, "cost_per_lead", rows, start=start, end=end, where=Slice("North")
    )
    conversion = metric_value(FUNNEL, "conversion", rows, start=start, end=end)

    assert overall == pytest.approx(4600 / 191)
    assert overall != pytest.approx(row_cpl.mean())
    assert north != pytest.approx(60.00)
    assert conversion != pytest.approx(row_conversion.mean())


def test_ratio_of_sums_in_a_breakdown_by_team() -> None:
    start, end = WEEKS_10_11

    table = breakdown(
        FUNNEL,
        "cost_per_lead",
        case_rows(RATIOS, "weekly_team.csv", WEEKLY_MAPPING),
        start=start,
        end=end,
        by="team",
    )

    # Largest first: South 25.00, then North 1100 / 51 = 21.57.
    assert table["team"].tolist() == ["South", "North"]
    assert table["value"].round(2).tolist() == [25.00, 21.57]


@pytest.mark.parametrize("period", ["week", "month", "quarter", "year"])
def test_ratio_of_sums_holds_for_every_roll_up_period(period: str) -> None:
    rows = case_rows(RATIOS, "weekly_team.csv", WEEKLY_MAPPING)
    start, end = WEEKS_10_11

    series = metric_series(
        FUNNEL, "cost_per_lead", rows, period=period, start=start, end=end
    )

    # By week: W10 (1000 + 2000) / (50 + 80) = 23.08, W11 (100 + 1500) /
    # (1 + 60) = 26.23; any longer period holds both weeks: 4600 / 191 = 24.08.
    expected = [23.08, 26.23] if period == "week" else [24.08]
    assert series["value"].round(2).tolist() == expected


# ---------------------------------------------------------------------------
# 22 - ratios and changes with a zero underneath
# ---------------------------------------------------------------------------

ZEROS = "22-zero-denominators"
MONTHLY_MAPPING = ColumnMapping(
    date="month",
    dimensions=("team",),
    numbers=("spend", "leads", "target_leads"),
    team="team",
)
LEADS = Definitions(
    metrics=(
        *FUNNEL.metrics[:2],
        FUNNEL.metrics[3],
        Metric("target_leads", "Target leads", "data", "target_leads"),
    )
)
MONTHS = {
    "2024-12": (date(2024, 12, 1), date(2024, 12, 31)),
    "2025-01": (date(2025, 1, 1), date(2025, 1, 31)),
    "2025-02": (date(2025, 2, 1), date(2025, 2, 28)),
}
BOTH_MONTHS = (date(2025, 1, 1), date(2025, 2, 28))


def zero_rows() -> dict[str, Rows]:
    return case_rows(ZEROS, "monthly.csv", MONTHLY_MAPPING)


def month_value(metric: str, team: str | None, month: str) -> float | None:
    start, end = MONTHS[month]
    return metric_value(
        LEADS, metric, zero_rows(), start=start, end=end, where=Slice(team=team)
    )


@pytest.mark.parametrize(
    ("team", "month", "cost_per_lead", "shown"),
    [
        ("Web", "2025-01", None, NO_VALUE),  # 0 / 0
        ("Web", "2025-02", 50.00, "$50.00"),  # 500 / 10
        ("Partners", "2025-01", None, NO_VALUE),  # 300 / 0
        ("Partners", "2025-02", None, NO_VALUE),  # 0 / 0
    ],
)
def test_cost_per_lead_with_zero_leads_is_no_value(
    team: str, month: str, cost_per_lead: float | None, shown: str
) -> None:
    found = month_value("cost_per_lead", team, month)

    assert found == cost_per_lead
    assert format_value(found, "currency") == shown


@pytest.mark.parametrize(
    ("team", "month", "previous_month", "absolute", "percent", "shown"),
    [
        # First month: December 2024 has no rows, so there is nothing to compare.
        ("Web", "2025-01", "2024-12", None, None, (NO_VALUE, NO_VALUE)),
        # 0 -> 10: +10, and no percent (10 / 0 would be infinite).
        ("Web", "2025-02", "2025-01", 10.0, None, ("+10", NO_VALUE)),
        ("Partners", "2025-01", "2024-12", None, None, (NO_VALUE, NO_VALUE)),
        # 0 -> 0: no change at all, 0.0 %.
        ("Partners", "2025-02", "2025-01", 0.0, 0.0, ("+0", "0.0%")),
    ],
)
def test_leads_change_against_a_zero_or_missing_month(
    team: str,
    month: str,
    previous_month: str,
    absolute: float | None,
    percent: float | None,
    shown: tuple[str, str],
) -> None:
    current = month_value("leads", team, month)
    previous = month_value("leads", team, previous_month)

    delta = change_between(current, previous)

    assert (delta.absolute, delta.percent) == (absolute, percent)
    assert (
        format_change(delta.absolute, "number"),
        format_fraction(delta.percent),
    ) == (shown)


@pytest.mark.parametrize(
    ("team", "absolute", "percent"),
    [("Web", 10.0, None), ("Partners", 0.0, 0.0)],
)
def test_like_for_like_february_against_january(
    team: str, absolute: float, percent: float | None
) -> None:
    # On 28 February with whole periods: February against January.
    delta = like_for_like(
        LEADS,
        "leads",
        zero_rows(),
        today=date(2025, 2, 28),
        where=Slice(team=team),
        whole_periods=True,
    )

    assert (delta.absolute, delta.percent) == (absolute, percent)


@pytest.mark.parametrize(
    ("team", "month", "progress", "shown"),
    [
        ("Web", "2025-01", 0.0, "0.0%"),  # 0 of 10
        ("Web", "2025-02", 1.0, "100.0%"),  # 10 of 10
        ("Partners", "2025-01", 0.0, "0.0%"),  # 0 of 5
        ("Partners", "2025-02", None, NO_VALUE),  # target 0
    ],
)
def test_progress_to_a_monthly_target(
    team: str, month: str, progress: float | None, shown: str
) -> None:
    # The per-team monthly targets come from the file's target_leads column
    # until the target table (kpi/target_plan.py) holds them.
    found = safe_ratio(
        month_value("leads", team, month), month_value("target_leads", team, month)
    )

    assert found == progress
    assert format_fraction(found) == shown


def test_team_totals_still_compute() -> None:
    start, end = BOTH_MONTHS

    def total(metric: str) -> float | None:
        return metric_value(LEADS, metric, zero_rows(), start=start, end=end)

    # Spend 0 + 500 + 300 + 0 = 800; leads 0 + 10 + 0 + 0 = 10; 800 / 10 = 80.00.
    assert (total("spend"), total("leads")) == (800.0, 10.0)
    assert total("cost_per_lead") == 80.00
    assert format_value(total("cost_per_lead"), "currency") == "$80.00"
    # Targets 10 + 10 + 5 + 0 = 25; progress 10 / 25 = 40.0 %.
    progress = safe_ratio(total("leads"), total("target_leads"))
    assert progress == pytest.approx(0.40)
    assert format_fraction(progress) == "40.0%"


def test_sorting_by_cost_per_lead_puts_no_value_last() -> None:
    start, end = BOTH_MONTHS

    table = breakdown(
        LEADS, "cost_per_lead", zero_rows(), start=start, end=end, by="team"
    )

    # Web 500 / 10 = 50.00; Partners 300 / 0 has no value and goes last.
    assert table["team"].tolist() == ["Web", "Partners"]
    assert table["value"].iloc[0] == 50.00
    assert np.isnan(table["value"].iloc[1])


def test_no_inf_or_nan_text_in_formatted_or_exported_output() -> None:
    rows = zero_rows()
    start, end = BOTH_MONTHS
    series = metric_series(
        LEADS, "cost_per_lead", rows, period="month", start=start, end=end, by="team"
    )
    assert not np.isinf(series["value"]).any()

    cells = []
    for team in ("Web", "Partners"):
        for month, previous in (("2025-01", "2024-12"), ("2025-02", "2025-01")):
            delta = change_between(
                month_value("leads", team, month), month_value("leads", team, previous)
            )
            progress = safe_ratio(
                month_value("leads", team, month),
                month_value("target_leads", team, month),
            )
            cells.append(
                {
                    "team": team,
                    "month": month,
                    "cost per lead": format_value(
                        month_value("cost_per_lead", team, month), "currency"
                    ),
                    "change": format_change(delta.absolute, "number"),
                    "change %": format_fraction(delta.percent),
                    "progress": format_fraction(progress),
                }
            )
    cells += [
        {"cost per lead": format_value(value, "currency")} for value in series["value"]
    ]
    exported = pd.DataFrame(cells).fillna("").to_csv(index=False)

    for text in FORBIDDEN_TEXT:
        assert text not in exported.lower()


# ---------------------------------------------------------------------------
# 23 - comparing an unfinished month with a finished one
# ---------------------------------------------------------------------------

PARTIAL = "23-partial-current-period"
DAILY_MAPPING = ColumnMapping(
    date="date", dimensions=("team",), numbers=("leads",), team="team"
)
DAILY_LEADS = Definitions(metrics=(Metric("leads", "Leads", "data", "leads"),))


def as_of() -> date:
    return date.fromisoformat(case_path(PARTIAL, "as_of.txt").read_text().strip())


def daily_rows() -> dict[str, Rows]:
    return case_rows(PARTIAL, "daily_leads.csv", DAILY_MAPPING)


def test_as_of_is_twelfth_of_march() -> None:
    assert as_of() == date(2025, 3, 12)


def test_month_totals_match_plain_pandas() -> None:
    plain = plain_frame(PARTIAL, "daily_leads.csv")
    days = pd.to_datetime(plain["date"])
    rows = daily_rows()

    february = metric_value(
        DAILY_LEADS, "leads", rows, start=date(2025, 2, 1), end=date(2025, 2, 28)
    )
    march = metric_value(
        DAILY_LEADS, "leads", rows, start=date(2025, 3, 1), end=as_of()
    )

    # Feb 1-12: 6+7+12+13+14+12+13+7+5+13+14+12 = 128; Feb 13-28:
    # 13+14+5+6+14+12+13+14+12+6+7+12+13+14+12+13 = 180; 128 + 180 = 308.
    # March 1-12 repeats February 1-12: 128.
    assert (february, march) == (308.0, 128.0)
    assert february == plain.loc[days.dt.month == 2, "leads"].sum()
    assert march == plain.loc[days.dt.month == 3, "leads"].sum()


def test_like_for_like_month_is_flat_not_a_crash() -> None:
    delta = like_for_like(DAILY_LEADS, "leads", daily_rows(), today=as_of())

    # March 1-12 (128) against February 1-12 (128): 0 and +0.0 %.
    assert (delta.current, delta.previous) == (128.0, 128.0)
    assert (delta.absolute, delta.percent) == (0.0, 0.0)
    assert (delta.current_label, delta.previous_label) == (
        "Mar 1–12 2025",
        "Feb 1–12 2025",
    )
    # The wrong headline: 128 / 308 - 1 = -58.4 %.
    naive = change_between(128.0, 308.0)
    assert naive.percent == pytest.approx(-0.584, abs=5e-4)
    assert delta.percent != pytest.approx(naive.percent)


@pytest.mark.parametrize(
    ("period", "current", "previous"),
    [
        (
            "month",
            (date(2025, 3, 1), date(2025, 3, 12)),
            (date(2025, 2, 1), date(2025, 2, 12)),
        ),
        # Wednesday 12 March is day 3 of ISO week 2025-W11 (Monday 10 March).
        (
            "week",
            (date(2025, 3, 10), date(2025, 3, 12)),
            (date(2025, 3, 3), date(2025, 3, 5)),
        ),
        # Day 71 of Q1 (31 + 28 + 12); day 71 of Q4 2024 is 10 December
        # (31 October + 30 November + 10).
        (
            "quarter",
            (date(2025, 1, 1), date(2025, 3, 12)),
            (date(2024, 10, 1), date(2024, 12, 10)),
        ),
    ],
)
def test_comparison_windows_are_like_for_like(
    period: str, current: tuple[date, date], previous: tuple[date, date]
) -> None:
    assert comparison_windows(as_of(), period) == (current, previous)


def test_like_for_like_week_is_flat_not_a_crash() -> None:
    delta = like_for_like(
        DAILY_LEADS, "leads", daily_rows(), today=as_of(), period="week"
    )

    # Mon-Wed 10-12 March: 13 + 14 + 12 = 39; Mon-Wed 3-5 March: 12 + 13 + 14 = 39.
    assert (delta.current, delta.previous, delta.percent) == (39.0, 39.0, 0.0)
    # Against the whole of 2025-W10 (12+13+14+12+13+7+5 = 76) it would read -48.7 %.
    assert change_between(39.0, 76.0).percent == pytest.approx(-0.487, abs=5e-4)


def per_period_report(period: str, target: float) -> KpiReport:
    yearly = KPI(
        "leads",
        "Leads",
        "leads",
        Target("per_period", target, period),
        date(2025, 1, 1),
        date(2025, 12, 31),
        team="North",
    )
    return evaluate_kpi(yearly, DAILY_LEADS, daily_rows(), today=as_of())


@pytest.mark.parametrize(
    ("period", "target", "label", "value", "expected"),
    [
        # 400 × 12 / 31 = 154.84 expected by 12 March; March so far is 128.
        ("month", 400, "Mar 2025", 128.0, 154.84),
        # 70 × 3 / 7 = 30.0 by Wednesday; 13 + 14 + 12 = 39 so far.
        ("week", 70, "2025-W11", 39.0, 30.0),
        # 900 × 71 / 90 = 710.0 by 12 March; Q1 so far: 0 + 308 + 128 = 436.
        ("quarter", 900, "Q1 2025", 436.0, 710.0),
    ],
)
def test_running_period_is_partial_with_a_pro_rated_target(
    period: str, target: float, label: str, value: float, expected: float
) -> None:
    series = per_period_report(period, target).series

    running = series[series["partial"]]
    assert running["label"].tolist() == [label]
    assert running["value"].tolist() == [value]
    assert running["expected"].iloc[0] == pytest.approx(expected, abs=0.005)
    assert series.loc[~series["partial"], "expected"].isna().all()
    targets = series["target"].tolist()
    if period == "week":
        # 2025 starts on a Wednesday and ends on one: 2025-W01 has 5 of its 7
        # days in the frame (1-5 Jan), 2026-W01 3 (29-31 Dec). An additive
        # target is pro-rated there: 70 × 5/7 = 50, 70 × 3/7 = 30.
        assert (targets[0], targets[-1]) == (pytest.approx(50), pytest.approx(30))
        targets = targets[1:-1]
    assert targets == [target] * len(targets)


def test_february_is_finished_and_march_is_partial() -> None:
    series = per_period_report("month", 400).series.set_index("label")

    assert series.loc["Feb 2025", ["value", "partial"]].tolist() == [308.0, False]
    assert series.loc["Mar 2025", ["value", "partial"]].tolist() == [128.0, True]
    assert series.loc[["Jan 2025", "Feb 2025", "Mar 2025"], "partial"].sum() == 1
    assert series.loc["Mar 2025", "expected"] == pytest.approx(400 * 12 / 31)


def test_chart_marks_the_running_month_partial() -> None:
    series = per_period_report("month", 400).series

    spec = kpi_chart(series, unit="number", cumulative=False).to_dict()

    (points,) = spec["datasets"].values()
    states = {point["label"]: point["state"] for point in points}
    assert states["Mar 2025"] == "partial period"
    assert states["Feb 2025"] == ""
