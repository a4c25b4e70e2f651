"""Lines of the target table are checked like every other definition."""

from __future__ import annotations

from datetime import date

import pytest

from kpi.definition_checks import validate_definitions
from kpi.definitions import definitions_from_yaml
from kpi.model import Definitions, Metric
from kpi.planned_target import PlannedTarget
from tests.test_pages import open_app

LEADS = Metric("leads", "Leads", "data", "leads")
JAN = (date(2026, 1, 1), date(2026, 1, 31))


@pytest.mark.parametrize(
    ("lines", "says"),
    [
        ([PlannedTarget("leeds", *JAN, 10)], 'metric "leeds" is not defined'),
        ([PlannedTarget("leads", *JAN, -5)], "the value -5 is below 0"),
        (
            # A whole year beside its January: the same days twice.
            [
                PlannedTarget("leads", date(2026, 1, 1), date(2026, 12, 31), 120),
                PlannedTarget("leads", *JAN, 10),
            ],
            "cover the same days",
        ),
    ],
)
def test_bad_target_lines_are_named(lines, says) -> None:
    problems = validate_definitions(Definitions(metrics=(LEADS,), targets=tuple(lines)))
    assert any(says in problem for problem in problems), problems


def test_lines_of_different_owners_may_share_days() -> None:
    lines = (
        PlannedTarget("leads", *JAN, 10, team="North"),
        PlannedTarget("leads", *JAN, 20, team="South"),
        PlannedTarget("leads", *JAN, 30),
    )
    assert validate_definitions(Definitions(metrics=(LEADS,), targets=lines)) == []


def test_a_file_without_targets_warns_before_it_empties_the_table(app_env) -> None:
    text = "metrics:\n  - {name: leads, dataset: marketing, column: leads}\n"
    assert definitions_from_yaml(text).targets == ()
    app = open_app("pages/definitions.py")
    app.file_uploader[0].set_value(("plain.yaml", text.encode(), "application/x-yaml"))
    app.run()
    warnings = " ".join(w.value for w in app.warning)
    # The sample plans 12 months of Sales West revenue.
    assert "has no targets: list, so the 12 lines of the target table" in warnings
    label = app.checkbox(key="replace-sure").label
    assert label.endswith("and 12 target lines")
