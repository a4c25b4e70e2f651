"""Progress, pace and status from plain numbers (kpi/progress.py)."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from kpi.errors import DefinitionError
from kpi.progress import (
    Timeline,
    judge_level,
    judge_per_period,
    judge_total,
    level_progress,
    meets,
    pace_ratio,
    safe_ratio,
    status_from_pace,
)
from kpi.settings import WorkspaceSettings

SHARED = Path(__file__).resolve().parents[2] / "shared"
YEAR_2026 = (date(2026, 1, 1), date(2026, 12, 31))
APRIL_30 = Timeline(*YEAR_2026, date(2026, 4, 30))
# 31 + 28 + 31 + 30 = 120 days elapsed through 30 April; 365 - 120 = 245 left.
LINEAR_SHARE = 120 / 365


@pytest.mark.parametrize(
    ("today", "elapsed", "remaining", "not_started", "ended"),
    [
        (date(2026, 4, 30), 120, 245, False, False),
        (date(2026, 1, 1), 1, 364, False, False),
        (date(2025, 12, 31), 0, 365, True, False),
        (date(2026, 12, 31), 365, 0, False, True),
        (date(2027, 3, 1), 365, 0, False, True),
    ],
)
def test_timeline_counts_days_inclusively(
    today: date, elapsed: int, remaining: int, not_started: bool, ended: bool
) -> None:
    timeline = Timeline(*YEAR_2026, today)
    assert timeline.total_days == 365
    assert timeline.elapsed_days == elapsed
    assert timeline.remaining_days == remaining
    assert timeline.not_started is not_started
    assert timeline.ended is ended


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (3.0, 4.0, 0.75),
        (3.0, 0.0, None),
        (0.0, 0.0, None),
        (None, 4.0, None),
        (4.0, None, None),
        (math.nan, 4.0, None),
        (1e308, 1e-308, None),  # overflows to infinity
    ],
)
def test_safe_ratio_never_gives_infinity(
    numerator: float | None, denominator: float | None, expected: float | None
) -> None:
    assert safe_ratio(numerator, denominator) == expected


@pytest.mark.parametrize(
    ("value", "target", "direction", "expected"),
    [
        (5.0, 5.0, "higher", True),
        (4.9, 5.0, "higher", False),
        (3.0, 3.0, "lower", True),
        (3.1, 3.0, "lower", False),
    ],
)
def test_meets(value: float, target: float, direction: str, expected: bool) -> None:
    assert meets(value, target, direction) is expected


@pytest.mark.parametrize(
    ("actual", "expected", "direction", "pace"),
    [
        (380_000.0, 400_000.0, "higher", 0.95),
        (40_000.0, 32_000.0, "lower", 0.8),  # spending faster than planned
        (0.0, 32_000.0, "lower", None),
        (10.0, 0.0, "higher", None),
    ],
)
def test_pace_ratio(
    actual: float, expected: float, direction: str, pace: float | None
) -> None:
    assert pace_ratio(actual, expected, direction) == pace


@pytest.mark.parametrize(
    ("current", "baseline", "target", "expected"),
    [
        (7.5, 12.0, 3.0, 0.5),  # (12 - 7.5) / (12 - 3), lower is better
        (0.035, 0.02, 0.05, 0.5),  # (0.035 - 0.02) / (0.05 - 0.02), higher
        (14.0, 12.0, 3.0, -2 / 9),  # worse than the baseline
        (5.0, 5.0, 5.0, None),  # baseline equals target
        (5.0, None, 3.0, None),
    ],
)
def test_level_progress(
    current: float, baseline: float | None, target: float, expected: float | None
) -> None:
    assert level_progress(current, baseline, target) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("pace", "at_risk_pace", "expected"),
    [
        (1.0, 0.9, "on track"),
        (1.3, 0.9, "on track"),
        (0.963, 0.9, "at risk"),
        (0.9, 0.9, "at risk"),
        (0.899, 0.9, "off track"),
        (0.85, 0.8, "at risk"),
    ],
)
def test_status_from_pace(pace: float, at_risk_pace: float, expected: str) -> None:
    assert status_from_pace(pace, at_risk_pace) == expected


def test_total_worked_value_is_at_risk() -> None:
    judgement = judge_total(
        380_000.0,
        1_200_000.0,
        direction="higher",
        timeline=APRIL_30,
        expected_share=LINEAR_SHARE,
        at_risk_pace=WorkspaceSettings().at_risk_pace,
    )
    # 1,200,000 × 120 / 365 = 394,520.548; 380,000 / 394,520.548 = 0.96319.
    assert judgement.expected_to_date == pytest.approx(394_520.55, abs=0.01)
    assert judgement.pace == pytest.approx(0.9632, abs=1e-4)
    assert judgement.status == "at risk"
    # (1,200,000 - 380,000) / 245 = 3,346.94 a day.
    assert judgement.needed_per_day == pytest.approx(3_346.94, abs=0.01)
    assert judgement.progress == pytest.approx(380_000 / 1_200_000)
    assert judgement.outcome is None
    assert "394,521 expected by now" in judgement.explanation
    assert "96.3%" in judgement.explanation


def test_total_seasonal_share_puts_it_on_track() -> None:
    judgement = judge_total(
        380_000.0,
        1_200_000.0,
        direction="higher",
        timeline=APRIL_30,
        expected_share=0.30,
        at_risk_pace=0.9,
    )
    # 1,200,000 × 0.30 = 360,000; 380,000 / 360,000 = 1.0556.
    assert judgement.expected_to_date == pytest.approx(360_000)
    assert judgement.pace == pytest.approx(1.0556, abs=1e-4)
    assert judgement.status == "on track"


# A 100,000 budget for 2026 (lower is better): 100,000 × 120 / 365 = 32,876.7
# is the plan by 30 April.
@pytest.mark.parametrize(
    ("actual", "target", "direction", "today", "status", "outcome"),
    [
        (380_000.0, 1_200_000.0, "higher", date(2025, 12, 1), "not started", None),
        (None, 1_200_000.0, "higher", date(2026, 4, 30), "no data", None),
        (500_000.0, 1_200_000.0, "higher", date(2026, 4, 30), "on track", None),
        (300_000.0, 1_200_000.0, "higher", date(2026, 4, 30), "off track", None),
        (1_250_000.0, 1_200_000.0, "higher", date(2026, 9, 30), "achieved", None),
        (1_200_000.0, 1_200_000.0, "higher", date(2027, 1, 5), "achieved", "passed"),
        (1_100_000.0, 1_200_000.0, "higher", date(2026, 12, 31), "missed", "failed"),
        (30_000.0, 100_000.0, "lower", date(2026, 4, 30), "on track", None),
        (40_000.0, 100_000.0, "lower", date(2026, 4, 30), "off track", None),
        (34_000.0, 100_000.0, "lower", date(2026, 4, 30), "at risk", None),
        (0.0, 100_000.0, "lower", date(2026, 4, 30), "on track", None),
        (99_000.0, 100_000.0, "lower", date(2026, 12, 31), "achieved", "passed"),
        (101_000.0, 100_000.0, "lower", date(2026, 12, 31), "missed", "failed"),
    ],
)
def test_total_status(
    actual: float | None,
    target: float,
    direction: str,
    today: date,
    status: str,
    outcome: str | None,
) -> None:
    timeline = Timeline(*YEAR_2026, today)
    judgement = judge_total(
        actual,
        target,
        direction=direction,
        timeline=timeline,
        expected_share=timeline.share,
        at_risk_pace=0.9,
    )
    assert (judgement.status, judgement.outcome) == (status, outcome)


def test_lower_total_is_not_achieved_before_the_end() -> None:
    # Within budget in April says nothing yet about December.
    judgement = judge_total(
        20_000.0,
        100_000.0,
        direction="lower",
        timeline=APRIL_30,
        expected_share=LINEAR_SHARE,
        at_risk_pace=0.9,
    )
    assert judgement.status == "on track"
    # 100,000 × 120/365 = 32,876.71; pace 32,876.71 / 20,000 = 1.6438.
    assert judgement.pace == pytest.approx(1.6438, abs=1e-4)
    # (100,000 - 20,000) / 245 = 326.53 may still be spent per day.
    assert judgement.needed_per_day == pytest.approx(326.53, abs=0.01)


def test_zero_total_target_gives_no_data_with_a_reason() -> None:
    judgement = judge_total(
        50.0,
        0.0,
        direction="higher",
        timeline=APRIL_30,
        expected_share=LINEAR_SHARE,
        at_risk_pace=0.9,
    )
    assert judgement.status == "no data"
    assert judgement.progress is None and judgement.pace is None
    assert "target is 0" in judgement.explanation


@pytest.mark.parametrize(
    ("judged", "target", "direction", "status", "hit_rate"),
    [
        ([2.0, 3.0, 1.0, 2.0], 2.0, "higher", "off track", 3 / 4),
        ([2.0, 2.0, 5.0], 2.0, "higher", "on track", 1.0),
        ([3.0] * 9 + [1.0], 2.0, "higher", "at risk", 9 / 10),
        ([5.0, 7.0], 6.0, "lower", "off track", 1 / 2),
        ([2.0, None, 1.0], 2.0, "higher", "off track", 1 / 2),  # None: not judged
    ],
)
def test_per_period_hit_rate(
    judged: list[float | None],
    target: float,
    direction: str,
    status: str,
    hit_rate: float,
) -> None:
    judgement = judge_per_period(
        judged,
        target,
        direction=direction,
        timeline=APRIL_30,
        at_risk_pace=0.9,
        has_data=True,
        period="week",
    )
    assert judgement.status == status
    assert judgement.hit_rate == pytest.approx(hit_rate)
    assert judgement.progress == judgement.pace == judgement.hit_rate


@pytest.mark.parametrize(
    ("judged", "status", "outcome"),
    [
        ([2.0, 3.0, 2.0], "achieved", "passed"),
        ([2.0, 1.0, 2.0], "missed", "failed"),
        ([], "missed", "failed"),
    ],
)
def test_per_period_outcome_needs_every_bucket(
    judged: list[float | None], status: str, outcome: str
) -> None:
    ended = Timeline(*YEAR_2026, date(2027, 1, 10))
    judgement = judge_per_period(
        judged,
        2.0,
        direction="higher",
        timeline=ended,
        at_risk_pace=0.9,
        has_data=True,
    )
    assert (judgement.status, judgement.outcome) == (status, outcome)


@pytest.mark.parametrize(
    ("kwargs", "status", "reason"),
    [
        ({"has_data": False}, "no data", "No data between"),
        ({"current_pace": None}, "no data", "No week has finished yet"),
        ({"current_pace": 1.2}, "on track", "current one is at 120.0%"),
        ({"current_pace": 0.5}, "off track", "current one is at 50.0%"),
    ],
)
def test_per_period_before_any_bucket_ends(
    kwargs: dict, status: str, reason: str
) -> None:
    arguments = {"has_data": True, "current_pace": None, **kwargs}
    judgement = judge_per_period(
        [],
        2.0,
        direction="higher",
        timeline=APRIL_30,
        at_risk_pace=0.9,
        period="week",
        **arguments,
    )
    assert judgement.status == status
    assert reason in judgement.explanation


def test_per_period_zero_target_and_not_started() -> None:
    zero = judge_per_period(
        [0.0, 1.0],
        0.0,
        direction="higher",
        timeline=APRIL_30,
        at_risk_pace=0.9,
        has_data=True,
        period="month",
    )
    assert (zero.status, zero.progress) == ("no data", None)
    assert "target is 0 per month" in zero.explanation

    early = Timeline(*YEAR_2026, date(2025, 11, 2))
    waiting = judge_per_period(
        [], 2.0, direction="higher", timeline=early, at_risk_pace=0.9, has_data=False
    )
    assert waiting.status == "not started"
    assert waiting.explanation == "Starts on 2026-01-01."


# Resolution time, lower is better: baseline 12 h, target 3 h. On 30 April
# 120/365 = 32.9 % of the year is gone.
@pytest.mark.parametrize(
    ("current", "baseline", "today", "status", "progress"),
    [
        (7.5, 12.0, date(2026, 4, 30), "on track", 0.5),  # pace 0.5/0.329 = 1.52
        (11.0, 12.0, date(2026, 4, 30), "off track", 1 / 9),  # pace 0.34
        (3.0, 12.0, date(2026, 4, 30), "achieved", 1.0),
        (2.5, 12.0, date(2026, 12, 31), "achieved", 9.5 / 9),
        (4.0, 12.0, date(2026, 12, 31), "missed", 8 / 9),
        (None, 12.0, date(2026, 4, 30), "no data", None),
        (7.5, 3.0, date(2026, 4, 30), "no data", None),  # baseline = target
        (7.5, 12.0, date(2025, 4, 30), "not started", None),
    ],
)
def test_level_status(
    current: float | None,
    baseline: float,
    today: date,
    status: str,
    progress: float | None,
) -> None:
    judgement = judge_level(
        current,
        baseline,
        3.0,
        direction="lower",
        timeline=Timeline(*YEAR_2026, today),
        at_risk_pace=0.9,
        unit="duration",
    )
    assert judgement.status == status
    assert judgement.progress == pytest.approx(progress)


def test_level_worked_value_and_pace() -> None:
    judgement = judge_level(
        7.5,
        12.0,
        3.0,
        direction="lower",
        timeline=APRIL_30,
        at_risk_pace=0.9,
        unit="duration",
        current_label="The latest finished week (2026-W17)",
    )
    assert judgement.progress == pytest.approx(0.5)
    # pace = progress / elapsed share = 0.5 / (120/365) = 1.5208
    assert judgement.pace == pytest.approx(0.5 * 365 / 120)
    assert judgement.explanation.startswith(
        "The latest finished week (2026-W17) is 7.5 h against a target of 3.0 h"
    )
    assert "50.0% of the way" in judgement.explanation


def test_level_higher_is_better_at_risk() -> None:
    # Conversion from 2 % to 5 %: at 2.3 % progress is 0.3/3 = 10 %; with
    # 10.5 % of 200 days gone (21 days) pace is 0.1 / 0.105 = 0.952.
    timeline = Timeline(date(2026, 1, 1), date(2026, 7, 19), date(2026, 1, 21))
    judgement = judge_level(
        0.023, 0.02, 0.05, direction="higher", timeline=timeline, at_risk_pace=0.9
    )
    assert timeline.total_days == 200
    assert judgement.progress == pytest.approx(0.1)
    assert judgement.pace == pytest.approx(0.1 / 0.105)
    assert judgement.status == "at risk"


def test_explanations_never_show_inf_or_nan() -> None:
    judgements = [
        judge_total(
            0.0,
            0.0,
            direction="higher",
            timeline=APRIL_30,
            expected_share=0.0,
            at_risk_pace=0.9,
        ),
        judge_total(
            5.0,
            10.0,
            direction="higher",
            timeline=APRIL_30,
            expected_share=0.0,
            at_risk_pace=0.9,
        ),
        judge_total(
            0.0,
            10.0,
            direction="lower",
            timeline=APRIL_30,
            expected_share=0.5,
            at_risk_pace=0.9,
        ),
        judge_per_period(
            [],
            0.0,
            direction="higher",
            timeline=APRIL_30,
            at_risk_pace=0.9,
            has_data=True,
        ),
        judge_level(
            3.0, 3.0, 3.0, direction="lower", timeline=APRIL_30, at_risk_pace=0.9
        ),
    ]
    for judgement in judgements:
        text = judgement.explanation.lower()
        assert "inf" not in text and "nan" not in text, text


def _case_22() -> pd.DataFrame:
    if not SHARED.is_dir():
        pytest.skip("../shared is absent")
    return pd.read_csv(SHARED / "cases" / "22-zero-denominators" / "monthly.csv")


@pytest.mark.parametrize(
    ("team", "month", "expected"),
    [
        ("Web", "2025-01", 0.0),  # 0 of 10
        ("Web", "2025-02", 1.0),  # 10 of 10
        ("Partners", "2025-01", 0.0),  # 0 of 5
        ("Partners", "2025-02", None),  # target 0: no value
    ],
)
def test_case_22_progress_to_target(
    team: str, month: str, expected: float | None
) -> None:
    table = _case_22()
    row = table[(table["team"] == team) & (table["month"] == month)].iloc[0]
    assert safe_ratio(float(row["leads"]), float(row["target_leads"])) == expected


def test_case_22_team_totals_divide_sums() -> None:
    table = _case_22()
    # All teams, both months: leads 0+10+0+0 = 10 against targets 10+10+5+0 = 25.
    progress = safe_ratio(table["leads"].sum(), table["target_leads"].sum())
    assert progress == pytest.approx(0.40)


def test_settings_round_trip_and_defaults() -> None:
    settings = WorkspaceSettings("sunday", 4, 0.85, True, True, "start")
    assert WorkspaceSettings.from_dict(settings.to_dict()) == settings
    assert WorkspaceSettings.from_dict({}) == WorkspaceSettings()
    assert WorkspaceSettings().at_risk_pace == 0.9


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"week_start": "friday"}, 'Week start "friday" is not known'),
        ({"fiscal_start_month": 13}, "Fiscal year start month 13 is not a month"),
        ({"at_risk_pace": 1.5}, "At-risk pace 1.5 is outside 0-1"),
        ({"fiscal_year_named_by": "middle"}, 'Fiscal year naming "middle"'),
    ],
)
def test_settings_refuse_bad_values(changes: dict, message: str) -> None:
    with pytest.raises(DefinitionError, match=message) as caught:
        WorkspaceSettings(**changes)
    assert caught.value.reason == "bad_setting"
