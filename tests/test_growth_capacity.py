"""Growth scenarios against history, and capacity shared out per person."""

from __future__ import annotations

from datetime import date

import pytest

from kpi.capacity import share_workload
from kpi.errors import GoalpostError
from kpi.growth import (
    check_growth,
    date_reached,
    period_growth,
    periods_to_reach,
    required_growth,
)


@pytest.mark.parametrize(
    ("baseline", "target", "periods", "expected"),
    [
        (100_000, 150_000, 10, 0.041380),  # 1.5 ** 0.1 = 1.041380
        (100, 121, 2, 0.10),  # 1.1 * 1.1 = 1.21
        (12, 3, 2, -0.5),  # resolution hours 12 -> 3: halve twice
        (80, 80, 3, 0.0),
    ],
)
def test_required_growth_is_compound(
    baseline: float, target: float, periods: int, expected: float
) -> None:
    assert required_growth(baseline, target, periods) == pytest.approx(
        expected, abs=1e-6
    )


def test_period_growth_skips_what_has_no_percentage() -> None:
    # 100 -> 110 is +10 %, 110 -> 0 is -100 %, 0 -> 5 has no base, 5 -> nan
    # and nan -> 10 have no value.
    assert period_growth([100, 110, 0, 5, float("nan"), 10]) == pytest.approx(
        [0.10, -1.0]
    )


def test_check_growth_counts_the_periods_that_grew_as_fast() -> None:
    # Needs 100 -> 121 in 2 months: +10 % a month. History growths: +5 %,
    # +12 %, +10 %, -3 %, +20 % -> 3 of the 5 reach +10 %.
    history = [100, 105, 117.6, 129.36, 125.4792, 150.57504]
    check = check_growth(100, 121, 2, history, period="month")
    assert check.required == pytest.approx(0.10)
    assert check.history == pytest.approx((0.05, 0.12, 0.10, -0.03, 0.20))
    assert check.done_in == 3
    assert check.sentence() == (
        "needs +10.0 % a month; the team has done that in 3 of the last 5 months"
    )


def test_check_growth_looks_back_only_so_far() -> None:
    # Only the last 2 growths (+50 %, then 0 %) are inside a look-back of 2.
    check = check_growth(100, 110, 1, [10, 100, 150, 150], look_back=2)
    assert check.history == pytest.approx((0.5, 0.0))
    assert check.done_in == 1


def test_a_falling_target_counts_periods_that_fell_as_fast() -> None:
    # 12 h -> 3 h in 2 weeks needs -50 % a week; history: -50 %, -10 %, -60 %.
    check = check_growth(12, 3, 2, [40, 20, 18, 7.2], period="week")
    assert check.done_in == 2
    assert check.sentence().startswith("needs -50.0 % a week;")


@pytest.mark.parametrize(
    ("baseline", "target", "growth", "expected"),
    [
        (100, 150, 0.10, 5),  # log 1.5 / log 1.1 = 4.25 -> 5
        (100, 121, 0.10, 2),  # exactly 2, not 3 from float noise
        (100, 150, 0.0, None),
        (100, 150, -0.05, None),
        (100, 100, 0.1, 0),
        (12, 3, -0.5, 2),
    ],
)
def test_periods_to_reach(
    baseline: float, target: float, growth: float, expected: int | None
) -> None:
    assert periods_to_reach(baseline, target, growth) == expected


def test_date_reached_keeps_month_ends() -> None:
    assert date_reached(date(2026, 1, 31), 1, "month") == date(2026, 2, 28)
    assert date_reached(date(2026, 1, 1), 5, "month") == date(2026, 6, 1)
    assert date_reached(date(2026, 1, 1), 2, "week") == date(2026, 1, 15)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: required_growth(0, 100, 3), "baseline above 0"),
        (lambda: required_growth(100, -5, 3), "target above 0"),
        (lambda: required_growth(100, 150, 0), "at least 1"),
        (lambda: periods_to_reach(100, 150, -1.0), "below zero"),
        (lambda: date_reached(date(2026, 1, 1), 1, "fortnight"), "not a period"),
    ],
)
def test_growth_refuses_what_has_no_answer(call, match: str) -> None:
    with pytest.raises(GoalpostError, match=match) as refused:
        call()
    assert refused.value.reason == "bad_growth"


def test_capacity_worked_value() -> None:
    # 800 / 8 = 100; 800 / 9 = 88.89; 800 / 7 = 114.29.
    plan = share_workload(800, 8)
    assert plan.per_person == 100
    assert plan.with_one_more == pytest.approx(88.889, abs=1e-3)
    assert plan.with_one_fewer == pytest.approx(114.286, abs=1e-3)
    assert plan.change_with_one_more == pytest.approx(-11.111, abs=1e-3)


def test_capacity_of_one_person_has_no_one_fewer() -> None:
    assert share_workload(40, 1).with_one_fewer is None


@pytest.mark.parametrize(("workload", "people"), [(-1, 3), (float("nan"), 3), (10, 0)])
def test_capacity_refuses_impossible_teams(workload: float, people: int) -> None:
    with pytest.raises(GoalpostError) as refused:
        share_workload(workload, people)
    assert refused.value.reason == "bad_capacity"
