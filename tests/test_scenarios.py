"""Scenarios: their results, the KPIs they set, the comparison, and the store."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
import pytest

from kpi.errors import GoalpostError
from kpi.metrics import Rows, Slice
from kpi.model import KPI, ColumnMapping, Definitions, Goal, Metric, Target
from kpi.scenario_store import (
    apply_scenario,
    delete_scenario,
    last_application,
    rename_scenario,
    save_scenario,
    saved_scenario,
    saved_scenarios,
    undo_apply,
)
from kpi.scenario_workspace import (
    as_fraction,
    as_percent,
    latest_value,
    look_back,
    measured_funnel,
    people_in_team,
    period_history,
    scenario_targets,
    time_frame,
    working_weeks,
)
from kpi.scenarios import (
    CapacityInputs,
    FunnelInputs,
    GrowthInputs,
    Scenario,
    ScenarioStage,
    compare_scenarios,
    figure_text,
    funnel_table,
    results,
)
from kpi.settings import WorkspaceSettings

# ---------------------------------------------------------------------------
# A sales workspace built in code: five metrics on one "sales" dataset.
# ---------------------------------------------------------------------------

METRICS = (
    Metric("calls", "Calls", dataset="sales", column="calls"),
    Metric("meetings", "Meetings", dataset="sales", column="meetings"),
    Metric("opportunities", "Opportunities", dataset="sales", column="opportunities"),
    Metric("deals_won", "Deals won", dataset="sales", column="deals_won"),
    Metric("revenue", "Revenue", dataset="sales", column="revenue", unit="currency"),
    Metric("win_rate", "Win rate", formula="deals_won / opportunities", unit="percent"),
    Metric(
        "cost_per_call",
        "Cost per call",
        formula="revenue / calls",
        unit="currency",
        direction="lower",
    ),
)
DEFINITIONS = Definitions(metrics=METRICS)
REPS = ("Ann", "Bo", "Cy", "Di", "Ed")
Q3 = (date(2026, 7, 1), date(2026, 9, 30))

STAGES = (
    ScenarioStage("calls", 0.10, "calls"),
    ScenarioStage("meetings", 0.40, "meetings"),
    ScenarioStage("opportunities", 0.25, "opportunities"),
    ScenarioStage("deals", None, "deals_won"),
)


def funnel(name: str = "Q3 push", goal: float = 600_000, **changes) -> Scenario:
    """The issue's quarter: 600,000 at 12,000 a deal, 25/40/10 %, 5 reps, 13 weeks."""
    inputs = FunnelInputs(goal, 12_000, STAGES, people=5, weeks=13)
    fields = dict(
        name=name,
        kind="funnel",
        inputs=inputs,
        team="North",
        people=REPS,
        start=Q3[0],
        end=Q3[1],
        metric="revenue",
    )
    return Scenario(**{**fields, **changes})


def growth(**changes) -> Scenario:
    inputs = changes.pop("inputs", GrowthInputs(100_000, 150_000, 10))
    fields = dict(
        name="Grow",
        kind="growth",
        inputs=inputs,
        team="North",
        start=date(2026, 3, 1),
        metric="revenue",
    )
    return Scenario(**{**fields, **changes})


def capacity(people: int = 8, names: tuple[str, ...] | None = None) -> Scenario:
    names = names if names is not None else tuple(f"Agent {n}" for n in range(people))
    return Scenario(
        "Support load",
        "capacity",
        CapacityInputs(800, people),
        team="Support",
        people=names,
        start=date(2026, 5, 4),
        end=date(2026, 6, 28),
        metric="calls",
    )


def by_key(kpis) -> dict[str, KPI]:
    return {kpi.key: kpi for kpi in kpis}


# ---------------------------------------------------------------------------
# Results and the funnel table
# ---------------------------------------------------------------------------


def test_the_worked_quarter_as_a_table() -> None:
    # 600,000 / 12,000 = 50 deals; / 0.25 = 200; / 0.4 = 500; / 0.1 = 5,000.
    # Per rep per week over 5 x 13 = 65: 76.92, 7.69, 3.08, 0.77.
    table = funnel_table(results(funnel()))

    assert table["stage"].tolist() == ["calls", "meetings", "opportunities", "deals"]
    assert table["needed, whole"].tolist() == [5000, 500, 200, 50]
    assert table["per person per week"].tolist() == pytest.approx(
        [5000 / 65, 500 / 65, 200 / 65, 50 / 65]
    )
    assert table["per person per week, whole"].tolist() == [77, 8, 4, 1]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (5000 / 65, "76.92 → 77"),
        (500 / 65, "7.69 → 8"),
        (5000.000000000001, "5,000"),
        (10_166.666, "10,166.67 → 10,167"),
        (100.0, "100"),
    ],
)
def test_figure_text_shows_the_unrounded_beside_the_whole(value, text) -> None:
    assert figure_text(value) == text


def test_growth_results_check_history_and_answer_the_reverse() -> None:
    # 100 -> 121 in 2 months is +10 % a month; the path is 110 + 121 = 231.
    # At +5 %: log(1.21) / log(1.05) = 0.19062 / 0.04879 = 3.91, so 4 months
    # from 1 July: reached by 31 October. History +5, +12, +10, -3 %: 2 of 4.
    scenario = growth(
        inputs=GrowthInputs(100, 121, 2, assumed_growth=0.05),
        start=date(2026, 7, 1),
    )
    outlook = results(scenario, history=[100, 105, 117.6, 129.36, 125.4792])

    assert outlook.check.required == pytest.approx(0.10)
    assert (outlook.check.done_in, outlook.check.periods_seen) == (2, 4)
    assert outlook.path_total == pytest.approx(231)
    assert outlook.end == date(2026, 8, 31)
    assert outlook.periods_at_assumed == 4
    assert outlook.reached_by == date(2026, 10, 31)


def test_capacity_results_are_the_shared_workload() -> None:
    # 800 / 8 = 100 each; 800 / 9 = 88.89; 800 / 7 = 114.29.
    plan = results(capacity())
    assert (plan.per_person, plan.with_one_more) == (100, pytest.approx(88.888889))
    assert plan.with_one_fewer == pytest.approx(114.285714)


# ---------------------------------------------------------------------------
# The KPIs a scenario sets
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("metric", "weekly", "note"),
    [
        ("calls", 77, "76.92 → 77 calls a week per person"),
        ("meetings", 8, "7.69 → 8 meetings a week per person"),
        ("opportunities", 4, "3.08 → 4 opportunities a week per person"),
        ("deals_won", 1, "0.77 → 1 deals a week per person"),
    ],
)
def test_a_funnel_sets_each_rep_a_weekly_target_per_stage(metric, weekly, note):
    kpis = by_key(scenario_targets(funnel(), DEFINITIONS))

    for rep in REPS:
        kpi = kpis[f"q3_push__{metric}__{rep.lower()}"]
        assert kpi.target == Target("per_period", weekly, period="week")
        assert (kpi.team, kpi.person, kpi.start, kpi.end) == ("North", rep, *Q3)
        assert kpi.description == f'From scenario "Q3 push": {note}.'


def test_a_funnel_sets_the_goal_as_the_teams_total() -> None:
    kpis = scenario_targets(funnel(), DEFINITIONS)

    # The goal, then 4 stages for each of the 5 reps.
    assert len(kpis) == 1 + 4 * 5
    goal = kpis[0]
    assert (goal.key, goal.name) == (
        "q3_push__revenue",
        "Revenue of $600,000 (Q3 push)",
    )
    assert goal.target == Target("total", 600_000)
    assert (goal.team, goal.person) == ("North", None)
    assert by_key(kpis)["q3_push__calls__ann"].name == "Ann: 77 calls a week (Q3 push)"


@pytest.mark.parametrize(
    ("goal", "totals"),
    [
        (600_000, {"calls": 5000, "meetings": 500, "opportunities": 200}),
        # 610,000 / 12,000 = 50.83 -> 51 deals; / 0.25 = 203.33 -> 204; / 0.4
        # = 508.33 -> 509; / 0.1 = 5,083.33 -> 5,084.
        (610_000, {"calls": 5084, "meetings": 509, "opportunities": 204}),
    ],
)
def test_a_funnel_in_totals_sets_one_team_kpi_per_stage(goal, totals) -> None:
    scenario = funnel(goal=goal, target_kind="total")
    kpis = by_key(scenario_targets(scenario, DEFINITIONS))

    assert len(kpis) == 5
    for metric, total in totals.items():
        kpi = kpis[f"q3_push__{metric}"]
        assert kpi.target == Target("total", total)
        assert (kpi.team, kpi.person) == ("North", None)


def test_growth_sets_a_level_at_the_date() -> None:
    # From 1 March, 10 months end on 31 December; 150,000 is the level to reach.
    (kpi,) = scenario_targets(growth(), DEFINITIONS)

    assert kpi.target == Target("level", 150_000, "month", baseline=100_000)
    assert (kpi.start, kpi.end) == (date(2026, 3, 1), date(2026, 12, 31))
    assert kpi.name == "Revenue up to $150,000 by 31 Dec 2026 (Grow)"


def test_growth_in_total_adds_up_the_compound_path() -> None:
    # 100 -> 121 in 2 months: 110 in the first, 121 in the second, 231 in all.
    scenario = growth(inputs=GrowthInputs(100, 121, 2), target_kind="total")
    (kpi,) = scenario_targets(scenario, DEFINITIONS)

    assert kpi.target.kind == "total"
    assert kpi.target.value == pytest.approx(231)
    assert (kpi.start, kpi.end) == (date(2026, 3, 1), date(2026, 4, 30))


@pytest.mark.parametrize(
    ("people", "weekly", "note"),
    [
        (8, 100, "100 a week per person"),  # 800 / 8
        (9, 89, "88.89 → 89 a week per person"),  # 800 / 9 = 88.89
        (7, 115, "114.29 → 115 a week per person"),  # 800 / 7 = 114.29
    ],
)
def test_capacity_sets_each_person_a_share(people, weekly, note) -> None:
    kpis = scenario_targets(capacity(people), DEFINITIONS)

    assert len(kpis) == people
    assert {kpi.target for kpi in kpis} == {Target("per_period", weekly, "week")}
    assert kpis[0].name == f"Agent 0: {weekly} calls a week (Support load)"
    assert kpis[0].description == f'From scenario "Support load": {note}.'


def test_a_kpi_with_the_same_metric_owner_and_frame_is_updated_in_place() -> None:
    existing = KPI(
        "ann_calls",
        "Ann's calls",
        "calls",
        Target("per_period", 120, "week"),
        *Q3,
        team="North",
        person="Ann",
        parent="sales",
        weight=2,
    )
    definitions = replace(
        DEFINITIONS, goals=(Goal("sales", "Sales"),), kpis=(existing,)
    )

    kpis = by_key(scenario_targets(funnel(), definitions))

    assert "q3_push__calls__ann" not in kpis
    updated = kpis["ann_calls"]
    assert updated.target == Target("per_period", 77, period="week")
    assert (updated.parent, updated.weight) == ("sales", 2)


def bad(reason: str, match: str):
    return pytest.param(reason, match, id=reason)


@pytest.mark.parametrize(
    ("scenario", "reason", "match"),
    [
        (
            lambda: funnel(people=REPS[:4]),
            "people_mismatch",
            "over 5 people but names 4",
        ),
        (lambda: funnel(people=()), "no_people", "names nobody"),
        (lambda: funnel(start=None), "no_time_frame", "Set its start and end"),
        (lambda: growth(start=None), "no_time_frame", "Set its start, then"),
        (lambda: growth(metric="nope"), "unknown_metric", 'metric "nope"'),
        (lambda: growth(metric=None), "no_metric", "metric that grows"),
        (
            lambda: growth(metric="win_rate", target_kind="total"),
            "not_additive",
            "cannot be added up",
        ),
        # Cost per call is lower-is-better: a level baseline below the target.
        (
            lambda: growth(metric="cost_per_call"),
            "bad_target",
            "baseline 100000 must be above the target 150000",
        ),
        (
            lambda: capacity(names=()),
            "no_people",
            "names nobody",
        ),
    ],
)
def test_targets_that_cannot_be_set_are_refused(scenario, reason, match) -> None:
    with pytest.raises(GoalpostError, match=match) as refused:
        scenario_targets(scenario(), DEFINITIONS)
    assert refused.value.reason == reason


@pytest.mark.parametrize(
    ("build", "reason", "match"),
    [
        (lambda: funnel(name="!!!"), "bad_scenario", "needs a letter or digit"),
        (lambda: funnel(kind="budget"), "bad_scenario", "not a scenario kind"),
        (lambda: funnel(kind="growth"), "bad_scenario", "needs growth inputs"),
        (lambda: funnel(target_kind="level"), "bad_scenario", 'not "level"'),
        (lambda: funnel(people=("Ann", "Ann")), "bad_scenario", "different"),
        (lambda: funnel(end=date(2026, 6, 1)), "bad_scenario", "Swap the dates"),
        (lambda: growth(end=date(2026, 12, 31)), "bad_scenario", "leave its end"),
        (
            lambda: funnel(inputs=FunnelInputs(1, 1, STAGES[:1] * 2, 1, 1)),
            "bad_scenario",
            "one metric",
        ),
        (
            lambda: funnel(
                inputs=FunnelInputs(
                    600_000, 12_000, (ScenarioStage("c", 0),) * 1, 0, 13
                )
            ),
            "bad_funnel",
            "number of people is 0",
        ),
        (lambda: growth(inputs=GrowthInputs(0, 5, 2)), "bad_growth", "baseline"),
        (
            lambda: growth(inputs=GrowthInputs(100, 121, 2, period="year")),
            "bad_scenario",
            '"year" is not a period here',
        ),
        (lambda: capacity(people=0, names=()), "bad_capacity", "at least one person"),
    ],
)
def test_impossible_scenarios_are_refused(build, reason, match) -> None:
    with pytest.raises(GoalpostError, match=match) as refused:
        build()
    assert refused.value.reason == reason


@pytest.mark.parametrize(
    "scenario", [funnel(), growth(target_kind="total"), capacity()], ids=str
)
def test_a_scenario_survives_its_plain_dict(scenario) -> None:
    assert Scenario.from_dict(scenario.to_dict()) == scenario


def test_time_frame_of_a_growth_ends_with_its_periods() -> None:
    assert time_frame(growth()) == (date(2026, 3, 1), date(2026, 12, 31))


# ---------------------------------------------------------------------------
# Side by side
# ---------------------------------------------------------------------------


def test_scenarios_side_by_side() -> None:
    five_reps, six_reps = funnel(), funnel("Six reps")
    six_reps = replace(
        six_reps, inputs=replace(six_reps.inputs, people=6), people=(*REPS, "Fay")
    )

    table = compare_scenarios([five_reps, six_reps, capacity(9)])

    assert list(table.columns) == ["Q3 push", "Six reps", "Support load"]
    # Six reps over 13 weeks: 5,000 / 78 = 64.10 -> 65 calls each a week.
    assert table.loc["calls: per person per week"].tolist() == [
        "76.92 → 77",
        "64.1 → 65",
        "",
    ]
    assert table.loc["calls: needed"].tolist() == ["5,000", "5,000", ""]
    assert table.loc["Time frame"].tolist() == [
        "Q3 2026",
        "Q3 2026",
        "2026-05-04 – 2026-06-28",
    ]
    # 800 a week over 9 people: 88.89; with 10: 80; with 8: 100.
    assert table.loc["Per person", "Support load"] == "88.89 → 89"
    assert table.loc["With one more person", "Support load"] == "80"
    assert table.loc["With one fewer person", "Support load"] == "100"


def test_a_growth_scenario_side_by_side_with_its_history() -> None:
    scenario = growth(inputs=GrowthInputs(100, 121, 2, assumed_growth=0.05))
    table = compare_scenarios([scenario], {"Grow": [100, 105, 117.6, 129.36, 125.4792]})

    column = table["Grow"]
    assert column["Growth needed"] == "+10.0 % a month"
    assert column["Done in history"] == "2 of 4 months"
    assert column["At +5.0 % a month"] == "reached in 4 months"
    assert column["Time frame"] == "2026-03-01 – 2026-04-30"


# ---------------------------------------------------------------------------
# Defaults from the team's data
# ---------------------------------------------------------------------------


def sales_rows() -> dict[str, Rows]:
    # North, 2 and 9 March: calls 1,000 + 1,400 = 2,400; meetings 100 + 140 =
    # 240 (10 %); opportunities 40 + 56 = 96 (40 %); deals 10 + 14 = 24
    # (25 %); revenue 120,000 + 168,000 = 288,000 (12,000 a deal). South and
    # the January row must not count.
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime(
                ["2026-03-02", "2026-03-09", "2026-03-09", "2026-01-05"]
            ).astype("datetime64[ns]"),
            "team": ["North", "North", "South", "North"],
            "person": ["Ann", "Bo", "Zed", "Cy"],
            "calls": [1000.0, 1400.0, 100.0, 5000.0],
            "meetings": [100.0, 140.0, 50.0, 1.0],
            "opportunities": [40.0, 56.0, 50.0, 1.0],
            "deals_won": [10.0, 14.0, 50.0, 1.0],
            "revenue": [120_000.0, 168_000.0, 1.0, 1.0],
        }
    )
    numbers = ("calls", "meetings", "opportunities", "deals_won", "revenue")
    mapping = ColumnMapping(
        date="date",
        dimensions=("team", "person"),
        numbers=numbers,
        team="team",
        person="person",
    )
    return {"sales": Rows(mapping, frame)}


def test_measured_funnel_reads_each_rate_from_the_teams_rows() -> None:
    measured = measured_funnel(
        DEFINITIONS,
        sales_rows(),
        STAGES,
        "revenue",
        window=(date(2026, 2, 1), date(2026, 3, 31)),
        where=Slice(team="North"),
    )

    rates = [(m.rate, m.sample) if m else None for m in measured.rates]
    assert rates == [
        (pytest.approx(0.10), 2400),
        (pytest.approx(0.40), 240),
        (pytest.approx(0.25), 96),
        None,
    ]
    value = measured.value_per_outcome
    assert (value.rate, value.sample) == (pytest.approx(12_000), 24)


def test_a_stage_without_a_metric_has_no_measured_rate() -> None:
    stages = (STAGES[0], ScenarioStage("meetings", 0.4), STAGES[2])
    measured = measured_funnel(
        DEFINITIONS,
        sales_rows(),
        stages,
        None,
        window=(date(2026, 3, 1), date(2026, 3, 31)),
    )
    assert measured.rates == (None, None, None)
    assert measured.value_per_outcome is None


def test_period_history_is_the_finished_periods_before_today() -> None:
    # Today 15 March: the finished months are January and February (look-back
    # 1 gives 2 values). North's January holds 5,000 calls; February none (0).
    history = period_history(
        DEFINITIONS,
        sales_rows(),
        "calls",
        period="month",
        today=date(2026, 3, 15),
        look_back=1,
        where=Slice(team="North"),
    )
    assert history == [5000.0, 0.0]


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        # 13 weeks = 91 days ending the day before: 29 Jan .. 29 Apr.
        (
            lambda: look_back(date(2026, 4, 30), 13),
            (date(2026, 1, 29), date(2026, 4, 29)),
        ),
        (lambda: working_weeks(*Q3), 13),  # 92 days / 7 = 13.1
        (lambda: working_weeks(date(2026, 1, 1), date(2026, 1, 2)), 1),
        (
            lambda: WorkspaceSettings().period_of(date(2026, 4, 30), "quarter"),
            (date(2026, 4, 1), date(2026, 6, 30)),
        ),
        # A fiscal year from February: quarters Feb-Apr, May-Jul, ...
        (
            lambda: WorkspaceSettings(fiscal_start_month=2).period_of(
                date(2026, 4, 30), "quarter"
            ),
            (date(2026, 2, 1), date(2026, 4, 30)),
        ),
        (
            lambda: people_in_team(DEFINITIONS, sales_rows(), "calls", "North"),
            ["Ann", "Bo", "Cy"],
        ),
        (lambda: latest_value([3.0, 5.0, float("nan")]), 5.0),
        (lambda: latest_value([float("nan")]), None),
        (lambda: as_percent(0.119), 11.9),
        (lambda: as_fraction(11.9), pytest.approx(0.119)),
        (
            lambda: people_in_team(DEFINITIONS, sales_rows(), "win_rate", None),
            ["Ann", "Bo", "Cy", "Zed"],
        ),
    ],
)
def test_dates_and_people_for_the_defaults(call, expected) -> None:
    assert call() == expected


# ---------------------------------------------------------------------------
# The store: save, rename, delete, apply and undo (SQLite and PostgreSQL)
# ---------------------------------------------------------------------------


def test_saved_scenarios_keep_their_order_and_inputs(store) -> None:
    save_scenario(store, funnel())
    save_scenario(store, capacity())
    save_scenario(store, growth())

    assert saved_scenarios(store) == [funnel(), capacity(), growth()]
    assert saved_scenario(store, "Support load") == capacity()
    assert saved_scenario(store, "Nothing") is None


@pytest.mark.parametrize("name", ["Q3 push", "q3-push!"])
def test_a_saved_name_is_not_overwritten_unless_asked(store, name) -> None:
    save_scenario(store, funnel())

    with pytest.raises(GoalpostError, match='"Q3 push" is saved already') as refused:
        save_scenario(store, funnel(name, goal=1_000))
    assert refused.value.reason == "scenario_exists"
    assert saved_scenarios(store) == [funnel()]

    save_scenario(store, funnel(name, goal=1_000), replace=True)
    assert saved_scenarios(store) == [funnel(name, goal=1_000)]


def test_rename_and_delete(store) -> None:
    save_scenario(store, funnel())
    save_scenario(store, capacity())

    renamed = rename_scenario(store, "Q3 push", "Q3 stretch")

    assert renamed == funnel("Q3 stretch")
    assert [s.name for s in saved_scenarios(store)] == ["Q3 stretch", "Support load"]
    with pytest.raises(GoalpostError, match="is saved already") as taken:
        rename_scenario(store, "Q3 stretch", "support LOAD")
    assert taken.value.reason == "scenario_exists"
    with pytest.raises(GoalpostError, match="No scenario called") as missing:
        rename_scenario(store, "Q3 push", "Other")
    assert missing.value.reason == "no_such_scenario"

    delete_scenario(store, "Q3 stretch")
    assert [s.name for s in saved_scenarios(store)] == ["Support load"]


ANN_CALLS = KPI(
    "ann_calls",
    "Ann's calls",
    "calls",
    Target("per_period", 120, "week"),
    *Q3,
    team="North",
    person="Ann",
)
EARLIER = KPI("revenue_year", "Revenue", "revenue", Target("total", 1e6), *Q3)


def test_apply_writes_the_kpis_and_undo_restores_exactly(store) -> None:
    store.add_definitions(replace(DEFINITIONS, kpis=(EARLIER,)))
    store.save_kpi(ANN_CALLS, is_sample=True)
    before = store.definitions()

    applied = apply_scenario(store, funnel())

    kpis = by_key(store.definitions().kpis)
    # 21 KPIs, one of them Ann's calls, updated in place (first-saved order).
    assert len(applied.created) == 20 and applied.updated == ("ann_calls",)
    assert kpis["ann_calls"].target.value == 77
    assert kpis["q3_push__meetings__bo"].target.value == 8
    assert [k.key for k in store.definitions().kpis][:2] == [
        "revenue_year",
        "ann_calls",
    ]
    assert last_application(store) == applied

    undone = undo_apply(store)

    assert undone == applied
    assert store.definitions() == before
    assert last_application(store) is None
    # Ann's calls is a sample KPI again: removing the sample removes it.
    store.remove_sample()
    assert [k.key for k in store.definitions().kpis] == ["revenue_year"]


def test_applying_again_changes_nothing_and_undoes_newest_first(store) -> None:
    store.add_definitions(DEFINITIONS)
    first = apply_scenario(store, capacity(2))
    after_first = store.definitions()

    with pytest.raises(GoalpostError, match="is applied already") as again:
        apply_scenario(store, capacity(2))
    more = apply_scenario(store, capacity(1, names=("Agent 0",)))

    assert (len(first.created), again.value.reason) == (2, "already_applied")
    # One agent alone carries 800 a week.
    assert more.updated == ("support_load__calls__agent_0",)
    assert by_key(store.definitions().kpis)[more.updated[0]].target.value == 800
    assert undo_apply(store).id == more.id
    assert store.definitions() == after_first
    assert undo_apply(store).id == first.id
    assert store.definitions() == DEFINITIONS


def test_a_refused_apply_writes_nothing(store) -> None:
    store.add_definitions(DEFINITIONS)
    version = store.definitions_version()

    with pytest.raises(GoalpostError) as refused:
        apply_scenario(store, funnel(people=REPS[:2]))

    assert refused.value.reason == "people_mismatch"
    assert store.definitions_version() == version
    assert store.definitions() == DEFINITIONS
    assert last_application(store) is None


def test_undo_refuses_to_overwrite_an_edit_made_since(store) -> None:
    store.add_definitions(DEFINITIONS)
    apply_scenario(store, capacity(2))
    edited = replace(store.definitions().kpis[0], name="Mine now")
    store.save_kpi(edited)
    before = store.definitions()

    with pytest.raises(GoalpostError, match="support_load__calls__agent_0") as refused:
        undo_apply(store)

    assert refused.value.reason == "changed_since_apply"
    assert store.definitions() == before


def test_nothing_to_undo(store) -> None:
    with pytest.raises(GoalpostError, match="No applied scenario") as refused:
        undo_apply(store)
    assert refused.value.reason == "nothing_to_undo"
