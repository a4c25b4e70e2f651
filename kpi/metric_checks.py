"""What a metric definition needs: its inputs, no cycles, known names.

``kpi.metrics`` computes values; this module answers the questions about a
definition that need no rows (``metric_inputs``), or only the datasets'
column mappings (``validate_metric``), and builds the errors both share.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from keyword import iskeyword

from kpi.errors import DefinitionError
from kpi.formula import parse_formula
from kpi.model import (
    AGGREGATIONS,
    DIRECTIONS,
    UNITS,
    ColumnMapping,
    Definitions,
    Metric,
)
from kpi.number_kinds import SNAPSHOT

# Aggregations that only make sense on a number column.
NEEDS_NUMBERS: frozenset[str] = frozenset(
    {"sum", "mean", "median", "min", "max", "last"}
)


def metric_inputs(definitions: Definitions, metric: str) -> list[Metric]:
    """The base metrics ``metric`` is computed from, each once; itself if base.

    Raises ``DefinitionError`` for an unknown name or a formula cycle.
    """
    return base_inputs(metric, metric_lookup(definitions), ())


def validate_metric(
    definitions: Definitions,
    metric: Metric,
    mappings: Mapping[str, ColumnMapping] | None = None,
) -> None:
    """Raise ``DefinitionError`` unless ``metric`` can be computed.

    Checks the name, aggregation, unit and direction; a derived metric's
    formula, the metrics it names and cycles (``metric`` may be new or an edit
    of one in ``definitions``). With ``mappings`` (dataset name -> mapping) a
    base metric's dataset, column and filter columns are checked too, and no
    metric may sum a snapshot column, directly or through a formula
    (``snapshot_summed``).
    """
    check_choices(metric)
    lookup = metric_lookup(definitions, metric)
    if metric.is_derived:
        bases = base_inputs(metric.name, lookup, ())
        if mappings is not None:
            for base in bases:
                refuse_summed_snapshot(base, mappings, through=metric)
        return
    if not metric.dataset:
        raise DefinitionError(
            "no_dataset",
            f'Metric "{metric.name}" has neither a dataset nor a formula. '
            "Pick the dataset it counts, or write a formula.",
            subject=metric.name,
        )
    if mappings is None:
        return
    if metric.dataset not in mappings:
        raise unknown_dataset(metric, mappings)
    mapping = mappings[metric.dataset]
    check_columns(metric, _mapped_columns(mapping), set(mapping.numbers))
    refuse_summed_snapshot(metric, mappings)


def refuse_summed_snapshot(
    metric: Metric,
    mappings: Mapping[str, ColumnMapping],
    through: Metric | None = None,
) -> None:
    """Raise ``snapshot_summed`` when base ``metric`` sums a column its
    dataset's mapping marks as snapshots (``kpi.number_kinds``): adding up a
    level such as headcount counts it again on every date. ``through`` is the
    derived metric being checked, when the sum is one of its inputs."""
    mapping = mappings.get(metric.dataset or "")
    if mapping is None or metric.aggregation != "sum" or metric.column is None:
        return
    if mapping.number_kind(metric.column) != SNAPSHOT:
        return
    sums = (
        f'sums column "{metric.column}" of dataset "{metric.dataset}", which '
        "holds snapshots (a level on each date): adding them up counts the same "
        "amount again on every date."
    )
    what = f'Metric "{metric.name}" {sums}'
    if through is not None:
        what = f'Metric "{through.name}" uses metric "{metric.name}", which {sums}'
    raise DefinitionError(
        "snapshot_summed",
        f'{what} Use aggregation "last" for "{metric.name}" (latest value wins), '
        "or mark the column as per period in the dataset's mapping.",
        subject=(through or metric).name,
    )


def base_inputs(
    name: str, lookup: Callable[[str], Metric], trail: tuple[str, ...]
) -> list[Metric]:
    """The base metrics under ``name``, in name order; ``trail`` detects cycles."""
    refuse_cycle(name, trail)
    metric = lookup(name)
    if not metric.is_derived:
        return [metric]
    found: dict[str, Metric] = {}
    for input_name in sorted(parse_formula(metric.formula or "").names):
        for base in base_inputs(input_name, lookup, (*trail, name)):
            found.setdefault(base.name, base)
    return list(found.values())


def metric_lookup(
    definitions: Definitions, override: Metric | None = None
) -> Callable[[str], Metric]:
    """Metric by name, raising ``unknown_metric``; ``override`` wins over its
    namesake in ``definitions`` (a metric being edited)."""

    def lookup(name: str) -> Metric:
        if override is not None and name == override.name:
            return override
        try:
            return definitions.metric(name)
        except KeyError:
            raise DefinitionError(
                "unknown_metric",
                f'There is no metric named "{name}". Define it first, or correct '
                "the name in the formula.",
                subject=name,
            ) from None

    return lookup


def refuse_cycle(name: str, trail: tuple[str, ...]) -> None:
    """Raise ``formula_cycle`` when ``name`` is already on the way to itself."""
    if name in trail:
        path = " -> ".join((*trail[trail.index(name) :], name))
        raise DefinitionError(
            "formula_cycle",
            f'Metric "{name}" depends on itself ({path}). Change one of these '
            "formulas so that it no longer refers back.",
            subject=name,
        )


def check_choices(metric: Metric) -> None:
    """Raise unless name, aggregation, unit and direction are known words."""
    if not metric.name.isidentifier() or iskeyword(metric.name):
        raise DefinitionError(
            "bad_metric_name",
            f'"{metric.name}" cannot be used in formulas. Name metrics with '
            "letters, digits and _ only, starting with a letter (cost_per_lead).",
            subject=metric.name,
        )
    for field_name, value, allowed in (
        ("aggregation", metric.aggregation, AGGREGATIONS),
        ("unit", metric.unit, UNITS),
        ("direction", metric.direction, DIRECTIONS),
    ):
        if value not in allowed:
            raise DefinitionError(
                f"unknown_{field_name}",
                f'Metric "{metric.name}" has {field_name} "{value}". '
                f"Use one of: {', '.join(allowed)}.",
                subject=metric.name,
            )


def check_columns(
    metric: Metric, columns: Collection[str], numbers: Collection[str]
) -> None:
    """Raise unless the metric's column and filter columns are among
    ``columns`` and number aggregations read one of ``numbers``."""
    for item in metric.filters:
        if item.column not in columns:
            raise unknown_column(metric, item.column, "filter on")
    if metric.column is None:
        if metric.aggregation != "count":
            raise DefinitionError(
                "no_column",
                f'Metric "{metric.name}" ({metric.aggregation}) names no column. '
                "Pick the column to aggregate, or count rows instead.",
                subject=metric.name,
            )
        return
    if metric.column not in columns:
        raise unknown_column(metric, metric.column, "aggregate")
    if metric.aggregation in NEEDS_NUMBERS and metric.column not in numbers:
        raise DefinitionError(
            "not_a_number_column",
            f'Metric "{metric.name}" takes the {metric.aggregation} of column '
            f'"{metric.column}" of dataset "{metric.dataset}", which does not '
            "hold numbers. Map it as a number column, or use count or nunique.",
            subject=metric.name,
        )


def _mapped_columns(mapping: ColumnMapping) -> set[str]:
    named = (mapping.date, mapping.team, mapping.person)
    columns = {*mapping.dimensions, *mapping.numbers}
    return columns | {column for column in named if column}


def unknown_column(metric: Metric, column: str, purpose: str) -> DefinitionError:
    return DefinitionError(
        "unknown_column",
        f'Metric "{metric.name}" needs to {purpose} column "{column}", which '
        f'dataset "{metric.dataset}" does not have. Correct the column name, '
        "or map that column when importing the dataset.",
        subject=metric.name,
    )


def unknown_dataset(metric: Metric, known: Collection[str]) -> DefinitionError:
    names = ", ".join(f'"{name}"' for name in sorted(known)) or "none"
    return DefinitionError(
        "unknown_dataset",
        f'Metric "{metric.name}" reads dataset "{metric.dataset}", which is not '
        f"loaded (loaded: {names}). Import it, or pick another dataset.",
        subject=metric.name,
    )


def adds_up(definitions: Definitions, metric: Metric, depth: int = 0) -> bool:
    """True when ``metric`` adds up over periods: a sum or count, or a formula
    that adds, subtracts or scales such metrics (``revenue - cost``)."""
    if not metric.is_derived:
        return metric.is_additive
    formula = parse_formula(metric.formula or "")
    if not formula.is_linear or depth > len(definitions.metrics):
        return False
    inputs = [definitions.find_metric(name) for name in formula.names]
    return all(
        found is not None and adds_up(definitions, found, depth + 1) for found in inputs
    )
