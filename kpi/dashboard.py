"""The one door from the pages to the data: every read takes the viewer's scope.

A page loads the stored frames (cached by dataset id and version), passes
them here with the viewer's ``Scope``, and gets back what it draws: reports,
cards, the goal tree, series and breakdowns. Nothing here touches the store;
nothing here knows about Streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from kpi.card_text import actual_caption, forecast_cell
from kpi.charts import kpi_chart
from kpi.compare import Delta, bucket_delta, like_for_like
from kpi.errors import GoalpostError
from kpi.evaluate import KpiReport, evaluate_kpi
from kpi.formatting import NO_VALUE
from kpi.metrics import Rows, Slice, breakdown, metric_inputs, metric_series
from kpi.model import KPI, STATUS_SEVERITY, DatasetInfo, Definitions, Scope
from kpi.periods import bucket_end
from kpi.rollup import GoalNode, goal_tree
from kpi.settings import WorkspaceSettings


@dataclass(frozen=True)
class Snapshot:
    """Every visible KPI judged as of one day, and the ones that could not be."""

    reports: dict[str, KpiReport]
    problems: dict[str, str] = field(default_factory=dict)
    tree: list[GoalNode] = field(default_factory=list)


@dataclass(frozen=True)
class KpiCard:
    """What one card on the Team page shows beside its report.

    ``chart`` is the Vega-Lite spec of the KPI's Altair chart, built once so
    that a cached card redraws without rebuilding (and re-validating) it.
    """

    report: KpiReport
    delta: Delta | None
    sparkline: list[float]
    chart: dict[str, Any]


def scoped_rows(
    datasets: Sequence[DatasetInfo], frames: Mapping[int, pd.DataFrame], scope: Scope
) -> dict[str, Rows]:
    """Each dataset's rows, keeping only the teams ``scope`` may see.

    ``frames`` maps a dataset id to its stored rows; they are never modified.
    A dataset without a team column holds company-wide numbers and stays whole.
    """
    visible: dict[str, Rows] = {}
    for info in datasets:
        frame = frames[info.id]
        team_column = info.mapping.team
        if scope.teams is not None and team_column and team_column in frame.columns:
            frame = frame[frame[team_column].isin(sorted(scope.teams))]
        visible[info.name] = Rows(mapping=info.mapping, frame=frame)
    return visible


def visible_kpis(definitions: Definitions, scope: Scope) -> list[KPI]:
    """The KPIs whose owning team the viewer may see, in definition order."""
    return [kpi for kpi in definitions.kpis if scope.allows(kpi.team)]


def team_names(definitions: Definitions, scope: Scope) -> list[str]:
    """Teams that own a visible KPI, sorted by name."""
    return sorted({kpi.team for kpi in visible_kpis(definitions, scope) if kpi.team})


def snapshot(
    definitions: Definitions,
    rows: Mapping[str, Rows],
    scope: Scope,
    *,
    today: date,
    settings: WorkspaceSettings,
) -> Snapshot:
    """Judge every visible KPI; a KPI whose definition is broken becomes a problem.

    One broken KPI (a metric whose dataset was removed, say) never hides the
    others: its message is kept under its key for the page to show.
    """
    reports: dict[str, KpiReport] = {}
    problems: dict[str, str] = {}
    for kpi in visible_kpis(definitions, scope):
        try:
            reports[kpi.key] = evaluate_kpi(
                kpi, definitions, rows, today=today, settings=settings
            )
        except GoalpostError as error:
            problems[kpi.key] = f"{kpi.name}: {error.message}"

    visible_goals = tuple(g for g in definitions.goals if scope.allows(g.team))
    scoped = Definitions(
        metrics=definitions.metrics,
        goals=visible_goals,
        kpis=tuple(k for k in definitions.kpis if k.key in reports),
    )
    tree = goal_tree(scoped, reports, at_risk_pace=settings.at_risk_pace)
    return Snapshot(reports=reports, problems=problems, tree=tree)


def kpi_card(
    report: KpiReport,
    definitions: Definitions,
    rows: Mapping[str, Rows],
    *,
    today: date,
    settings: WorkspaceSettings,
    whole_periods: bool = False,
) -> KpiCard:
    """A report plus its like-for-like delta and the values of its sparkline.

    The delta always describes the big number. A total compares this period
    so far with the same days of the previous one (or whole periods with
    ``whole_periods``), as of the last day of the frame once it has ended. A
    level or per-period card shows one bucket: a finished one is compared
    whole with the bucket before it, a running one like for like. No delta
    before the frame starts, or when the KPI has no value.
    """
    kpi = report.kpi
    delta = None
    if today >= kpi.start and report.actual is not None:
        try:
            delta = _card_delta(
                report, definitions, rows, today, settings, whole_periods
            )
        except GoalpostError:
            delta = None
    values = report.series["value"].dropna().tolist()
    cumulative = kpi.target.kind in ("total", "change") and report.metric.is_additive
    chart = kpi_chart(report.series, unit=report.metric.unit, cumulative=cumulative)
    return KpiCard(
        report=report, delta=delta, sparkline=values[-24:], chart=chart.to_dict()
    )


def _card_delta(
    report: KpiReport,
    definitions: Definitions,
    rows: Mapping[str, Rows],
    today: date,
    settings: WorkspaceSettings,
    whole_periods: bool,
) -> Delta:
    """The delta that describes the card's big number (see ``kpi_card``)."""
    kpi = report.kpi
    period = kpi.target.period or "month"
    judged_on_a_bucket = kpi.target.kind in ("level", "per_period") or (
        kpi.target.kind == "change" and kpi.target.resolves_to == "level"
    )
    shown = report.series.loc[report.series["label"] == report.actual_label]
    if not judged_on_a_bucket or not len(shown):
        return like_for_like(
            definitions,
            kpi.metric,
            rows,
            today=min(today, kpi.end),
            period=period,
            where=_slice(kpi),
            whole_periods=whole_periods,
            settings=settings,
        )
    # The bucket's days inside the frame, up to today: what the number covers.
    bucket = shown["bucket"].iloc[0].date()
    first = max(bucket, kpi.start)
    last = min(bucket_end(shown["bucket"].iloc[0], period).date(), kpi.end, today)
    return bucket_delta(
        definitions,
        kpi.metric,
        rows,
        bucket=bucket,
        first=first,
        last=last,
        period=period,
        where=_slice(kpi),
        settings=settings,
    )


def kpi_series(
    kpi: KPI,
    definitions: Definitions,
    rows: Mapping[str, Rows],
    *,
    period: str,
    start: date,
    end: date,
    today: date,
    settings: WorkspaceSettings,
    by: str | None = None,
) -> pd.DataFrame:
    """The KPI's metric by period over [start, end] for its owner, with labels.

    Adds ``label`` and ``partial``: the bucket still running on ``today``,
    one that has started and ends after it (data counts as complete through
    today, so a month ending today is finished).
    """
    series = metric_series(
        definitions,
        kpi.metric,
        rows,
        period=period,
        start=start,
        end=end,
        where=_slice(kpi),
        by=by,
        week_start=settings.week_start,
        fiscal_start_month=settings.fiscal_start_month,
    )
    labels = [settings.label(b, period) for b in series["bucket"]]
    # Data is complete through today: a bucket that ends today has finished.
    running = [
        first <= pd.Timestamp(today) < bucket_end(first, period)
        for first in series["bucket"]
    ]
    return series.assign(label=labels, partial=running)


def kpi_breakdown(
    kpi: KPI,
    definitions: Definitions,
    rows: Mapping[str, Rows],
    *,
    by: str,
    start: date,
    end: date,
) -> pd.DataFrame:
    """The KPI's metric over [start, end] split by one dimension ([by, value])."""
    return breakdown(
        definitions, kpi.metric, rows, start=start, end=end, by=by, where=_slice(kpi)
    )


def kpi_dimensions(
    kpi: KPI, definitions: Definitions, rows: Mapping[str, Rows]
) -> list[str]:
    """Dimensions every dataset behind the KPI's metric has, so a breakdown works."""
    datasets = {m.dataset for m in metric_inputs(definitions, kpi.metric)}
    shared: set[str] | None = None
    for name in datasets:
        if name is None or name not in rows:
            return []
        dims = set(rows[name].mapping.dimensions)
        shared = dims if shared is None else shared & dims
    return sorted(shared or ())


def _slice(kpi: KPI) -> Slice:
    return Slice(team=kpi.team, person=kpi.person)


TREE_COLUMNS = (
    "key",
    "kind",
    "depth",
    "name",
    "owner",
    "progress",
    "status",
    "pace",
    "unit",
    "actual",
    "target",
    "needed_per_day",
    "forecast",
    "chance",
    "covers",
    "note",
)


def tree_rows(tree: Sequence[GoalNode]) -> pd.DataFrame:
    """The goal tree flattened in display order, one row per node.

    ``depth`` is 0 for a root; ``progress`` is the node's own (uncapped for a
    KPI, the capped roll-up for a goal). A KPI has its actual, target, pace,
    amount still needed per day, forecast end value and chance of reaching the
    target; a goal with a metric has the summed actual, target and pace.
    """
    records: list[dict[str, object]] = []

    def visit(node: GoalNode, depth: int) -> None:
        records.append(
            {
                "key": node.key,
                "kind": node.kind,
                "depth": depth,
                "name": node.name,
                "progress": node.progress,
                "status": node.status,
                **_node_figures(node),
            }
        )
        for child in node.children:
            visit(child, depth + 1)

    for root in tree:
        visit(root, 0)
    return pd.DataFrame(records, columns=list(TREE_COLUMNS))


def _node_figures(node: GoalNode) -> dict[str, object]:
    report, summed = node.report, node.summed
    if report is not None:
        forecast = report.forecast
        owner = " · ".join(p for p in (report.kpi.team, report.kpi.person) if p)
        return {
            "owner": owner,
            "pace": report.pace,
            "unit": report.metric.unit,
            "actual": report.actual,
            "target": report.target_value,
            "needed_per_day": report.needed_per_day,
            "forecast": forecast_cell(report),
            "chance": None if forecast is None else forecast.probability,
            "covers": actual_caption(report),
            "note": "",
        }
    figures: dict[str, object] = {
        "owner": "",
        "unit": "number",
        "covers": "",
        "forecast": NO_VALUE,
        "note": "",
    }
    if summed is not None:
        figures.update(
            pace=summed.pace,
            actual=summed.actual,
            target=summed.target,
            unit=summed.unit,
            note=summed.explanation,
        )
    return figures


def status_counts(reports: Mapping[str, KpiReport]) -> dict[str, int]:
    """How many KPIs have each status, worst first, leaving out zero counts."""
    counts = {status: 0 for status in STATUS_SEVERITY}
    for report in reports.values():
        counts[report.status] = counts.get(report.status, 0) + 1
    return {status: n for status, n in counts.items() if n}


def owners_in_data(
    definitions: Definitions, metric: str, rows: Mapping[str, Rows]
) -> tuple[list[str], list[str]]:
    """The teams and people that have rows in the datasets behind ``metric``.

    A KPI owned by anyone else would show "no data"; the editor warns with this.
    """
    teams: set[str] = set()
    people: set[str] = set()
    for base in metric_inputs(definitions, metric):
        data = rows.get(base.dataset or "")
        if data is None:
            continue
        for column, found in (
            (data.mapping.team, teams),
            (data.mapping.person, people),
        ):
            if column and column in data.frame.columns:
                found.update(v for v in data.frame[column].unique() if v)
    return sorted(teams), sorted(people)
