"""Reports and long files turned into the tables Goalpost maps.

Goalpost maps a table with one row per date (and team, product...) and one
column per number. Two other layouts are common and are turned into that:

- a report with months across (``Region | Jan 2025 | Feb 2025 | Total``):
  ``unpivot_report`` gives one row per label and month, totals left out;
- a long file (``Date | Team | Metric | Value``): ``widen_long`` gives one
  number column per metric name.

Both return a new RawTable whose rows keep the spreadsheet row they came
from, so a later message still points at the right line of the file.
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pandas as pd

from kpi.errors import ImportProblem, bad_rows_table
from kpi.headers import free_name
from kpi.mapping import profile_column
from kpi.reading import RawTable
from kpi.report_layout import ReportLayout, report_layout
from kpi.total_rows import reads_as_total
from kpi.values import blank_mask

# Names of the number column of a long file, and of its metric-name column.
VALUE_WORDS = ("value", "amount", "count", "number", "val", "qty", "quantity")
METRIC_WORDS = ("metric", "measure", "kpi", "indicator", "variable", "series")
# A long file's metric-name column holds at most this many different names.
MAX_METRICS = 200
_ROWS_SHOWN = 10


def looks_like_report(raw: RawTable) -> ReportLayout | None:
    """The report layout of ``raw`` (labels down, months or dates across), or
    None when it reads as an ordinary table. ``read_table`` adds its note."""
    return report_layout(raw.frame)


def unpivot_report(raw: RawTable, value_name: str = "Value") -> RawTable:
    """A report with periods across as rows: Date, the label columns, the value.

    Example: East and West by Jan-Mar 2025 plus a Total column and a Total
    row -> 6 rows (2 labels x 3 months); Date is the first of each month.
    Blank label cells of all but the last label column take the label above
    (a group name written once). Rows whose label reads as a total, or whose
    last label is blank, and columns among the months that are not months
    (Total, Average) are left out and named in a note; empty cells give no
    row. Raises ImportProblem ``not_a_report`` or ``empty_file``.
    """
    layout = looks_like_report(raw)
    if layout is None:
        location = raw.location()
        what = f"{location.describe()} has no columns named by months or dates."
        advice = "Import it as a table, one row per date."
        raise ImportProblem("not_a_report", f"{what} {advice}", location)

    labels = _filled_group_labels(raw.frame[list(layout.label_columns)])
    left_out_rows = _total_or_unlabelled(labels)
    kept = ~left_out_rows
    cells = raw.frame[[name for name, _ in layout.periods]]
    filled = ~cells.apply(blank_mask).to_numpy()[kept]
    row_at, period_at = np.nonzero(filled)  # row by row, months left to right
    if not len(row_at):
        location = raw.location()
        what = f"{location.describe()} has no values under its month columns."
        advice = "Fill in the report, or upload the sheet that has the values."
        raise ImportProblem("empty_file", f"{what} {advice}", location)

    names = list(layout.label_columns)
    date_name = free_name("Date", names)
    value_name = free_name(value_name, [*names, date_name])
    columns = {date_name: np.array([day for _, day in layout.periods])[period_at]}
    label_cells = labels.to_numpy(dtype=object)[kept][row_at]
    columns.update({name: label_cells[:, i] for i, name in enumerate(names)})
    columns[value_name] = cells.to_numpy(dtype=object)[kept][row_at, period_at]
    frame = pd.DataFrame(columns, dtype=object)

    rows = _sheet_rows(raw)
    notes = [note for note in raw.notes if note != layout.note()]
    notes.append(_unpivot_note(layout, len(frame), rows[left_out_rows]))
    return replace(
        raw,
        frame=frame,
        row_numbers=tuple(int(row) for row in rows[kept][row_at]),
        notes=tuple(notes),
    )


def looks_long(raw: RawTable) -> tuple[str, str] | None:
    """(metric-name column, value column) when ``raw`` looks like a long file.

    It does when exactly one column holds numbers and is named like a value
    (Value, Amount, Count...), and one text column repeats a few names (2 to
    200, each on two or more rows on average): the one named like Metric,
    Measure or KPI, else the only such column. None otherwise; the page can
    still offer ``widen_long`` with columns the person picks.
    """
    profiles = [profile_column(raw, str(name)) for name in raw.frame.columns]
    numbers = [p for p in profiles if p.is_number]
    if len(numbers) != 1 or not _named_like(numbers[0].name, VALUE_WORDS):
        return None
    names = [
        p
        for p in profiles
        if not (p.is_number or p.is_date or p.identifier)
        and 2 <= p.distinct <= MAX_METRICS
        and 2 * p.distinct <= p.non_empty
    ]
    named = [p for p in names if _named_like(p.name, METRIC_WORDS)]
    if named:
        return named[0].name, numbers[0].name
    if len(names) == 1:
        return names[0].name, numbers[0].name
    return None


def widen_long(raw: RawTable, name_column: str, value_column: str) -> RawTable:
    """One column per metric name, the values beside them; keys are the rest.

    Example: Date, Team, Metric, Value with Metric Leads and Spend on 4 rows
    for 2 (Date, Team) pairs -> 2 rows with columns Date, Team, Leads, Spend.
    Rows keep the order (and spreadsheet row) in which each key first
    appears; metric columns the order of first appearance; a key without a
    metric gets an empty cell. Rows without a metric name are skipped with a
    note. Raises ImportProblem ``missing_column``, ``too_many_metrics`` or
    ``duplicate_long_rows`` (two rows with the same keys and metric name,
    all listed in ``bad_rows``).
    """
    _check_long_columns(raw, name_column, value_column)
    frame = raw.frame
    metric_names = frame[name_column].map(_key_text)
    named = (metric_names != "").to_numpy()
    rows = _sheet_rows(raw)
    keys = [
        str(name) for name in frame.columns if name not in (name_column, value_column)
    ]

    if not named.any():
        location = raw.location(column=name_column)
        what = f"{location.describe()} holds no metric names."
        advice = "Pick the column that holds metric names (Leads, Spend...)."
        raise ImportProblem("empty_file", f"{what} {advice}", location)
    metric_codes, metrics = pd.factorize(metric_names[named])
    if len(metrics) > MAX_METRICS:
        raise _too_many_metrics(raw, name_column, len(metrics))
    key_codes = _key_codes(frame[keys][named])
    pairs = pd.Series(key_codes * len(metrics) + metric_codes)
    repeated = pairs.duplicated(keep=False).to_numpy()
    if repeated.any():
        positions = np.flatnonzero(named)[repeated]
        raise _duplicate_rows(
            raw, name_column, keys, positions, pairs.to_numpy()[repeated]
        )

    # Codes count keys in order of appearance: key k first shows on row first[k].
    first = np.flatnonzero(~pd.Series(key_codes).duplicated().to_numpy())
    source = np.flatnonzero(named)[first]
    cells = np.full((len(first), len(metrics)), None, dtype=object)
    cells[key_codes, metric_codes] = frame[value_column].to_numpy(dtype=object)[named]
    metric_columns = _metric_column_names(list(metrics), keys)
    widened = pd.concat(
        [
            frame[keys].iloc[source].reset_index(drop=True),
            pd.DataFrame(cells, columns=metric_columns, dtype=object),
        ],
        axis=1,
    )

    notes = [*raw.notes, _widen_note(name_column, value_column, metric_columns)]
    if not named.all():
        notes.append(_skipped_note(rows[~named], name_column))
    return replace(
        raw,
        frame=widened,
        row_numbers=tuple(int(row) for row in rows[source]),
        notes=tuple(notes),
    )


def _filled_group_labels(labels: pd.DataFrame) -> pd.DataFrame:
    """Labels with blank cells of all but the last column taken from above."""
    filled = labels.where(~labels.apply(blank_mask), None)
    for name in filled.columns[:-1]:
        filled[name] = filled[name].ffill()
    return filled


def _total_or_unlabelled(labels: pd.DataFrame) -> np.ndarray:
    totals = np.zeros(len(labels), dtype=bool)
    for name in labels.columns:
        totals |= labels[name].map(reads_as_total).to_numpy(dtype=bool)
    unlabelled = blank_mask(labels.iloc[:, -1]).to_numpy()
    left_out: np.ndarray = totals | unlabelled
    return left_out


def _unpivot_note(layout: ReportLayout, count: int, left_out_rows: np.ndarray) -> str:
    kind = "months" if layout.monthly else "dates"
    note = f"Turned into {count} rows, one per label and {kind[:-1]}."
    if layout.left_out:
        listed = ", ".join(f'"{name}"' for name in layout.left_out)
        note += f" Columns left out: {listed}."
    if len(left_out_rows):
        note += (
            f" Rows left out (totals or no label): {_row_list(left_out_rows)}; "
            "Goalpost adds rows up itself."
        )
    return note


def _check_long_columns(raw: RawTable, name_column: str, value_column: str) -> None:
    for name in (name_column, value_column):
        if name not in raw.frame.columns:
            listed = ", ".join(f'"{c}"' for c in list(raw.frame.columns)[:20])
            location = raw.location(column=name)
            what = f"{location.describe()} is not in the file (its columns: {listed})."
            advice = "Pick the column of metric names and the column of values."
            raise ImportProblem("missing_column", f"{what} {advice}", location)
    if name_column == value_column:
        location = raw.location(column=name_column)
        what = f"{location.describe()} cannot hold both the metric names and values."
        advice = "Pick two different columns."
        raise ImportProblem("missing_column", f"{what} {advice}", location)


def _key_text(value: object) -> str:
    """A cell as text for matching: trimmed, "" when empty."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def _key_codes(keys: pd.DataFrame) -> np.ndarray:
    """One code per distinct combination of key cells, in order of appearance."""
    if keys.columns.empty:
        return np.zeros(len(keys), dtype=np.int64)
    texts = keys.apply(lambda column: column.map(_key_text))
    codes, _ = pd.factorize(pd.MultiIndex.from_frame(texts))
    return codes


def _metric_column_names(metrics: list[str], keys: list[str]) -> list[str]:
    names: list[str] = []
    for metric in metrics:
        names.append(free_name(metric, [*keys, *names]))
    return names


def _too_many_metrics(raw: RawTable, name_column: str, count: int) -> ImportProblem:
    location = raw.location(column=name_column)
    what = (
        f"{location.describe()} holds {count:,} different names, more than "
        f"{MAX_METRICS} metrics."
    )
    advice = "Pick the column that holds metric names (Leads, Spend...)."
    return ImportProblem("too_many_metrics", f"{what} {advice}", location)


def _duplicate_rows(
    raw: RawTable,
    name_column: str,
    keys: list[str],
    positions: np.ndarray,
    pairs: np.ndarray,
) -> ImportProblem:
    """Every row whose keys and metric name another row repeats, in bad_rows."""
    rows = [int(row) for row in _sheet_rows(raw)[positions]]
    names = raw.frame[name_column].to_numpy(dtype=object)[positions]
    groups: dict[int, list[int]] = {}
    for pair, row in zip(pairs, rows, strict=True):
        groups.setdefault(int(pair), []).append(row)
    records = []
    for pair, row, name in zip(pairs, rows, names, strict=True):
        group = groups[int(pair)]
        problem = (
            f"repeated in row {group[1]}"
            if row == group[0]
            else f"repeats row {group[0]}"
        )
        records.append(
            {"row": row, "column": name_column, "value": str(name), "problem": problem}
        )

    first, second = groups[int(pairs[0])][:2]
    location = raw.location(first, name_column)
    keyed = ", ".join(f'"{key}"' for key in keys)
    same = f"the same {keyed}" if keys else "the file"
    what = (
        f"{location.describe()}: rows {first} and {second} both hold "
        f'"{_key_text(names[0])}" for {same} ({len(records)} rows repeat in all).'
    )
    advice = (
        "Remove the repeated rows, or add the column that tells them apart, "
        "then upload the file again."
    )
    return ImportProblem(
        "duplicate_long_rows", f"{what} {advice}", location, bad_rows_table(records)
    )


def _widen_note(name_column: str, value_column: str, metrics: list[str]) -> str:
    listed = ", ".join(metrics[:10]) + (", …" if len(metrics) > 10 else "")
    return (
        f'Turned "{name_column}" and "{value_column}" into one column per '
        f"metric: {listed}."
    )


def _skipped_note(rows: np.ndarray, name_column: str) -> str:
    count = len(rows)
    what = "1 row" if count == 1 else f"{count} rows"
    verb = "was" if count == 1 else "were"
    return (
        f'{what} without a name in "{name_column}" {verb} skipped ({_row_list(rows)}).'
    )


def _row_list(rows: np.ndarray) -> str:
    shown = ", ".join(str(int(row)) for row in rows[:_ROWS_SHOWN])
    more = ", ..." if len(rows) > _ROWS_SHOWN else ""
    return f"row{'s' if len(rows) != 1 else ''} {shown}{more}"


def _named_like(name: str, words: tuple[str, ...]) -> bool:
    found = re.findall(r"[a-z]+", name.lower())
    return any(word in words or word.rstrip("s") in words for word in found)


def _sheet_rows(raw: RawTable) -> np.ndarray:
    if raw.row_numbers:
        return np.asarray(raw.row_numbers)
    return raw.header_row + 1 + np.arange(len(raw.frame))
