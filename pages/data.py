"""Data: upload a spreadsheet, map its columns, import it; datasets and history."""

import warnings
from datetime import UTC, datetime

import streamlit as st

from kpi.errors import GoalpostError, ImportProblem
from kpi.freshness import freshness
from kpi.isolated_read import read_table_isolated, sheet_names_isolated
from kpi.mapping import guess_mapping
from kpi.model import ColumnMapping
from kpi.reading import RawTable, clean_rows, content_hash
from pages import common
from pages.sources.sheet import sheet_section

common.through_the_router()
st.title("Data")
store = common.store()


@st.cache_data(show_spinner="Reading the file…", max_entries=8)
def read_upload(
    file_name: str, digest: str, sheet: str | None, _content: bytes
) -> RawTable:
    # Checked, then read in a child process with memory and time limits, so a
    # hostile file ends in a message and never takes the app down.
    return read_table_isolated(file_name, _content, sheet)


def show_problem(problem: GoalpostError) -> None:
    st.error(problem.message, icon=":material/error:")
    if isinstance(problem, ImportProblem) and not problem.bad_rows.empty:
        st.dataframe(problem.bad_rows, hide_index=True, width="stretch")


def guess_mapping_or_offer(raw: RawTable) -> ColumnMapping:
    """The guessed mapping; without a clear date column, say so and offer one."""
    try:
        return guess_mapping(raw)
    except ImportProblem as problem:
        if problem.reason != "no_date_column":
            raise
        offered = guess_mapping(raw, require_date=False)
        st.warning(
            f'No column of "{raw.file_name}" reads as dates in every row, so '
            f'"{offered.date}" is offered as the date column. Pick the right one '
            "below; the cells that are not dates are listed with their rows.",
            icon=":material/warning:",
        )
        return offered


def mapping_form(raw: RawTable, guessed: ColumnMapping, key: str) -> ColumnMapping:
    columns = list(raw.frame.columns)
    st.markdown("**Column mapping** — checked by Goalpost, corrected by you.")
    left, middle, right = st.columns(3)
    date = left.selectbox(
        "Date column", columns, index=columns.index(guessed.date), key=f"date-{key}"
    )
    others = [c for c in columns if c != date]
    numbers = middle.multiselect(
        "Number columns",
        others,
        default=[c for c in guessed.numbers if c in others],
        key=f"numbers-{key}",
    )
    dimensions = right.multiselect(
        "Dimension columns (team, owner, channel…)",
        [c for c in others if c not in numbers],
        default=[c for c in guessed.dimensions if c in others and c not in numbers],
        key=f"dims-{key}",
    )
    left, middle, right = st.columns(3)
    choices = [None, *dimensions]
    team = left.selectbox(
        "Team column",
        choices,
        index=choices.index(guessed.team) if guessed.team in choices else 0,
        key=f"team-{key}",
    )
    person = middle.selectbox(
        "Person column",
        choices,
        index=choices.index(guessed.person) if guessed.person in choices else 0,
        key=f"person-{key}",
    )
    orders = {
        "Decide from the values": None,
        "Day first (31/12)": True,
        "Month first (12/31)": False,
    }
    # Values that leave the order open follow the workspace's day-first setting,
    # shown here; otherwise they are reported, never guessed.
    day_first = guessed.day_first
    if day_first is None and common.settings().day_first:
        day_first = True
    order = right.selectbox(
        "Date order",
        list(orders),
        index=list(orders.values()).index(day_first),
        key=f"order-{key}",
    )
    return ColumnMapping(
        date=date,
        dimensions=tuple(dimensions),
        numbers=tuple(numbers),
        team=team,
        person=person,
        day_first=orders[order],
    )


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
        raw = read_upload(upload.name, digest, sheet, content)
        guessed = guess_mapping_or_offer(raw)
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
    import_flow(raw, guessed, file_name=upload.name, digest=digest, name=default_name)


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
    existing = [d.name for d in store.datasets()]
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
        outcome = store.import_rows(
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
        store.set_expected_every(info.id, chosen)
        common.clear_caches()
        st.rerun()


def datasets_section() -> None:
    st.header("Datasets")
    flash = st.session_state.pop("data-flash", None)
    if flash:
        st.success(flash, icon=":material/history:")
    datasets = store.datasets()
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
            history = store.history(info.id)
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
            store.remove_sample()
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
            outcome = store.restore_version(info.id, version)
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
        store.delete_dataset(dataset_id)
        common.clear_caches()
        st.rerun()


upload_section()
sheet_section(import_flow, guess_mapping_or_offer)
datasets_section()
