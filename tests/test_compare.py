"""Like-for-like comparisons with the previous period (kpi/compare.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from kpi.compare import (
    bucket_delta,
    change_between,
    comparison_windows,
    like_for_like,
    window_label,
)
from kpi.metrics import Rows, Slice
from kpi.model import ColumnMapping, Definitions, Metric

SHARED = Path(__file__).resolve().parents[2] / "shared"
MAPPING = ColumnMapping(
    date="date",
    dimensions=("team",),
    numbers=("sessions", "spend", "leads"),
    team="team",
)
DEFINITIONS = Definitions(
    metrics=(
        Metric("sessions", "Sessions", "web", "sessions"),
        Metric("spend", "Spend", "web", "spend", direction="lower"),
        Metric("leads", "Leads", "web", "leads"),
        Metric(
            "cost_per_lead",
            "Cost per lead",
            formula="spend / leads",
            direction="lower",
            unit="currency",
        ),
    )
)


def rows(frame: pd.DataFrame) -> dict[str, Rows]:
    frame = frame.assign(
        date=pd.to_datetime(frame["date"]).astype("datetime64[ns]"),
        team=frame["team"].astype("string"),
    )
    for column in MAPPING.numbers:
        frame[column] = frame.get(column, pd.Series(0.0, index=frame.index)).astype(
            float
        )
    return {"web": Rows(MAPPING, frame)}


@pytest.mark.parametrize(
    ("today", "period", "week_start", "whole", "current", "previous"),
    [
        (
            date(2026, 3, 15),
            "month",
            "monday",
            False,
            (date(2026, 3, 1), date(2026, 3, 15)),
            (date(2026, 2, 1), date(2026, 2, 15)),
        ),
        # March 1-31 has 31 days; February stops at its 28th.
        (
            date(2026, 3, 31),
            "month",
            "monday",
            False,
            (date(2026, 3, 1), date(2026, 3, 31)),
            (date(2026, 2, 1), date(2026, 2, 28)),
        ),
        # Wed 11 March 2026: Mon 9 - Wed 11 against Mon 2 - Wed 4.
        (
            date(2026, 3, 11),
            "week",
            "monday",
            False,
            (date(2026, 3, 9), date(2026, 3, 11)),
            (date(2026, 3, 2), date(2026, 3, 4)),
        ),
        (
            date(2026, 3, 11),
            "week",
            "sunday",
            False,
            (date(2026, 3, 8), date(2026, 3, 11)),
            (date(2026, 3, 1), date(2026, 3, 4)),
        ),
        # 1 April - 10 May is 40 days; 1 January + 39 days is 9 February.
        (
            date(2026, 5, 10),
            "quarter",
            "monday",
            False,
            (date(2026, 4, 1), date(2026, 5, 10)),
            (date(2026, 1, 1), date(2026, 2, 9)),
        ),
        (
            date(2026, 3, 15),
            "month",
            "monday",
            True,
            (date(2026, 2, 1), date(2026, 2, 28)),
            (date(2026, 1, 1), date(2026, 1, 31)),
        ),
        (
            date(2026, 3, 31),
            "month",
            "monday",
            True,
            (date(2026, 3, 1), date(2026, 3, 31)),
            (date(2026, 2, 1), date(2026, 2, 28)),
        ),
    ],
)
def test_comparison_windows(
    today: date,
    period: str,
    week_start: str,
    whole: bool,
    current: tuple[date, date],
    previous: tuple[date, date],
) -> None:
    windows = comparison_windows(
        today, period, whole_periods=whole, week_start=week_start
    )
    assert windows == (current, previous)


@pytest.mark.parametrize(
    (
        "current",
        "previous",
        "unit",
        "direction",
        "absolute",
        "percent",
        "points",
        "good",
    ),
    [
        (3000.0, 2500.0, "number", "higher", 500.0, 0.2, None, True),
        (2500.0, 3000.0, "number", "higher", -500.0, -1 / 6, None, False),
        (120.0, 100.0, "currency", "lower", 20.0, 0.2, None, False),
        (10.0, 0.0, "number", "higher", 10.0, None, None, True),  # not inf %
        (0.0, 0.0, "number", "higher", 0.0, 0.0, None, None),  # not NaN %
        (None, 5.0, "number", "higher", None, None, None, None),
        (5.0, None, "number", "higher", None, None, None, None),
        (-25.0, -50.0, "number", "higher", 25.0, 0.5, None, True),
        (0.025, 0.02, "percent", "higher", 0.005, 0.25, 0.5, True),
    ],
)
def test_change_between(
    current: float | None,
    previous: float | None,
    unit: str,
    direction: str,
    absolute: float | None,
    percent: float | None,
    points: float | None,
    good: bool | None,
) -> None:
    delta = change_between(current, previous, unit=unit, direction=direction)
    assert delta.absolute == pytest.approx(absolute)
    assert delta.percent == pytest.approx(percent)
    assert delta.points == pytest.approx(points)
    assert delta.good is good


@pytest.mark.parametrize(
    ("first", "last", "label"),
    [
        (date(2026, 3, 1), date(2026, 3, 15), "Mar 1–15 2026"),
        (date(2026, 3, 7), date(2026, 3, 7), "Mar 7 2026"),
        (date(2026, 2, 27), date(2026, 3, 5), "Feb 27–Mar 5 2026"),
        (date(2025, 12, 29), date(2026, 1, 4), "Dec 29 2025–Jan 4 2026"),
    ],
)
def test_window_label(first: date, last: date, label: str) -> None:
    assert window_label(first, last) == label


def sessions_by_day() -> pd.DataFrame:
    # February: 100 a day on the 1st-15th (1,500) plus 1,000 on the 10th = 2,500
    # by the 15th; 2,700 on the 20th makes 5,200. March: 200 a day on 1-15.
    days = [
        *(f"2026-02-{d:02d}" for d in range(1, 16)),
        "2026-02-10",
        "2026-02-20",
        *(f"2026-03-{d:02d}" for d in range(1, 16)),
    ]
    values = [100.0] * 15 + [1000.0, 2700.0] + [200.0] * 15
    return pd.DataFrame({"date": days, "team": "Web", "sessions": values})


def test_like_for_like_worked_value() -> None:
    frame = sessions_by_day()
    assert frame["sessions"].iloc[:17].sum() == 5_200  # all of February
    delta = like_for_like(DEFINITIONS, "sessions", rows(frame), today=date(2026, 3, 15))

    assert (delta.current, delta.previous) == (3_000, 2_500)
    assert delta.absolute == 500  # not 3,000 - 5,200 = -2,200
    assert delta.percent == pytest.approx(0.20)
    assert (delta.current_label, delta.previous_label) == (
        "Mar 1–15 2026",
        "Feb 1–15 2026",
    )
    assert delta.good is True


def test_whole_periods_are_named_as_periods() -> None:
    delta = like_for_like(
        DEFINITIONS,
        "sessions",
        rows(sessions_by_day()),
        today=date(2026, 3, 31),
        whole_periods=True,
    )
    assert (delta.current_label, delta.previous_label) == ("Mar 2026", "Feb 2026")
    assert (delta.current, delta.previous) == (3_000, 5_200)


def test_case_23_like_for_like_is_flat() -> None:
    if not SHARED.is_dir():
        pytest.skip("../shared is absent")
    case = SHARED / "cases" / "23-partial-current-period"
    raw = pd.read_csv(case / "daily_leads.csv")
    today = date.fromisoformat((case / "as_of.txt").read_text().strip())

    delta = like_for_like(DEFINITIONS, "leads", rows(raw), today=today)
    march = raw.loc[raw["date"].between("2025-03-01", "2025-03-12"), "leads"].sum()
    february = raw.loc[raw["date"].between("2025-02-01", "2025-02-12"), "leads"].sum()
    assert (march, february) == (128, 128)
    assert (delta.current, delta.previous) == (march, february)
    assert delta.percent == 0.0  # not -58.4 % against all of February's 308
    assert delta.previous_label == "Feb 1–12 2025"


@pytest.mark.parametrize(
    ("team", "metric", "current", "previous", "absolute", "percent"),
    [
        ("Web", "leads", 10.0, 0.0, 10.0, None),  # from 0 to 10: "+10", no inf %
        ("Partners", "leads", 0.0, 0.0, 0.0, 0.0),  # 0 -> 0: no change, not NaN %
        ("Web", "cost_per_lead", 50.0, None, None, None),  # January: no leads
        ("Partners", "cost_per_lead", None, None, None, None),
    ],
)
def test_case_22_changes_with_zero_underneath(
    team: str,
    metric: str,
    current: float | None,
    previous: float | None,
    absolute: float | None,
    percent: float | None,
) -> None:
    if not SHARED.is_dir():
        pytest.skip("../shared is absent")
    raw = pd.read_csv(SHARED / "cases" / "22-zero-denominators" / "monthly.csv")
    frame = raw.assign(date=raw["month"] + "-01")
    delta = like_for_like(
        DEFINITIONS,
        metric,
        rows(frame),
        today=date(2025, 2, 28),
        where=Slice(team=team),
        whole_periods=True,
    )
    assert (delta.current, delta.previous) == (current, previous)
    assert delta.absolute == absolute
    assert delta.percent == percent


@pytest.mark.parametrize(
    ("bucket", "first", "last", "period", "windows", "labels"),
    [
        # Q1's last ISO week holds only Mon 30 and Tue 31 March: set against
        # Mon 23 and Tue 24 March, never the whole of 2026-W13.
        (
            date(2026, 3, 30),
            date(2026, 3, 30),
            date(2026, 3, 31),
            "week",
            (
                (date(2026, 3, 30), date(2026, 3, 31)),
                (date(2026, 3, 23), date(2026, 3, 24)),
            ),
            ("Mar 30–31 2026", "Mar 23–24 2026"),
        ),
        # A frame starting Thursday 1 January: only that day of 2026-W01,
        # against Thursday 25 December.
        (
            date(2025, 12, 29),
            date(2026, 1, 1),
            date(2026, 1, 1),
            "week",
            (
                (date(2026, 1, 1), date(2026, 1, 1)),
                (date(2025, 12, 25), date(2025, 12, 25)),
            ),
            ("Jan 1 2026", "Dec 25 2025"),
        ),
        # A whole month against the whole month before.
        (
            date(2026, 3, 1),
            date(2026, 3, 1),
            date(2026, 3, 31),
            "month",
            (
                (date(2026, 3, 1), date(2026, 3, 31)),
                (date(2026, 2, 1), date(2026, 2, 28)),
            ),
            ("Mar 2026", "Feb 2026"),
        ),
    ],
)
def test_bucket_delta_compares_the_same_days(
    bucket, first, last, period, windows, labels
) -> None:
    # One row a day from December to April, each day a different number.
    days = pd.date_range("2025-12-01", "2026-04-30", freq="D")
    frame = pd.DataFrame(
        {"date": days.strftime("%Y-%m-%d"), "team": "Web", "sessions": days.day_of_year}
    ).astype({"sessions": float})

    def total(start: date, end: date) -> float:
        inside = (days >= pd.Timestamp(start)) & (days <= pd.Timestamp(end))
        return float(frame.loc[inside, "sessions"].sum())

    delta = bucket_delta(
        DEFINITIONS,
        "sessions",
        rows(frame),
        bucket=bucket,
        first=first,
        last=last,
        period=period,
    )
    assert (delta.current_label, delta.previous_label) == labels
    assert delta.current == pytest.approx(total(*windows[0]))
    assert delta.previous == pytest.approx(total(*windows[1]))
