"""Into which dataset, how (replace, merge, append), and the Import button."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from kpi.errors import GoalpostError
from kpi.import_effects import metrics_broken_by
from kpi.import_modes import ImportMode, ImportPlan
from kpi.model import ColumnMapping
from pages import common
from pages.sources.problems import show_problem

# Merge first: a newer file replaces the rows for its keys and keeps the rest.
MODES: dict[str, ImportMode] = {
    "Merge: this file's dates and teams replace theirs, the rest stay": "merge",
    "Append: add this file's rows (next week's)": "append",
    "Replace: this file's rows become the dataset's": "replace",
}


@dataclass(frozen=True)
class ImportTarget:
    """What the Import button stores, and where it came from. ``source`` names
    these exact rows: the file's hash and every choice that shaped them."""

    rows: pd.DataFrame
    rows_read: int
    mapping: ColumnMapping
    file_name: str
    sheet: str | None
    digest: str
    source: str


def import_section(target: ImportTarget, default_name: str, key: str) -> None:
    """Dataset name, import mode, what the import will do, and the button."""
    versions = {d.name: d.version for d in common.store().datasets()}
    existing = set(versions)
    name = st.text_input("Dataset name", value=default_name, key=f"name-{key}")
    name = name.strip()
    if not name:
        st.warning("Name the dataset to import it.", icon=":material/warning:")
        return
    mode: ImportMode = "replace"
    if name in existing:
        label = st.radio(
            f'"{name}" exists. Import this file by…', list(MODES), key=f"mode-{key}"
        )
        mode = MODES[label]
    try:
        plan = _planned(name, versions.get(name, 0), mode, target.source, target)
    except GoalpostError as problem:
        show_problem(problem)
        return
    _show_plan(name, plan, target.rows_read)
    if mode == "replace" and name in existing:
        for message in metrics_broken_by(common.definitions(), name, target.mapping):
            st.warning(
                f"{message} Importing with replace breaks it; map the same columns "
                "or choose merge.",
                icon=":material/warning:",
            )
    if st.button("Import", type="primary", disabled=plan.nothing_changes, key=key):
        _import(name, target, mode)


@st.cache_data(show_spinner="Comparing with the dataset…", max_entries=8)
def _planned(
    name: str, version: int, mode: ImportMode, source: str, _target: ImportTarget
) -> ImportPlan:
    # The plan reads the dataset's current rows: keyed by its version (0: none
    # yet), so a rerun reuses it and any import or roll-back makes a new one.
    return common.store().plan_import(
        name,
        _target.mapping,
        _target.rows,
        content_hash=_target.digest,
        mode=mode,
        file_name=_target.file_name,
        sheet=_target.sheet,
    )


def _show_plan(name: str, plan: ImportPlan, rows_read: int) -> None:
    if plan.nothing_changes:
        st.info(f'Nothing to import into "{name}": {plan.why_unchanged}')
        return
    ready = f"Ready: {plan.rows_in_file:,} of {rows_read:,} rows will be stored"
    if plan.rows_now == 0:
        st.success(f"{ready}.")
    else:
        st.success(
            f'{ready}; "{name}" goes from {plan.rows_now:,} to {plan.rows_after:,} '
            f"rows ({plan.rows_added:,} added, {plan.rows_replaced:,} replaced)."
        )
    if plan.mode == "append" and plan.rows_sharing_a_key:
        st.warning(
            f"{plan.rows_sharing_a_key:,} of this file's rows have a date and "
            "dimensions the dataset already holds; appending counts them twice. "
            "Merge instead if this file corrects earlier rows.",
            icon=":material/warning:",
        )


def _import(name: str, target: ImportTarget, mode: ImportMode) -> None:
    try:
        outcome = common.store().import_rows(
            name,
            target.mapping,
            target.rows,
            file_name=target.file_name,
            sheet=target.sheet,
            content_hash=target.digest,
            mode=mode,
        )
    except GoalpostError as problem:
        show_problem(problem)
        return
    common.clear_caches()
    if not outcome.changed:
        st.info(f'"{name}" already holds these rows; nothing changed.')
        return
    count = len(target.rows)
    noun = "row" if count == 1 else "rows"
    combined = (
        f": {outcome.rows_added:,} new, {outcome.rows_replaced:,} replaced, "
        f"{outcome.row_count:,} rows in all"
        if outcome.row_count != count
        else ""
    )
    st.success(
        f'Imported {count:,} {noun} into "{name}" (version {outcome.version})'
        f"{combined}."
    )
