"""How a file's rows combine with a dataset's current rows: replace, merge, append.

Pure pandas; ``kpi.store`` reads the current rows and stores the result.

- **replace**: the file's rows become the dataset's rows.
- **merge**: a newer file replaces the rows for the keys it contains and
  keeps the rest. A row's key is its date plus every dimension column of the
  mapping (team and person included), compared as text: dates in one ISO
  form to the microsecond (``2026-01-05T00:00:00.000000``, time-zone-aware
  dates in UTC), dimensions as they read with an empty cell, None or NaN all
  being ``""``; so ``"007"`` and ``"7"`` are two keys.
- **append**: the file's rows are added after the current ones (next week's
  rows); a row sharing a key with a current row is then counted twice, which
  ``ImportPlan.rows_sharing_a_key`` lets a page warn about.

Row order of a merge or append: the current rows that stay, in their order,
then the file's rows in the file's order. No sort, because a "last" metric
takes file order among rows of one date (``kpi.metrics``).

Merge and append need the dataset's mapping (date, dimensions, numbers) and
columns; anything else is refused with ``mapping_differs``.

The same file twice changes nothing (``ImportPlan.unchanged_reason``):
"same_file" when a replace brings the file the current version holds alone,
with the same mapping; "file_already_in" when a merge or append brings a file
whose content hash is among the current version's ``batches`` (the files
whose rows it holds); "same_rows" when a merge would leave exactly the rows
there are; "no_rows" when a merge or append brings no row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import numpy as np
import pandas as pd

from kpi.errors import ImportProblem, Location
from kpi.model import ColumnMapping

ImportMode = Literal["replace", "merge", "append"]
# What made a version: an import in one of the modes, or a roll-back.
VersionMode = Literal["replace", "merge", "append", "restore"]
IMPORT_MODES: tuple[ImportMode, ...] = ("replace", "merge", "append")

# Why an import would change nothing, by reason code.
UNCHANGED_WHY = {
    "same_file": "The dataset's current rows are this file's, mapped the same way.",
    "file_already_in": "The dataset's current rows already hold this file's rows.",
    "same_rows": "The dataset already holds exactly these rows for the file's keys.",
    "no_rows": "The file has no rows to add.",
}


@dataclass(frozen=True)
class ImportPlan:
    """What an import would do, counted before anything is stored.

    ``rows_after = rows_now - rows_replaced + rows_in_file`` whenever the
    import changes something. ``rows_added`` counts the file's rows for
    replace and append, and for merge only those whose key the dataset did not
    have; ``rows_replaced`` counts the current rows that give way: all of them
    for replace, those whose key the file holds for merge, none for append.
    ``rows_sharing_a_key`` (merge and append) counts the file's rows whose key
    the dataset already has. With ``unchanged_reason`` set, nothing would be
    stored: ``rows_after == rows_now`` and nothing is added or replaced.
    """

    mode: ImportMode
    rows_now: int
    rows_in_file: int
    rows_after: int
    rows_added: int
    rows_replaced: int
    rows_sharing_a_key: int = 0
    unchanged_reason: str | None = None

    @property
    def nothing_changes(self) -> bool:
        """True when importing would leave the dataset as it is."""
        return self.unchanged_reason is not None

    @property
    def why_unchanged(self) -> str:
        """A sentence saying why nothing would change; "" when something would."""
        return UNCHANGED_WHY.get(self.unchanged_reason or "", "")


def key_columns(mapping: ColumnMapping) -> list[str]:
    """The date column, then every dimension column (team and person included)."""
    dimensions = dict.fromkeys([*mapping.dimensions, mapping.team, mapping.person])
    return [mapping.date] + [
        name
        for name in dimensions
        if name is not None and name != mapping.date and name not in mapping.numbers
    ]


def key_text(rows: pd.DataFrame, mapping: ColumnMapping) -> pd.DataFrame:
    """Each row's key as text columns (see the module docstring), same index."""
    columns = key_columns(mapping)
    texts = {mapping.date: _date_text(rows[mapping.date])}
    for name in columns[1:]:
        values = rows[name].astype(object)
        texts[name] = values.where(values.notna(), "").astype(str)
    return pd.DataFrame(texts, index=rows.index, columns=columns)


def _date_text(values: pd.Series) -> pd.Series:
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_convert("UTC").dt.tz_localize(None)
    if pd.api.types.is_datetime64_dtype(values.dtype):
        text = np.datetime_as_string(values.to_numpy(), unit="us", casting="unsafe")
        return pd.Series(text, index=values.index, dtype=object).where(
            values.notna(), ""
        )
    return values.map(_one_date_text).astype(object)


def _one_date_text(value: Any) -> str:
    if isinstance(value, date):
        moment = pd.Timestamp(value)
        if moment.tzinfo is not None:
            moment = moment.tz_convert("UTC").tz_localize(None)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")
    return "" if pd.isna(value) else str(value)


def check_same_mapping(
    dataset: str,
    current: ColumnMapping,
    current_columns: list[str],
    mapping: ColumnMapping,
    rows: pd.DataFrame,
    where: Location,
) -> None:
    """Refuse (``mapping_differs``) a merge or append mapped unlike the dataset.

    Compared: the date column, the set of key dimensions, the set of numbers,
    the set of row columns and what each number means (per period, running
    total, snapshot: the dataset has one meaning for all its rows); the
    message names every column that differs.
    """
    differing: set[str] = set()
    for before, now in (
        (key_columns(current), key_columns(mapping)),
        (current.numbers, mapping.numbers),
        (current_columns, [str(column) for column in rows.columns]),
    ):
        differing |= set(before) ^ set(now)
    differing |= {
        name
        for name in mapping.numbers
        if current.number_kind(name) != mapping.number_kind(name)
    }
    if not differing:
        return

    prefix = f"{where.describe()}: " if where.file else ""
    raise ImportProblem(
        "mapping_differs",
        f'{prefix}dataset "{dataset}" is mapped with other columns than this '
        f"import (differing: {', '.join(sorted(differing))}), so the rows cannot "
        'be merged or appended. Import with "replace" to take this file\'s '
        "columns, or map the same columns as the dataset.",
        where,
    )


def new_dataset_plan(mode: ImportMode, rows: pd.DataFrame) -> ImportPlan:
    """The plan of a first import: every mode creates the dataset with the rows."""
    count = len(rows)
    return ImportPlan(mode, 0, count, count, count, 0)


def replace_plan(rows_now: int, rows: pd.DataFrame) -> ImportPlan:
    """The plan of a replace: the file's rows added, every current row replaced."""
    return ImportPlan("replace", rows_now, len(rows), len(rows), len(rows), rows_now)


def unchanged_plan(
    mode: ImportMode, rows_now: int, rows_in_file: int, reason: str
) -> ImportPlan:
    """The plan of an import that would store nothing, for ``reason``."""
    return ImportPlan(mode, rows_now, rows_in_file, rows_now, 0, 0, 0, reason)


def combine(
    mode: ImportMode, current: pd.DataFrame, rows: pd.DataFrame, mapping: ColumnMapping
) -> tuple[pd.DataFrame, ImportPlan]:
    """The dataset's rows after importing ``rows`` into ``current``, and the plan.

    Worked example (merge): current A and B on Jan 1-3 (6 rows), a file with
    A on Jan 3-4: A Jan 3 is replaced, A Jan 4 added, 6 - 1 + 2 = 7 rows after.
    Neither input frame is changed.
    """
    now, count = len(current), len(rows)
    if mode == "replace":
        return rows, replace_plan(now, rows)
    if count == 0:
        return current, unchanged_plan(mode, now, 0, "no_rows")

    current_keys = pd.MultiIndex.from_frame(key_text(current, mapping))
    file_keys = pd.MultiIndex.from_frame(key_text(rows, mapping))
    sharing = int(file_keys.isin(current_keys).sum())
    if mode == "append":
        after = pd.concat([current, rows], ignore_index=True)
        return after, ImportPlan(mode, now, count, now + count, count, 0, sharing)

    given_way = current_keys.isin(file_keys)
    if _same_rows(current[given_way], rows):
        return current, unchanged_plan(mode, now, count, "same_rows")
    replaced = int(given_way.sum())
    after = pd.concat([current[~given_way], rows], ignore_index=True)
    return after, ImportPlan(
        mode,
        rows_now=now,
        rows_in_file=count,
        rows_after=now - replaced + count,
        rows_added=count - sharing,
        rows_replaced=replaced,
        rows_sharing_a_key=sharing,
    )


def batches_after(mode: ImportMode, batches: list[str], content_hash: str) -> list[str]:
    """The content hashes of the files whose rows the new version holds."""
    return [content_hash] if mode == "replace" else [*batches, content_hash]


def _same_rows(left: pd.DataFrame, right: pd.DataFrame) -> bool:
    """True when both frames hold the same rows, in any order (NaN equals NaN)."""
    if len(left) != len(right) or set(left.columns) != set(right.columns):
        return False
    columns = list(left.columns)

    def ordered(frame: pd.DataFrame) -> pd.DataFrame:
        return (
            frame[columns]
            .sort_values(columns, kind="stable", na_position="last")
            .reset_index(drop=True)
        )

    left, right = ordered(left), ordered(right)
    for name in columns:
        one, other = left[name].to_numpy(object), right[name].to_numpy(object)
        if not np.all((one == other) | (pd.isna(one) & pd.isna(other))):
            return False
    return True
