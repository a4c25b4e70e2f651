"""Data: upload a spreadsheet, map its columns, import it; datasets and history."""

import streamlit as st

from kpi.errors import GoalpostError
from kpi.isolated_read import read_table_isolated, sheet_names_isolated
from kpi.reading import RawTable, content_hash
from pages import common
from pages.sources.datasets import datasets_section
from pages.sources.import_flow import import_flow
from pages.sources.problems import show_problem
from pages.sources.sheet import sheet_section
from pages.sources.table_shape import pick_table, table_digest

common.through_the_router()
st.title("Data")


@st.cache_data(show_spinner="Reading the file…", max_entries=8)
def read_upload(
    file_name: str, digest: str, sheet: str | None, table: int | None, _content: bytes
) -> RawTable:
    # Checked, then read in a child process with memory and time limits, so a
    # hostile file ends in a message and never takes the app down.
    return read_table_isolated(file_name, _content, sheet, table)


def upload_section() -> None:
    st.header("Upload a spreadsheet")
    upload = st.file_uploader(
        "CSV or Excel (.xlsx) file", type=["csv", "txt", "tsv", "xlsx"], key="upload"
    )
    if upload is None:
        return
    content = upload.getvalue()
    try:
        sheets = sheet_names_isolated(upload.name, content)
        sheet = st.selectbox("Sheet", sheets) if len(sheets) > 1 else None
        # Each sheet of a workbook is its own source: the same file with
        # another sheet chosen is not "the same file again".
        digest = content_hash(
            content if sheet is None else content + f"\0sheet={sheet}".encode()
        )
        raw = read_upload(upload.name, digest, sheet, None, content)
        raw = pick_table(
            raw,
            lambda table: read_upload(upload.name, digest, sheet, table, content),
            digest[:12],
        )
    except GoalpostError as problem:
        show_problem(problem)
        return
    except Exception as error:
        # A reader crash must never take the page down; nothing was stored.
        st.error(
            f'File "{upload.name}" could not be read ({type(error).__name__}). '
            "Check that it is a CSV or .xlsx file, save it again and retry.",
            icon=":material/error:",
        )
        return

    default_name = upload.name.rsplit(".", 1)[0]
    if sheet is not None:
        default_name += f" – {sheet}"
    if raw.table:
        default_name += f" – table {raw.table + 1}"
    digest = table_digest(digest, raw)
    import_flow(raw, file_name=upload.name, digest=digest, name=default_name)


upload_section()
sheet_section(import_flow)
datasets_section()
