"""Preview, mapping, validation and the Import button, for every source."""

from __future__ import annotations

import warnings

import streamlit as st

from kpi.errors import GoalpostError
from kpi.model import ColumnMapping
from kpi.reading import RawTable, clean_rows
from pages import common
from pages.sources.mapping_form import mapping_form
from pages.sources.problems import show_problem


def import_flow(
    raw: RawTable, guessed: ColumnMapping, *, file_name: str, digest: str, name: str
) -> None:
    """Preview, mapping, validation line and Import button, for any source."""
    encoding = f", decoded as {raw.encoding}" if raw.encoding else ""
    st.caption(
        f"{len(raw.frame):,} rows × {len(raw.frame.columns)} columns, header on row "
        f"{raw.header_row}{encoding}."
    )
    for note in raw.notes:
        st.info(note, icon=":material/info:")
    preview = raw.frame.head(20)
    # Rows numbered as the spreadsheet shows them, like every message here.
    row_numbers = [raw.sheet_row(i) for i in range(len(preview))]
    st.dataframe(preview.set_axis(row_numbers), width="stretch")

    mapping = mapping_form(raw, guessed, digest[:12])
    existing = [d.name for d in common.store().datasets()]
    default_name = name
    name = st.text_input(
        "Dataset name",
        value=default_name,
        key=f"name-{digest[:12]}",
        help="Uploading into an existing dataset replaces its rows; "
        "its history keeps the old ones.",
    )
    if name in existing:
        st.caption(f'"{name}" exists: importing replaces its rows with this file\'s.')

    try:
        with warnings.catch_warnings(record=True) as set_aside:
            warnings.simplefilter("always")
            clean = clean_rows(raw, mapping)
    except GoalpostError as problem:
        show_problem(problem)
        return
    for warning in set_aside:
        st.warning(str(warning.message), icon=":material/warning:")
    st.success(
        f"Ready: {len(clean):,} of {len(raw.frame):,} rows will be stored "
        f"({len(raw.frame) - len(clean):,} set aside)."
    )
    if st.button(
        "Import", type="primary", disabled=not name.strip(), key=f"import-{digest[:12]}"
    ):
        outcome = common.store().import_rows(
            name.strip(),
            mapping,
            clean,
            file_name=file_name,
            sheet=raw.sheet,
            content_hash=digest,
        )
        common.clear_caches()
        if outcome.changed:
            noun = "row" if outcome.row_count == 1 else "rows"
            st.success(
                f'Imported {outcome.row_count:,} {noun} into "{name}" '
                f"(version {outcome.version})."
            )
        else:
            st.info(f'"{name}" already holds this exact file; nothing changed.')
