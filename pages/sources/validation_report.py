"""The validation report an import shows before anything is stored."""

from __future__ import annotations

import streamlit as st

from kpi.import_check import ImportCheck
from kpi.reading import RawTable
from kpi.set_aside import set_aside_messages


def validation_report(raw: RawTable, check: ImportCheck) -> None:
    """Rows read, kept and set aside; why each set-aside row was left out."""
    st.markdown("**Validation report** — nothing is stored until you import.")
    read, kept, aside = st.columns(3)
    read.metric("Rows read", f"{check.rows_read:,}")
    kept.metric("Rows kept", f"{check.rows_kept:,}")
    aside.metric("Rows set aside", f"{check.rows_read - check.rows_kept:,}")

    for note in check.notes:
        if note not in raw.notes:
            st.info(note, icon=":material/info:")
    for message in set_aside_messages(check.set_aside):
        st.warning(message, icon=":material/warning:")
    if not check.set_aside.empty:
        st.caption(
            f"Set aside, one line per cell ({len(check.set_aside):,}); fix them "
            "in the file and upload it again to keep these rows."
        )
        st.dataframe(check.set_aside, hide_index=True, width="stretch")
