"""Metric values from rows: base metrics aggregate a column, derived ones
evaluate a formula on their inputs' aggregates.

DESIGN rule 1 lives here: a derived metric is computed on the aggregated
inputs of the same bucket and slice, so cost per lead over three days with
(spend, leads) = (100, 20), (300, 10), (50, 0) is 450 / 30 = 15.00, never the
mean of the daily ratios (17.50). A zero denominator gives NaN ("no value").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import cast

import numpy as np
import numpy.typing as npt
import pandas as pd
from pandas.api.extensions import ExtensionArray

from kpi.errors import DefinitionError
from kpi.formula import parse_formula
from kpi.metric_checks import (
    check_choices,
    check_columns,
    metric_inputs,
    metric_lookup,
    refuse_cycle,
    unknown_column,
    unknown_dataset,
    validate_metric,
)
from kpi.model import ColumnMapping, Definitions, Filter, Metric
from kpi.periods import bucket_start, period_range

# metric_inputs and validate_metric are part of this module's API.
__all__ = [
    "ZERO_WHEN_EMPTY",
    "Rows",
    "Slice",
    "breakdown",
    "metric_inputs",
    "metric_series",
    "metric_value",
    "validate_metric",
]


@dataclass(frozen=True)
class Rows:
    """The clean rows of one dataset with the mapping that says what they hold."""

    mapping: ColumnMapping
    frame: pd.DataFrame


@dataclass(frozen=True)
class Slice:
    """Who or what a number is about: a team, a person, extra text filters."""

    team: str | None = None
    person: str | None = None
    filters: tuple[Filter, ...] = ()


# A bucket without rows holds 0 of these (no posts, no distinct reps); every
# other aggregation of nothing is "no value".
ZERO_WHEN_EMPTY: frozenset[str] = frozenset({"sum", "count", "nunique"})
_WHOLE_WINDOW = pd.Index([0])

# One True/False per row of a frame.
_Mask = npt.NDArray[np.bool_]
# One group label per row: an array, so grouping is by position, not index.
_GroupKey = ExtensionArray | np.ndarray


@dataclass(frozen=True)
class _Grouping:
    """How in-window rows are split, and the full index a result must have."""

    index: pd.Index
    period: str | None = None
    by: str | None = None
    week_start: str = "monday"
    fiscal_start_month: int = 1


@dataclass(frozen=True)
class _Request:
    rows: Mapping[str, Rows]
    start: date
    end: date
    where: Slice
    grouping: _Grouping


def metric_series(
    definitions: Definitions,
    metric: str,
    rows: Mapping[str, Rows],
    *,
    period: str,
    start: date,
    end: date,
    where: Slice = Slice(),
    by: str | None = None,
    week_start: str = "monday",
    fiscal_start_month: int = 1,
) -> pd.DataFrame:
    """One value per bucket (and per value of ``by``) over ``start``..``end``.

    Columns: ``bucket`` (bucket start), ``by`` when given, ``value`` (float,
    NaN = no value), sorted by time. Every bucket that overlaps the window is
    listed, but rows outside the window are dropped before aggregating, so a
    cut bucket holds only its in-window days. A bucket without rows is 0 for
    sum, count and nunique and NaN otherwise, provided the dataset has any row
    in the window at all; a dataset with none gives NaN everywhere.
    """
    _check_window(start, end)
    buckets = period_range(start, end, period, week_start, fiscal_start_month)
    index: pd.Index = pd.DatetimeIndex(buckets, name="bucket").as_unit("ns")
    if by is not None:
        by_values = _by_values(definitions, metric, rows, start, end, where, by)
        index = pd.MultiIndex.from_product([index, by_values], names=["bucket", by])

    grouping = _Grouping(index, period, by, week_start, fiscal_start_month)
    values = _values(definitions, metric, _Request(rows, start, end, where, grouping))
    return values.rename("value").reset_index()


def metric_value(
    definitions: Definitions,
    metric: str,
    rows: Mapping[str, Rows],
    *,
    start: date,
    end: date,
    where: Slice = Slice(),
) -> float | None:
    """The metric over the whole window as one aggregate; None = no value.

    A derived metric divides the window's sums: 450 / 30 = 15.0 for the cost
    per lead example above.
    """
    _check_window(start, end)
    request = _Request(rows, start, end, where, _Grouping(_WHOLE_WINDOW))
    value = float(_values(definitions, metric, request).iloc[0])
    return None if np.isnan(value) else value


def breakdown(
    definitions: Definitions,
    metric: str,
    rows: Mapping[str, Rows],
    *,
    start: date,
    end: date,
    by: str,
    where: Slice = Slice(),
) -> pd.DataFrame:
    """Columns ``[by, "value"]``: the metric over the window per value of ``by``.

    Sorted by value, largest first; values without a number come last. A
    blank dimension cell is its own group, named "".
    """
    _check_window(start, end)
    by_values = _by_values(definitions, metric, rows, start, end, where, by)
    grouping = _Grouping(by_values, by=by)
    values = _values(definitions, metric, _Request(rows, start, end, where, grouping))
    table = values.rename("value").reset_index()
    return table.sort_values(
        "value", ascending=False, na_position="last", kind="stable"
    ).reset_index(drop=True)


def _values(definitions: Definitions, name: str, request: _Request) -> pd.Series:
    cache: dict[str, pd.Series] = {}
    return _metric_values(metric_lookup(definitions), name, request, cache, ())


def _metric_values(
    lookup: Callable[[str], Metric],
    name: str,
    request: _Request,
    cache: dict[str, pd.Series],
    trail: tuple[str, ...],
) -> pd.Series:
    if name in cache:
        return cache[name]
    refuse_cycle(name, trail)
    metric = lookup(name)
    if metric.is_derived:
        formula = parse_formula(metric.formula or "")
        inputs = {
            input_name: _metric_values(
                lookup, input_name, request, cache, (*trail, name)
            )
            for input_name in sorted(formula.names)
        }
        result = formula.evaluate(inputs)
        if not isinstance(result, pd.Series):
            result = pd.Series(result, index=request.grouping.index, dtype=float)
    else:
        result = _base_values(metric, request)
    cache[name] = result.astype(float)
    return cache[name]


def _base_values(metric: Metric, request: _Request) -> pd.Series:
    grouping = request.grouping
    data = _dataset(metric, request.rows)
    frame, mapping = data.frame, data.mapping
    check_choices(metric)
    check_columns(metric, set(frame.columns), _numeric_columns(frame))

    in_window = _window_mask(frame, mapping, request.start, request.end)
    if not in_window.any():
        return pd.Series(np.nan, index=grouping.index, dtype=float)
    keep = in_window & _slice_mask(metric, data, request.where)
    keep = keep & _filters_mask(frame, metric.filters, metric)

    columns = [mapping.date, metric.column, grouping.by]
    needed = list(dict.fromkeys(column for column in columns if column))
    subset = frame.loc[keep, needed]
    aggregated = _aggregate(subset, metric, mapping.date, grouping)
    fill = 0.0 if metric.aggregation in ZERO_WHEN_EMPTY else np.nan
    return aggregated.reindex(grouping.index, fill_value=fill).astype(float)


def _aggregate(
    subset: pd.DataFrame, metric: Metric, date_column: str, grouping: _Grouping
) -> pd.Series:
    aggregation = metric.aggregation
    if aggregation == "last":
        # Latest date wins; a stable sort keeps file order among equal dates.
        order = np.argsort(subset[date_column].to_numpy(), kind="stable")
        subset = subset.iloc[order]
    # pandas groups by extension arrays as well; pandas-stubs only list numpy ones.
    keys = cast(
        "np.ndarray | list[np.ndarray]", _group_keys(subset, date_column, grouping)
    )

    if aggregation == "count" and metric.column is None:
        return pd.Series(1.0, index=subset.index).groupby(keys).sum()
    column = subset[metric.column]
    if aggregation == "count":
        return pd.Series(_non_empty(column)).groupby(keys).sum()
    if aggregation == "nunique":
        return column.where(_non_empty(column)).groupby(keys).nunique()
    aggregated: pd.Series = getattr(column.groupby(keys), aggregation)()
    return aggregated


def _group_keys(
    subset: pd.DataFrame, date_column: str, grouping: _Grouping
) -> _GroupKey | list[_GroupKey]:
    keys: list[_GroupKey] = []
    if grouping.period is not None:
        buckets = bucket_start(
            subset[date_column],
            grouping.period,
            grouping.week_start,
            grouping.fiscal_start_month,
        )
        keys.append(buckets.array)
    if grouping.by is not None:
        keys.append(subset[grouping.by].array)
    if not keys:
        keys.append(np.zeros(len(subset), dtype="int64"))
    # Keys are arrays, so grouping is positional even with a repeated index.
    return keys if len(keys) > 1 else keys[0]


def _by_values(
    definitions: Definitions,
    metric: str,
    rows: Mapping[str, Rows],
    start: date,
    end: date,
    where: Slice,
    by: str,
) -> pd.Index:
    """Every value of ``by`` in the window and slice, over all input datasets."""
    found: list[pd.Series] = []
    for base in metric_inputs(definitions, metric):
        data = _dataset(base, rows)
        if by not in data.frame.columns:
            raise unknown_column(base, by, "break it down by")
        keep = _window_mask(data.frame, data.mapping, start, end)
        keep = keep & _slice_mask(base, data, where)
        found.append(data.frame.loc[keep, by])
    values = pd.concat(found).dropna().unique() if found else []
    index: pd.Index = pd.Index(
        sorted(values), name=by, dtype=found[0].dtype if found else None
    )
    return index


def _window_mask(
    frame: pd.DataFrame, mapping: ColumnMapping, start: date, end: date
) -> _Mask:
    dates = frame[mapping.date]
    first = pd.Timestamp(start)
    after_last = pd.Timestamp(end) + pd.Timedelta(days=1)
    return ((dates >= first) & (dates < after_last)).to_numpy(dtype=bool)


def _slice_mask(metric: Metric, data: Rows, where: Slice) -> _Mask:
    frame, mapping = data.frame, data.mapping
    keep = np.ones(len(frame), dtype=bool)
    for role, column, value in (
        ("team", mapping.team, where.team),
        ("person", mapping.person, where.person),
    ):
        if value is None:
            continue
        if column is None or column not in frame.columns:
            raise DefinitionError(
                f"no_{role}_column",
                f'Dataset "{metric.dataset}" has no {role} column, so metric '
                f'"{metric.name}" cannot be shown for {role} "{value}". Map a '
                f"{role} column in the dataset's column mapping, or show the "
                "metric for everyone.",
                subject=metric.name,
            )
        keep = keep & _equals_text(frame[column], value)
    return keep & _filters_mask(frame, where.filters, metric)


def _filters_mask(
    frame: pd.DataFrame, filters: tuple[Filter, ...], metric: Metric
) -> _Mask:
    keep = np.ones(len(frame), dtype=bool)
    for item in filters:
        if item.column not in frame.columns:
            raise unknown_column(metric, item.column, "filter on")
        matches = _equals_text(frame[item.column], item.value)
        keep = keep & (~matches if item.negate else matches)
    return keep


def _equals_text(column: pd.Series, value: str) -> _Mask:
    if not pd.api.types.is_string_dtype(column):
        column = column.astype("string")
    return (column == str(value)).to_numpy(dtype=bool, na_value=False)


def _non_empty(column: pd.Series) -> _Mask:
    """Cells that hold something: not NaN, and not blank in a text column."""
    present = column.notna().to_numpy(dtype=bool)
    if pd.api.types.is_numeric_dtype(column):
        return present
    text = column.astype("string").str.strip()
    return present & (text != "").to_numpy(dtype=bool, na_value=False)


def _dataset(metric: Metric, rows: Mapping[str, Rows]) -> Rows:
    if metric.dataset is None or metric.dataset not in rows:
        raise unknown_dataset(metric, rows)
    return rows[metric.dataset]


def _check_window(start: date, end: date) -> None:
    if end < start:
        raise DefinitionError(
            "bad_time_frame",
            f"The time frame ends ({end}) before it starts ({start}). "
            "Put the earlier date first.",
        )


def _numeric_columns(frame: pd.DataFrame) -> set[str]:
    return {
        column
        for column, dtype in frame.dtypes.items()
        # Only text names can match a metric's column, so others are left out.
        if isinstance(column, str)
        and pd.api.types.is_numeric_dtype(dtype)
        and not pd.api.types.is_bool_dtype(dtype)
    }
