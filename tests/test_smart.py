"""The SMART check (kpi/smart.py) and its Realistic tick (kpi/realistic.py).

The rows: team North (person Ann) has one row a week on ten Mondays,
2025-12-22 (2025-W52) to 2026-02-23 (2026-W09), then one on 2026-03-02.

    week        revenue  cost  hours
    2025-12-22    10      10     9
    2025-12-29    20      20     7
    2026-01-05    30      30     8
    2026-01-12    40      40     6
    2026-01-19    50      50    10
    2026-01-26    60      60     5
    2026-02-02    70      70     7
    2026-02-09    80      80     6
    2026-02-16    90      90     8
    2026-02-23   100     100     4
    2026-03-02    50      50     5   (inside the KPIs' time frame)

Team East (person Bo) has a single row, on 2026-03-02. Today is 2026-03-10.

Percentiles are numpy's default (linear): the q-th of n sorted values sits at
position q × (n − 1), counted from 0, between the two values around it.
Revenue, 90th: 0.9 × 9 = 8.1 -> 90 + 0.1 × (100 − 90) = 91; best 100.
Cost, 10th (lower is better): 0.1 × 9 = 0.9 -> 10 + 0.9 × 10 = 19; best 10.
Hours sorted 4 5 6 6 7 7 8 8 9 10, 10th: 0.9 -> 4 + 0.9 × (5 − 4) = 4.9;
best 4 (2026-W09).
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from kpi.kpi_data import kpi_data
from kpi.metric_checks import adds_up
from kpi.metrics import Rows
from kpi.model import KPI, ColumnMapping, Definitions, Metric, Target
from kpi.realistic import (
    BEYOND,
    NO_HISTORY,
    NO_TARGET,
    STRETCH,
    WITHIN,
    PaceHistory,
    RequiredPace,
    judge_pace,
    periods_in_frame,
)
from kpi.settings import WorkspaceSettings
from kpi.smart import CANNOT_TELL, SMART_NAMES, smart_check

TODAY = date(2026, 3, 10)
MAPPING = ColumnMapping(
    date="date",
    dimensions=("team", "person"),
    numbers=("revenue", "cost", "hours"),
    team="team",
    person="person",
)
TEAM_ONLY = ColumnMapping(
    date="date", dimensions=("team",), numbers=("users",), team="team"
)
METRICS = (
    Metric("revenue", "Revenue", "sales", "revenue"),
    Metric("cost", "Cost", "sales", "cost", direction="lower"),
    Metric(
        "hours", "Hours", "sales", "hours", "mean", unit="duration", direction="lower"
    ),
    Metric("users", "Users", "product", "users"),
    Metric("ghost_calls", "Ghost calls", "ghost", "calls"),
)
DEFINITIONS = Definitions(metrics=METRICS)
HOURS = [9, 7, 8, 6, 10, 5, 7, 6, 8, 4]
# Four whole Monday-to-Sunday weeks.
MARCH = (date(2026, 3, 2), date(2026, 3, 29))


def _rows() -> dict[str, Rows]:
    records = [
        {
            "date": date(2025, 12, 22) + timedelta(weeks=week),
            "team": "North",
            "person": "Ann",
            "revenue": 10.0 * (week + 1),
            "cost": 10.0 * (week + 1),
            "hours": float(HOURS[week]),
        }
        for week in range(10)
    ]
    records.append(
        {
            "date": date(2026, 3, 2),
            "team": "North",
            "person": "Ann",
            "revenue": 50.0,
            "cost": 50.0,
            "hours": 5.0,
        }
    )
    records.append(
        {
            "date": date(2026, 3, 2),
            "team": "East",
            "person": "Bo",
            "revenue": 5.0,
            "cost": 5.0,
            "hours": 1.0,
        }
    )
    product = pd.DataFrame(
        {"date": pd.to_datetime(["2026-01-05"]), "team": ["North"], "users": [3.0]}
    )
    product["team"] = product["team"].astype("string")
    return {
        "sales": Rows(MAPPING, _frame(records)),
        "product": Rows(TEAM_ONLY, product),
    }


def _frame(records: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(records)
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
    for column in ("team", "person"):
        frame[column] = frame[column].astype("string")
    return frame


ROWS = _rows()


def kpi(
    metric: str = "revenue",
    target: Target | None = None,
    frame: tuple[date, date] = MARCH,
    team: str | None = "North",
    person: str | None = None,
) -> KPI:
    chosen = target or Target("per_period", 80, period="week")
    return KPI("k", "A KPI", metric, chosen, frame[0], frame[1], team, person)


def check(kpi_: KPI, **options):
    return smart_check(kpi_, DEFINITIONS, ROWS, TODAY, **options)


# --- Realistic ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("metric", "value", "verdict", "done_in"),
    [
        # Revenue: 90th percentile 91, best 100.
        ("revenue", 80, WITHIN, 3),  # 80, 90, 100 reached 80
        ("revenue", 91, WITHIN, 1),  # exactly the best 10 %
        ("revenue", 95, STRETCH, 1),
        ("revenue", 100, STRETCH, 1),  # exactly the best ever
        ("revenue", 101, BEYOND, 0),
        # Cost, lower is better: 10th percentile 19, best 10.
        ("cost", 25, WITHIN, 2),  # 10 and 20 are at most 25
        ("cost", 19, WITHIN, 1),
        ("cost", 15, STRETCH, 1),
        ("cost", 5, BEYOND, 0),
    ],
)
def test_a_per_period_pace_is_classified_against_history(
    metric: str, value: float, verdict: str, done_in: int
) -> None:
    result = check(kpi(metric, Target("per_period", value, period="week")))

    tick = result.tick("Realistic")
    assert (tick.verdict, tick.passed) == (verdict, verdict in (WITHIN, STRETCH))
    assert tick.caution is (verdict == STRETCH)
    assert result.pace is not None
    assert result.pace.done_in == done_in
    assert result.pace.required is not None
    assert result.pace.required.value == value


def test_the_sentence_names_the_figures() -> None:
    result = check(kpi(target=Target("per_period", 95, period="week")))

    assert result.tick("Realistic").reason == (
        "Needs at least 95 a week; 1 of the last 10 weeks did it, the best 10 % "
        "reached 91, the best ever 100 (2026-W09): a stretch."
    )


def test_lower_is_better_reads_at_most() -> None:
    result = check(kpi("cost", Target("per_period", 15, period="week")))

    assert result.tick("Realistic").reason == (
        "Needs at most 15 a week; 1 of the last 10 weeks did it, the best 10 % "
        "reached 19, the best ever 10 (2025-W52): a stretch."
    )


@pytest.mark.parametrize(
    ("value", "verdict"),
    [
        (6, WITHIN),  # 6 >= 4.9
        (4.5, STRETCH),  # 4 <= 4.5 < 4.9
        (3, BEYOND),  # below the best ever, 4
    ],
)
def test_a_level_target_is_compared_with_the_levels_seen(
    value: float, verdict: str
) -> None:
    result = check(kpi("hours", Target("level", value, period="week", baseline=12)))

    assert result.tick("Realistic").verdict == verdict
    assert result.pace is not None
    assert result.pace.best_tenth == pytest.approx(4.9)
    assert (result.pace.best, result.pace.best_label) == (4.0, "2026-W09")


def test_a_level_counts_the_weeks_that_were_there() -> None:
    # Hours at most 6: 6, 5, 6 and 4 -> 4 of the 10 weeks.
    result = check(kpi("hours", Target("level", 6, period="week", baseline=12)))

    assert result.pace is not None
    assert result.pace.done_in == 4
    assert "Needs at most 6.0 h a week; 4 of the last 10 weeks did it" in (
        result.tick("Realistic").reason
    )


def test_a_total_is_spread_over_the_weeks_of_the_frame() -> None:
    # 320 over four whole weeks of March: 80 a week, within (80 <= 91).
    result = check(kpi(target=Target("total", 320)))

    tick = result.tick("Realistic")
    assert tick.verdict == WITHIN
    assert tick.reason.startswith("Needs at least 80 a week (320 over 4 weeks);")


def test_a_cut_week_counts_its_days_inside_the_frame() -> None:
    # Wednesday 4 March to Sunday 29 March: 5/7 of a week + 3 weeks = 26/7
    # weeks; 338 / (26/7) = 338 × 7 / 26 = 91 a week, exactly the best 10 %.
    result = check(kpi(target=Target("total", 338), frame=(date(2026, 3, 4), MARCH[1])))

    tick = result.tick("Realistic")
    assert result.pace is not None and result.pace.required is not None
    assert result.pace.required.value == pytest.approx(91)
    assert result.pace.required.spread_over == pytest.approx(26 / 7)
    assert tick.verdict == WITHIN
    assert "(338 over 3.7 weeks)" in tick.reason


def test_a_change_target_is_resolved_before_it_is_paced() -> None:
    # Baseline 5 Jan - 1 Feb: 30 + 40 + 50 + 60 = 180; +20 % = 216 over four
    # weeks = 54 a week; 60, 70, 80, 90 and 100 reached it.
    target = Target(
        "change",
        0.20,
        baseline_start=date(2026, 1, 5),
        baseline_end=date(2026, 2, 1),
        resolves_to="total",
    )
    result = check(kpi(target=target))

    assert result.pace is not None and result.pace.required is not None
    assert result.pace.required.value == pytest.approx(54)
    assert (result.pace.verdict, result.pace.done_in) == (WITHIN, 5)
    assert result.tick("Specific").reason == (
        "Revenue for team North: +20.0 % over 2026-01-05 – 2026-02-01 (180), "
        "a total of 216."
    )


def test_the_look_back_sets_where_the_best_10_percent_comes_from() -> None:
    # The last 4 weeks, 70 80 90 100: 0.9 × 3 = 2.7 -> 90 + 0.7 × 10 = 97.
    target = Target("per_period", 95, period="week")

    result = check(kpi(target=target), look_back=4)

    assert result.pace is not None
    assert result.pace.best_tenth == pytest.approx(97)
    assert result.tick("Realistic").verdict == WITHIN
    assert "1 of the last 4 weeks did it" in result.tick("Realistic").reason


@pytest.mark.parametrize(
    ("frame", "team", "person"),
    [
        # Starts on the first day of the rows: nothing before it.
        ((date(2025, 12, 22), date(2026, 1, 18)), "North", None),
        # Bo's only row is inside the frame.
        (MARCH, "East", "Bo"),
    ],
)
def test_no_history_fails_and_says_so(frame, team, person) -> None:
    result = check(kpi(frame=frame, team=team, person=person))

    tick = result.tick("Realistic")
    assert (tick.passed, tick.verdict) == (False, NO_HISTORY)
    assert "there is no whole week of data" in tick.reason


def test_a_half_filled_first_week_is_not_history() -> None:
    # Daily 10 from Wednesday 7 Jan to Sunday 1 Feb 2026: the week of 5 Jan
    # holds only 5 days (50) and is left out; three whole weeks of 70 remain.
    days = pd.date_range("2026-01-07", "2026-02-01", freq="D")
    frame = _frame(
        [{"date": d, "team": "North", "person": "Ann", "revenue": 10.0} for d in days]
    )
    rows = {"sales": Rows(MAPPING, frame.assign(cost=0.0, hours=0.0))}
    target = Target("per_period", 70, period="week")
    draft = kpi(target=target, frame=(date(2026, 2, 2), date(2026, 2, 22)))

    result = smart_check(draft, DEFINITIONS, rows, date(2026, 2, 10))

    assert result.pace is not None
    assert result.pace.history.values == (70.0, 70.0, 70.0)
    assert result.tick("Realistic").verdict == WITHIN


def test_a_baseline_without_data_leaves_no_target() -> None:
    target = Target(
        "change",
        0.20,
        baseline_start=date(2025, 1, 1),
        baseline_end=date(2025, 3, 31),
    )
    result = check(kpi(target=target))

    assert result.tick("Realistic").verdict == NO_TARGET
    assert result.tick("Specific").verdict == "no number"
    assert "has no data" in result.tick("Specific").reason


@pytest.mark.parametrize(
    ("frame", "period", "expected"),
    [
        # Q1 2026 from Thursday 1 Jan: 4/7 + 12 + 2/7 = 90/7 weeks.
        ((date(2026, 1, 1), date(2026, 3, 31)), "week", 90 / 7),
        ((date(2026, 1, 1), date(2026, 12, 31)), "month", 12.0),
        # 15 Jan - 31 Mar: 17/31 of January, then February and March.
        ((date(2026, 1, 15), date(2026, 3, 31)), "month", 17 / 31 + 2),
    ],
)
def test_periods_in_frame(frame, period, expected) -> None:
    data = kpi_data(kpi(frame=frame), DEFINITIONS, ROWS, TODAY, WorkspaceSettings())

    assert periods_in_frame(data, period) == pytest.approx(expected)


def test_a_year_long_total_is_paced_by_the_month() -> None:
    result = check(
        kpi(target=Target("total", 1200), frame=(date(2026, 1, 1), date(2026, 12, 31)))
    )

    assert result.pace is not None and result.pace.required is not None
    # 1,200 over 12 months = 100 a month.
    assert (result.pace.required.period, result.pace.required.value) == ("month", 100)


def test_judge_pace_on_plain_numbers() -> None:
    # 10 20 ... 100, 90th percentile 91 (as above): 95 is a stretch.
    history = PaceHistory(
        "week", tuple(float(v) for v in range(10, 101, 10)), tuple("abcdefghij")
    )

    figures = judge_pace(RequiredPace(95, "week"), history, "higher")

    assert (figures.verdict, figures.best_tenth, figures.best) == (STRETCH, 91, 100)
    assert figures.best_label == "j"


# --- Specific, Measurable, Assignable, Time-bound -----------------------------


def test_a_sound_kpi_passes_all_five_in_order() -> None:
    result = check(kpi())

    assert [tick.name for tick in result.ticks] == list(SMART_NAMES)
    assert result.passed and result.failures == ()
    assert result.summary() == "Passes all 5 SMART checks."
    assert [tick.reason for tick in result.ticks] == [
        "Revenue for team North: 80 every week.",
        'Dataset "sales" has 11 rows for team North, in data from 2025-12-22 '
        "to 2026-03-02.",
        "Owned by team North.",
        "Needs at least 80 a week; 3 of the last 10 weeks did it, the best 10 % "
        "reached 91, the best ever 100 (2026-W09): within what has been done.",
        "Starts 2026-03-02 and ends 2026-03-29 (28 days).",
    ]


@pytest.mark.parametrize(
    ("draft", "verdict", "said"),
    [
        (kpi(metric="nothing"), "no metric", 'Metric "nothing" is not defined'),
        (kpi(target=Target("total", 0)), "no number", "A total target of 0"),
        (kpi(target=Target("per_period", 0, period="week")), "no number", "of 0"),
        (
            kpi(
                target=Target(
                    "change",
                    0.0,
                    baseline_start=date(2026, 1, 5),
                    baseline_end=date(2026, 2, 1),
                )
            ),
            "no number",
            "asks for nothing new",
        ),
        (kpi(target=Target("per_period", 80)), "no period", "has no period"),
        (
            kpi(target=Target("per_period", 80, period="fortnight")),
            "no period",
            'Period "fortnight" is not known',
        ),
        (kpi(target=Target("total", float("nan"))), "no number", "is not a number"),
        # Revenue here is a plain number: it cannot fall below 0.
        (
            kpi(target=Target("per_period", -5, period="week")),
            "no number",
            "A per_period target of -5 asks for less than nothing",
        ),
        # Hours is a mean: a total of it means nothing.
        (
            kpi(metric="hours", target=Target("total", 20)),
            "not a total",
            "Hours does not add up over periods",
        ),
    ],
)
def test_specific_fails(draft: KPI, verdict: str, said: str) -> None:
    tick = check(draft).tick("Specific")

    assert (tick.passed, tick.verdict) == (False, verdict)
    assert said in tick.reason


@pytest.mark.parametrize(
    ("draft", "said"),
    [
        (kpi(metric="ghost_calls"), 'reads dataset "ghost", which is not loaded'),
        (kpi(team="South"), 'Dataset "sales" has no rows for team South'),
        (kpi(metric="users", person="Ann"), 'Dataset "product" has no person column'),
        (kpi(metric="nothing"), 'Metric "nothing" is not defined'),
    ],
)
def test_measurable_fails(draft: KPI, said: str) -> None:
    tick = check(draft).tick("Measurable")

    assert (tick.passed, tick.verdict) == (False, "no data")
    assert said in tick.reason


def test_measurable_counts_the_owners_rows() -> None:
    # Ann has the ten weeks and 2 March: 11 rows; Bo has 1.
    assert (
        "has 11 rows for Ann (North)"
        in check(kpi(person="Ann")).tick("Measurable").reason
    )
    assert (
        "has 1 row for Bo (East)"
        in check(kpi(team="East", person="Bo")).tick("Measurable").reason
    )


@pytest.mark.parametrize(
    ("team", "person", "passed", "reason"),
    [
        (None, None, False, "Nobody owns it."),
        ("North", None, True, "Owned by team North."),
        (None, "Ann", True, "Owned by Ann."),
        ("North", "Ann", True, "Owned by Ann (North)."),
    ],
)
def test_assignable(team, person, passed, reason) -> None:
    tick = check(kpi(team=team, person=person)).tick("Assignable")

    assert tick.passed is passed
    assert tick.reason.startswith(reason)


def test_a_frame_that_ends_before_it_starts_fails_time_bound_only_there() -> None:
    result = check(kpi(frame=(date(2026, 3, 29), date(2026, 3, 2))))

    assert result.tick("Time-bound").passed is False
    assert "ends (2026-03-02) before it starts (2026-03-29)" in (
        result.tick("Time-bound").reason
    )
    # Realistic cannot spread anything over no frame; Specific is unaffected.
    assert result.tick("Realistic").verdict == CANNOT_TELL
    assert result.tick("Specific").passed
    assert result.summary() == "Fails 2 of 5 SMART checks: Realistic, Time-bound."


def test_a_named_frame_is_named() -> None:
    tick = check(kpi(frame=(date(2026, 1, 1), date(2026, 3, 31)))).tick("Time-bound")

    assert tick.reason == "Starts 2026-01-01 and ends 2026-03-31 (Q1 2026, 90 days)."


def test_failures_list_the_failed_ticks_only() -> None:
    # No owner and a pace beyond the best ever (101 > 100).
    draft = kpi(target=Target("per_period", 101, period="week"), team=None)

    result = check(draft)

    assert [tick.name for tick in result.failures] == ["Assignable", "Realistic"]
    assert not result.passed


def test_an_unknown_period_cannot_be_paced() -> None:
    result = check(kpi(target=Target("per_period", 80, period="fortnight")))

    tick = result.tick("Realistic")
    assert (tick.passed, tick.verdict) == (False, CANNOT_TELL)
    assert 'Unknown period "fortnight"' in tick.reason


@pytest.mark.parametrize(
    ("formula", "adds"),
    [
        ("revenue - cost", True),
        ("revenue / 1000", True),
        ("-(revenue + cost) * 2", True),
        ("revenue / cost", False),
        ("revenue * cost", False),
        ("revenue + hours", False),  # hours is a mean
    ],
)
def test_a_formula_adds_up_when_it_only_adds_and_scales(formula, adds) -> None:
    derived = Metric("derived", "Derived", formula=formula)
    definitions = Definitions(metrics=(*METRICS, derived))

    assert adds_up(definitions, derived) is adds
