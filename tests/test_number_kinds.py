"""What a number means: running totals read per period, snapshots never summed
(kpi.number_kinds, ColumnMapping.number_kinds, kpi.metric_checks)."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest

from kpi.definition_checks import validate_definitions
from kpi.errors import DefinitionError
from kpi.metric_checks import validate_metric
from kpi.metrics import Rows, Slice, metric_value
from kpi.model import ColumnMapping, Definitions, Metric
from kpi.number_kinds import per_period_values

NAN = float("nan")
YTD = ColumnMapping(
    date="date",
    dimensions=("team",),
    numbers=("sales_ytd", "leads", "headcount"),
    team="team",
    number_kinds=(("sales_ytd", "running_total"), ("headcount", "snapshot")),
)

# Rows in no particular order, under an index of their own. North's totals by
# month (Oct..Feb): 10, 25, 25, 40, 5, so per month 10, 15, 0, 15 and, the
# total having fallen, 5 again; South's (Oct..Dec): 3, 7, 12 -> 3, 4, 5.
SHUFFLED = pd.DataFrame(
    {
        "date": pd.to_datetime(
            [
                "2025-12-01",
                "2025-10-01",
                "2025-10-01",
                "2026-02-01",
                "2025-11-01",
                "2025-12-01",
                "2026-01-01",
                "2025-11-01",
            ]
        ),
        "team": [
            "North",
            "South",
            "North",
            "North",
            "North",
            "South",
            "North",
            "South",
        ],
        "sales_ytd": [25.0, 3.0, 10.0, 5.0, 25.0, 12.0, 40.0, 7.0],
        "leads": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
        "headcount": [9.0, 4.0, 8.0, 9.0, 9.0, 5.0, 9.0, 4.0],
    },
    index=range(10, 18),
)
PER_MONTH = [0.0, 3.0, 10.0, 5.0, 15.0, 5.0, 15.0, 4.0]


def test_running_totals_become_per_period_values_within_each_team() -> None:
    before = SHUFFLED.copy()

    converted = per_period_values(SHUFFLED, YTD)

    assert converted["sales_ytd"].tolist() == PER_MONTH
    assert converted.index.tolist() == list(range(10, 18))
    # Per-period and snapshot columns, dates and teams are left as they are.
    pd.testing.assert_frame_equal(
        converted.drop(columns="sales_ytd"), SHUFFLED.drop(columns="sales_ytd")
    )
    pd.testing.assert_frame_equal(SHUFFLED, before)


@pytest.mark.parametrize(
    ("totals", "expected"),
    [
        ([10, 25, 25, 40, 5], [10, 15, 0, 15, 5]),  # 40 -> 5: the count restarts
        ([10, NAN, 30], [10, NAN, 20]),  # counts from the last total seen
        ([NAN, 5, 8], [NAN, 5, 3]),
        ([10, NAN, 4], [10, NAN, 4]),  # a fall across a gap is a restart too
        ([0, 0, 7], [0, 0, 7]),
    ],
)
def test_one_group_worked_values(totals: list[float], expected: list[float]) -> None:
    days = pd.date_range("2025-01-01", periods=len(totals), freq="MS")
    rows = pd.DataFrame({"date": days, "total": [float(t) for t in totals]})
    mapping = ColumnMapping(
        date="date", numbers=("total",), number_kinds=(("total", "running_total"),)
    )

    converted = per_period_values(rows, mapping)

    np.testing.assert_array_equal(converted["total"], expected)


def test_every_mapped_dimension_splits_the_totals() -> None:
    rows = pd.DataFrame(
        {
            "date": pd.to_datetime(["2025-01-01", "2025-01-01", "2025-02-01"] * 2),
            "team": ["North"] * 3 + ["South"] * 3,
            "channel": ["web", "shop", "web", "web", "shop", "shop"],
            "total": [5.0, 2.0, 9.0, 1.0, 6.0, 10.0],
        }
    )
    mapping = ColumnMapping(
        date="date",
        dimensions=("team", "channel"),
        numbers=("total",),
        team="team",
        number_kinds=(("total", "running_total"),),
    )

    converted = per_period_values(rows, mapping)

    # North/web 5 -> 9: 5, 4; North/shop 2; South/web 1; South/shop 6 -> 10: 6, 4.
    assert converted["total"].tolist() == [5.0, 2.0, 4.0, 1.0, 6.0, 4.0]


def test_rows_on_the_same_date_count_in_file_order() -> None:
    rows = pd.DataFrame(
        {"date": pd.to_datetime(["2025-01-01", "2025-01-01"]), "total": [5.0, 8.0]}
    )
    mapping = ColumnMapping(
        date="date", numbers=("total",), number_kinds=(("total", "running_total"),)
    )

    assert per_period_values(rows, mapping)["total"].tolist() == [5.0, 3.0]


def test_a_mapping_without_running_totals_gives_an_equal_copy() -> None:
    mapping = ColumnMapping(date="date", dimensions=("team",), numbers=("sales_ytd",))

    converted = per_period_values(SHUFFLED, mapping)

    pd.testing.assert_frame_equal(converted, SHUFFLED)
    assert converted is not SHUFFLED


def test_metrics_sum_the_converted_values() -> None:
    definitions = Definitions(metrics=(Metric("sales", "Sales", "ytd", "sales_ytd"),))
    rows = {"ytd": Rows(YTD, per_period_values(SHUFFLED, YTD))}

    def sales(start: date, end: date, team: str | None = None) -> float | None:
        return metric_value(
            definitions, "sales", rows, start=start, end=end, where=Slice(team=team)
        )

    # November to January: North 15 + 0 + 15 = 30, South 4 + 5 = 9.
    assert sales(date(2025, 11, 1), date(2026, 1, 31)) == 39.0
    assert sales(date(2025, 11, 1), date(2026, 1, 31), "North") == 30.0
    # North's whole year to date in January 2026 is its January amount: 15.
    assert sales(date(2026, 1, 1), date(2026, 1, 31), "North") == 15.0


# --- snapshots are never summed ---------------------------------------------


def _metric(name: str, column: str, aggregation: str = "sum") -> Metric:
    return Metric(name, name, dataset="hr", column=column, aggregation=aggregation)


HR = Definitions(
    metrics=(
        _metric("heads_summed", "headcount"),
        _metric("heads", "headcount", "last"),
        _metric("leads", "leads"),
        Metric("leads_per_head", "Leads per head", formula="leads / heads"),
    )
)
MAPPINGS = {"hr": YTD}
SUMS_HEADCOUNT = (
    r'sums column "headcount" of dataset "hr", which holds snapshots \(a level on '
    r"each date\): adding them up counts the same amount again on every date\. "
    r'Use aggregation "last" for "heads_summed" \(latest value wins\)'
)


@pytest.mark.parametrize(
    ("metric", "message"),
    [
        (
            _metric("heads_summed", "headcount"),
            r'^Metric "heads_summed" ' + SUMS_HEADCOUNT,
        ),
        (
            Metric("per_head", "Per head", formula="leads / heads_summed"),
            r'^Metric "per_head" uses metric "heads_summed", which ' + SUMS_HEADCOUNT,
        ),
        (
            Metric("nested", "Nested", formula="leads_per_head + heads_summed"),
            r'^Metric "nested" uses metric "heads_summed"',
        ),
    ],
)
def test_summing_a_snapshot_is_refused(metric: Metric, message: str) -> None:
    with pytest.raises(DefinitionError, match=message) as caught:
        validate_metric(HR, metric, MAPPINGS)

    assert caught.value.reason == "snapshot_summed"
    assert caught.value.subject == metric.name


@pytest.mark.parametrize(
    "metric",
    [
        _metric("m", "headcount", "last"),
        _metric("m", "headcount", "mean"),
        _metric("m", "headcount", "max"),
        _metric("m", "headcount", "count"),
        _metric("m", "sales_ytd"),  # running totals are summed once converted
        _metric("m", "leads"),
        Metric("m", "m", formula="leads / heads"),
    ],
)
def test_snapshots_may_be_read_any_other_way(metric: Metric) -> None:
    validate_metric(HR, metric, MAPPINGS)


def test_without_mappings_nothing_is_known_about_snapshots() -> None:
    validate_metric(HR, _metric("heads_summed", "headcount"))


def test_definition_checks_list_the_summed_snapshot() -> None:
    problems = validate_definitions(HR, MAPPINGS)

    assert len(problems) == 1
    assert problems[0].startswith(
        'metrics "heads_summed": Metric "heads_summed" sums column "headcount"'
    )


# --- the mapping keeps what a number means ------------------------------------

STORED_BEFORE = {
    "date": "date",
    "dimensions": ["team"],
    "numbers": ["sales_ytd"],
    "team": "team",
    "person": None,
    "day_first": True,
}


def test_a_mapping_stored_before_number_kinds_reads_and_writes_the_same() -> None:
    mapping = ColumnMapping.from_dict(STORED_BEFORE)

    assert (mapping.number_kinds, mapping.decimal_comma) == ((), None)
    assert mapping.number_kind("sales_ytd") == "per_period"
    # Equal dicts: importing the same file again still changes nothing.
    assert mapping.to_dict() == STORED_BEFORE


def test_number_kinds_and_decimal_comma_survive_a_round_trip() -> None:
    mapping = ColumnMapping(
        date="date",
        numbers=("sales_ytd", "headcount"),
        number_kinds=(("sales_ytd", "running_total"), ("headcount", "snapshot")),
        decimal_comma=False,
    )

    stored = json.loads(json.dumps(mapping.to_dict()))

    assert stored["number_kinds"] == {
        "sales_ytd": "running_total",
        "headcount": "snapshot",
    }
    assert stored["decimal_comma"] is False
    assert ColumnMapping.from_dict(stored) == mapping
    assert hash(ColumnMapping.from_dict(stored)) == hash(mapping)
    assert mapping.number_kind("headcount") == "snapshot"


def test_equal_meanings_make_equal_mappings() -> None:
    listed = ColumnMapping(
        date="date",
        numbers=("leads", "headcount", "sales_ytd"),
        number_kinds=(
            ("sales_ytd", "running_total"),
            ("leads", "per_period"),
            ("headcount", "snapshot"),
        ),
    )
    plain = ColumnMapping(
        date="date",
        numbers=("leads", "headcount", "sales_ytd"),
        number_kinds=(("headcount", "snapshot"), ("sales_ytd", "running_total")),
    )

    assert listed == plain
    assert listed.to_dict() == plain.to_dict()
    assert listed.number_kinds == (
        ("headcount", "snapshot"),
        ("sales_ytd", "running_total"),
    )
