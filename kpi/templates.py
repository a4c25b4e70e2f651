"""Applying a KPI template to a dataset: metrics, KPIs and draft targets.

The user maps each role a template (``kpi.template_files``) asks for to a
column of one dataset (``guess_columns`` guesses from the names);
``apply_template`` builds the metrics whose columns are mapped, their KPIs,
and each KPI's draft target from the dataset's history before the time
frame. Nothing is stored here: the page writes ``TemplatePlan.definitions``.
A metric that exists with the very same definition is reused; any other name
clash takes the dataset's name (``deals_won_pipeline``), then a number.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from itertools import chain, count

import pandas as pd

from kpi.errors import DefinitionError
from kpi.formatting import figure_step, format_value
from kpi.formula import parse_formula
from kpi.metrics import Rows, Slice, metric_value
from kpi.model import KPI, ColumnMapping, DatasetInfo, Definitions, Metric, Target
from kpi.periods import bucket_end, period_label, period_range
from kpi.settings import WorkspaceSettings
from kpi.template_files import ColumnRole, Template, TemplateKpi, summable, way_roles
from kpi.template_files import list_templates as list_templates
from kpi.template_files import load_template as load_template
from kpi.template_files import read_template as read_template

# A chosen dimension value: (role, value name) -> the text in the column.
ValueChoice = Mapping[tuple[str, str], str]
_NAME = re.compile(r"(?<![\w.])[A-Za-z_]\w*")
_DEFAULT_SETTINGS = WorkspaceSettings()


@dataclass(frozen=True)
class DraftTarget:
    """How one new KPI's target was drafted: ``figure`` is what history gives
    for one bucket over ``first_day``..``last_day`` (``periods`` buckets; a
    level's baseline), ``unrounded`` the figure with the change (times the
    frame's buckets for a total), ``value`` the target, rounded."""

    kpi: str
    value: float
    unrounded: float
    figure: float
    first_day: date
    last_day: date
    periods: int
    explanation: str


@dataclass(frozen=True)
class TemplatePlan:
    """What applying a template adds (``definitions`` is what to store), the
    existing metrics it reuses, and one sentence for each thing left out."""

    metrics: tuple[Metric, ...]
    kpis: tuple[KPI, ...]
    drafts: tuple[DraftTarget, ...]
    reused: tuple[tuple[str, str], ...] = ()
    left_out: tuple[str, ...] = ()

    @property
    def definitions(self) -> Definitions:
        return Definitions(metrics=self.metrics, kpis=self.kpis)


@dataclass(frozen=True)
class _History:
    """The rows a draft reads, and the days it may read."""

    definitions: Definitions
    rows: dict[str, Rows]
    where: Slice
    first_day: date | None
    last_day: date
    calendar: tuple[str, int]  # week start, fiscal year's first month


def columns_needed(template: Template) -> tuple[ColumnRole, ...]:
    """The roles to map, the required ones first, otherwise in file order."""
    return tuple(sorted(template.columns, key=lambda role: role.optional))


def candidate_columns(role: ColumnRole, mapping: ColumnMapping) -> list[str]:
    """The dataset's columns that can play ``role``: numbers, or dimensions."""
    if role.kind == "number":
        return list(mapping.numbers)
    named = (*mapping.dimensions, mapping.team, mapping.person)
    return list(dict.fromkeys(column for column in named if column))


def guess_columns(template: Template, mapping: ColumnMapping) -> dict[str, str]:
    """role -> column, from names alone: "deal_stage" plays ``stage``.

    A column named as the role or one of its hints wins over one that only
    contains such a name ("organic_sessions" for ``sessions``); each column
    plays one role at most.
    """
    scored = sorted(
        (-_name_score((role.role, *role.hints), column), order, role.role, column)
        for order, role in enumerate(template.columns)
        for column in candidate_columns(role, mapping)
    )
    guess: dict[str, str] = {}
    for score, _, role_name, column in scored:
        if score and role_name not in guess and column not in guess.values():
            guess[role_name] = column
    return guess


def guess_values(
    template: Template, columns: Mapping[str, str], frame: pd.DataFrame
) -> dict[tuple[str, str], str]:
    """Each named dimension value's text: the column's value equal to the
    template's text (ignoring case), else one containing it ("Closed Won"),
    else the template's text."""
    chosen = {}
    for role in template.columns:
        column = columns.get(role.role)
        cells = frame[column].dropna() if column in frame.columns else pd.Series()
        found = sorted({str(cell).strip() for cell in cells.unique()} - {""})
        for name, text in role.values:
            same = [value for value in found if value.lower() == text.lower()]
            near = [value for value in found if text.lower() in value.lower()]
            chosen[(role.role, name)] = (same or near or [text])[0]
    return chosen


def apply_template(
    template: Template,
    dataset: DatasetInfo,
    columns: Mapping[str, str],
    rows: pd.DataFrame,
    *,
    existing: Definitions,
    start: date,
    end: date,
    today: date,
    team: str | None = None,
    values: ValueChoice | None = None,
    settings: WorkspaceSettings = _DEFAULT_SETTINGS,
) -> TemplatePlan:
    """The metrics and KPIs ``template`` adds for ``dataset``, with draft targets.

    ``columns`` maps roles to the dataset's columns, ``rows`` are its rows,
    ``values`` overrides ``guess_values``. ``team`` owns the KPIs and slices
    the history; it needs a team column. History ends the day before the
    time frame starts, or before ``today`` if that is earlier. Metrics whose
    columns are not mapped, and KPIs without history, are left out and said
    so. Raises ``DefinitionError``: ``wrong_column`` (a role it does not ask
    for, or a column of the wrong kind), ``column_needed``, ``no_team_column``.
    """
    _check_choice(template, dataset, columns, team)
    chosen = {**guess_values(template, columns, rows), **(values or {})}
    built = _metrics(template, dataset.name, columns, chosen, existing)
    names, new, reused, left_out = built
    history = _History(
        definitions=replace(existing, metrics=(*existing.metrics, *new)),
        rows={dataset.name: Rows(dataset.mapping, rows)},
        where=Slice(team=team),
        first_day=_first_day(rows, dataset.mapping),
        last_day=min(start, today) - timedelta(days=1),
        calendar=(settings.week_start, settings.fiscal_start_month),
    )
    taken = {text.lower() for kpi in existing.kpis for text in (kpi.key, kpi.name)}
    kpis, drafts = [], []
    for item in template.kpis:
        if item.metric not in names:
            left_out.append(f'KPI "{item.name}": its metric is left out.')
            continue
        metric = history.definitions.metric(names[item.metric])
        adds_up = summable(item.metric, template.metrics)
        draft = _draft(item, metric, adds_up, history, (start, end))
        if isinstance(draft, str):
            left_out.append(f'KPI "{item.name}": {draft}')
            continue
        key = _free((item.key, f"{item.key}_{_slug(dataset.name)}"), taken)
        shown = _free((item.name, f"{item.name} ({team or dataset.name})"), taken, " ")
        taken |= {key.lower(), shown.lower()}
        baseline = draft.figure if item.kind == "level" else None
        target = Target(item.kind, draft.value, item.period, baseline=baseline)
        made = KPI(key, shown, metric.name, target, start, end, team=team)
        pace = settings.at_risk_pace
        kpis.append(replace(made, description=draft.explanation, at_risk_pace=pace))
        drafts.append(replace(draft, kpi=key))
    return TemplatePlan(tuple(new), tuple(kpis), tuple(drafts), reused, tuple(left_out))


def _check_choice(
    template: Template,
    dataset: DatasetInfo,
    columns: Mapping[str, str],
    team: str | None,
) -> None:
    roles = {role.role: role for role in template.columns}
    for name, column in columns.items():
        role = roles.get(name)
        if role is None or column not in candidate_columns(role, dataset.mapping):
            wanted = f"a {role.kind}" if role else "no"
            message = f'"{template.title}" wants {wanted} column as {name}, not '
            advice = f'"{column}". Pick another, or map that one so in the dataset.'
            raise DefinitionError("wrong_column", message + advice, subject=name)
    for role in template.columns:
        if not role.optional and role.role not in columns:
            message = f'"{template.title}" needs the {role.role} column: '
            raise DefinitionError(
                "column_needed", message + role.description, role.role
            )
    if team is not None and not dataset.mapping.team:
        message = f'"{dataset.name}" has no team column, so team "{team}" cannot own'
        advice = " its KPIs. Leave the team empty, or map a team column."
        raise DefinitionError("no_team_column", message + advice, subject=team)


def _metrics(
    template: Template,
    dataset: str,
    columns: Mapping[str, str],
    values: ValueChoice,
    existing: Definitions,
) -> tuple[dict[str, str], list[Metric], tuple[tuple[str, str], ...], list[str]]:
    """Template name -> workspace name, the new metrics, the reused ones and
    what was left out, in the template's order."""
    names: dict[str, str] = {}
    new, reused, left_out = [], [], []
    taken = {metric.name.lower() for metric in existing.metrics}
    for item in template.metrics:
        metric = _first_way(item.ways, dataset, columns, values, names)
        if metric is None:
            ways = [" and ".join(sorted(way_roles(way))) for way in item.ways]
            needed = ", or ".join(way for way in ways if way)
            why = f"map {needed}" if needed else "its inputs are left out"
            left_out.append(f'Metric "{item.ways[0].label}": {why}.')
            continue
        same = next((m for m in existing.metrics if _same(m, metric)), None)
        if same is not None:
            names[item.name] = same.name
            reused.append((item.name, same.name))
            continue
        names[item.name] = _free((item.name, f"{item.name}_{_slug(dataset)}"), taken)
        taken.add(names[item.name].lower())
        new.append(replace(metric, name=names[item.name]))
    return names, new, tuple(reused), left_out


def _first_way(
    ways: Iterable[Metric],
    dataset: str,
    columns: Mapping[str, str],
    values: ValueChoice,
    names: Mapping[str, str],
) -> Metric | None:
    """The first way whose inputs are there, on the dataset's own columns."""
    for way in ways:
        if way.formula is not None:
            if parse_formula(way.formula).names <= set(names):
                renamed = _NAME.sub(lambda m: names.get(m[0], m[0]), way.formula)
                return replace(way, formula=renamed)
        elif way_roles(way) <= set(columns):
            filters = tuple(
                replace(f, column=columns[f.column], value=values[(f.column, f.value)])
                for f in way.filters
            )
            column = columns[way.column or ""]
            return replace(way, dataset=dataset, column=column, filters=filters)
    return None


def _same(a: Metric, b: Metric) -> bool:
    """Equal in everything that changes a value, its unit or its direction."""

    def essence(m: Metric) -> tuple[object, ...]:
        formula = re.sub(r"\s+", "", m.formula) if m.formula else None
        parts = (m.dataset, m.column, m.aggregation, m.filters, formula)
        return (*parts, m.unit, m.direction)

    return essence(a) == essence(b)


def _draft(
    item: TemplateKpi,
    metric: Metric,
    adds_up: bool,
    history: _History,
    frame: tuple[date, date],
) -> DraftTarget | str:
    """The KPI's draft target, or why there is none."""
    rule, calendar = item.draft, history.calendar
    buckets = _whole_buckets(history, rule.period, rule.last)
    if not buckets:
        return f"no whole {rule.period} of data up to {history.last_day}."
    first, last = buckets[0].date(), bucket_end(buckets[-1], rule.period).date()
    figure = _figure(item, metric, history, buckets)
    if figure is not None and rule.basis == "pooled" and adds_up:
        figure /= len(buckets)
    if figure is None or figure == 0:
        return f"the history ({first} to {last}) gives no value to start from."
    cover = len(period_range(*frame, rule.period, *calendar))
    times = cover if item.kind == "total" else 1
    unrounded = (figure + abs(figure) * rule.change) * times
    value = _rounded(unrounded, metric.unit == "number" and adds_up)
    if item.kind == "level" and (value - figure) * rule.change <= 0:
        value = unrounded  # rounding must not undo the change
    names = [period_label(b, rule.period, *calendar) for b in (buckets[0], buckets[-1])]
    text = (
        f"Draft target from history: the {rule.describe()}. "
        f"{' to '.join(dict.fromkeys(names))} gave {format_value(figure, metric.unit)}"
        f"{f' a {rule.period}' if adds_up else ''}"
        f"{f', times {cover} in the frame' if times > 1 else ''} → "
        f"{format_value(value, metric.unit)}."
    )
    if len(buckets) < rule.last:
        text += (
            f" The data starts {history.first_day}, so only {len(buckets)} of the "
            f"{rule.last} {rule.period}s asked for could be used."
        )
    return DraftTarget("", value, unrounded, figure, first, last, len(buckets), text)


def _whole_buckets(history: _History, period: str, count: int) -> list[pd.Timestamp]:
    """The last ``count`` buckets lying wholly between the history's days."""
    first_day, last_day = history.first_day, history.last_day
    if first_day is None or last_day < first_day:
        return []
    whole = [
        bucket
        for bucket in period_range(first_day, last_day, period, *history.calendar)
        if bucket.date() >= first_day and bucket_end(bucket, period).date() <= last_day
    ]
    return whole[-count:]


def _figure(
    item: TemplateKpi, metric: Metric, history: _History, buckets: list[pd.Timestamp]
) -> float | None:
    """The rule's basis over the buckets: one value (pooled) or a bucket statistic."""
    rule, common = item.draft, (history.definitions, metric.name, history.rows)
    ends = [bucket_end(bucket, rule.period).date() for bucket in buckets]
    if rule.basis == "pooled":
        first, last = buckets[0].date(), ends[-1]
        return metric_value(*common, start=first, end=last, where=history.where)
    found = [
        metric_value(*common, start=bucket.date(), end=end, where=history.where)
        for bucket, end in zip(buckets, ends, strict=True)
    ]
    known = pd.Series([value for value in found if value is not None], dtype=float)
    if known.empty:
        return None
    if rule.basis == "best":
        return float(known.max() if metric.direction == "higher" else known.min())
    return float(known.median() if rule.basis == "median" else known.mean())


def _rounded(value: float, whole: bool) -> float:
    """Three significant figures, a half up (126.5 -> 127); counts from 1 whole."""
    if value == 0 or not math.isfinite(value):
        return value
    step = figure_step(value)
    step = max(step, 1.0) if whole and abs(value) >= 1 else step
    return math.copysign(round(math.floor(abs(value) / step + 0.5) * step, 9), value)


def _first_day(rows: pd.DataFrame, mapping: ColumnMapping) -> date | None:
    first = rows[mapping.date].min()
    return None if pd.isna(first) else pd.Timestamp(first).date()


def _name_score(names: Iterable[str], column: str) -> int:
    """3: the column is named as one of ``names``; 2: it contains one; else 0."""
    words, wanted = _words(column), [_words(name) for name in names]
    if words in wanted:
        return 3
    return 2 if any(each and set(each) <= set(words) for each in wanted) else 0


def _words(name: str) -> list[str]:
    """ "DealStage", "deal stage" and "deal_stages" -> ["deal", "stage"]."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name).lower()
    return [word.rstrip("s") or word for word in re.findall(r"[a-z0-9]+", spaced)]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "data"


def _free(candidates: tuple[str, str], taken: set[str], joiner: str = "_") -> str:
    """The first candidate not taken (ignoring case), else the last numbered:
    ("revenue", "revenue_sales") -> "revenue_sales_2"."""
    numbered = (f"{candidates[-1]}{joiner}{n}" for n in count(2))
    return next(
        name for name in chain(candidates, numbered) if name.lower() not in taken
    )
