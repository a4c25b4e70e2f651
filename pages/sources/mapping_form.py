"""The Data page's column mapping: the guess, and the form that corrects it."""

from __future__ import annotations

from datetime import date

import streamlit as st

from kpi.dated_as_of import dated_as_of
from kpi.errors import ImportProblem
from kpi.mapping import guess_mapping
from kpi.model import ColumnMapping
from kpi.number_kinds import RUNNING_TOTAL, SNAPSHOT, columns_of_kind
from kpi.reading import RawTable, content_hash
from pages import common


def guessed_mapping(
    raw: RawTable, key: str
) -> tuple[RawTable, ColumnMapping, date | None]:
    """The table to map, its guessed mapping and the day every row was dated
    with (None when the file has its own dates).

    Without a column of dates the person may date every row with one day (an
    export of one period, a team list); otherwise the column named most like
    a date is offered, and the cells that are not dates are listed.
    """
    try:
        return raw, guess_mapping(raw), None
    except ImportProblem as problem:
        if problem.reason != "no_date_column":
            raise
    undated = st.checkbox(
        "The file has no date column: date every row with one day",
        key=f"undated-{key}",
        help="For exports of one period (sessions by browser for March) and "
        "lists (teams, products): every row gets the day you pick.",
    )
    if undated:
        day = st.date_input(
            "Every row is dated", value=common.today(), key=f"day-{key}"
        )
        dated = dated_as_of(raw, day)
        return dated, guess_mapping(dated), day
    offered = guess_mapping(raw, require_date=False)
    st.warning(
        f'No column of "{raw.file_name}" reads as dates in every row, so '
        f'"{offered.date}" is offered as the date column. Pick the right one '
        "below (the cells that are not dates are listed with their rows), or "
        'tick "The file has no date column" above.',
        icon=":material/warning:",
    )
    return raw, offered, None


def mapping_form(raw: RawTable, guessed: ColumnMapping, key: str) -> ColumnMapping:
    columns = list(raw.frame.columns)
    # Keys follow the columns, so a reshaped table gets a fresh form.
    key = f"{key}-{content_hash(repr(columns).encode())[:8]}"
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
    number_kinds, decimal_comma = _number_meaning(numbers, guessed, key)
    return ColumnMapping(
        date=date,
        dimensions=tuple(dimensions),
        numbers=tuple(numbers),
        team=team,
        person=person,
        day_first=orders[order],
        number_kinds=number_kinds,
        decimal_comma=decimal_comma,
    )


def _number_meaning(
    numbers: list[str], guessed: ColumnMapping, key: str
) -> tuple[tuple[tuple[str, str], ...], bool | None]:
    """What each number column's values mean, and the decimal separator."""
    left, middle, right = st.columns(3)
    running = left.multiselect(
        "Running totals (turned into per-period values)",
        numbers,
        default=[c for c in columns_of_kind(guessed, RUNNING_TOTAL) if c in numbers],
        key=f"running-{key}",
        help="Cells hold the amount so far (year to date); Goalpost uses the "
        "change from the previous date.",
    )
    snapshots = middle.multiselect(
        "Snapshots (latest value wins, never summed)",
        [c for c in numbers if c not in running],
        default=[
            c
            for c in columns_of_kind(guessed, SNAPSHOT)
            if c in numbers and c not in running
        ],
        key=f"snapshot-{key}",
        help="Cells hold a level on their date (headcount, balance). Other "
        "number columns hold the amount of their own date.",
    )
    separators = {
        "Detect from the values": None,
        "Decimal comma (1.234,5)": True,
        "Decimal point (1,234.5)": False,
    }
    decimal_comma = guessed.decimal_comma
    if decimal_comma is None and common.settings().decimal_comma:
        decimal_comma = True
    separator = right.selectbox(
        "Decimal separator",
        list(separators),
        index=list(separators.values()).index(decimal_comma),
        key=f"decimal-{key}",
        help="Applies to number columns only, never to dates.",
    )
    kinds = [(c, RUNNING_TOTAL) for c in running] + [(c, SNAPSHOT) for c in snapshots]
    return tuple(kinds), separators[separator]
