"""A KPI keeps the status band it was judged with (issue 3, item 3)."""

from dataclasses import replace
from datetime import date

import pandas as pd
import pytest

from kpi.definitions import definitions_from_yaml, definitions_to_yaml
from kpi.evaluate import evaluate_kpi
from kpi.metrics import Rows
from kpi.model import KPI, ColumnMapping, Definitions, Metric, Target
from kpi.settings import WorkspaceSettings, keep_status_bands

Q1 = KPI(
    "q1", "Q1 leads", "leads", Target("total", 100), date(2026, 1, 1), date(2026, 3, 31)
)
YEAR = KPI(
    "year",
    "2026 leads",
    "leads",
    Target("total", 400),
    date(2026, 1, 1),
    date(2026, 12, 31),
)
OLD, NEW = WorkspaceSettings(at_risk_pace=0.9), WorkspaceSettings(at_risk_pace=0.8)


@pytest.mark.parametrize(
    ("apply_to_running", "q1_band", "year_band"),
    [
        # On 1 May Q1 has ended: it keeps 0.9 either way.
        (True, 0.9, 0.8),
        (False, 0.9, 0.9),
    ],
)
def test_ended_kpis_keep_their_band(apply_to_running, q1_band, year_band) -> None:
    kept = keep_status_bands(
        Definitions(kpis=(Q1, YEAR)),
        OLD,
        NEW,
        today=date(2026, 5, 1),
        apply_to_running=apply_to_running,
    )
    assert [kpi.at_risk_pace for kpi in kept.kpis] == [q1_band, year_band]


def test_a_kpi_with_its_own_band_keeps_it_when_not_applied() -> None:
    own = replace(YEAR, at_risk_pace=0.95)
    kept = keep_status_bands(
        Definitions(kpis=(own,)),
        OLD,
        NEW,
        today=date(2026, 5, 1),
        apply_to_running=False,
    )
    assert kept.kpis[0].at_risk_pace == 0.95


def test_applying_an_unchanged_band_reaches_running_kpis_that_kept_an_older_one():
    # Saved at 0.95 without "apply": the 2026 KPI kept 0.9. Saving 0.95 again
    # with "apply" ticked must move it to 0.95; Q1 (ended) keeps 0.9.
    pinned = Definitions(
        kpis=(replace(Q1, at_risk_pace=0.9), replace(YEAR, at_risk_pace=0.9))
    )
    band = WorkspaceSettings(at_risk_pace=0.95)
    kept = keep_status_bands(
        pinned, band, band, today=date(2026, 5, 1), apply_to_running=True
    )
    assert [kpi.at_risk_pace for kpi in kept.kpis] == [0.9, 0.95]


def test_unchanged_band_changes_nothing() -> None:
    given = Definitions(kpis=(Q1,))
    assert (
        keep_status_bands(
            given, OLD, OLD, today=date(2026, 5, 1), apply_to_running=False
        )
        is given
    )


def test_the_band_survives_a_yaml_round_trip() -> None:
    own = Definitions(kpis=(replace(Q1, at_risk_pace=0.85),))
    text = definitions_to_yaml(own)
    assert "at_risk_pace: 0.85" in text
    assert definitions_from_yaml(text).kpis[0].at_risk_pace == 0.85


def test_evaluation_uses_the_kpis_own_band() -> None:
    # 2026 leads target 365 (1 a day). On 10 January (10 of 365 days gone)
    # 8.5 leads -> expected 10, pace 85 %: off track under the workspace's
    # 0.9, at risk under the KPI's own 0.8.
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-01-02", "2026-01-09"]).astype(
                "datetime64[ns]"
            ),
            "leads": [4.0, 4.5],
        }
    )
    definitions = Definitions(metrics=(Metric("leads", "Leads", "data", "leads"),))
    rows = {"data": Rows(ColumnMapping(date="date", numbers=("leads",)), frame)}
    kpi = KPI(
        "year",
        "Leads",
        "leads",
        Target("total", 365),
        date(2026, 1, 1),
        date(2026, 12, 31),
    )
    statuses = [
        evaluate_kpi(
            replace(kpi, at_risk_pace=band),
            definitions,
            rows,
            today=date(2026, 1, 10),
            settings=OLD,
        ).status
        for band in (None, 0.8)
    ]
    assert statuses == ["off track", "at risk"]


@pytest.mark.parametrize(
    ("week_start", "says"),
    [
        ("monday", "2025-W01 runs from Monday 30 Dec 2024"),
        ("sunday", "Sunday to Saturday"),
    ],
)
def test_the_week_numbering_is_stated(week_start: str, says: str) -> None:
    assert says in WorkspaceSettings(week_start=week_start).week_note
