"""The KPI form: a metric, a target of one of four kinds, a time frame, an owner.

The form is not an st.form: every change reruns it, so that the SMART check
under it follows the draft as it is typed. Saving stays allowed while a check
fails; the failure stays shown under the saved KPI.
"""

from dataclasses import dataclass
from datetime import date

import streamlit as st

from kpi.dashboard import owners_in_data
from kpi.model import KPI, PERIODS, TARGET_KINDS, Target
from kpi.periods import parse_time_frame
from kpi.smart import smart_check
from pages import common
from pages.editor.shared import NEW, Editor, delete, new_key, save, slug
from pages.editor.smart_ticks import show_ticks

PICK = "kpi-pick"
# The KPI to open on the next run: the one just saved.
PICK_NEXT = "kpi-pick-next"
DRAFT_KEY = "draft"


@dataclass(frozen=True)
class Typed:
    """What the form's widgets hold on this run."""

    name: str
    metric: str
    kind: str
    value: float
    period: str
    baseline: float | None
    baseline_period: str
    start: date
    end: date
    resolves_to: str
    team: str
    person: str
    weight: float
    parent: str | None
    from_plan: bool


def kpis_tab(ed: Editor) -> None:
    if not ed.definitions.metrics:
        st.info("Define a metric first.")
        return
    keys = [k.key for k in ed.definitions.kpis]
    pending = st.session_state.pop(PICK_NEXT, None)
    if pending in keys:
        st.session_state[PICK] = pending
    chosen = st.selectbox(
        "Edit KPI",
        [NEW, *keys],
        key=PICK,
        format_func=lambda k: (
            k if k == NEW else next(x.name for x in ed.definitions.kpis if x.key == k)
        ),
    )
    current = next((k for k in ed.definitions.kpis if k.key == chosen), None)
    typed = _fields(ed, current, chosen)

    st.markdown("**SMART check** (follows the draft as you type)")
    check = smart_check(
        _draft(current, typed, _baseline_frame(typed)),
        ed.definitions,
        common.rows(ed.scope),
        common.today(),
        settings=common.settings(),
    )
    show_ticks(check)

    if st.button("Save KPI", type="primary", key="kpi-save"):
        _save(ed, current, typed, keys)
    if current and st.button(f'Delete KPI "{current.name}"'):
        delete(lambda: ed.store.delete_kpi(current.key))


def _fields(ed: Editor, current: KPI | None, chosen: str) -> Typed:
    """Draw the form's widgets, keyed by the KPI picked, and read them."""
    target = current.target if current else None
    # Ticking it shows at once what it changes.
    from_plan = st.checkbox(
        "Take the target from the target table",
        value=target.from_plan if target else False,
        key=f"kpi-from-plan-{chosen}",
    )
    if from_plan:
        st.caption(
            "The Targets tab's months set the target for this KPI's metric and "
            "owner. A total sums the planned months of the KPI's time frame and a "
            "level takes the value in force at its end; if the table leaves a gap "
            'in the frame, the KPI shows "no data" and names the gap. Each '
            "per-period bucket takes its planned value, and a bucket without a "
            "line is not judged. The target value typed below is not used while "
            "this box is ticked; it only has to be filled in. A change target "
            "keeps its baseline instead."
        )
    name = st.text_input(
        "Name", value=current.name if current else "", key=f"kpi-name-{chosen}"
    )
    return Typed(
        name=name,
        from_plan=from_plan,
        **_what_fields(ed, current, chosen),
        **_baseline_fields(target, chosen),
        **_when_fields(current, chosen),
        **_who_fields(ed, current, chosen),
    )


def _what_fields(ed: Editor, current: KPI | None, chosen: str) -> dict:
    metric_names = [m.name for m in ed.definitions.metrics]
    target = current.target if current else None
    left, middle, right = st.columns(3)
    metric = left.selectbox(
        "Metric",
        metric_names,
        index=metric_names.index(current.metric)
        if current and current.metric in metric_names
        else 0,
        key=f"kpi-metric-{chosen}",
    )
    kind = middle.selectbox(
        "Target kind",
        TARGET_KINDS,
        index=TARGET_KINDS.index(target.kind) if target else 0,
        help="total: reach by the end · per_period: every week/month · "
        "level: latest value · change: % against a baseline period",
        key=f"kpi-kind-{chosen}",
    )
    value = right.number_input(
        "Target value (a change as a fraction: 0.15 for +15 %)",
        value=float(target.value) if target else 0.0,
        format="%.4f",
        key=f"kpi-value-{chosen}",
    )
    return {"metric": metric, "kind": kind, "value": value}


def _baseline_fields(target: Target | None, chosen: str) -> dict:
    left, middle, right = st.columns(3)
    period = left.selectbox(
        "Period (per_period and level)",
        PERIODS,
        index=PERIODS.index(target.period or "week") if target else 1,
        key=f"kpi-period-{chosen}",
    )
    baseline = middle.number_input(
        "Baseline (level: where progress starts; empty: the first period)",
        value=target.baseline if target else None,
        key=f"kpi-baseline-{chosen}",
    )
    baseline_period = right.text_input(
        "Baseline period (change), e.g. 2025-Q4",
        value=_frame_text(target.baseline_start, target.baseline_end)
        if target and target.baseline_start and target.baseline_end
        else "",
        key=f"kpi-baseline-period-{chosen}",
    )
    return {"period": period, "baseline": baseline, "baseline_period": baseline_period}


def _when_fields(current: KPI | None, chosen: str) -> dict:
    this_year = common.today().year
    left, middle, right = st.columns(3)
    start = left.date_input(
        "Starts",
        value=current.start if current else date(this_year, 1, 1),
        key=f"kpi-start-{chosen}",
    )
    end = middle.date_input(
        "Ends",
        value=current.end if current else date(this_year, 12, 31),
        key=f"kpi-end-{chosen}",
    )
    resolves_to = right.selectbox(
        "A change becomes a",
        ("total", "level"),
        index=("total", "level").index(current.target.resolves_to) if current else 0,
        key=f"kpi-resolves-{chosen}",
    )
    return {"start": start, "end": end, "resolves_to": resolves_to}


def _who_fields(ed: Editor, current: KPI | None, chosen: str) -> dict:
    goal_keys = [None, *(g.key for g in ed.definitions.goals)]
    left, middle, right = st.columns(3)
    team = left.text_input(
        "Owner team",
        value=(current.team or "") if current else "",
        key=f"kpi-team-{chosen}",
    )
    person = middle.text_input(
        "Owner person (optional)",
        value=(current.person or "") if current else "",
        key=f"kpi-person-{chosen}",
    )
    weight = st.number_input(
        "Weight in its goal's roll-up",
        min_value=0.0,
        value=current.weight if current else 1.0,
        key=f"kpi-weight-{chosen}",
    )
    parent = right.selectbox(
        "Under goal",
        goal_keys,
        index=goal_keys.index(current.parent)
        if current and current.parent in goal_keys
        else 0,
        key=f"kpi-parent-{chosen}",
    )
    return {"team": team, "person": person, "weight": weight, "parent": parent}


def _baseline_frame(typed: Typed) -> tuple[date | None, date | None]:
    """The change target's baseline period; none yet while the text is not one."""
    if typed.kind != "change":
        return None, None
    try:
        return parse_time_frame(typed.baseline_period)
    except ValueError:
        return None, None


def _draft(
    current: KPI | None,
    typed: Typed,
    baseline_frame: tuple[date | None, date | None],
    key: str | None = None,
) -> KPI:
    """The KPI as typed; a draft without a name yet is keyed "draft"."""
    kind = typed.kind
    return KPI(
        key=key or (current.key if current else slug(typed.name) or DRAFT_KEY),
        name=typed.name.strip(),
        metric=typed.metric,
        target=Target(
            kind=kind,
            value=typed.value,
            period=typed.period if kind in ("per_period", "level") else None,
            baseline=typed.baseline if kind == "level" else None,
            baseline_start=baseline_frame[0],
            baseline_end=baseline_frame[1],
            resolves_to=typed.resolves_to,
            from_plan=typed.from_plan,
        ),
        start=typed.start,
        end=typed.end,
        team=typed.team.strip() or None,
        person=typed.person.strip() or None,
        parent=typed.parent,
        weight=typed.weight,
        description=current.description if current else "",
        # The band it is judged with stays with the KPI (kpi.settings).
        at_risk_pace=(
            current.at_risk_pace
            if current and current.at_risk_pace is not None
            else common.settings().at_risk_pace
        ),
    )


def _save(ed: Editor, current: KPI | None, typed: Typed, keys: list[str]) -> None:
    try:
        baseline_frame = (
            parse_time_frame(typed.baseline_period)
            if typed.kind == "change"
            else (None, None)
        )
    except ValueError as error:
        st.error(str(error))
        return
    if not typed.name.strip():
        st.error('Give the KPI a name, such as "Blog posts every week of Q1".')
        return
    key = current.key if current else slug(typed.name)
    if not current and not new_key(
        "KPI", key, keys + [k.name for k in ed.definitions.kpis], typed.name
    ):
        return
    kpi = _draft(current, typed, baseline_frame, key)
    # Reopen the saved KPI after the rerun, so its SMART check stays in view.
    st.session_state[PICK_NEXT] = kpi.key
    save(
        ed,
        ed.definitions.with_kpi(kpi),
        lambda: ed.store.save_kpi(kpi),
        note=owner_note(ed, kpi),
    )
    # Reached only when the save was refused: stay on the draft.
    st.session_state.pop(PICK_NEXT, None)


def owner_note(ed: Editor, kpi: KPI) -> str:
    """A warning for an owner with no rows behind the metric (it would show no data)."""
    teams, people = owners_in_data(ed.definitions, kpi.metric, common.rows(ed.scope))
    missing = [
        f'{kind} "{name}"'
        for kind, name, known in (
            ("team", kpi.team, teams),
            ("person", kpi.person, people),
        )
        if name and name not in known
    ]
    if not missing:
        return ""
    return (
        f"Note: the data behind {kpi.metric} has no rows for {' and '.join(missing)}, "
        "so this KPI shows no data until they arrive. Check the spelling."
    )


def _frame_text(start: date, end: date) -> str:
    return f"{start.isoformat()}..{end.isoformat()}"
