"""The Data page's list of datasets: freshness, history, roll-back, delete."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from kpi.errors import GoalpostError
from kpi.freshness import freshness
from pages import common
from pages.sources.problems import show_problem

RHYTHMS = {
    None: "not said",
    "day": "every day",
    "week": "every week",
    "month": "every month",
}


def rhythm_picker(info) -> None:
    """How often new data is expected; a dataset later than that is flagged."""
    choices = list(RHYTHMS)
    chosen = st.selectbox(
        "New data expected",
        choices,
        index=choices.index(info.expected_every),
        format_func=RHYTHMS.__getitem__,
        key=f"rhythm-{info.id}",
    )
    if chosen != info.expected_every:
        common.store().set_expected_every(info.id, chosen)
        common.clear_caches()
        st.rerun()


def datasets_section() -> None:
    st.header("Datasets")
    flash = st.session_state.pop("data-flash", None)
    if flash:
        st.success(flash, icon=":material/history:")
    datasets = common.store().datasets()
    if not datasets:
        st.caption("No dataset yet.")
    now = datetime.now(UTC)
    for info in datasets:
        fresh = freshness(info, now)
        label = f"{info.name} — {info.row_count:,} rows, version {info.version}"
        if info.is_sample:
            label += " (sample)"
        if fresh.stale:
            label += " · late"
        with st.expander(label):
            if fresh.stale:
                st.warning(fresh.sentence, icon=":material/schedule:")
            else:
                st.caption(fresh.sentence)
            rhythm_picker(info)
            st.markdown(
                f"Date **{info.mapping.date}** · team **{info.mapping.team or '—'}** · "
                f"person **{info.mapping.person or '—'}**  \n"
                f"Numbers: {', '.join(info.mapping.numbers) or '—'}  \n"
                f"Dimensions: {', '.join(info.mapping.dimensions) or '—'}"
            )
            history = common.store().history(info.id)
            st.dataframe(
                history.assign(content_hash=history["content_hash"].str[:12]),
                hide_index=True,
                width="stretch",
            )
            restore_picker(info, history)
            delete_dataset_button(info.id, info.name)
    if any(d.is_sample for d in datasets):
        st.divider()
        st.markdown(
            "The sample workspace is loaded. Remove it when your own data arrives: "
            "its four datasets and every sample metric, goal, KPI and target-table "
            "line go; what you defined or saved yourself stays (a KPI or target "
            "line of yours built on a sample metric will then show a warning until "
            "you point it at your own data or delete it)."
        )
        sure = st.checkbox("Yes, remove the sample", key="remove-sample-sure")
        if st.button("Remove the sample workspace", disabled=not sure):
            common.store().remove_sample()
            common.clear_caches()
            st.rerun()


def restore_picker(info, history) -> None:
    """Roll back: make an earlier upload current again (kept as a new version)."""
    earlier = history.loc[~history["is_current"], "version"].tolist()
    if not earlier:
        return
    left, right = st.columns([2, 1])
    version = left.selectbox(
        "Go back to version",
        earlier[::-1],
        key=f"restore-pick-{info.id}",
        help="Its rows become current again as a new version; nothing is deleted, "
        "so this can be undone the same way.",
    )
    sure = right.checkbox("Yes, go back", key=f"restore-sure-{info.id}")
    if st.button(
        f"Restore version {version}", key=f"restore-{info.id}", disabled=not sure
    ):
        try:
            outcome = common.store().restore_version(info.id, version)
        except GoalpostError as problem:
            show_problem(problem)
            return
        common.clear_caches()
        st.session_state["data-flash"] = (
            f'"{info.name}" is back to the rows of version {version} '
            f"(now version {outcome.version})."
        )
        st.rerun()


def delete_dataset_button(dataset_id: int, name: str) -> None:
    """Delete a dataset only when nothing reads it, and only when confirmed."""
    readers = [m.name for m in common.definitions().metrics if m.dataset == name]
    if readers:
        st.caption(
            f"Metrics read this dataset ({', '.join(readers)}); delete or change "
            "them on the Metrics & KPIs page before deleting it."
        )
        return
    sure = st.checkbox("Yes, delete it and its history", key=f"sure-{dataset_id}")
    if st.button("Delete this dataset", key=f"delete-{dataset_id}", disabled=not sure):
        common.store().delete_dataset(dataset_id)
        common.clear_caches()
        st.rerun()
