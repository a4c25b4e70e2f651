"""Which metrics an import into an existing dataset would break."""

from __future__ import annotations

import pytest

from kpi.import_effects import metrics_broken_by
from kpi.model import ColumnMapping, Definitions, Filter, Metric

DEFINITIONS = Definitions(
    metrics=(
        Metric("revenue", "Revenue", dataset="sales", column="revenue"),
        Metric(
            "web_deals",
            "Web deals",
            dataset="sales",
            column="deals",
            filters=(Filter("channel", "web"),),
        ),
        Metric("leads", "Leads", dataset="marketing", column="leads"),
        Metric("revenue_per_deal", "Revenue per deal", formula="revenue / web_deals"),
    )
)
FULL = ColumnMapping(date="date", dimensions=("channel",), numbers=("revenue", "deals"))


@pytest.mark.parametrize(
    ("mapping", "broken"),
    [
        (FULL, []),
        # No revenue column: only the base metric reading it is listed.
        (
            ColumnMapping(date="date", dimensions=("channel",), numbers=("deals",)),
            ["revenue"],
        ),
        # No channel to filter on.
        (ColumnMapping(date="date", numbers=("revenue", "deals")), ["web_deals"]),
        # Revenue now a level: summing it would count it again on every date.
        (
            ColumnMapping(
                date="date",
                dimensions=("channel",),
                numbers=("revenue", "deals"),
                number_kinds=(("revenue", "snapshot"),),
            ),
            ["revenue"],
        ),
    ],
)
def test_metrics_broken_by_a_new_mapping(mapping, broken):
    messages = metrics_broken_by(DEFINITIONS, "sales", mapping)

    assert len(messages) == len(broken)
    for message, name in zip(messages, broken, strict=True):
        assert f'"{name}"' in message


def test_metrics_of_other_datasets_are_not_listed():
    empty = ColumnMapping(date="date")

    assert len(metrics_broken_by(DEFINITIONS, "sales", empty)) == 2
    assert len(metrics_broken_by(DEFINITIONS, "marketing", empty)) == 1
