"""The funnel back-solver: a goal into deals, opportunities, meetings and calls."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from kpi.errors import GoalpostError
from kpi.funnel import Stage, back_solve, measured_rate, whole
from kpi.metrics import Rows, Slice
from kpi.model import ColumnMapping, Definitions, Metric

SALES = (
    Stage("calls", 0.10),
    Stage("meetings", 0.40),
    Stage("opportunities", 0.25),
    Stage("deals"),
)


def test_the_worked_quarter() -> None:
    # The example, by hand: 600,000 / 12,000 = 50 deals; 50 / 0.25 =
    # 200 opportunities; 200 / 0.4 = 500 meetings; 500 / 0.1 = 5,000 calls.
    # Per rep per week: 5,000 / (5 * 13) = 76.92 calls, 500 / 65 = 7.69 meetings.
    plan = back_solve(600_000, SALES, value_per_outcome=12_000, people=5, weeks=13)

    totals = {need.name: need.whole_total for need in plan.needs}
    assert totals == {"calls": 5000, "meetings": 500, "opportunities": 200, "deals": 50}
    calls, meetings = plan.need("calls"), plan.need("meetings")
    assert calls.per_person_week == pytest.approx(76.923, abs=1e-3)
    assert calls.whole_per_person_week == 77
    assert meetings.per_person_week == pytest.approx(7.692, abs=1e-3)
    assert meetings.whole_per_person_week == 8
    assert plan.need("deals").per_person_week == pytest.approx(50 / 65)


@pytest.mark.parametrize(
    ("goal", "expected_totals"),
    [
        # 610,000 / 12,000 = 50.83 deals -> 51; / 0.25 = 203.3 -> 204;
        # / 0.4 = 508.3 -> 509; / 0.1 = 5,083.3 -> 5,084.
        (610_000, {"deals": 51, "opportunities": 204, "meetings": 509, "calls": 5084}),
        # 12,000 is exactly one deal: 4 opportunities, 10 meetings, 100 calls.
        (12_000, {"deals": 1, "opportunities": 4, "meetings": 10, "calls": 100}),
    ],
)
def test_each_stage_is_rounded_up_from_its_own_unrounded_need(
    goal: float, expected_totals: dict[str, int]
) -> None:
    plan = back_solve(goal, SALES, value_per_outcome=12_000, people=5, weeks=13)
    assert {need.name: need.whole_total for need in plan.needs} == expected_totals


def test_a_support_chain_with_its_own_names() -> None:
    # 900 resolutions at 1 each, 75 % of replies resolve, 60 % of tickets get
    # a reply: 900 / 0.75 = 1,200 replies, 1,200 / 0.6 = 2,000 tickets;
    # 3 agents over 4 weeks: 2,000 / 12 = 166.67 -> 167 tickets a week each.
    chain = (Stage("tickets", 0.6), Stage("replies", 0.75), Stage("resolutions"))
    plan = back_solve(900, chain, value_per_outcome=1, people=3, weeks=4)
    assert plan.need("tickets").whole_total == 2000
    assert plan.need("replies").whole_total == 1200
    assert plan.need("tickets").whole_per_person_week == 167


@pytest.mark.parametrize(("value", "expected"), [(5000.000000000001, 5000), (76.1, 77)])
def test_whole_ignores_float_noise_but_rounds_real_fractions_up(
    value: float, expected: int
) -> None:
    assert whole(value) == expected


@pytest.mark.parametrize(
    ("stages", "kwargs", "match"),
    [
        ((Stage("calls", 0), Stage("deals")), {}, "is 0 %; it must be above 0 %"),
        ((Stage("calls", 1.5), Stage("deals")), {}, "is 150 %; .* at most 100 %"),
        ((Stage("calls"), Stage("deals")), {}, "is missing; .* Type the rate"),
        ((Stage("calls", 0.1), Stage("calls")), {}, "different, non-empty names"),
        ((), {}, "at least one stage"),
        (SALES, {"people": 0}, "number of people is 0"),
        (SALES, {"weeks": -1}, "number of weeks is -1"),
        (SALES, {"value_per_outcome": 0}, "value of one outcome is 0"),
    ],
)
def test_impossible_funnels_are_refused(stages, kwargs, match: str) -> None:
    arguments = {"value_per_outcome": 12_000, "people": 5, "weeks": 13, **kwargs}
    with pytest.raises(GoalpostError, match=match) as refused:
        back_solve(600_000, stages, **arguments)
    assert refused.value.reason == "bad_funnel"


def _activity_rows() -> dict[str, Rows]:
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime(
                ["2026-01-05", "2026-01-06", "2026-01-07", "2026-02-02"]
            ).astype("datetime64[ns]"),
            "rep": ["Ann", "Ann", "Bo", "Bo"],
            "calls": [100.0, 140.0, 160.0, 999.0],
            "meetings": [9.0, 15.0, 16.0, 99.0],
        }
    )
    mapping = ColumnMapping(
        date="date", dimensions=("rep",), numbers=("calls", "meetings"), person="rep"
    )
    return {"activity": Rows(mapping, frame)}


DEFINITIONS = Definitions(
    metrics=(
        Metric("calls", "Calls", dataset="activity", column="calls"),
        Metric("meetings", "Meetings", dataset="activity", column="meetings"),
    )
)


def test_measured_rate_is_a_ratio_of_the_windows_sums() -> None:
    # January only: (9 + 15 + 16) / (100 + 140 + 160) = 40 / 400 = 10 %, from
    # 400 calls; the February row is outside the look-back window.
    measured = measured_rate(
        DEFINITIONS,
        _activity_rows(),
        from_metric="calls",
        to_metric="meetings",
        start=date(2026, 1, 1),
        end=date(2026, 1, 31),
    )
    assert measured.rate == pytest.approx(0.10)
    assert measured.sample == 400


def test_measured_rate_for_one_person_and_for_an_empty_window() -> None:
    rows = _activity_rows()
    ann = measured_rate(
        DEFINITIONS,
        rows,
        from_metric="calls",
        to_metric="meetings",
        start=date(2026, 1, 1),
        end=date(2026, 1, 31),
        where=Slice(person="Ann"),
    )
    # Ann: (9 + 15) / (100 + 140) = 24 / 240 = 10 %.
    assert (ann.rate, ann.sample) == (pytest.approx(0.10), 240)

    empty = measured_rate(
        DEFINITIONS,
        rows,
        from_metric="calls",
        to_metric="meetings",
        start=date(2025, 1, 1),
        end=date(2025, 1, 31),
    )
    assert (empty.rate, empty.sample) == (None, 0)
