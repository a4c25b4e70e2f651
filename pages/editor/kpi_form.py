"""The KPI form: a metric, a target of one of four kinds, a time frame, an owner."""

from datetime import date

import streamlit as st

from kpi.dashboard import owners_in_data
from kpi.model import KPI, PERIODS, TARGET_KINDS, Target
from kpi.periods import parse_time_frame
from pages import common
from pages.editor.shared import NEW, Editor, delete, new_key, save, slug


def kpis_tab(ed: Editor) -> None:
    if not ed.definitions.metrics:
        st.info("Define a metric first.")
        return
    keys = [k.key for k in ed.definitions.kpis]
    chosen = st.selectbox(
        "Edit KPI",
        [NEW, *keys],
        key="kpi-pick",
        format_func=lambda k: (
            k if k == NEW else next(x.name for x in ed.definitions.kpis if x.key == k)
        ),
    )
    current = next((k for k in ed.definitions.kpis if k.key == chosen), None)
    metric_names = [m.name for m in ed.definitions.metrics]
    goal_keys = [None, *(g.key for g in ed.definitions.goals)]
    this_year = common.today().year
    # Outside the form, so that ticking it shows at once what it changes.
    from_plan = st.checkbox(
        "Take the target from the target table",
        value=current.target.from_plan if current else False,
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
    with st.form("kpi-form"):
        name = st.text_input("Name", value=current.name if current else "")
        left, middle, right = st.columns(3)
        metric = left.selectbox(
            "Metric",
            metric_names,
            index=metric_names.index(current.metric) if current else 0,
        )
        kind = middle.selectbox(
            "Target kind",
            TARGET_KINDS,
            index=TARGET_KINDS.index(current.target.kind) if current else 0,
            help="total: reach by the end · per_period: every week/month · "
            "level: latest value · change: % against a baseline period",
        )
        value = right.number_input(
            "Target value (a change as a fraction: 0.15 for +15 %)",
            value=float(current.target.value) if current else 0.0,
            format="%.4f",
        )
        left, middle, right = st.columns(3)
        period = left.selectbox(
            "Period (per_period and level)",
            PERIODS,
            index=PERIODS.index(current.target.period or "week") if current else 1,
        )
        baseline = middle.number_input(
            "Baseline (level: where progress starts; empty: the first period)",
            value=current.target.baseline if current else None,
        )
        baseline_period = right.text_input(
            "Baseline period (change), e.g. 2025-Q4",
            value=_frame_text(
                current.target.baseline_start, current.target.baseline_end
            )
            if current and current.target.baseline_start
            else "",
        )
        left, middle, right = st.columns(3)
        start = left.date_input(
            "Starts", value=current.start if current else date(this_year, 1, 1)
        )
        end = middle.date_input(
            "Ends", value=current.end if current else date(this_year, 12, 31)
        )
        resolves_to = right.selectbox(
            "A change becomes a",
            ("total", "level"),
            index=("total", "level").index(current.target.resolves_to)
            if current
            else 0,
        )
        left, middle, right = st.columns(3)
        team = left.text_input(
            "Owner team", value=(current.team or "") if current else ""
        )
        person = middle.text_input(
            "Owner person (optional)", value=(current.person or "") if current else ""
        )
        weight = st.number_input(
            "Weight in its goal's roll-up",
            min_value=0.0,
            value=current.weight if current else 1.0,
        )
        parent = right.selectbox(
            "Under goal",
            goal_keys,
            index=goal_keys.index(current.parent)
            if current and current.parent in goal_keys
            else 0,
        )
        submitted = st.form_submit_button("Save KPI", type="primary")
    if submitted:
        try:
            baseline_start, baseline_end = (
                parse_time_frame(baseline_period) if kind == "change" else (None, None)
            )
        except ValueError as error:
            st.error(str(error))
            return
        if not name.strip():
            st.error('Give the KPI a name, such as "Blog posts every week of Q1".')
            return
        key = current.key if current else slug(name)
        if not current and not new_key(
            "KPI", key, keys + [k.name for k in ed.definitions.kpis], name
        ):
            return
        kpi = KPI(
            key=key,
            name=name.strip(),
            metric=metric,
            target=Target(
                kind=kind,
                value=value,
                period=period if kind in ("per_period", "level") else None,
                baseline=baseline if kind == "level" else None,
                baseline_start=baseline_start,
                baseline_end=baseline_end,
                resolves_to=resolves_to,
                from_plan=from_plan,
            ),
            start=start,
            end=end,
            team=team.strip() or None,
            person=person.strip() or None,
            parent=parent,
            weight=weight,
            description=current.description if current else "",
            # The band it is judged with stays with the KPI (kpi.settings).
            at_risk_pace=(
                current.at_risk_pace
                if current and current.at_risk_pace is not None
                else common.settings().at_risk_pace
            ),
        )
        save(
            ed,
            ed.definitions.with_kpi(kpi),
            lambda: ed.store.save_kpi(kpi),
            note=owner_note(ed, kpi),
        )
    if current and st.button(f'Delete KPI "{current.name}"'):
        delete(lambda: ed.store.delete_kpi(current.key))


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
