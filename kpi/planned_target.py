"""One line of the target table: a metric's target for one owner and period.

A record like those of ``kpi.model`` (which holds the workspace's
``Definitions`` with these lines among them); ``kpi.target_plan`` splits and
reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class PlannedTarget:
    """One line of the target table: what ``metric`` should reach in one period.

    ``start``..``end`` (inclusive) is usually a month. ``team`` and ``person``
    say whose target it is (None: the whole company, or the whole team).
    ``overridden`` marks a value typed in by hand rather than allocated from a
    longer period's target; a new allocation keeps it.
    """

    metric: str
    start: date
    end: date
    value: float
    team: str | None = None
    person: str | None = None
    overridden: bool = False

    @property
    def key(self) -> str:
        owner = f"{self.team or ''}|{self.person or ''}"
        return f"{self.metric}|{owner}|{self.start.isoformat()}"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "metric": self.metric,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "value": self.value,
            "team": self.team,
            "person": self.person,
            "overridden": self.overridden or None,
        }
        return {key: value for key, value in data.items() if value is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PlannedTarget:
        return cls(
            metric=str(data["metric"]),
            start=_as_date(data["start"]),
            end=_as_date(data["end"]),
            value=float(data["value"]),
            team=data.get("team"),
            person=data.get("person"),
            overridden=bool(data.get("overridden", False)),
        )


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
