"""Which table of a file to read, and turning reports and long files into one.

A file may hold several tables, a report with months across, or one row per
metric (a name column and a value column). Goalpost maps a table with one row
per date and one column per number; these choices get it there.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from kpi.reading import RawTable, content_hash
from kpi.reshape import looks_like_report, looks_long, unpivot_report, widen_long


def pick_table(
    raw: RawTable, read_table: Callable[[int], RawTable], key: str
) -> RawTable:
    """The table the person picks when the file holds several; ``raw`` else."""
    if len(raw.tables) < 2:
        return raw
    chosen = st.selectbox(
        "Table",
        range(len(raw.tables)),
        index=raw.table,
        format_func=lambda index: raw.tables[index],
        key=f"table-{key}",
        help="Blank rows or columns part this sheet into several tables; "
        "each is imported on its own.",
    )
    return raw if chosen == raw.table else read_table(chosen)


def table_digest(digest: str, raw: RawTable) -> str:
    """The source's hash: each table of a file is its own source."""
    if raw.table == 0:
        return digest
    return content_hash(f"{digest}\0table={raw.table}".encode())


def shaped(raw: RawTable, key: str) -> RawTable:
    """``raw`` as a table to map: a report unpivoted, a long file widened,
    each when the person keeps the box ticked. Raises ImportProblem from
    ``kpi.reshape``."""
    layout = looks_like_report(raw)
    if layout is not None:
        st.info(
            f"This table is a report with {layout.describe()}.",
            icon=":material/table_chart:",
        )
    if layout is not None and st.checkbox(
        "Turn into rows",
        value=True,
        key=f"unpivot-{key}",
        help="One row per label and period is what Goalpost can map. Totals "
        "are left out.",
    ):
        # An unpivoted report has a label and a value column by construction;
        # reading it as a long file again would undo the choice.
        return unpivot_report(raw)
    return _widened(raw, key)


def _widened(raw: RawTable, key: str) -> RawTable:
    found = looks_long(raw)
    columns = [str(name) for name in raw.frame.columns]
    if len(columns) < 3:
        return raw
    if found is not None:
        return _long_choice(raw, columns, found, True, key)
    with st.expander("Long file: one row per metric name and value?"):
        return _long_choice(raw, columns, (columns[1], columns[-1]), False, key)


def _long_choice(
    raw: RawTable, columns: list[str], guess: tuple[str, str], ticked: bool, key: str
) -> RawTable:
    wanted = st.checkbox(
        "One column per metric name",
        value=ticked,
        key=f"long-{key}",
        help="For files with a column naming the metric (Leads, Spend…) and "
        "a column holding its value: each name becomes a number column.",
    )
    if not wanted:
        return raw
    left, right = st.columns(2)
    name_column = left.selectbox(
        "Metric name column",
        columns,
        index=columns.index(guess[0]),
        key=f"long-name-{key}",
    )
    value_column = right.selectbox(
        "Value column",
        columns,
        index=columns.index(guess[1]),
        key=f"long-value-{key}",
    )
    return widen_long(raw, name_column, value_column)
