"""Capacity: a team's workload per period shared out as per-person targets.

800 tickets a week across 8 people is 100 each; one more person makes it
800 / 9 = 88.9, one fewer 800 / 7 = 114.3. Per-person figures are kept
unrounded; a page rounds them for display.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from kpi.errors import GoalpostError


@dataclass(frozen=True)
class CapacityPlan:
    """Per-person load now, with one more and (when possible) one fewer person."""

    workload: float
    people: int
    per_person: float
    with_one_more: float
    with_one_fewer: float | None

    @property
    def change_with_one_more(self) -> float:
        """How much each person's load falls with one more person (negative)."""
        return self.with_one_more - self.per_person


def share_workload(workload: float, people: int) -> CapacityPlan:
    """``workload`` per period split evenly over ``people``.

    Raises ``GoalpostError`` ("bad_capacity") for a workload below 0 or not
    finite, or fewer than one person. With one person, "one fewer" is None.
    """
    if not math.isfinite(workload) or workload < 0:
        raise GoalpostError(
            "bad_capacity",
            f"The workload is {workload!r}; type a number of 0 or more.",
        )
    if people < 1:
        raise GoalpostError(
            "bad_capacity",
            f"The team has {people} people; a workload needs at least one person.",
        )
    fewer = workload / (people - 1) if people > 1 else None
    return CapacityPlan(
        workload=workload,
        people=people,
        per_person=workload / people,
        with_one_more=workload / (people + 1),
        with_one_fewer=fewer,
    )
