"""Where a KPI is heading by the end of its time frame, and the chance it gets there.

Each target kind has its own simple model. Every forecast gives the projected
value at the end, an 80 % prediction interval (the range the end value falls in
8 times out of 10 if the model holds) and the probability that the target is met.

*Total targets.* The days still to come are taken to be like the days so far:
independent draws with the same average and spread. With ``n`` days seen, their
mean ``m`` and standard deviation ``s`` (``n − 1`` in the denominator), the total
``A`` so far and ``R`` days left, the end total is projected at ``A + m·R``. Its
uncertainty has two parts: the day-to-day noise of the ``R`` days to come
(``R·s²``) and the doubt about ``m`` itself, which is multiplied by ``R``
(``R²·s²/n``). So the end total is ``A + m·R ± t·s·√(R·(1 + R/n))``, with ``t``
from Student's t distribution with ``n − 1`` degrees of freedom, which widens the
band when few days are known. This is exact for normally distributed days and a
close approximation for counts. At least 7 days are needed. Worked value: 10 days
averaging 10 (s = 4/3) with 100 so far and 20 days left project 100 + 10 × 20 =
300, with an 80 % band of 300 ± 1.383 × 4/3 × √(20 × 3) = 285.7 to 314.3.

*Level targets.* A straight line is fitted by least squares through the values
of the finished periods (numbered 0, 1, 2, ...) and extended to the last period
of the frame. The band is that line's prediction interval, ``t·s·√(1 + 1/n +
(x − x̄)²/Σ(xᵢ − x̄)²)`` with ``t`` at ``n − 2`` degrees of freedom, so it widens
the further ahead it looks. At least 3 periods are needed.

*Per-period targets.* The next period's value is forecast like one more draw
from the finished periods (``m ± t·s·√(1 + 1/n)``, ``n − 1`` degrees of freedom),
which gives the chance ``p`` that one period passes. The periods left are taken
as independent, so all of them pass with chance ``p`` to the power of their
number; once a period has failed the chance is 0. The projection is the
expected share of all periods that pass.

Student's t distribution comes from SciPy (``scipy.stats.t``). Numbers are never NaN or
infinite: too little data gives ``None`` and a sentence saying what is missing;
days or periods that never vary give a band of width 0 and a chance of 0 or 1.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from scipy.stats import t as student_t

from kpi.progress import meets, safe_ratio

MIN_DAYS = 7
MIN_PERIODS = 3
BAND_COVERAGE = 0.8
_BAND = "the range is where the end value falls 8 times in 10"

Step = tuple[int, float, float, float]


@dataclass(frozen=True)
class Forecast:
    """A projection to the end of the time frame; ``None`` means "no value".

    ``steps`` holds ``(steps_ahead, mid, low, high)`` for drawing the projected
    line and its band.
    """

    projected: float | None
    low: float | None
    high: float | None
    probability: float | None
    method: str
    steps: tuple[Step, ...] = ()


def forecast_total(
    daily: Sequence[float],
    *,
    actual: float,
    remaining_days: int,
    target: float,
    direction: str,
    step_days: Sequence[int] = (),
) -> Forecast:
    """Forecast a total target from the values of the elapsed days (see module).

    ``daily`` holds one value per elapsed day (0 for a day without rows); values
    that are not finite are left out. ``step_days`` are the days ahead (1 to
    ``remaining_days``) to report in ``steps``. Worked value: daily
    [10, 12, 8, 10, 10, 12, 8, 10, 10, 10], actual 100, 20 days left: projected
    300, band 285.7 to 314.3, chance of reaching 310 about 17.9 %.
    """
    _check(direction, actual=actual, target=target)
    if remaining_days < 0:
        raise ValueError(f"remaining_days is {remaining_days}; it cannot be below 0.")
    if remaining_days == 0:
        chance = 1.0 if meets(actual, target, direction) else 0.0
        return Forecast(actual, None, None, chance, "The time frame is over.")
    days = _finite(daily)
    if len(days) < MIN_DAYS:
        return _unavailable(
            f"A forecast needs at least {MIN_DAYS} days of data; "
            f"there {_count(len(days), 'day')} so far."
        )
    outside = [day for day in step_days if not 1 <= day <= remaining_days]
    if outside:
        raise ValueError(
            f"step_days {outside} fall outside 1..{remaining_days}, the days left; "
            "pass only days ahead within the time frame."
        )

    n = len(days)
    mean = statistics.fmean(days)
    spread = 0.0 if _flat(days) else statistics.stdev(days)
    t = float(student_t.ppf((1 + BAND_COVERAGE) / 2, n - 1))

    def error(ahead: int) -> float:
        return spread * math.sqrt(ahead * (1 + ahead / n))

    def point(ahead: int) -> Step:
        mid = actual + mean * ahead
        return ahead, mid, mid - t * error(ahead), mid + t * error(ahead)

    _, projected, low, high = point(remaining_days)
    chance = _chance(projected, error(remaining_days), target, direction, n - 1)
    method = (
        f"Projected from the daily average of the {n} days so far, taking the "
        f"{remaining_days} days left to be like them; {_BAND}."
    )
    steps = tuple(point(day) for day in step_days)
    return Forecast(projected, low, high, chance, method, steps)


def forecast_level(
    values: Sequence[float], *, steps_ahead: int, target: float, direction: str
) -> Forecast:
    """Forecast a level target from a straight-line trend (see module).

    ``values`` hold one value per finished period in order; a value that is not
    finite leaves a gap but keeps the numbering. Worked value: [10, 12, 15] gives
    the line 9.83 + 2.5·x; one period ahead (x = 3) it reaches 17.33 with a
    standard error of √(5/9) = 0.745, and the chance of reaching 17 is
    1/2 + atan(0.447)/π = 63.4 % (t with 1 degree of freedom).
    """
    _check(direction, target=target)
    if steps_ahead < 0:
        raise ValueError(f"steps_ahead is {steps_ahead}; it cannot be below 0.")
    points = [(x, y) for x, y in enumerate(values) if math.isfinite(y)]
    if steps_ahead == 0 and points:
        last = points[-1][1]
        chance = 1.0 if meets(last, target, direction) else 0.0
        return Forecast(last, None, None, chance, "The last period is the end value.")
    if len(points) < MIN_PERIODS:
        return _unavailable(
            f"A trend needs at least {MIN_PERIODS} finished periods; "
            f"there {_count(len(points), 'period')}."
        )

    n = len(points)
    x_mean = statistics.fmean(x for x, _ in points)
    y_mean = statistics.fmean(y for _, y in points)
    sxx = sum((x - x_mean) ** 2 for x, _ in points)
    slope = sum((x - x_mean) * (y - y_mean) for x, y in points) / sxx
    residuals = [y - y_mean - slope * (x - x_mean) for x, y in points]
    spread = math.sqrt(sum(r * r for r in residuals) / (n - 2))
    if _flat(residuals, scale=[y for _, y in points]):
        spread = 0.0
    t = float(student_t.ppf((1 + BAND_COVERAGE) / 2, n - 2))

    def error(ahead: int) -> float:
        x = len(values) - 1 + ahead
        return spread * math.sqrt(1 + 1 / n + (x - x_mean) ** 2 / sxx)

    def point(ahead: int) -> Step:
        mid = y_mean + slope * (len(values) - 1 + ahead - x_mean)
        return ahead, mid, mid - t * error(ahead), mid + t * error(ahead)

    steps = tuple(point(ahead) for ahead in range(1, steps_ahead + 1))
    _, projected, low, high = steps[-1]
    chance = _chance(projected, error(steps_ahead), target, direction, n - 2)
    method = (
        f"A straight-line trend through the {n} finished periods, extended "
        f"{_count(steps_ahead, 'period', verb=False)} ahead; {_BAND}."
    )
    return Forecast(projected, low, high, chance, method, steps)


def forecast_per_period(
    values: Sequence[float],
    *,
    remaining: int,
    target: float,
    direction: str,
    already_missed: bool,
    passed: int | None = None,
    judged: int | None = None,
    remaining_targets: Sequence[float] | None = None,
) -> Forecast:
    """Forecast a per-period target: every period must pass (see module).

    ``values`` are whole finished periods, the sample the next ones are drawn
    like. ``passed`` of ``judged`` finished periods have passed so far (by
    default counted from ``values`` against ``target``; pass them when some
    periods were judged on their own targets, such as a cut stub or a planned
    month). ``remaining_targets`` gives each period left its target as a
    whole period's value (default ``target`` each); a NaN target is not
    judged. With p_i the chance that period i passes, ``projected`` is the
    expected hit rate at the end, (passed + Σ p_i) / (judged + periods left),
    and ``probability`` is the product of the p_i, or 0 once a period has
    failed. ``steps`` give each period left the one-period forecast m and its
    80 % band, in the metric's own units, for the chart. Worked value:
    [3, 2, 4, 3] against 2 each week with 2 weeks left: p = P(T₃ ≤ 1/0.913)
    = 82.3 %, probability 0.823² = 67.8 %, projected (4 + 2 × 0.823) / 6 =
    94.1 %.
    """
    _check(direction, target=target)
    if remaining < 0:
        raise ValueError(f"remaining is {remaining}; it cannot be below 0.")
    periods = _finite(values)
    missed_chance = 0.0 if already_missed else None
    if len(periods) < MIN_PERIODS:
        sentence = (
            f"A forecast needs at least {MIN_PERIODS} finished periods; "
            f"there {_count(len(periods), 'period')}."
        )
        return Forecast(None, None, None, missed_chance, sentence)

    n = len(periods)
    if passed is None:
        passed = sum(meets(value, target, direction) for value in periods)
    judged = n if judged is None else judged
    goals = [target] * remaining if remaining_targets is None else remaining_targets
    goals = [goal for goal in goals if math.isfinite(goal)]
    spread = 0.0 if _flat(periods) else statistics.stdev(periods)
    error = spread * math.sqrt(1 + 1 / n)
    mean = statistics.fmean(periods)
    chances = [_chance(mean, error, goal, direction, n - 1) for goal in goals]
    half = float(student_t.ppf((1 + BAND_COVERAGE) / 2, n - 1)) * error
    steps = tuple(
        (ahead, mean, mean - half, mean + half) for ahead in range(1, remaining + 1)
    )
    all_pass = 0.0 if already_missed else math.prod(chances)
    projected = safe_ratio(passed + math.fsum(chances), judged + len(chances))
    typical = (
        f"a chance of {chances[0]:.0%}"
        if chances and len(set(goals)) == 1
        else "chances that follow each period's own target"
    )
    method = (
        f"Each of the {len(chances)} periods left is taken to be like the {n} "
        f"finished ones, passing with {typical}; the projection is "
        "the expected share of periods that pass."
    )
    if already_missed:
        method = (
            f"A period has already missed the target, so it cannot be met. {method}"
        )
    return Forecast(projected, None, None, all_pass, method, steps)


def _chance(mid: float, error: float, target: float, direction: str, df: int) -> float:
    """P(value meets target) when value = mid + error·T, T Student's t with df."""
    if error == 0:
        return 1.0 if meets(mid, target, direction) else 0.0
    margin = mid - target if direction == "higher" else target - mid
    return float(student_t.cdf(margin / error, df))


def _flat(values: Sequence[float], scale: Sequence[float] = ()) -> bool:
    """True when the values do not vary beyond floating-point noise."""
    size = max((abs(value) for value in [*values, *scale]), default=0.0)
    return max(values) - min(values) <= 1e-12 * size


def _finite(values: Sequence[float]) -> list[float]:
    return [float(value) for value in values if math.isfinite(value)]


def _unavailable(sentence: str) -> Forecast:
    return Forecast(None, None, None, None, sentence)


def _count(number: int, noun: str, verb: bool = True) -> str:
    words = f"{number} {noun}{'' if number == 1 else 's'}"
    if not verb:
        return words
    return f"{'is' if number == 1 else 'are'} {words}"


def _check(direction: str, **figures: float) -> None:
    if direction not in ("higher", "lower"):
        raise ValueError(
            f'direction is "{direction}"; use "higher" or "lower" (which is better).'
        )
    for name, value in figures.items():
        if not math.isfinite(value):
            raise ValueError(f"{name} is {value}; pass a finite number.")
