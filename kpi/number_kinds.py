"""What a value of a number column means, and per-period values from it.

A dataset's mapping says, per number column, what one cell holds
(``ColumnMapping.number_kinds``; a column not listed is per period):

- ``per_period``: the amount of its own date (leads on that day). Adding
  cells up gives the amount of a longer period.
- ``running_total``: the amount so far (revenue year to date). Rows are
  stored as the file holds them; ``per_period_values`` turns them into
  per-period amounts when metrics read them, so a dataset imported again
  with more months is converted as a whole, never stitched from two halves.
- ``snapshot``: a level on its date (headcount, account balance). The latest
  value wins; adding snapshots up counts the same thing again on every date,
  so a metric may not sum one (``kpi.metric_checks``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpi.model import ColumnMapping

PER_PERIOD = "per_period"
RUNNING_TOTAL = "running_total"
SNAPSHOT = "snapshot"
NUMBER_KINDS: tuple[str, ...] = (PER_PERIOD, RUNNING_TOTAL, SNAPSHOT)


def columns_of_kind(mapping: ColumnMapping, kind: str) -> tuple[str, ...]:
    """The mapping's number columns whose values are of ``kind``, in order."""
    return tuple(name for name in mapping.numbers if mapping.number_kind(name) == kind)


def group_columns(mapping: ColumnMapping) -> tuple[str, ...]:
    """The dimension columns (team and person included) that split a dataset
    into separate running totals, each once, in mapping order."""
    named = [*mapping.dimensions, mapping.team, mapping.person]
    return tuple(
        name
        for name in dict.fromkeys(named)
        if name is not None and name != mapping.date and name not in mapping.numbers
    )


def per_period_values(rows: pd.DataFrame, mapping: ColumnMapping) -> pd.DataFrame:
    """A new frame where every running-total column holds per-period values.

    Within each group of the mapping's dimension columns, in date order, a
    row's value becomes its total minus the group's previous total. The first
    row of a group keeps its value; so does a row whose total falls, which is
    read as a count starting again (year-to-date totals reset in January). An
    empty cell stays empty, and the next row counts from the last total seen.
    Rows keep their order and index; other columns are untouched.

    Worked example, team North, revenue year to date::

        date        2025-10  2025-11  2025-12  2026-01  2026-02
        total           10       25       25       40        5
        per period      10       15        0       15        5

    Rows with the same date in one group are taken in file order.
    """
    result = rows.copy()
    columns = [name for name in columns_of_kind(mapping, RUNNING_TOTAL) if name in rows]
    if not columns or rows.empty:
        return result

    order = np.argsort(rows[mapping.date].to_numpy(), kind="stable")
    ordered = rows.iloc[order].reset_index(drop=True)
    keys = [ordered[name] for name in group_columns(mapping) if name in rows]
    for name in columns:
        changes = _changes(ordered[name].astype("float64"), keys)
        values = np.empty(len(rows), dtype="float64")
        values[order] = changes
        result[name] = values
    return result


def _changes(totals: pd.Series, keys: list[pd.Series]) -> np.ndarray:
    """Each total minus the previous known total of its group (see above)."""
    if keys:
        last_seen = totals.groupby(keys, sort=False, dropna=False).ffill()
        previous = last_seen.groupby(keys, sort=False, dropna=False).shift(1)
    else:
        previous = totals.ffill().shift(1)
    change = totals - previous
    # No earlier total, or a fall: the row's own value is its period's amount.
    starts_again = previous.isna() | (change < 0)
    return np.where(starts_again, totals, change)
