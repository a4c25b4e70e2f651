"""Forecasts to the end of the time frame and their calibration (kpi/forecast.py)."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache
from statistics import NormalDist

import numpy as np
import pytest

from kpi.forecast import (
    Forecast,
    forecast_level,
    forecast_per_period,
    forecast_total,
)

WORKED_DAYS = [10, 12, 8, 10, 10, 12, 8, 10, 10, 10]
# Sum 100 over 10 days: mean 10. Deviations 0, 2, -2, 0, 0, 2, -2, 0, 0, 0 have
# squares summing to 16, so s² = 16 / 9 and s = 4/3. With 20 days left the end
# total has standard error s·√(20·(1 + 20/10)) = 4/3·√60 = 10.327956.
WORKED_ERROR = 4 / 3 * math.sqrt(60)
T_90_DF9 = 1.383  # t table, 0.90 quantile, 9 degrees of freedom


def t_cdf_by_integration(t: float, df: int) -> float:
    """P(T ≤ t) by Simpson's rule over the t density: a check independent of the
    library the module uses."""
    scale = math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2))
    scale /= math.sqrt(df * math.pi)

    def density(x: float) -> float:
        return scale * (1 + x * x / df) ** (-(df + 1) / 2)

    steps = 4000
    width = t / steps
    weights = [1 if i in (0, steps) else 4 if i % 2 else 2 for i in range(steps + 1)]
    area = sum(w * density(i * width) for i, w in enumerate(weights)) * width / 3
    return 0.5 + area


def numbers(forecast: Forecast) -> list[float]:
    """Every number a forecast carries, steps included."""
    fields = [forecast.projected, forecast.low, forecast.high, forecast.probability]
    return [x for x in fields if x is not None] + [
        x for step in forecast.steps for x in step
    ]


# ---- total targets -------------------------------------------------------------


def test_total_worked_value() -> None:
    forecast = forecast_total(
        WORKED_DAYS,
        actual=100,
        remaining_days=20,
        target=310,
        direction="higher",
        step_days=(10, 20),
    )
    # 100 so far + 10 a day × 20 days = 300; band 300 ± 1.383 × 10.328 = ± 14.284.
    assert forecast.projected == pytest.approx(300)
    half = T_90_DF9 * WORKED_ERROR  # the table's 3 decimals: within 0.01
    assert forecast.low == pytest.approx(300 - half, abs=0.01)  # 285.716
    assert forecast.high == pytest.approx(300 + half, abs=0.01)  # 314.284
    # 310 is 10 / 10.328 = 0.968 standard errors above 300. From the df = 9 table,
    # t = 0.883 leaves 20 % above and t = 1.100 leaves 15 %, so the chance is
    # between; the integral of the t density pins it down.
    z = 10 / WORKED_ERROR
    assert 0.15 < forecast.probability < 0.20
    assert forecast.probability == pytest.approx(1 - t_cdf_by_integration(z, 9))
    # 10 days ahead: 100 + 10 × 10 = 200 ± 1.383 × 4/3 × √(10 × 2) = ± 8.247.
    (ahead, mid, low, high), last = forecast.steps
    assert (ahead, mid) == (10, pytest.approx(200))
    assert (low, high) == (
        pytest.approx(191.753, abs=0.01),
        pytest.approx(208.247, abs=0.01),
    )
    assert last == (20, forecast.projected, forecast.low, forecast.high)
    assert "10 days so far" in forecast.method and "20 days left" in forecast.method


@pytest.mark.parametrize(
    ("target", "direction", "expected"),
    [
        # A budget of 310 with 300 projected: P(T₉ ≤ 0.968), the complement of above.
        (310, "lower", t_cdf_by_integration(10 / WORKED_ERROR, 9)),
        (290, "lower", 1 - t_cdf_by_integration(10 / WORKED_ERROR, 9)),
        (290, "higher", t_cdf_by_integration(10 / WORKED_ERROR, 9)),
        # A target right on the projection is a coin toss either way.
        (300, "lower", 0.5),
        (300, "higher", 0.5),
    ],
)
def test_total_probability_by_direction(
    target: float, direction: str, expected: float
) -> None:
    forecast = forecast_total(
        WORKED_DAYS, actual=100, remaining_days=20, target=target, direction=direction
    )
    assert forecast.probability == pytest.approx(expected)


@pytest.mark.parametrize(
    ("days", "sentence"),
    [
        ([], "at least 7 days of data; there are 0 days so far"),
        ([5.0], "there is 1 day so far"),
        ([5.0] * 6, "there are 6 days so far"),
        ([5.0] * 6 + [math.nan], "there are 6 days so far"),
    ],
)
def test_total_needs_seven_days(days: list[float], sentence: str) -> None:
    forecast = forecast_total(
        days, actual=30, remaining_days=10, target=100, direction="higher"
    )
    assert numbers(forecast) == []
    assert sentence in forecast.method


@pytest.mark.parametrize(
    ("actual", "direction", "expected"),
    [
        (120, "higher", 1.0),
        (80, "higher", 0.0),
        (120, "lower", 0.0),
        (100, "lower", 1.0),
    ],
)
def test_total_with_no_days_left_is_the_actual(
    actual: float, direction: str, expected: float
) -> None:
    forecast = forecast_total(
        [1.0, 2.0], actual=actual, remaining_days=0, target=100, direction=direction
    )
    assert forecast == Forecast(actual, None, None, expected, forecast.method)


@pytest.mark.parametrize(
    ("target", "direction", "expected"),
    # 50 so far + 5 a day × 10 days = exactly 100, with no spread at all.
    [
        (100, "higher", 1.0),
        (100.5, "higher", 0.0),
        (100, "lower", 1.0),
        (99.5, "lower", 0.0),
    ],
)
def test_total_zero_spread_is_certain(
    target: float, direction: str, expected: float
) -> None:
    forecast = forecast_total(
        [5.0] * 10,
        actual=50,
        remaining_days=10,
        target=target,
        direction=direction,
        step_days=(5, 10),
    )
    assert (forecast.projected, forecast.low, forecast.high) == (100, 100, 100)
    assert forecast.probability == expected
    assert forecast.steps == ((5, 75, 75, 75), (10, 100, 100, 100))


@pytest.mark.parametrize(
    ("days", "actual", "remaining"),
    [
        ([0.0] * 7, 0.0, 300),
        ([0.0] * 30 + [1e6], 1e6, 1000),
        ([-5.0, 3.0, 0.0, 12.0, -1.0, 7.0, 2.0], 18.0, 1),
        ([1.0, math.nan, 2.0, 3.0, math.inf, 4.0, 5.0, 6.0, 7.0], 28.0, 50),
        ([0.1] * 40, 4.0, 365),
    ],
)
@pytest.mark.parametrize("direction", ["higher", "lower"])
def test_total_outputs_are_always_finite(
    days: list[float], actual: float, remaining: int, direction: str
) -> None:
    forecast = forecast_total(
        days,
        actual=actual,
        remaining_days=remaining,
        target=10,
        direction=direction,
        step_days=(1, remaining),
    )
    assert len(numbers(forecast)) == 4 + 8
    assert all(math.isfinite(x) for x in numbers(forecast))
    assert 0 <= forecast.probability <= 1


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"remaining_days": -1}, "cannot be below 0"),
        ({"step_days": (0, 5)}, r"step_days \[0\] fall outside 1..20"),
        ({"step_days": (21,)}, r"\[21\] fall outside"),
        ({"direction": "up"}, 'use "higher" or "lower"'),
        ({"actual": math.nan}, "actual is nan; pass a finite number"),
        ({"target": math.inf}, "target is inf; pass a finite number"),
    ],
)
def test_total_rejects_bad_arguments(
    arguments: dict[str, object], message: str
) -> None:
    call = {"actual": 100, "remaining_days": 20, "target": 300, "direction": "higher"}
    with pytest.raises(ValueError, match=message):
        forecast_total(WORKED_DAYS, **{**call, **arguments})


# ---- level targets -------------------------------------------------------------

# [10, 12, 15] at x = 0, 1, 2: x̄ = 1, ȳ = 37/3, Σ(x − x̄)² = 2,
# Σ(x − x̄)(y − ȳ) = (−1)(10 − 37/3) + (1)(15 − 37/3) = 5, so the slope is 2.5.
# Fitted 9.833, 12.333, 14.833; residuals 1/6, −1/3, 1/6; SSR = 1/6 over 1 df.
# At x = 3: 37/3 + 2.5 × 2 = 52/3, error² = 1/6 × (1 + 1/3 + 4/2) = 5/9.
# At x = 4: 37/3 + 2.5 × 3 = 59.5/3, error² = 1/6 × (1 + 1/3 + 9/2) = 35/36.
T_90_DF1 = math.tan(0.4 * math.pi)  # Cauchy 0.90 quantile, 3.0777


def test_level_worked_value() -> None:
    forecast = forecast_level(
        [10, 12, 15], steps_ahead=2, target=17, direction="higher"
    )
    near, far = forecast.steps
    half_near, half_far = T_90_DF1 * math.sqrt(5 / 9), T_90_DF1 * math.sqrt(35 / 36)
    assert near == pytest.approx((1, 52 / 3, 52 / 3 - half_near, 52 / 3 + half_near))
    assert far == pytest.approx((2, 59.5 / 3, 59.5 / 3 - half_far, 59.5 / 3 + half_far))
    assert (forecast.projected, forecast.low, forecast.high) == far[1:]
    # 1 degree of freedom: P(T ≥ −z) = 1/2 + atan(z)/π.
    z = (59.5 / 3 - 17) / math.sqrt(35 / 36)
    assert forecast.probability == pytest.approx(0.5 + math.atan(z) / math.pi)


@pytest.mark.parametrize(
    ("values", "target", "direction", "expected"),
    [
        # One step ahead of [10, 12, 15]: 52/3 vs 17 is 1/3 ÷ √(5/9) = 1/√5 above.
        ([10, 12, 15], 17, "higher", 0.5 + math.atan(1 / math.sqrt(5)) / math.pi),
        ([10, 12, 15], 17, "lower", 0.5 - math.atan(1 / math.sqrt(5)) / math.pi),
        # Mirrored: [15, 12, 10] heads to 37/3 − 5 = 22/3, 1/√5 above a cap of 7.
        ([15, 12, 10], 7, "lower", 0.5 - math.atan(1 / math.sqrt(5)) / math.pi),
        ([15, 12, 10], 7, "higher", 0.5 + math.atan(1 / math.sqrt(5)) / math.pi),
    ],
)
def test_level_probability_by_direction(
    values: list[float], target: float, direction: str, expected: float
) -> None:
    forecast = forecast_level(values, steps_ahead=1, target=target, direction=direction)
    assert forecast.probability == pytest.approx(expected)


@pytest.mark.parametrize(
    ("values", "steps_ahead", "target", "expected_steps", "probability"),
    [
        ([1, 2, 3, 4], 2, 6, ((1, 5, 5, 5), (2, 6, 6, 6)), 1.0),
        ([1, 2, 3, 4], 2, 6.5, ((1, 5, 5, 5), (2, 6, 6, 6)), 0.0),
        ([3, 3, 3], 1, 3, ((1, 3, 3, 3),), 1.0),
        # A gap keeps the numbering: 10, 14, 16 at x = 0, 2, 3 lie on 10 + 2x,
        # so x = 4 gives 18 (closing the gap would give a slope of 3).
        ([10, math.nan, 14, 16], 1, 18, ((1, 18, 18, 18),), 1.0),
    ],
)
def test_level_on_a_perfect_line_is_certain(
    values: list[float],
    steps_ahead: int,
    target: float,
    expected_steps: tuple[tuple[float, ...], ...],
    probability: float,
) -> None:
    forecast = forecast_level(
        values, steps_ahead=steps_ahead, target=target, direction="higher"
    )
    flat = [x for step in forecast.steps for x in step]
    assert flat == pytest.approx([x for step in expected_steps for x in step])
    assert forecast.low == forecast.high == forecast.projected
    assert forecast.probability == probability


@pytest.mark.parametrize(("direction", "expected"), [("higher", 1.0), ("lower", 0.0)])
def test_level_with_no_periods_left_is_the_last_value(
    direction: str, expected: float
) -> None:
    forecast = forecast_level([15, 12], steps_ahead=0, target=11, direction=direction)
    assert forecast == Forecast(12, None, None, expected, forecast.method)


@pytest.mark.parametrize(
    ("values", "sentence"),
    [
        ([], "there are 0 periods"),
        ([4.0], "there is 1 period"),
        ([4, math.nan, 5], "are 2"),
    ],
)
def test_level_needs_three_periods(values: list[float], sentence: str) -> None:
    forecast = forecast_level(values, steps_ahead=2, target=5, direction="higher")
    assert numbers(forecast) == []
    assert (
        "at least 3 finished periods" in forecast.method and sentence in forecast.method
    )


# ---- per-period targets --------------------------------------------------------


def t3_cdf(t: float) -> float:
    """Textbook closed form for 3 degrees of freedom, a = t/√3:
    1/2 + (atan(a) + a / (1 + a²)) / π."""
    a = t / math.sqrt(3)
    return 0.5 + (math.atan(a) + a / (1 + a * a)) / math.pi


def test_per_period_worked_value() -> None:
    # [3, 2, 4, 3] against 2 a week: mean 3, s² = (0 + 1 + 1 + 0) / 3 = 2/3, one
    # more week has error √(2/3 × (1 + 1/4)) = √(5/6), so it passes with
    # P(T₃ ≤ 1/√(5/6)) = P(T₃ ≤ 1.0954) = 0.8233.
    one = t3_cdf(1 / math.sqrt(5 / 6))
    forecast = forecast_per_period(
        [3, 2, 4, 3], remaining=2, target=2, direction="higher", already_missed=False
    )
    assert forecast.probability == pytest.approx(one**2)  # 0.6778
    assert forecast.projected == pytest.approx((4 + 2 * one) / 6)  # 0.9411
    assert (forecast.low, forecast.high) == (None, None)
    # Each week left: 3 ± t(0.90, 3 df) × √(5/6) = 3 ± 1.638 × 0.9129 = 1.505..4.495.
    half = 1.6377 * math.sqrt(5 / 6)
    assert [step[0] for step in forecast.steps] == [1, 2]
    for _, mid, low, high in forecast.steps:
        assert (mid, low, high) == pytest.approx((3, 3 - half, 3 + half), abs=1e-3)


@pytest.mark.parametrize(
    ("values", "direction", "projected"),
    [
        # [3, 1, 4, 4]: mean 3, s² = (0 + 4 + 1 + 1) / 3 = 2, error √(2 × 5/4);
        # 3 of 4 passed, 2 weeks left.
        ([3, 1, 4, 4], "higher", (3 + 2 * t3_cdf(1 / math.sqrt(2.5))) / 6),
        # Lower is better, [3, 2, 4, 3] under 2: only the 2 passed, and one more
        # week stays at or under 2 with P(T₃ ≤ −1.0954).
        ([3, 2, 4, 3], "lower", (1 + 2 * t3_cdf(-1 / math.sqrt(5 / 6))) / 6),
    ],
)
def test_per_period_already_missed_has_no_chance(
    values: list[float], direction: str, projected: float
) -> None:
    forecast = forecast_per_period(
        values, remaining=2, target=2, direction=direction, already_missed=True
    )
    assert forecast.probability == 0.0
    assert forecast.projected == pytest.approx(projected)
    assert forecast.method.startswith("A period has already missed the target")


@pytest.mark.parametrize(
    ("values", "target", "direction", "remaining", "projected", "probability"),
    [
        ([3, 2, 4], 2, "higher", 0, 3 / 3, 1.0),
        ([2, 2, 2], 2, "higher", 3, 6 / 6, 1.0),
        ([2, 2, 2], 2, "lower", 3, 6 / 6, 1.0),
        ([2, 2, 2], 2.5, "higher", 3, 0 / 6, 0.0),
    ],
)
def test_per_period_certain_cases(
    values: list[float],
    target: float,
    direction: str,
    remaining: int,
    projected: float,
    probability: float,
) -> None:
    forecast = forecast_per_period(
        values,
        remaining=remaining,
        target=target,
        direction=direction,
        already_missed=False,
    )
    assert (forecast.projected, forecast.probability) == (projected, probability)


@pytest.mark.parametrize(("missed", "probability"), [(False, None), (True, 0.0)])
def test_per_period_needs_three_periods(
    missed: bool, probability: float | None
) -> None:
    forecast = forecast_per_period(
        [1, 3], remaining=4, target=2, direction="higher", already_missed=missed
    )
    assert (forecast.projected, forecast.probability) == (None, probability)
    assert "at least 3 finished periods; there are 2 periods" in forecast.method


# ---- calibration ---------------------------------------------------------------
#
# Series are drawn from processes whose truth we know; each forecast's chance is
# compared with what then happens when the rest of the series is drawn from that
# truth. Targets are set from the observed figures only (as a person looking at
# the dashboard would), never from the true mean: a target that knew the truth
# would carry information no forecast can have.

CASES = 6000
MIN_BIN_CASES = 50
ALLOWANCE = 0.02


def calibration_misses(predicted: np.ndarray, happened: np.ndarray) -> list[str]:
    """The deciles of predicted chance whose observed rate is too far from them.

    If the chances are right, the successes in a bin are a sum of independent
    Bernoulli(pᵢ) draws, so the observed rate has standard error √Σpᵢ(1 − pᵢ) / n.
    Three standard errors are exceeded by chance in 0.27 % of bins (under 3 %
    over ten bins); the 0.02 allowance covers what the simulation knowingly
    bends: counts treated as t-distributed and the bounded ranges of the true
    means and spreads, which the forecast does not know. Bins with fewer than
    50 cases are skipped; the test also requires at least 8 bins to be judged.
    """
    deciles = np.minimum((predicted * 10).astype(int), 9)
    misses = []
    judged = 0
    for decile in range(10):
        chosen = deciles == decile
        count = int(chosen.sum())
        if count < MIN_BIN_CASES:
            continue
        judged += 1
        chance, rate = predicted[chosen].mean(), happened[chosen].mean()
        error = math.sqrt(float((predicted[chosen] * (1 - predicted[chosen])).sum()))
        if abs(chance - rate) > 3 * error / count + ALLOWANCE:
            misses.append(f"{decile / 10:.1f}: predicted {chance:.3f}, saw {rate:.3f}")
    assert judged >= 8, f"only {judged} bins had {MIN_BIN_CASES} cases"
    return misses


@cache
def simulate_totals(process: str) -> dict[str, np.ndarray]:
    """Chances from forecast_total and two wrong predictors, and what happened."""
    rng = np.random.default_rng(20260430 if process == "normal" else 7)
    rows: dict[str, list[float]] = {
        "model": [],
        "overconfident": [],
        "underconfident": [],
        "happened": [],
    }
    for _ in range(CASES):
        seen, left = int(rng.integers(7, 121)), int(rng.integers(10, 201))
        if process == "normal":
            mean, spread = rng.uniform(50, 500), math.exp(rng.uniform(0, math.log(100)))
            days = rng.normal(mean, spread, seen)
            future = rng.normal(left * mean, math.sqrt(left) * spread)
        else:
            mean = rng.uniform(3, 60)
            days = rng.poisson(mean, seen).astype(float)
            future = float(rng.poisson(left * mean))
        actual, m, s = days.sum(), days.mean(), days.std(ddof=1)
        target = (
            actual
            + left * m
            + rng.uniform(-1.5, 1.5) * s * (math.sqrt(left) + left / math.sqrt(seen))
        )
        direction = "higher" if rng.random() < 0.5 else "lower"
        forecast = forecast_total(
            days.tolist(),
            actual=float(actual),
            remaining_days=left,
            target=float(target),
            direction=direction,
        )
        # Wrong on purpose: the noise of the days to come only (the mean taken
        # as known), and then twice the right error.
        naive = NormalDist(actual + left * m, s * math.sqrt(left))
        wide = NormalDist(
            actual + left * m, 2 * s * math.sqrt(left * (1 + left / seen))
        )
        final = actual + future
        for name, value in [
            ("model", forecast.probability),
            ("overconfident", _chance(naive, target, direction)),
            ("underconfident", _chance(wide, target, direction)),
            ("happened", final >= target if direction == "higher" else final <= target),
        ]:
            rows[name].append(float(value))
    return {name: np.array(values) for name, values in rows.items()}


@cache
def simulate_levels() -> dict[str, np.ndarray]:
    """Straight line plus normal noise; chances from forecast_level and a naive one."""
    rng = np.random.default_rng(31)
    rows: dict[str, list[float]] = {"model": [], "overconfident": [], "happened": []}
    for _ in range(CASES):
        seen, ahead = int(rng.integers(3, 25)), int(rng.integers(1, 13))
        start, slope = rng.uniform(-100, 100), rng.uniform(-10, 10)
        noise = math.exp(rng.uniform(math.log(0.01), math.log(100)))
        x = np.arange(seen)
        values = start + slope * x + rng.normal(0, noise, seen)
        final = start + slope * (seen - 1 + ahead) + rng.normal(0, noise)
        fitted_slope, intercept = np.polyfit(x, values, 1)
        residual = values - (intercept + fitted_slope * x)
        s = math.sqrt(float((residual**2).sum()) / (seen - 2))
        mid = intercept + fitted_slope * (seen - 1 + ahead)
        target = mid + rng.uniform(-1.5, 1.5) * s * (1 + ahead / seen)
        direction = "higher" if rng.random() < 0.5 else "lower"
        forecast = forecast_level(
            values.tolist(),
            steps_ahead=ahead,
            target=float(target),
            direction=direction,
        )
        rows["model"].append(forecast.probability)
        # Wrong on purpose: the residual noise only, the line taken as known.
        rows["overconfident"].append(_chance(NormalDist(mid, s), target, direction))
        met = final >= target if direction == "higher" else final <= target
        rows["happened"].append(float(met))
    return {name: np.array(values) for name, values in rows.items()}


def _chance(distribution: NormalDist, target: float, direction: str) -> float:
    below = distribution.cdf(target)
    return 1 - below if direction == "higher" else below


SIMULATIONS: dict[str, Callable[[], dict[str, np.ndarray]]] = {
    "total, normal days": lambda: simulate_totals("normal"),
    "total, Poisson days": lambda: simulate_totals("poisson"),
    "level, line plus noise": simulate_levels,
}


@pytest.mark.parametrize("name", SIMULATIONS)
def test_forecast_chances_are_calibrated(name: str) -> None:
    runs = SIMULATIONS[name]()
    assert calibration_misses(runs["model"], runs["happened"]) == []


@pytest.mark.parametrize(
    ("name", "predictor"),
    [
        ("total, normal days", "overconfident"),
        ("total, normal days", "underconfident"),
        ("total, Poisson days", "overconfident"),
        ("level, line plus noise", "overconfident"),
    ],
)
def test_calibration_check_catches_wrong_chances(name: str, predictor: str) -> None:
    runs = SIMULATIONS[name]()
    assert calibration_misses(runs[predictor], runs["happened"]) != []
