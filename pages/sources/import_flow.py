"""Preview, layout, mapping, validation report and Import, for every source."""

from __future__ import annotations

import streamlit as st

from kpi.errors import GoalpostError
from kpi.import_check import ImportCheck, check_rows
from kpi.model import ColumnMapping
from kpi.reading import RawTable, content_hash
from kpi.reshape import looks_like_report
from pages.sources.import_mode import ImportTarget, import_section
from pages.sources.mapping_form import guessed_mapping, mapping_form
from pages.sources.problems import show_problem
from pages.sources.table_shape import shaped
from pages.sources.validation_report import validation_report


def import_flow(raw: RawTable, *, file_name: str, digest: str, name: str) -> None:
    """Everything between a read file (or sheet) and its rows in the store."""
    key = digest[:12]
    _preview(raw)
    try:
        table, guessed, day = guessed_mapping(shaped(raw, key), key)
    except GoalpostError as problem:
        show_problem(problem)
        return
    if table is not raw:
        st.caption(
            f"As Goalpost will map it: the file's {len(raw.frame):,} rows make "
            f"{len(table.frame):,}."
        )
        for note in table.notes:
            if note not in raw.notes:
                st.info(note, icon=":material/info:")
        st.dataframe(_numbered(table), width="stretch")

    mapping = mapping_form(table, guessed, key)
    try:
        shape = (tuple(map(str, table.frame.columns)), len(table.frame), table.table)
        choices = repr((shape, day, mapping))
        check = _checked(digest, choices, table, mapping)
    except GoalpostError as problem:
        show_problem(problem)
        return
    validation_report(table, check)
    if day is not None:
        # The same file dated with another day is another source.
        digest = content_hash(f"{digest}\0day={day.isoformat()}".encode())
    target = ImportTarget(
        check.rows,
        check.rows_read,
        mapping,
        file_name,
        raw.sheet,
        digest,
        source=f"{digest}|{choices}",
    )
    import_section(target, name, key)


@st.cache_data(show_spinner="Checking every row…", max_entries=4)
def _checked(
    digest: str, choices: str, _table: RawTable, _mapping: ColumnMapping
) -> ImportCheck:
    # A rerun (typing the name, picking a mode) must not check a big file
    # again: the file's hash and every choice that shapes the rows key it.
    return check_rows(_table, _mapping)


def _preview(raw: RawTable) -> None:
    encoding = f", decoded as {raw.encoding}" if raw.encoding else ""
    st.caption(
        f"{len(raw.frame):,} rows × {len(raw.frame.columns)} columns, header on row "
        f"{raw.header_row}{encoding}."
    )
    report = looks_like_report(raw)
    for note in raw.notes:
        # The report note asks for "Turn into rows", which shaping offers.
        if report is None or note != report.note():
            st.info(note, icon=":material/info:")
    st.dataframe(_numbered(raw), width="stretch")


def _numbered(raw: RawTable):
    # The first rows, numbered as the spreadsheet shows them, like every message.
    preview = raw.frame.head(20)
    return preview.set_axis([raw.sheet_row(i) for i in range(len(preview))])
