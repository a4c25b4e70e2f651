"""Workspace settings that change how periods are cut and how status is judged.

One frozen record, stored as a plain dict like the records of ``kpi.model``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from kpi.errors import DefinitionError

WEEK_STARTS: tuple[str, ...] = ("monday", "sunday")


@dataclass(frozen=True)
class WorkspaceSettings:
    """How one workspace counts time and judges pace.

    - ``week_start``: "monday" (ISO weeks) or "sunday".
    - ``fiscal_start_month``: 1 (January) to 12; quarters and years follow it.
    - ``at_risk_pace``: a pace at or above this, but below 100 %, is "at risk";
      below it is "off track" (DESIGN.md rule 4, 0.9 by default).
    - ``seasonal_pacing``: expected-to-date follows last year's share of the
      same dates instead of a straight line (DESIGN.md rule 3).
    - ``day_first``: read 03/04/2026 as 3 April rather than 4 March.
    """

    week_start: str = "monday"
    fiscal_start_month: int = 1
    at_risk_pace: float = 0.9
    seasonal_pacing: bool = False
    day_first: bool = False

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
        if not 0 < self.at_risk_pace <= 1:
            raise DefinitionError(
                "bad_setting",
                f"At-risk pace {self.at_risk_pace} is outside 0-1. Choose a "
                "fraction such as 0.9 (a pace of 90 % or more is at risk).",
                subject="at_risk_pace",
            )

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
            at_risk_pace=float(data.get("at_risk_pace") or defaults.at_risk_pace),
            seasonal_pacing=bool(data.get("seasonal_pacing", False)),
            day_first=bool(data.get("day_first", False)),
        )
