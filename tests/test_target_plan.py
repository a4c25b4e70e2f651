"""Targets that change over time: allocating, overriding and reading a plan
(kpi/target_plan.py)."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date

import pandas as pd
import pytest

from kpi.errors import DefinitionError
from kpi.planned_target import PlannedTarget
from kpi.target_plan import (
    allocate,
    plan_table,
    planned_to_date,
    planned_value,
    replace_rows,
    sum_over_owners,
    with_overrides,
)

YEAR_2026 = (date(2026, 1, 1), date(2026, 12, 31))
# Days of each month of 2026 (not a leap year): 31+28+31+30+31+30+31+31+30+31+30+31.
DAYS_2026 = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
METHODS = ("even", "days", "last_year")


def month(year: int, number: int, value: float, **owner: str) -> PlannedTarget:
    """A plan row for one whole month, written out by hand."""
    last = (pd.Timestamp(year, number, 1) + pd.offsets.MonthEnd(0)).date()
    return PlannedTarget("revenue", date(year, number, 1), last, value, **owner)


def values(rows: list[PlannedTarget]) -> list[float]:
    return [row.value for row in rows]


def last_year_shape() -> dict[date, float]:
    """2025 actuals: January 300 of a 1,000 total (30 %), February 100 (10 %),
    the other ten months 600 / 10 = 60 each (6 %)."""
    actuals = {date(2025, number, 1): 60.0 for number in range(1, 13)}
    actuals[date(2025, 1, 1)] = 300.0
    actuals[date(2025, 2, 1)] = 100.0
    return actuals


# --- allocate ---------------------------------------------------------------


def test_even_split_gives_each_month_a_twelfth() -> None:
    rows, sentence = allocate(
        "revenue", 1_200_000, *YEAR_2026, method="even", additive=True
    )

    # 1,200,000 / 12 = 100,000.
    assert values(rows) == pytest.approx([100_000.0] * 12)
    assert [row.start for row in rows] == [date(2026, m, 1) for m in range(1, 13)]
    assert rows[1].end == date(2026, 2, 28)
    assert rows[-1].end == date(2026, 12, 31)
    assert "split evenly over 12 months: 100,000 each" in sentence


@pytest.mark.parametrize(
    ("index", "expected"),
    [
        (0, 101_917.808219),  # January: 1,200,000 × 31 / 365
        (1, 92_054.794521),  # February: 1,200,000 × 28 / 365
        (3, 98_630.136986),  # April: 1,200,000 × 30 / 365
    ],
)
def test_days_split_follows_days_in_month(index: int, expected: float) -> None:
    rows, sentence = allocate(
        "revenue", 1_200_000, *YEAR_2026, method="days", additive=True
    )

    assert rows[index].value == pytest.approx(expected, abs=1e-6)
    assert "by their days out of 365" in sentence


def test_days_split_in_a_leap_year_gives_february_29_days() -> None:
    rows, _ = allocate(
        "revenue",
        366,
        date(2028, 1, 1),
        date(2028, 12, 31),
        method="days",
        additive=True,
    )

    # 2028 has 366 days, so a target of 366 is 1 per day: February gets 29.
    assert rows[1].value == pytest.approx(29.0)
    assert rows[1].end == date(2028, 2, 29)


@pytest.mark.parametrize(
    ("index", "expected"),
    [
        (0, 360_000.0),  # January: 1,200,000 × 300/1,000 (30 %)
        (1, 120_000.0),  # February: 1,200,000 × 100/1,000 (10 %)
        (6, 72_000.0),  # July: 1,200,000 × 60/1,000 (6 %)
    ],
)
def test_last_year_split_follows_last_years_shape(index: int, expected: float) -> None:
    rows, sentence = allocate(
        "revenue",
        1_200_000,
        *YEAR_2026,
        method="last_year",
        additive=True,
        last_year=last_year_shape(),
    )

    assert rows[index].value == pytest.approx(expected)
    assert "last year's shape" in sentence
    assert "instead" not in sentence


def test_last_year_accepts_timestamp_keys() -> None:
    actuals = {pd.Timestamp(day): value for day, value in last_year_shape().items()}

    rows, _ = allocate(
        "revenue",
        1_200_000,
        *YEAR_2026,
        method="last_year",
        additive=True,
        last_year=actuals,
    )

    assert rows[0].value == pytest.approx(360_000.0)  # 1,200,000 × 30 %


def _without_march(actuals: dict[date, float]) -> dict[date, float]:
    return {day: value for day, value in actuals.items() if day.month != 3}


@pytest.mark.parametrize(
    ("last_year", "reason"),
    [
        (None, "Last year's actuals are missing"),
        ({}, "Last year's actuals are missing"),
        (_without_march(last_year_shape()), "no actual for Mar 2025"),
        ({**last_year_shape(), date(2025, 3, 1): math.nan}, "no actual for Mar 2025"),
        ({date(2025, m, 1): 0.0 for m in range(1, 13)}, "same months is 0"),
        ({date(2025, m, 1): -5.0 for m in range(1, 13)}, "same months is -60"),
    ],
)
def test_last_year_falls_back_to_days_and_says_why(
    last_year: dict[date, float] | None, reason: str
) -> None:
    rows, sentence = allocate(
        "revenue",
        1_200_000,
        *YEAR_2026,
        method="last_year",
        additive=True,
        last_year=last_year,
    )

    assert values(rows) == pytest.approx([1_200_000 * d / 365 for d in DAYS_2026])
    assert reason in sentence
    assert "by their days out of 365 instead of in last year's shape" in sentence


def test_last_year_shape_ignores_months_outside_the_range() -> None:
    # Q1 2026 only: last year's Jan 300, Feb 100, Mar 60 make 460.
    rows, _ = allocate(
        "revenue",
        920,
        date(2026, 1, 1),
        date(2026, 3, 31),
        method="last_year",
        additive=True,
        last_year=last_year_shape(),
    )

    # 920 × 300/460 = 600; 920 × 100/460 = 200; 920 × 60/460 = 120.
    assert values(rows) == pytest.approx([600.0, 200.0, 120.0])


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    ("value", "start", "end"),
    [
        (1_200_000.0, *YEAR_2026),
        (1_000_000.01, date(2026, 4, 1), date(2026, 10, 31)),
        (1 / 3, date(2026, 4, 1), date(2027, 3, 31)),
        (987_654_321.123, date(2025, 11, 1), date(2028, 2, 29)),
        (0.0, *YEAR_2026),
    ],
)
def test_additive_months_add_up_to_the_target(
    method: str, value: float, start: date, end: date
) -> None:
    rows, _ = allocate(
        "revenue",
        value,
        start,
        end,
        method=method,
        additive=True,
        last_year={date(2025, m, 1): float(m) for m in range(1, 13)},
    )

    assert math.isclose(math.fsum(values(rows)), value, rel_tol=1e-9, abs_tol=1e-12)


def test_fiscal_year_from_april_covers_april_to_march() -> None:
    rows, _ = allocate(
        "revenue",
        365,
        date(2026, 4, 1),
        date(2027, 3, 31),
        method="days",
        additive=True,
    )

    # April 2026 to March 2027 holds February 2027 (28 days): 365 days, 1 a day.
    assert len(rows) == 12
    assert (rows[0].start, rows[-1].end) == (date(2026, 4, 1), date(2027, 3, 31))
    assert rows[10].end == date(2027, 2, 28)
    assert values(rows) == pytest.approx(
        [30, 31, 30, 31, 31, 30, 31, 30, 31, 31, 28, 31]
    )


@pytest.mark.parametrize("method", METHODS)
def test_rate_target_is_never_split(method: str) -> None:
    rows, sentence = allocate(
        "conversion_rate", 0.05, *YEAR_2026, method=method, additive=False
    )

    assert values(rows) == [0.05] * 12
    assert "ratio, average or rate" in sentence
    assert "instead of being split" in sentence


def test_rows_carry_the_owner() -> None:
    rows, _ = allocate(
        "revenue",
        90,
        date(2026, 1, 1),
        date(2026, 3, 31),
        method="even",
        additive=True,
        team="North",
        person="ann",
    )

    # 90 / 3 = 30 a month.
    assert rows == [
        month(2026, 1, 30.0, team="North", person="ann"),
        month(2026, 2, 30.0, team="North", person="ann"),
        month(2026, 3, 30.0, team="North", person="ann"),
    ]


@pytest.mark.parametrize(
    ("start", "end", "suggestion"),
    [
        (date(2026, 1, 15), date(2026, 12, 31), "Use 2026-01-01 to 2026-12-31"),
        (date(2026, 1, 1), date(2026, 12, 30), "Use 2026-01-01 to 2026-12-31"),
        (date(2026, 2, 2), date(2026, 2, 27), "Use 2026-02-01 to 2026-02-28"),
        (date(2026, 3, 1), date(2026, 1, 31), "earlier date first"),
    ],
)
def test_allocation_refuses_partial_months(
    start: date, end: date, suggestion: str
) -> None:
    with pytest.raises(DefinitionError, match=suggestion) as caught:
        allocate("revenue", 100, start, end, method="even", additive=True)

    assert caught.value.reason == "not_whole_months"
    assert caught.value.subject == "revenue"


def test_allocation_refuses_an_unknown_method() -> None:
    with pytest.raises(DefinitionError, match='Use "even", "days"') as caught:
        allocate("revenue", 100, *YEAR_2026, method="weekly", additive=True)

    assert caught.value.reason == "unknown_allocation_method"


# --- with_overrides ---------------------------------------------------------


def even_2026() -> list[PlannedTarget]:
    rows, _ = allocate("revenue", 1_200_000, *YEAR_2026, method="even", additive=True)
    return rows


def test_override_respreads_the_other_months_to_keep_the_total() -> None:
    rows = with_overrides(
        even_2026(), {date(2026, 12, 1): 50_000}, total=1_200_000, additive=True
    )

    # 1,200,000 - 50,000 = 1,150,000 over 11 equal months: 104,545.4545 each.
    assert values(rows) == pytest.approx([1_150_000 / 11] * 11 + [50_000.0])
    assert rows[0].value == pytest.approx(104_545.45, abs=0.01)
    assert [row.overridden for row in rows] == [False] * 11 + [True]
    assert math.isclose(math.fsum(values(rows)), 1_200_000, rel_tol=1e-9)


def test_override_respreads_in_proportion_to_current_values() -> None:
    rows, _ = allocate("revenue", 365, *YEAR_2026, method="days", additive=True)

    result = with_overrides(rows, {date(2026, 1, 1): 65}, total=365, additive=True)

    # 365 - 65 = 300 over Feb..Dec, which hold 365 - 31 = 334 days:
    # February 300 × 28/334 = 25.1497, March 300 × 31/334 = 27.8443.
    assert result[0].value == 65
    assert result[1].value == pytest.approx(25.1497, abs=1e-4)
    assert result[2].value == pytest.approx(27.8443, abs=1e-4)
    assert math.isclose(math.fsum(values(result)), 365, rel_tol=1e-9)


def test_override_spreads_evenly_when_the_other_months_are_zero() -> None:
    rows = [month(2026, m, 0.0) for m in (1, 2, 3)]

    result = with_overrides(rows, {date(2026, 1, 1): 30}, total=90, additive=True)

    # 90 - 30 = 60 over two months at zero: 30 each.
    assert values(result) == pytest.approx([30.0, 30.0, 30.0])


def test_rows_already_overridden_stay_locked() -> None:
    rows = [month(2026, 1, 30.0), month(2026, 2, 20.0), month(2026, 3, 40.0)]
    rows[1] = replace(rows[1], overridden=True)

    result = with_overrides(rows, {date(2026, 1, 1): 10}, total=90, additive=True)

    # Locked: January 10 (typed) and February 20 (earlier); March gets 90 - 30 = 60.
    assert values(result) == pytest.approx([10.0, 20.0, 60.0])
    assert [row.overridden for row in result] == [True, True, False]


@pytest.mark.parametrize(
    ("overrides", "locked_text"),
    [
        # 700,000 + 600,000 = 1,300,000, written in full.
        ({date(2026, 1, 1): 700_000, date(2026, 12, 1): 600_000}, "1,300,000"),
        # One more than the total must not read as the total, "1.20M".
        ({date(2026, 6, 1): 1_200_001}, "1,200,001"),
        # 1,000,000.50 + 200,000.25 = 1,200,000.75: two decimals kept.
        ({date(2026, 1, 1): 1_000_000.5, date(2026, 2, 1): 200_000.25}, "1,200,000.75"),
    ],
)
def test_overrides_above_the_total_are_refused(
    overrides: dict[date, float], locked_text: str
) -> None:
    with pytest.raises(DefinitionError, match=f"up to {locked_text},") as caught:
        with_overrides(even_2026(), overrides, total=1_200_000, additive=True)

    assert caught.value.reason == "overrides_exceed_total"
    assert "more than the total of 1,200,000." in caught.value.message


def test_overrides_and_earlier_locks_together_above_the_total_are_refused() -> None:
    rows = [month(2026, 1, 60.0), replace(month(2026, 2, 30.0), overridden=True)]

    # 70 typed + 30 locked = 100 > 90.
    with pytest.raises(
        DefinitionError, match="add up to 100, more than the total of 90"
    ):
        with_overrides(rows, {date(2026, 1, 1): 70}, total=90, additive=True)


def test_every_month_typed_must_still_meet_the_total() -> None:
    rows = [month(2026, 1, 45.0), month(2026, 2, 45.0)]

    with pytest.raises(DefinitionError, match="add up to 80, not the total of 90"):
        with_overrides(
            rows, {date(2026, 1, 1): 40, date(2026, 2, 1): 40}, total=90, additive=True
        )


@pytest.mark.parametrize(
    ("total", "additive"), [(None, True), (1_200_000, False), (None, False)]
)
def test_override_without_a_fixed_total_just_replaces(
    total: float | None, additive: bool
) -> None:
    rows = with_overrides(
        even_2026(), {date(2026, 3, 1): 1.0}, total=total, additive=additive
    )

    assert values(rows) == [100_000.0, 100_000.0, 1.0] + [100_000.0] * 9
    assert rows[2].overridden


def test_override_of_a_month_outside_the_plan_is_refused() -> None:
    with pytest.raises(DefinitionError, match="No planned month starts on 2027-01-01"):
        with_overrides(even_2026(), {date(2027, 1, 1): 5}, total=None, additive=True)


# --- planned_value ----------------------------------------------------------


def days_2026() -> list[PlannedTarget]:
    rows, _ = allocate("revenue", 1_200_000, *YEAR_2026, method="days", additive=True)
    return rows


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # Q1: 1,200,000 × (31 + 28 + 31) / 365 = 295,890.41
        (date(2026, 1, 1), date(2026, 3, 31), 295_890.41),
        # The whole year gives back the target.
        (*YEAR_2026, 1_200_000.0),
        # One day is 1,200,000 / 365 = 3,287.67 in any month.
        (date(2026, 7, 4), date(2026, 7, 4), 3_287.67),
        # 20 Feb to 5 Mar: 9 + 5 = 14 days × 3,287.671 = 46,027.40
        (date(2026, 2, 20), date(2026, 3, 5), 46_027.40),
    ],
)
def test_additive_window_adds_up_its_days(
    start: date, end: date, expected: float
) -> None:
    value = planned_value(days_2026(), "revenue", start, end, additive=True)

    assert value == pytest.approx(expected, abs=0.01)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 3, 1), date(2026, 3, 12), 120.0),  # 310 / 31 = 10 a day × 12
        (date(2026, 3, 1), date(2026, 3, 31), 310.0),
        (date(2026, 2, 20), date(2026, 3, 5), 140.0),  # 9 × 280/28 + 5 × 10 = 90 + 50
        (date(2026, 1, 1), date(2026, 2, 28), 380.0),  # 100 + 280
    ],
)
def test_partial_months_count_pro_rata(start: date, end: date, expected: float) -> None:
    plan = [month(2026, 1, 100.0), month(2026, 2, 280.0), month(2026, 3, 310.0)]

    assert planned_value(plan, "revenue", start, end, additive=True) == pytest.approx(
        expected
    )


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2026, 1, 1), date(2026, 3, 31)),  # February has no row
        (date(2026, 2, 10), date(2026, 2, 12)),  # inside the gap
        (date(2025, 12, 31), date(2026, 1, 31)),  # one day before the plan
        (date(2026, 3, 1), date(2026, 4, 1)),  # one day after the plan
    ],
)
def test_window_with_unplanned_days_has_no_target(start: date, end: date) -> None:
    plan = [month(2026, 1, 100.0), month(2026, 3, 310.0)]

    assert planned_value(plan, "revenue", start, end, additive=True) is None


def test_rate_target_for_a_quarter_is_the_rate_not_the_sum() -> None:
    plan, _ = allocate(
        "conversion_rate", 0.05, *YEAR_2026, method="even", additive=False
    )

    q1 = planned_value(
        plan, "conversion_rate", date(2026, 1, 1), date(2026, 3, 31), additive=False
    )

    assert q1 == 0.05  # not 0.05 × 3 = 0.15


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 1, 1), date(2026, 3, 31), 0.06),  # in force on 31 March
        (date(2026, 1, 1), date(2026, 2, 10), 0.05),  # in force on 10 February
        (date(2026, 1, 5), date(2026, 1, 5), 0.04),
        (date(2026, 1, 1), date(2026, 4, 1), None),  # nothing in force in April
    ],
)
def test_rate_target_is_the_row_in_force_on_the_last_day(
    start: date, end: date, expected: float | None
) -> None:
    plan = [month(2026, 1, 0.04), month(2026, 2, 0.05), month(2026, 3, 0.06)]

    assert planned_value(plan, "revenue", start, end, additive=False) == expected


@pytest.mark.parametrize(
    ("team", "person", "expected"),
    [
        (None, None, 300.0),  # company: 3 × 100
        ("North", None, 180.0),  # team: 3 × 60
        ("North", "ann", 75.0),  # person: 3 × 25
        ("South", None, None),  # no plan
        (None, "ann", None),  # ann's rows all belong to North
    ],
)
def test_scopes_are_never_mixed(
    team: str | None, person: str | None, expected: float | None
) -> None:
    plan = [month(2026, m, 100.0) for m in (1, 2, 3)]
    plan += [month(2026, m, 60.0, team="North") for m in (1, 2, 3)]
    plan += [month(2026, m, 25.0, team="North", person="ann") for m in (1, 2, 3)]
    plan += [PlannedTarget("leads", date(2026, 1, 1), date(2026, 3, 31), 9.0)]

    value = planned_value(
        plan,
        "revenue",
        date(2026, 1, 1),
        date(2026, 3, 31),
        team=team,
        person=person,
        additive=True,
    )

    assert value == expected


def test_overlapping_rows_are_refused() -> None:
    plan = [
        PlannedTarget("revenue", date(2026, 1, 1), date(2026, 3, 31), 300.0),
        month(2026, 2, 50.0),
    ]

    with pytest.raises(DefinitionError, match="both cover 2026-02-01") as caught:
        planned_value(plan, "revenue", *YEAR_2026, additive=True)

    assert caught.value.reason == "overlapping_targets"


# --- planned_to_date --------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 2, 14), 240.0),  # 100 + 280 × 14/28 = 100 + 140
        (date(2026, 1, 31), 100.0),
        (date(2026, 1, 1), 100 / 31),  # one day of January
        (date(2025, 12, 31), 0.0),  # before the time frame: nothing expected
        (date(2026, 6, 30), 380.0),  # after the end: capped at 100 + 280
    ],
)
def test_planned_to_date_accumulates_along_the_plan(day: date, expected: float) -> None:
    plan = [month(2026, 1, 100.0), month(2026, 2, 280.0)]

    to_date = planned_to_date(plan, "revenue", date(2026, 1, 1), date(2026, 2, 28), day)

    assert to_date == pytest.approx(expected)


def test_planned_to_date_with_a_gap_has_no_value() -> None:
    plan = [month(2026, 1, 100.0), month(2026, 3, 310.0)]

    to_date = planned_to_date(
        plan, "revenue", date(2026, 1, 1), date(2026, 3, 31), date(2026, 3, 10)
    )

    assert to_date is None


# --- sum_over_owners --------------------------------------------------------


TWO_TEAMS = [month(2026, m, 60.0, team="North") for m in (1, 2, 3)] + [
    month(2026, m, 40.0, team="South") for m in (1, 2, 3)
]


@pytest.mark.parametrize(
    ("owners", "expected"),
    [
        ([("North", None), ("South", None)], 300.0),  # 3 × 60 + 3 × 40
        ([("North", None)], 180.0),
        ([("North", None), ("West", None)], None),  # West has no plan
        ([], None),
    ],
)
def test_sum_over_owners_adds_additive_targets(
    owners: list[tuple[str | None, str | None]], expected: float | None
) -> None:
    total = sum_over_owners(
        TWO_TEAMS, "revenue", date(2026, 1, 1), date(2026, 3, 31), owners, True
    )

    assert total == expected


def test_rate_targets_cannot_be_summed_over_owners() -> None:
    owners = [("North", None), ("South", None)]

    with pytest.raises(DefinitionError, match="cannot be added up across 2") as caught:
        sum_over_owners(TWO_TEAMS, "revenue", *YEAR_2026, owners, False)

    assert caught.value.reason == "not_summable"
    assert "Set a target for the group itself" in caught.value.message


# --- plan_table and replace_rows --------------------------------------------


def test_plan_table_keeps_one_owner_sorted_by_start() -> None:
    plan = [
        month(2026, 3, 3.0, team="North"),
        month(2026, 1, 1.0, team="North"),
        month(2026, 2, 9.0),
        month(2026, 2, 2.0, team="North"),
        month(2026, 2, 7.0, team="North", person="ann"),
    ]

    table = plan_table(plan, "revenue", "North")

    assert values(table) == [1.0, 2.0, 3.0]


def test_replace_rows_swaps_same_keys_and_keeps_the_rest() -> None:
    plan = (month(2026, 1, 1.0), month(2026, 2, 2.0), month(2026, 2, 5.0, team="North"))
    edited = [month(2026, 2, 20.0), month(2026, 4, 40.0)]

    result = replace_rows(plan, edited)

    # Company February replaced in place; North's February (another key) kept;
    # April is new and goes last.
    assert result == (
        month(2026, 1, 1.0),
        month(2026, 2, 20.0),
        month(2026, 2, 5.0, team="North"),
        month(2026, 4, 40.0),
    )
