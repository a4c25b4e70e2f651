"""What the Targets tab reads and shows: spans, last year's months, tables.

No arithmetic on target values here: numbers come from ``kpi`` and are only
picked, formatted and laid out.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from kpi.formatting import format_value
from kpi.metrics import Slice, metric_series
from kpi.model import Definitions, Metric, PlannedTarget
from kpi.periods import bucket_end, bucket_start, period_range, time_frame_label
from kpi.settings import WorkspaceSettings
from kpi.target_plan import plan_table, planned_value
from kpi.values import parse_number

MONTH, TARGET, BY_HAND = "Month", "Target", "Set by hand"


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
    rows: Sequence[PlannedTarget], edited_rows: Mapping
) -> dict[date, float]:
    """The months typed into the editor, keyed by first day, read as people type.

    ``edited_rows`` is the data editor's {row position: {column: text}}. A
    cleared cell is not typed. Raises ValueError naming the month and text.
    """
    typed = {}
    for position, change in edited_rows.items():
        row = rows[int(position)]
        text = str(change.get(TARGET) or "")
        try:
            value = parse_number(text)
        except ValueError:
            month = time_frame_label(row.start, row.end)
            raise ValueError(
                f'{month}: "{text}" is not a number. Type it as it reads, such '
                "as 95000, $95,000 or 4.5%."
            ) from None
        if value is not None:
            typed[row.start] = value
    return typed


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
