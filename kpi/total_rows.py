"""Total and subtotal lines that hand-made sheets add below their rows.

Goalpost adds rows up itself, so a "Total" line stored with the rest would
count every amount twice. A cell reads as a total when, ignoring case and a
trailing colon, it says "Total", "Totals", "Grand total", "Subtotal" or
"Sum", alone or with a short label before or after it: "Total East",
"East Total", "Subtotal: North", "TOTAL:". "Totally new" or "Summer" do not.

A label can also be a name: a team called "Total Rewards", a product "Sum
Pro". So in a table a labelled total marks its row only when the row has no
date, or its label is a value the table holds elsewhere ("East Total" beside
rows of "East"); a bare "Total" always does (``total_lines``). A last row
with no label whose every number is the sum of the rows above it is a total
line too (``sum_line``), as exports such as Google Analytics end.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from kpi.values import blank_mask

_TOTAL_WORD = r"(?:grand[\s-]*total|sub[\s-]*totals?|totals?|sum)"
# A label of one to three words, so that sentences never read as totals.
_LABEL = r"[^\s:]+(?:\s+[^\s:]+){0,2}"
_TOTAL_CELL = re.compile(
    rf"{_TOTAL_WORD}(?:\s*:?\s+(?P<after>{_LABEL})|\s*:\s*(?P<after2>{_LABEL}))?"
    rf"|(?P<before>{_LABEL})\s+{_TOTAL_WORD}",
    re.IGNORECASE,
)


def total_label(value: object) -> str | None:
    """The label beside the total word ("" for a bare "Total"); None when
    ``value`` does not read as a total. ``total_label("East Total")`` is
    "East"."""
    if not isinstance(value, str):
        return None
    text = value.strip().removesuffix(":").strip()
    found = _TOTAL_CELL.fullmatch(text)
    if found is None:
        return None
    return found["after"] or found["after2"] or found["before"] or ""


def reads_as_total(value: object) -> bool:
    """True when ``value`` is text that labels a total or subtotal line."""
    return total_label(value) is not None


def total_mask(values: pd.Series) -> pd.Series:
    """True for each cell of ``values`` that ``reads_as_total``."""
    return _labels(values).notna()


def total_lines(
    frame: pd.DataFrame, date_column: str, label_columns: list[str]
) -> dict[str, np.ndarray]:
    """Per column, the cells that make their row a total line.

    In the date column every total cell does ("Total" where a date belongs).
    In a label column a bare total does; a labelled one ("Total East") does
    when the row's date cell is empty or itself a total, or when its label is
    a value of one of ``label_columns`` on another row, compared without case.
    Worked example: rows (2026-03-02, East), (2026-03-02, East Total),
    (2026-03-09, Total Rewards) -> only "East Total" marks its row.
    """
    dates = frame[date_column]
    undated = (blank_mask(dates) | total_mask(dates)).to_numpy()
    labels = {name: _labels(frame[name]) for name in label_columns}
    names = set()
    for name, found in labels.items():
        plain = frame[name][found.isna() & ~blank_mask(frame[name])]
        names |= {str(value).strip().lower() for value in plain.unique()}

    lines = {date_column: total_mask(dates).to_numpy()}
    for name, found in labels.items():
        if name == date_column:
            continue
        label = found.map(lambda text: text.lower() if isinstance(text, str) else "")
        known = label.isin(names).to_numpy()
        bare = (found == "").to_numpy()
        lines[name] = found.notna().to_numpy() & (bare | undated | known)
    return lines


def _labels(values: pd.Series) -> pd.Series:
    # Each distinct value once: files repeat their labels on many rows.
    codes, uniques = pd.factorize(values.to_numpy(dtype=object))
    found = [*(total_label(value) for value in uniques), None]
    return pd.Series(np.array(found, dtype=object)[codes], index=values.index)


def sum_line(unlabelled: np.ndarray, numbers: list[pd.Series]) -> np.ndarray:
    """True on the last row when it has no label and each of its numbers is
    the sum of that column over the rows above (to the cent), else all False.

    ``unlabelled`` marks rows whose label cells are all empty. At least two
    rows must sit above it. Example: Sessions 2,533, 4,404, 437 and then an
    unlabelled 7,374 on the last row: that row is a total line.
    """
    found = np.zeros(len(unlabelled), dtype=bool)
    last = len(unlabelled) - 1
    if last < 2 or not unlabelled[last]:
        return found
    filled = [column for column in numbers if pd.notna(column.iloc[last])]
    if not filled:
        return found
    for column in filled:
        above = float(column.iloc[:last].sum())
        if not math.isclose(
            above, float(column.iloc[last]), rel_tol=1e-9, abs_tol=0.01
        ):
            return found
    found[last] = True
    return found
