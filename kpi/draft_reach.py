"""Template drafts kept within what the team has done.

A template drafts a target from history plus a fixed change (+10 %). On a
flat or falling history that can ask for more than any period ever gave,
which the SMART check then fails as "beyond anything seen". A draft is a
starting point, so such a draft is brought back to the best period seen (a
stretch, which passes), and its explanation says so.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from datetime import date

from kpi.errors import GoalpostError
from kpi.formatting import figure_step, format_value
from kpi.kpi_data import kpi_data
from kpi.metrics import Rows
from kpi.model import KPI, Definitions
from kpi.realistic import BEYOND, realistic_figures
from kpi.settings import WorkspaceSettings
from kpi.templates import DraftTarget, TemplatePlan


def within_reach(
    plan: TemplatePlan,
    definitions: Definitions,
    rows: Mapping[str, Rows],
    today: date,
    settings: WorkspaceSettings,
) -> TemplatePlan:
    """``plan`` with every draft beyond anything seen set to the best period.

    The required pace scales with the target, so a total is scaled by
    ``best / required pace`` and a per-period or level target becomes the
    best value itself, each rounded to three significant figures towards the
    easier side. Worked example: a per-week draft of 685 tickets where the
    best week was 663 becomes 663; a quarter's total of 121,000 sessions
    needing 9,307.69 a week, where the best week was 8,634, becomes
    121,000 x 8,634 / 9,307.69 = 112,242 -> 112,000.
    """
    known = Definitions(
        metrics=definitions.metrics + plan.metrics,
        goals=definitions.goals,
        kpis=definitions.kpis + plan.kpis,
    )
    drafts = {draft.kpi: draft for draft in plan.drafts}
    kpis, new_drafts = [], []
    for kpi in plan.kpis:
        draft = drafts[kpi.key]
        reached = _reached(kpi, draft, known, rows, today, settings)
        kpis.append(reached[0])
        new_drafts.append(reached[1])
    return replace(plan, kpis=tuple(kpis), drafts=tuple(new_drafts))


def _reached(
    kpi: KPI,
    draft: DraftTarget,
    definitions: Definitions,
    rows: Mapping[str, Rows],
    today: date,
    settings: WorkspaceSettings,
) -> tuple[KPI, DraftTarget]:
    try:
        figures = realistic_figures(kpi_data(kpi, definitions, rows, today, settings))
    except GoalpostError:
        return kpi, draft
    required = figures.required
    if figures.verdict != BEYOND or figures.best is None or required is None:
        return kpi, draft
    if required.value == 0 or kpi.target.kind == "change":
        return kpi, draft

    lower = figures.direction == "lower"
    value = _towards_easier(kpi.target.value * figures.best / required.value, lower)
    if float(kpi.target.value).is_integer():
        value = float(math.ceil(value) if lower else math.floor(value))
    unit = definitions.metric(kpi.metric).unit
    explanation = (
        f"{draft.explanation} That asked for more than any {required.period} "
        f"has given, so the draft is set by the best {required.period} seen "
        f"({format_value(figures.best, unit)}, {figures.best_label}): "
        f"{format_value(value, unit)}."
    )
    target = replace(kpi.target, value=value)
    return (
        replace(kpi, target=target, description=explanation),
        replace(draft, value=value, explanation=explanation),
    )


def _towards_easier(value: float, lower_is_better: bool) -> float:
    """Three significant figures, rounded down (up when lower is better)."""
    if value == 0 or not math.isfinite(value):
        return value
    step = figure_step(value)
    rounding = math.ceil if lower_is_better else math.floor
    return round(rounding(value / step) * step, 9)
