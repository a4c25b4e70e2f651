"""The Data page's Google Sheet source: paste a link, read it, import it.

Reading goes through ``kpi.gsheets`` with the service account kept in
Streamlit secrets under ``[gcp_service_account]``; the rows then take the
same preview, mapping and import as an uploaded file.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import streamlit as st

from kpi.errors import GoalpostError
from kpi.gsheets import (
    SheetRead,
    open_client,
    read_sheet,
    sheet_id_from,
    values_to_table,
)
from kpi.reading import content_hash
from pages.sources.problems import show_problem
from pages.sources.table_shape import pick_table, table_digest

SETUP = (
    "To read Google Sheets, add a service account key to `.streamlit/secrets.toml` "
    "under `[gcp_service_account]` (the JSON key's fields), then share each sheet "
    "with that account's e-mail address; read-only access is enough."
)


def service_account() -> dict[str, Any] | None:
    """The service account from the secrets, or None when none is set up."""
    try:
        found = st.secrets.get("gcp_service_account")
    except (FileNotFoundError, KeyError):
        return None
    except Exception as error:
        # A missing secrets file raises Streamlit's own error type.
        if "secret" in type(error).__name__.lower():
            return None
        raise
    return dict(found) if found else None


@st.cache_data(show_spinner="Reading the sheet…", ttl=600, max_entries=8)
def _read(sheet_id: str, worksheet: str | None, refresh: int) -> SheetRead:
    # ``refresh`` is part of the key: "Read again now" bumps it.
    info = service_account() or {}
    return read_sheet(open_client(info), sheet_id, worksheet)


def sheet_section(import_flow: Callable[..., None]) -> None:
    """The section; ``import_flow`` is the upload's own next step."""
    st.header("Link a Google Sheet")
    info = service_account()
    if info is None:
        st.info(SETUP, icon=":material/key:")
        return
    pasted = st.text_input(
        "Sheet link or id",
        key="sheet-link",
        placeholder="https://docs.google.com/spreadsheets/d/…",
    )
    if not pasted.strip():
        return
    refresh = st.session_state.setdefault("sheet-refresh", 0)
    try:
        sheet_id = sheet_id_from(pasted)
        first = _read(sheet_id, None, refresh)
        worksheet = (
            st.selectbox("Worksheet", first.worksheets, key="sheet-tab")
            if len(first.worksheets) > 1
            else first.worksheet
        )
        read = (
            first
            if worksheet == first.worksheet
            else _read(sheet_id, worksheet, refresh)
        )
        raw = pick_table(
            values_to_table(read),
            lambda table: values_to_table(read, table),
            f"sheet-{sheet_id}",
        )
    except GoalpostError as problem:
        show_problem(problem)
        return
    left, right = st.columns([3, 1])
    left.caption(f"Last read at {read.read_at:%Y-%m-%d %H:%M} UTC.")
    if right.button("Read again now", key="sheet-reread"):
        st.session_state["sheet-refresh"] = refresh + 1
        st.rerun()
    # The same values from the same tab are "the same file again".
    digest = content_hash(json.dumps([sheet_id, read.worksheet, read.values]).encode())
    import_flow(
        raw,
        file_name=f"Google Sheet {read.title}",
        digest=table_digest(digest, raw),
        name=f"{read.title} – {read.worksheet}",
    )
