"""The YAML definitions format: reading, writing back, and checking."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest

from kpi.definitions import (
    definitions_from_yaml,
    definitions_to_yaml,
    validate_definitions,
)
from kpi.errors import DefinitionError
from kpi.model import KPI, ColumnMapping, Definitions, Filter, Goal, Metric, Target

SOUND_YAML = """
metrics:
  - name: ad_spend
    label: Ad spend
    dataset: marketing
    column: ad_spend
    unit: currency
  - name: leads
    label: Leads
    dataset: marketing
    column: leads
  - name: paid_leads
    label: Paid leads
    dataset: marketing
    column: leads
    filters:
      - {column: channel, value: paid}
      - {column: person, value: "007", negate: true}
  - name: cost_per_lead
    label: Cost per lead
    formula: ad_spend / leads
    unit: currency
    direction: lower
goals:
  - key: grow
    name: Grow revenue 20% this year
  - key: marketing
    name: Cheaper leads
    parent: grow
    team: Marketing
    weight: 2
kpis:
  - key: leads_q1
    name: Leads in Q1
    metric: leads
    team: Marketing
    parent: marketing
    time_frame: 2026-Q1
    target: {kind: change, value: 0.15, baseline_period: 2025-Q4, resolves_to: total}
  - key: cpl
    name: Cost per lead down to 18
    metric: cost_per_lead
    parent: marketing
    start: 2026-01-05
    end: 2026-02-20
    target: {kind: level, value: 18, period: month, baseline: 24}
"""


def sound() -> Definitions:
    return definitions_from_yaml(SOUND_YAML, source="sound.yaml")


def test_reads_every_section_into_records():
    definitions = sound()

    assert [m.name for m in definitions.metrics] == [
        "ad_spend",
        "leads",
        "paid_leads",
        "cost_per_lead",
    ]
    assert definitions.metric("paid_leads").filters == (
        Filter("channel", "paid"),
        Filter("person", "007", negate=True),
    )
    assert definitions.metric("cost_per_lead").formula == "ad_spend / leads"
    assert definitions.goals[1] == Goal(
        "marketing", "Cheaper leads", parent="grow", weight=2.0, team="Marketing"
    )
    assert definitions.kpis[0].target == Target(
        kind="change",
        value=0.15,
        baseline_start=date(2025, 10, 1),
        baseline_end=date(2025, 12, 31),
        resolves_to="total",
    )
    assert (definitions.kpis[1].start, definitions.kpis[1].end) == (
        date(2026, 1, 5),
        date(2026, 2, 20),
    )


@pytest.mark.parametrize(
    ("time_frame", "start", "end"),
    [
        ("2026", date(2026, 1, 1), date(2026, 12, 31)),
        ('"2026"', date(2026, 1, 1), date(2026, 12, 31)),
        ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31)),
        ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
        ("2026-02", date(2026, 2, 1), date(2026, 2, 28)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("2026-W05", date(2026, 1, 26), date(2026, 2, 1)),
        ("2026-01-05..2026-02-20", date(2026, 1, 5), date(2026, 2, 20)),
    ],
)
def test_time_frame_gives_start_and_end(time_frame, start, end):
    text = f"""
kpis:
  - key: k
    metric: leads
    time_frame: {time_frame}
    target: {{kind: total, value: 10}}
"""
    kpi = definitions_from_yaml(text).kpis[0]

    assert (kpi.start, kpi.end) == (start, end)


def test_numbers_typed_in_text_fields_stay_text():
    text = """
goals:
  - key: 2026
    name: 2026 plan
    team: 42
"""
    goal = definitions_from_yaml(text).goals[0]

    assert (goal.key, goal.name, goal.team) == ("2026", "2026 plan", "42")


@pytest.mark.parametrize("text", ["", "# nothing yet\n", "metrics:\ngoals:\nkpis:\n"])
def test_empty_file_gives_empty_definitions(text):
    assert definitions_from_yaml(text) == Definitions()


def test_round_trip_keeps_every_field():
    definitions = sound()

    text = definitions_to_yaml(definitions)

    assert definitions_from_yaml(text) == definitions
    assert definitions_to_yaml(definitions_from_yaml(text)) == text


def test_round_trip_of_records_made_in_code():
    definitions = Definitions(
        metrics=(
            Metric("reps", "Reps", dataset="s", column="person", aggregation="nunique"),
            Metric("odd", "Odd", dataset="s", column="x", filters=(Filter("c", "no"),)),
        ),
        goals=(Goal("g", "Goal", weight=0.5, description="Why: it matters"),),
        kpis=(
            KPI(
                "one_day",
                "One day",
                "reps",
                Target("per_period", 2.5, period="day"),
                start=date(2026, 3, 3),
                end=date(2026, 3, 3),
                person="Ana Ruiz",
            ),
            KPI(
                "odd_baseline",
                "Odd baseline",
                "odd",
                Target(
                    "change",
                    -0.1,
                    baseline_start=date(2025, 11, 15),
                    baseline_end=date(2026, 1, 14),
                    resolves_to="level",
                ),
                start=date(2026, 2, 1),
                end=date(2026, 2, 28),
            ),
        ),
    )

    assert definitions_from_yaml(definitions_to_yaml(definitions)) == definitions


def test_dump_writes_time_frames_and_leaves_out_defaults():
    text = definitions_to_yaml(sound())

    assert "time_frame: 2026-Q1" in text
    assert "time_frame: 2026-01-05..2026-02-20" in text
    assert "baseline_period: 2025-Q4" in text
    assert "baseline_start" not in text and "start:" not in text
    assert "value: 18\n" in text
    assert "negate: false" not in text and "negate: true" in text


# Each bad file, the reason code and what the message must say.
BAD_FILES = [
    ("kpis: [\n", "bad_yaml", r"bad\.yaml, line 2, column 1: .*indentation"),
    ("kpis:\n  - key: a\n    start: 2026-13-01\n", "bad_yaml", r"YYYY-MM-DD"),
    ("- a\n- b\n", "not_a_mapping", r"must be a mapping .* it is a list"),
    ("metrics: {name: x}\n", "not_a_list", r"bad\.yaml, metrics: expected a list"),
    ("kpis:\n  - just text\n", "not_a_mapping", r"kpis\[0\]: expected a mapping"),
    ("metric: []\n", "unknown_field", r'the top level: unknown field "metric"'),
    (
        "kpis:\n  - {key: blog, metric: m, time_frme: 2026, target: {kind: total, "
        "value: 1}}\n",
        "unknown_field",
        r'kpis\[0\] "blog": unknown field "time_frme".*check the spelling',
    ),
    (
        "kpis:\n  - {key: blog, time_frame: 2026, target: {kind: total, value: 1}}\n",
        "missing_field",
        r'kpis\[0\] "blog": field "metric" is missing',
    ),
    (
        "kpis:\n  - {key: blog, metric: m, target: {kind: total, value: 1}}\n",
        "missing_field",
        r'field "start" is missing. Give "time_frame"',
    ),
    (
        "kpis:\n  - {key: blog, metric: m, time_frame: 2026, target: {kind: total}}\n",
        "missing_field",
        r'kpis\[0\] "blog", target: field "value" is missing',
    ),
    (
        "kpis:\n  - {key: a, metric: m, time_frame: 2026, start: 2026-01-01, "
        "target: {kind: total, value: 1}}\n",
        "conflicting_fields",
        r'give either "time_frame" or "start" and "end", not both',
    ),
    (
        "kpis:\n  - {key: a, metric: m, time_frame: 2026, target: {kind: change, "
        "value: 1, baseline_period: 2025, baseline_end: 2025-12-31}}\n",
        "conflicting_fields",
        r'give either "baseline_period" or "baseline_start"',
    ),
    (
        "kpis:\n  - {key: blog_posts_q1, metric: m, time_frame: 2026-Q5, "
        "target: {kind: total, value: 1}}\n",
        "bad_time_frame",
        r'kpis\[0\] "blog_posts_q1", field "time_frame": "2026-Q5" is not a time',
    ),
    (
        "kpis:\n  - {key: a, metric: m, time_frame: 2026, "
        "target: {kind: total, value: 15%}}\n",
        "bad_value",
        r'target, field "value": "15%" is not a number. .*0\.15 for 15 %',
    ),
    (
        "goals:\n  - {key: g, weight: heavy}\n",
        "bad_value",
        r'goals\[0\] "g", field "weight": "heavy" is not a number',
    ),
    (
        "kpis:\n  - {key: a, metric: m, start: March, end: 2026-03-31, "
        "target: {kind: total, value: 1}}\n",
        "bad_value",
        r'field "start": "March" is not a date such as 2026-03-31',
    ),
    (
        "metrics:\n  - {name: m, dataset: d, column: c, "
        "filters: [{column: opted_in, value: no}]}\n",
        "bad_value",
        r'filters\[0\], field "value": YAML reads this value as false. Put it in',
    ),
    (
        'metrics:\n  - {name: m, filters: "channel = paid"}\n',
        "not_a_list",
        r'metrics\[0\] "m", field "filters": expected a list',
    ),
    (
        "kpis:\n  - {key: a, metric: m, time_frame: 2026, target: 5}\n",
        "not_a_mapping",
        r'kpis\[0\] "a", field "target": expected a mapping',
    ),
]


@pytest.mark.parametrize(("text", "reason", "message"), BAD_FILES)
def test_bad_file_names_the_entry_and_field(text, reason, message):
    with pytest.raises(DefinitionError, match=message) as caught:
        definitions_from_yaml(text, source="bad.yaml")

    assert caught.value.reason == reason
    assert "bad.yaml" in caught.value.message


def test_sound_definitions_have_no_problems():
    assert validate_definitions(sound()) == []


def _with_metric(definitions: Definitions, metric: Metric) -> Definitions:
    return replace(definitions, metrics=(*definitions.metrics, metric))


def _edit_kpi(definitions: Definitions, **changes) -> Definitions:
    kpi = definitions.kpis[1]
    return definitions.with_kpi(replace(kpi, **changes))


def _edit_target(definitions: Definitions, **changes) -> Definitions:
    kpi = definitions.kpis[0]
    return definitions.with_kpi(replace(kpi, target=replace(kpi.target, **changes)))


BASE = sound()
# Each broken variant of the sound definitions and the problem it must report.
PROBLEMS = [
    (
        _edit_kpi(BASE, metric="cost_per_led"),
        r'^kpis "cpl": metric "cost_per_led" is not defined. Add it under metrics',
    ),
    (
        _edit_kpi(BASE, parent="nowhere"),
        r'^kpis "cpl": parent "nowhere" is not a defined goal',
    ),
    (
        replace(BASE, goals=(*BASE.goals, Goal("orphan", "Orphan", parent="gone"))),
        r'^goals "orphan": parent "gone" is not a defined goal',
    ),
    (
        _with_metric(BASE, Metric("broken", "Broken", formula="ad_spend /")),
        r'^metrics "broken": Formula "ad_spend /" cannot be read',
    ),
    (
        _with_metric(BASE, Metric("call", "Call", formula="len(leads)")),
        r'^metrics "call": .*"len\(leads\)" is not allowed \(a function call\)',
    ),
    (
        _with_metric(BASE, Metric("ratio", "Ratio", formula="leads / visits")),
        r'^metrics "ratio": There is no metric named "visits"',
    ),
    (
        _with_metric(
            _with_metric(BASE, Metric("a", "A", formula="b * 2")),
            Metric("b", "B", formula="a / 2"),
        ),
        r'^metrics "a": Metric "a" depends on itself \(a -> b -> a\)',
    ),
    (
        _with_metric(BASE, Metric("leads", "Leads again", dataset="m", column="x")),
        r'^metrics: name "leads" is used 2 times. Give each entry its own name',
    ),
    (
        replace(BASE, goals=(*BASE.goals, Goal("grow", "Again"))),
        r'^goals: key "grow" is used 2 times',
    ),
    (
        replace(BASE, kpis=(*BASE.kpis, BASE.kpis[0])),
        r'^kpis: key "leads_q1" is used 2 times',
    ),
    (
        _edit_kpi(BASE, start=date(2026, 3, 1), end=date(2026, 2, 1)),
        r'^kpis "cpl": the time frame ends \(2026-02-01\) before it starts',
    ),
    (
        _edit_target(BASE, kind="average"),
        r'^kpis "leads_q1", target: kind "average" is not known. Use one of: total',
    ),
    (
        _edit_target(BASE, kind="per_period", period="fortnight"),
        r'period "fortnight" is not known. Use one of: day, week, month',
    ),
    (
        _edit_target(BASE, kind="per_period", period=None),
        r'^kpis "leads_q1", target: a per_period target needs "period"',
    ),
    (
        _edit_target(BASE, baseline_start=None, baseline_end=None),
        r'^kpis "leads_q1", target: a change target needs "baseline_period"',
    ),
    (
        _edit_target(BASE, value=15.0),
        r"a change of 15 means 1500%. Write the change as a fraction: 0\.15",
    ),
    (
        _edit_target(BASE, resolves_to="ratio"),
        r'resolves_to "ratio" is not known. Use one of: total, level',
    ),
    (
        _with_metric(BASE, Metric("x", "X", dataset="m", column="c", unit="euro")),
        r'^metrics "x": Metric "x" has unit "euro". Use one of: number',
    ),
    (
        _with_metric(BASE, Metric("x", "X", dataset="m", column="c", direction="up")),
        r'^metrics "x": Metric "x" has direction "up"',
    ),
    (
        _with_metric(
            BASE, Metric("x", "X", dataset="m", column="c", aggregation="avg")
        ),
        r'^metrics "x": Metric "x" has aggregation "avg"',
    ),
    (
        _with_metric(BASE, Metric("x", "X", column="c")),
        r'^metrics "x": Metric "x" has neither a dataset nor a formula',
    ),
    (
        _with_metric(BASE, Metric("x", "X", dataset="m", formula="leads * 2")),
        r'^metrics "x": give either a formula or a dataset and column, not both',
    ),
    (
        replace(
            BASE,
            goals=(Goal("a", "A", parent="b"), Goal("b", "B", parent="a"), *BASE.goals),
        ),
        r'^goals "a": it is its own ancestor \(a → b → a\)',
    ),
    (
        # cost per lead: lower is better, so a level baseline must sit above 18
        _edit_kpi(
            BASE, target=Target(kind="level", value=18, period="month", baseline=0)
        ),
        r'^kpis "cpl", target: baseline 0 must be above the target 18, because lower',
    ),
    (
        _edit_kpi(BASE, target=Target(kind="total", value=0)),
        r'^kpis "cpl", target: a total target of 0 cannot show progress',
    ),
    (
        _edit_kpi(BASE, target=Target(kind="per_period", value=0, period="week")),
        r'^kpis "cpl", target: a per_period target of 0 cannot show progress',
    ),
]


@pytest.mark.parametrize(("definitions", "problem"), PROBLEMS)
def test_validation_names_each_problem(definitions, problem):
    problems = validate_definitions(definitions)

    assert any(re.search(problem, found) for found in problems), problems


def test_validation_checks_columns_against_mappings():
    mappings = {
        "marketing": ColumnMapping(
            date="date", dimensions=("channel",), numbers=("ad_spend", "leads")
        )
    }

    problems = validate_definitions(sound(), mappings)

    assert problems == [
        'metrics "paid_leads": Metric "paid_leads" needs to filter on column '
        '"person", which dataset "marketing" does not have. Correct the column '
        "name, or map that column when importing the dataset."
    ]
