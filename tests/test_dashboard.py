"""kpi.dashboard: the one door from the pages, with the viewer's scope."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from kpi.dashboard import (
    kpi_card,
    kpi_series,
    owners_in_data,
    scoped_rows,
    snapshot,
    status_counts,
    team_names,
    tree_rows,
    visible_kpis,
)
from kpi.model import (
    EVERYTHING,
    KPI,
    ColumnMapping,
    DatasetInfo,
    Definitions,
    Goal,
    Metric,
    Scope,
    Target,
)
from kpi.settings import WorkspaceSettings

MAPPING = ColumnMapping(
    date="date", dimensions=("team",), numbers=("leads",), team="team"
)
SETTINGS = WorkspaceSettings()


def daily_leads() -> pd.DataFrame:
    """North: 1 lead a day in January 2026, 2 in February, 3 in March; South: 5."""
    days = pd.date_range("2026-01-01", "2026-03-31", freq="D")
    north = pd.DataFrame(
        {"date": days, "team": "North", "leads": days.month.astype(float)}
    )
    south = pd.DataFrame({"date": days, "team": "South", "leads": 5.0})
    frame = pd.concat([north, south], ignore_index=True)
    return frame.astype({"team": "str"})


def rows_for(scope: Scope):
    info = DatasetInfo(id=1, name="leads", mapping=MAPPING, version=1, row_count=0)
    return scoped_rows([info], {1: daily_leads()}, scope)


LEADS = Metric("leads", "Leads", dataset="leads", column="leads")
Q1_TOTAL = KPI(
    key="north_q1",
    name="North: 200 leads in Q1",
    metric="leads",
    target=Target(kind="total", value=200),
    start=date(2026, 1, 1),
    end=date(2026, 3, 31),
    team="North",
    parent="grow",
)
SOUTH_LEVEL = KPI(
    key="south_level",
    name="South: 150 leads a month",
    metric="leads",
    target=Target(kind="level", value=150, period="month", baseline=100),
    start=date(2026, 1, 1),
    end=date(2026, 12, 31),
    team="South",
    parent="grow",
)
DEFINITIONS = Definitions(
    metrics=(LEADS,),
    goals=(Goal("grow", "Grow"),),
    kpis=(Q1_TOTAL, SOUTH_LEVEL),
)


def test_scope_keeps_only_the_teams_a_viewer_may_see():
    rows = rows_for(Scope(frozenset({"North"})))["leads"].frame

    assert set(rows["team"]) == {"North"}
    assert len(rows) == 90  # Jan 31 + Feb 28 + Mar 31 days
    assert len(rows_for(EVERYTHING)["leads"].frame) == 180


def test_scope_filters_kpis_and_teams():
    north_only = Scope(frozenset({"North"}))

    assert [k.key for k in visible_kpis(DEFINITIONS, north_only)] == ["north_q1"]
    assert team_names(DEFINITIONS, EVERYTHING) == ["North", "South"]
    assert team_names(DEFINITIONS, north_only) == ["North"]


def test_snapshot_keeps_a_broken_kpi_apart():
    broken = KPI(
        key="broken",
        name="Broken",
        metric="no_such_metric",
        target=Target(kind="total", value=1),
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
    )
    definitions = Definitions(
        metrics=DEFINITIONS.metrics,
        goals=DEFINITIONS.goals,
        kpis=(*DEFINITIONS.kpis, broken),
    )

    view = snapshot(
        definitions,
        rows_for(EVERYTHING),
        EVERYTHING,
        today=date(2026, 3, 15),
        settings=SETTINGS,
    )

    assert set(view.reports) == {"north_q1", "south_level"}
    assert list(view.problems) == ["broken"]
    assert "no_such_metric" in view.problems["broken"]


def test_ended_kpi_compares_the_end_of_its_time_frame():
    rows = rows_for(EVERYTHING)
    view = snapshot(
        DEFINITIONS, rows, EVERYTHING, today=date(2026, 6, 15), settings=SETTINGS
    )

    card = kpi_card(
        view.reports["north_q1"],
        DEFINITIONS,
        rows,
        today=date(2026, 6, 15),
        settings=SETTINGS,
    )

    # As of 31 March: March 1-31 = 31 x 3 = 93 against February 1-28 = 28 x 2 = 56.
    assert card.delta.current == 93
    assert card.delta.previous == 56
    assert card.delta.absolute == 37
    assert card.delta.percent == pytest.approx(37 / 56)
    # The card's number is the Q1 total: 31 + 56 + 93 = 180.
    assert card.report.actual == 180
    assert card.chart["layer"], "an Altair layer chart spec"


def test_level_kpi_compares_whole_periods():
    rows = rows_for(EVERYTHING)
    today = date(2026, 3, 15)
    view = snapshot(DEFINITIONS, rows, EVERYTHING, today=today, settings=SETTINGS)

    card = kpi_card(
        view.reports["south_level"], DEFINITIONS, rows, today=today, settings=SETTINGS
    )

    # Last complete month February: 28 x 5 = 140, against January: 31 x 5 = 155.
    assert (card.delta.current, card.delta.previous) == (140, 155)
    assert card.delta.absolute == -15
    assert card.report.actual == 140


def test_kpi_not_started_has_no_delta():
    rows = rows_for(EVERYTHING)
    today = date(2025, 12, 1)
    view = snapshot(DEFINITIONS, rows, EVERYTHING, today=today, settings=SETTINGS)

    card = kpi_card(
        view.reports["north_q1"], DEFINITIONS, rows, today=today, settings=SETTINGS
    )

    assert view.reports["north_q1"].status == "not started"
    assert card.delta is None


def test_tree_rows_flatten_in_display_order():
    view = snapshot(
        DEFINITIONS,
        rows_for(EVERYTHING),
        EVERYTHING,
        today=date(2026, 3, 15),
        settings=SETTINGS,
    )

    table = tree_rows(view.tree)

    assert table[["key", "kind", "depth"]].values.tolist() == [
        ["grow", "goal", 0],
        ["north_q1", "kpi", 1],
        ["south_level", "kpi", 1],
    ]
    assert sum(status_counts(view.reports).values()) == 2


def test_owners_in_data_lists_the_teams_behind_a_metric():
    teams, people = owners_in_data(DEFINITIONS, "leads", rows_for(EVERYTHING))

    assert teams == ["North", "South"]
    assert people == []  # the leads dataset maps no person column


def weekly_card(today: date, *, team: str):
    """The card of a per-period KPI, 20 leads every week of 2026-W02..W13."""
    weekly = KPI(
        "weekly",
        f"{team} weekly",
        "leads",
        Target("per_period", 20, "week"),
        date(2026, 1, 5),
        date(2026, 3, 29),
        team=team,
    )
    definitions = Definitions(metrics=(LEADS,), kpis=(weekly,))
    rows = rows_for(EVERYTHING)
    view = snapshot(definitions, rows, EVERYTHING, today=today, settings=SETTINGS)
    report = view.reports["weekly"]
    return kpi_card(report, definitions, rows, today=today, settings=SETTINGS)


def test_per_period_card_compares_the_week_it_shows_with_the_week_before():
    # North has 2 leads a day in February and 3 in March. The card shows the latest
    # finished week, 2026-W10 (2-8 March, 7 x 3 = 21), against W09 (23 Feb -
    # 1 Mar: 6 x 2 + 1 x 3 = 15), not the running week so far.
    card = weekly_card(date(2026, 3, 11), team="North")
    assert (card.report.actual, card.report.actual_label) == (21, "2026-W10")
    assert (card.delta.current, card.delta.previous) == (21, 15)
    assert (card.delta.current_label, card.delta.previous_label) == (
        "2026-W10",
        "2026-W09",
    )


def test_a_kpi_without_rows_has_no_delta_no_sparkline_and_no_zeros():
    card = weekly_card(date(2026, 3, 11), team="Nobody")
    report = card.report
    assert report.status == "no data"
    assert report.series["value"].isna().all()
    assert report.forecast is None
    assert card.delta is None and card.sparkline == []


@pytest.mark.parametrize(
    ("today", "partial"),
    [
        # Data is complete through today: March ends on the 31st, so on the
        # 31st it has finished; on the 15th it is still running.
        (date(2026, 3, 31), [False, False, False]),
        (date(2026, 3, 15), [False, False, True]),
    ],
)
def test_kpi_series_marks_only_a_period_still_running(today, partial):
    series = kpi_series(
        Q1_TOTAL,
        DEFINITIONS,
        rows_for(EVERYTHING),
        period="month",
        start=date(2026, 1, 1),
        end=today,
        today=today,
        settings=SETTINGS,
    )
    assert series["label"].tolist() == ["Jan 2026", "Feb 2026", "Mar 2026"]
    assert series["partial"].tolist() == partial


def test_a_running_bucket_on_the_card_is_compared_like_for_like():
    # On Wednesday 7 January no week of the KPI has finished: the card shows
    # the running 2026-W02 (5-7 Jan, 3 leads) and compares it with the same
    # three days of the week before (29-31 Dec 2025, before the data: none).
    card = weekly_card(date(2026, 1, 7), team="North")
    assert (card.report.actual, card.report.actual_label) == (3, "2026-W02")
    assert card.delta.current == 3
    assert card.delta.current_label == "Jan 5–7 2026"
    assert card.delta.previous_label == "Dec 29–31 2025"
