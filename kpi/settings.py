"""Workspace settings that change how periods are cut and how status is judged.

One frozen record, stored as a plain dict like the records of ``kpi.model``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Any

import pandas as pd

from kpi.errors import DefinitionError
from kpi.model import Definitions
from kpi.periods import (
    FISCAL_YEAR_NAMES,
    WEEK_STARTS,
    bucket_end,
    bucket_start,
    period_label,
    time_frame_label,
)


@dataclass(frozen=True)
class WorkspaceSettings:
    """How one workspace counts time and judges pace.

    - ``week_start``: "monday" (ISO weeks) or "sunday".
    - ``fiscal_start_month``: 1 (January) to 12; quarters and years follow it.
    - ``fiscal_year_named_by``: "end" names a fiscal year by the calendar year
      it ends in (April 2026 - March 2027 is FY2027), "start" by the year it
      starts in (FY2026). It has no effect when the year starts in January.
    - ``at_risk_pace``: a pace at or above this, but below 100 %, is "at risk";
      below it is "off track" (DESIGN.md rule 4, 0.9 by default).
    - ``seasonal_pacing``: expected-to-date follows last year's share of the
      same dates instead of a straight line (DESIGN.md rule 3).
    - ``day_first``: read 03/04/2026 as 3 April rather than 4 March.
    - ``decimal_comma``: new files' numbers are read with a decimal comma
      (1.234,50) unless their mapping says otherwise; never applied to dates.
    """

    week_start: str = "monday"
    fiscal_start_month: int = 1
    at_risk_pace: float = 0.9
    seasonal_pacing: bool = False
    day_first: bool = False
    fiscal_year_named_by: str = "end"
    decimal_comma: bool = False

    def __post_init__(self) -> None:
        if self.week_start not in WEEK_STARTS:
            raise DefinitionError(
                "bad_setting",
                f'Week start "{self.week_start}" is not known. '
                'Choose "monday" or "sunday" in the workspace settings.',
                subject="week_start",
            )
        if not 1 <= self.fiscal_start_month <= 12:
            raise DefinitionError(
                "bad_setting",
                f"Fiscal year start month {self.fiscal_start_month} is not a month. "
                "Choose a number from 1 (January) to 12 (December).",
                subject="fiscal_start_month",
            )
        if self.fiscal_year_named_by not in FISCAL_YEAR_NAMES:
            raise DefinitionError(
                "bad_setting",
                f'Fiscal year naming "{self.fiscal_year_named_by}" is not known. '
                'Choose "end" (FY2027 for April 2026 - March 2027) or "start".',
                subject="fiscal_year_named_by",
            )
        if not 0 < self.at_risk_pace <= 1:
            raise DefinitionError(
                "bad_setting",
                f"At-risk pace {self.at_risk_pace} is outside 0-1. Choose a "
                "fraction such as 0.9 (a pace of 90 % or more is at risk).",
                subject="at_risk_pace",
            )

    @property
    def week_note(self) -> str:
        """Which week numbering the pages use, said in one sentence (case 19)."""
        if self.week_start == "sunday":
            return (
                "Weeks run Sunday to Saturday and are named by their Sunday "
                '("Week of 2024-12-29").'
            )
        return (
            "Weeks are ISO 8601 weeks, Monday to Sunday, numbered within the ISO "
            "year: 2025-W01 runs from Monday 30 Dec 2024 to Sunday 5 Jan 2025."
        )

    def label(self, bucket: pd.Timestamp, period: str) -> str:
        """``period_label`` with this workspace's weeks and fiscal year."""
        return period_label(
            bucket,
            period,
            self.week_start,
            self.fiscal_start_month,
            self.fiscal_year_named_by,
        )

    def frame_label(self, start: date, end: date) -> str:
        """A time frame by its name when it is one whole year, quarter or month
        of this workspace's calendar, else "Mar 1–15 2026" style dates.

        With the fiscal year starting in April and named by its end,
        2026-04-01..2027-03-31 is "FY2027" and 2026-01-01..2026-03-31 is
        "FY2026 Q4"; with a January year they are "2026-04-01 – 2027-03-31"
        (not a whole calendar year) and "Q1 2026".
        """
        for period in ("year", "quarter", "month"):
            if self.period_of(start, period) == (start, end):
                return self.label(pd.Timestamp(start), period)
        return time_frame_label(start, end)

    def period_of(self, day: date, period: str) -> tuple[date, date]:
        """The first and last day of the ``period`` of this workspace's
        calendar that ``day`` falls in: 30 April 2026 is in the quarter 1 April
        to 30 June, or 1 February to 30 April when the year starts in February.
        """
        first = bucket_start(
            pd.Series([pd.Timestamp(day)]),
            period,
            self.week_start,
            self.fiscal_start_month,
        ).iloc[0]
        return first.date(), bucket_end(first, period).date()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> WorkspaceSettings:
        """Settings from a stored dict; missing keys take their defaults."""
        defaults = cls()
        return cls(
            week_start=str(data.get("week_start") or defaults.week_start).lower(),
            fiscal_start_month=int(
                data.get("fiscal_start_month") or defaults.fiscal_start_month
            ),
            fiscal_year_named_by=str(
                data.get("fiscal_year_named_by") or defaults.fiscal_year_named_by
            ),
            at_risk_pace=float(data.get("at_risk_pace") or defaults.at_risk_pace),
            seasonal_pacing=bool(data.get("seasonal_pacing", False)),
            day_first=bool(data.get("day_first", False)),
            decimal_comma=bool(data.get("decimal_comma", False)),
        )


def keep_status_bands(
    definitions: Definitions,
    old: WorkspaceSettings,
    new: WorkspaceSettings,
    *,
    today: date,
    apply_to_running: bool,
) -> Definitions:
    """The KPIs with the band each must keep when the workspace band changes.

    A KPI that keeps no band of its own was judged with ``old``: it keeps that
    one if its time frame has ended (its outcome must not change), and also
    while it runs unless ``apply_to_running``. A running KPI takes ``new`` when
    ``apply_to_running``, even when the workspace band itself is unchanged (it
    may keep an older band of its own); an ended KPI never changes. With
    at-risk going from 0.9 to 0.8 on 2026-05-01: a Q1 KPI keeps 0.9, a 2026
    KPI takes 0.8 (or keeps 0.9 without ``apply_to_running``).
    """
    if old.at_risk_pace == new.at_risk_pace and not apply_to_running:
        return definitions
    kpis = []
    for kpi in definitions.kpis:
        running = kpi.end > today
        if running and apply_to_running:
            kpi = replace(kpi, at_risk_pace=new.at_risk_pace)
        elif kpi.at_risk_pace is None:
            kpi = replace(kpi, at_risk_pace=old.at_risk_pace)
        kpis.append(kpi)
    return replace(definitions, kpis=tuple(kpis))
