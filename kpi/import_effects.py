"""What an import would do to the metrics that read the dataset it goes into."""

from __future__ import annotations

from kpi.errors import DefinitionError
from kpi.metric_checks import validate_metric
from kpi.model import ColumnMapping, Definitions


def metrics_broken_by(
    definitions: Definitions, dataset: str, mapping: ColumnMapping
) -> list[str]:
    """One message per metric of ``dataset`` that ``mapping`` would break.

    A base metric breaks when the new mapping lacks a column it aggregates or
    filters on, or now marks a column it sums as snapshots. Metrics of other
    datasets, and derived metrics (which break through their inputs), are not
    listed. Example: a sales file without "revenue" replacing the "sales"
    dataset lists metric "revenue".
    """
    broken = []
    for metric in definitions.metrics:
        if metric.is_derived or metric.dataset != dataset:
            continue
        try:
            validate_metric(definitions, metric, {dataset: mapping})
        except DefinitionError as error:
            broken.append(error.message)
    return broken
