"""What the Targets tab reads and shows: spans, last year's months, tables.

No arithmetic on target values here: numbers come from ``kpi`` and are only
picked, formatted and laid out.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from kpi.formatting import format_value
from kpi.metrics import Slice, metric_series
from kpi.model import KPI, Definitions, Metric
from kpi.periods import bucket_end, bucket_start, period_range, time_frame_label
from kpi.planned_target import PlannedTarget
from kpi.settings import WorkspaceSettings
from kpi.target_plan import plan_table, planned_value
from kpi.values import parse_number

MONTH, TARGET, BY_HAND = "Month", "Target", "Set by hand"
# A target beyond a quadrillion is a slip of the keyboard, not a plan.
LARGEST_TARGET = 1e15
# What to type, by the metric's unit, when a value is refused.
EXAMPLES = {
    "currency": "95000 or $95,000",
    "percent": "12% or 0.12",
    "duration": "7.5 (hours)",
    "number": "95000",
}


@dataclass(frozen=True)
class PlanChoice:
    """Whose plan of which metric, for which year: what the tab edits."""

    metric: Metric
    team: str | None
    person: str | None
    label: str
    start: date
    end: date

    @property
    def span(self) -> tuple[date, date]:
        return self.start, self.end

    @property
    def who(self) -> str:
        return owner_label(self.team, self.person)

    @property
    def key(self) -> str:
        return f"{self.metric.name}|{self.team}|{self.person}|{self.start}"

    def planned(self, rows: list[PlannedTarget]) -> float | None:
        """The plan's value for the year: its sum, or for a rate its last month."""
        return planned_value(
            rows,
            self.metric.name,
            self.start,
            self.end,
            team=self.team,
            person=self.person,
            additive=self.metric.is_additive,
        )


def year_spans(
    today: date, settings: WorkspaceSettings
) -> list[tuple[str, date, date]]:
    """This year and next, calendar or fiscal per the workspace: label, first, last.

    With the fiscal year starting in April, 2026-04-30 gives FY2027
    (2026-04-01..2027-03-31) and FY2028.
    """
    first = bucket_start(
        pd.Series([pd.Timestamp(today)]),
        "year",
        fiscal_start_month=settings.fiscal_start_month,
    ).iloc[0]
    spans = []
    for _ in range(2):
        last = bucket_end(first, "year")
        spans.append((settings.label(first, "year"), first.date(), last.date()))
        first = last + pd.Timedelta(days=1)
    return spans


def last_year_months(
    definitions: Definitions, rows: Mapping, choice: PlanChoice, fiscal_start_month: int
) -> dict[date, float]:
    """The owner's actual of each month of the twelve months before ``span``.

    Keyed by the first day of the month, as ``allocate``'s ``last_year`` wants;
    a month without a value is NaN, which ``allocate`` reports as missing.
    """
    start = choice.start
    first = start.replace(year=start.year - 1)
    last = (pd.Timestamp(start) - pd.Timedelta(days=1)).date()
    series = metric_series(
        definitions,
        choice.metric.name,
        rows,
        period="month",
        start=first,
        end=last,
        where=Slice(team=choice.team, person=choice.person),
        fiscal_start_month=fiscal_start_month,
    )
    return {
        bucket.date(): float(value)
        for bucket, value in zip(series["bucket"], series["value"], strict=True)
    }


def saved_in_span(
    plan: Sequence[PlannedTarget], choice: PlanChoice
) -> list[PlannedTarget]:
    """The chosen owner's lines of the metric lying wholly inside the year."""
    return [
        row
        for row in plan_table(plan, choice.metric.name, choice.team, choice.person)
        if choice.start <= row.start and row.end <= choice.end
    ]


def covers_every_month(rows: Sequence[PlannedTarget], span: tuple[date, date]) -> bool:
    """True when ``rows`` are exactly the span's months, one line each, in order."""
    months = [
        (first.date(), bucket_end(first, "month").date())
        for first in period_range(*span, "month")
    ]
    return [(row.start, row.end) for row in rows] == months


def owner_label(team: str | None, person: str | None) -> str:
    """ "Sales East · Maya Chen", "Sales East", or "Whole company"."""
    return " · ".join(name for name in (team, person) if name) or "Whole company"


def months_frame(rows: Sequence[PlannedTarget], unit: str) -> pd.DataFrame:
    """One line per planned month: its name, its value in the unit, set by hand."""
    return pd.DataFrame(
        {
            MONTH: [time_frame_label(row.start, row.end) for row in rows],
            TARGET: [format_value(row.value, unit) for row in rows],
            BY_HAND: [row.overridden for row in rows],
        }
    )


def typed_months(
    rows: Sequence[PlannedTarget], edited_rows: Mapping, metric: Metric
) -> dict[date, float]:
    """The months typed into the editor, keyed by first day, read as people type.

    ``edited_rows`` is the data editor's {row position: {column: text}}. A
    cleared cell is not typed. Every refused cell (``read_target``) is named
    in one ValueError, one paragraph a month, so that nothing half-typed saves.
    """
    typed, refused = {}, []
    for position, change in sorted(edited_rows.items(), key=lambda i: int(i[0])):
        row = rows[int(position)]
        month = time_frame_label(row.start, row.end)
        try:
            value = read_target(str(change.get(TARGET) or ""), metric, month)
        except ValueError as error:
            refused.append(str(error))
            continue
        if value is not None:
            typed[row.start] = value
    if refused:
        raise ValueError("\n\n".join(refused))
    return typed


def read_target(text: str, metric: Metric, where: str) -> float | None:
    """The target typed as ``text``; None for an empty cell.

    "$95,000" reads 95000.0; for a percent metric "12%" and "0.12" both read
    0.12. Raises ValueError beginning with ``where`` for text that is not a
    number, a percent sign on a metric not counted in percent ("12%" for
    revenue would be $0.12), or a value ``check_target`` refuses.
    """
    example = EXAMPLES.get(metric.unit, EXAMPLES["number"])
    try:
        value = parse_number(text)
    except ValueError:
        raise ValueError(
            f'{where}: "{text}" is not a number. Type it as it reads, such as '
            f"{example}."
        ) from None
    if value is None:
        return None
    if "%" in text and metric.unit != "percent":
        raise ValueError(
            f'{where}: "{text}" has a percent sign, but {metric.label} is not '
            f"counted in percent. Type the amount itself, such as {example}."
        )
    return check_target(value, metric, where, f'"{text}"')


def check_target(value: float, metric: Metric, where: str, shown: str) -> float:
    """``value`` when it can be a target; else a ValueError naming ``where``.

    Refused: not a number, not finite ("1e400" reads as infinity), beyond
    ``LARGEST_TARGET`` either way (1e15 passes, 1.5e15 does not) and below
    zero (-5000, "(500)", "$-400,000"). ``shown`` is the value as typed.
    """
    example = EXAMPLES.get(metric.unit, EXAMPLES["number"])
    if math.isnan(value):
        raise ValueError(f"{where}: {shown} is not a number. Type {example}.")
    if not abs(value) <= LARGEST_TARGET:
        raise ValueError(
            f"{where}: {shown} is too large to be a target. Type an amount of at "
            f"most 1,000,000,000,000,000 (10^15), such as {example}."
        )
    if value < 0:
        raise ValueError(
            f"{where}: {shown} is below zero, and a target cannot be. Type "
            f"{_as_typed(-value, metric.unit)} without a minus sign or "
            "brackets, or 0."
        )
    return value


def kpis_reading(definitions: Definitions, rows: Sequence[PlannedTarget]) -> list[KPI]:
    """The KPIs whose target comes from ``rows`` of the target table.

    They have "Take the target from the target table" ticked, the rows' metric,
    team and person, and a time frame sharing a day with some row. A change
    target is left out: it keeps its own baseline.
    """
    owners = {(row.metric, row.team, row.person) for row in rows}
    return [
        kpi
        for kpi in definitions.kpis
        if kpi.target.from_plan
        and kpi.target.kind != "change"
        and (kpi.metric, kpi.team, kpi.person) in owners
        and any(kpi.start <= row.end and row.start <= kpi.end for row in rows)
    ]


def _as_typed(value: float, unit: str) -> str:
    """A value the way it can be typed back: 400000 "400,000", 0.05 "5%"."""
    if unit == "percent":
        return f"{value * 100:,.2f}".rstrip("0").rstrip(".") + "%"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def target_table(definitions: Definitions) -> pd.DataFrame:
    """Every line of the target table, by metric, owner and start."""
    labels = {metric.name: metric for metric in definitions.metrics}
    lines = sorted(
        definitions.targets,
        key=lambda row: (row.metric, row.team or "", row.person or "", row.start),
    )
    known = [labels.get(row.metric) for row in lines]
    pairs = list(zip(lines, known, strict=True))
    return pd.DataFrame(
        {
            "Metric": [m.label if m else row.metric for row, m in pairs],
            "Owner": [owner_label(row.team, row.person) for row in lines],
            MONTH: [time_frame_label(row.start, row.end) for row in lines],
            TARGET: [
                format_value(row.value, m.unit if m else "number") for row, m in pairs
            ],
            BY_HAND: [row.overridden for row in lines],
        }
    )
