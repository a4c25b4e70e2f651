"""Real spreadsheets from upload to KPI numbers, checked against plain pandas.

Each file takes the upload page's path: bytes -> read_table -> clean_rows ->
Store.import_rows -> Store.rows -> kpi.metrics. Every expected number is
recomputed here from the raw file with a separate pandas expression (or taken
from ../shared/data/real/README.md), never from Goalpost's own output.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from kpi.metrics import Rows, Slice, metric_series, metric_value
from kpi.model import ColumnMapping, Definitions, Filter, Metric
from kpi.reading import clean_rows, content_hash, read_table
from kpi.store import Store

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
SUPERSTORE = "superstore_orders__Aussachaa-FirstStreamlit.csv"
HELPDESK = "helpdesk_tickets_sim__AnirudhBabu.csv"


def real_file(name: str) -> Path:
    if not REAL.is_dir():
        pytest.skip("../shared is absent")
    return REAL / name


def upload(store: Store, name: str, path: Path, mapping: ColumnMapping) -> Rows:
    """Import a file the way the Data page does and read it back from the store."""
    content = path.read_bytes()
    raw = read_table(path.name, content)
    outcome = store.import_rows(
        name,
        mapping,
        clean_rows(raw, mapping),
        file_name=path.name,
        sheet=raw.sheet,
        content_hash=content_hash(content),
    )
    return Rows(mapping, store.rows(outcome.dataset_id, outcome.version))


@pytest.fixture(scope="module")
def superstore(tmp_path_factory) -> dict[str, Rows]:
    path = real_file(SUPERSTORE)
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('real') / 'store.db'}")
    mapping = ColumnMapping(
        date="Order Date",
        dimensions=("Region", "Category"),
        numbers=("Sales", "Profit", "Quantity"),
        team="Region",
    )
    return {"orders": upload(store, "orders", path, mapping)}


@pytest.fixture(scope="module")
def superstore_raw() -> pd.DataFrame:
    raw = pd.read_csv(real_file(SUPERSTORE), encoding="cp1252")
    return raw.assign(year=raw["Order Date"].str[:4])


SUPERSTORE_METRICS = Definitions(
    metrics=(
        Metric("sales", "Sales", dataset="orders", column="Sales", unit="currency"),
        Metric("profit", "Profit", dataset="orders", column="Profit", unit="currency"),
        Metric("quantity", "Quantity", dataset="orders", column="Quantity"),
        Metric(
            "profit_margin", "Profit margin", formula="profit / sales", unit="percent"
        ),
    )
)
ALL_YEARS = {"start": date(2014, 1, 1), "end": date(2017, 12, 31)}


def test_superstore_totals_match_the_file(superstore, superstore_raw):
    def total(metric):
        return metric_value(SUPERSTORE_METRICS, metric, superstore, **ALL_YEARS)

    # Totals stated in ../shared/data/real/README.md.
    assert total("sales") == pytest.approx(2_297_200.86, abs=0.005)
    assert total("profit") == pytest.approx(286_397.02, abs=0.005)
    assert total("quantity") == superstore_raw["Quantity"].sum()
    # 286,397.02 / 2,297,200.86 = 12.467 %, a ratio of the sums.
    assert total("profit_margin") == pytest.approx(0.124672, abs=1e-6)


@pytest.mark.parametrize(
    ("region", "year"), [("West", "2017"), ("Central", "2014"), ("South", "2016")]
)
def test_superstore_region_by_year(superstore, superstore_raw, region, year):
    series = metric_series(
        SUPERSTORE_METRICS,
        "sales",
        superstore,
        period="year",
        where=Slice(team=region),
        **ALL_YEARS,
    )
    mine = series.set_index(series["bucket"].dt.year.astype(str))["value"]

    expected = superstore_raw.loc[
        (superstore_raw["Region"] == region) & (superstore_raw["year"] == year),
        "Sales",
    ].sum()
    assert mine[year] == pytest.approx(expected, abs=0.005)


def test_superstore_margin_of_one_region_and_year(superstore, superstore_raw):
    west_2017 = superstore_raw[
        (superstore_raw["Region"] == "West") & (superstore_raw["year"] == "2017")
    ]
    expected = west_2017["Profit"].sum() / west_2017["Sales"].sum()
    mean_of_row_margins = (west_2017["Profit"] / west_2017["Sales"]).mean()

    margin = metric_value(
        SUPERSTORE_METRICS,
        "profit_margin",
        superstore,
        start=date(2017, 1, 1),
        end=date(2017, 12, 31),
        where=Slice(team="West"),
    )

    assert margin == pytest.approx(expected, rel=1e-9)
    assert abs(margin - mean_of_row_margins) > 0.01


@pytest.fixture(scope="module")
def helpdesk(tmp_path_factory) -> dict[str, Rows]:
    path = real_file(HELPDESK)
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('real') / 'store.db'}")
    mapping = ColumnMapping(
        date="created_date",
        dimensions=("team", "agent", "status", "channel"),
        numbers=("resolution_hours", "first_response_minutes"),
        team="team",
        person="agent",
    )
    return {"tickets": upload(store, "tickets", path, mapping)}


HELPDESK_METRICS = Definitions(
    metrics=(
        Metric(
            "resolution_hours",
            "Mean resolution time",
            dataset="tickets",
            column="resolution_hours",
            aggregation="mean",
            filters=(Filter("status", "Resolved"),),
            unit="duration",
            direction="lower",
        ),
    )
)


def test_helpdesk_mean_resolution_per_team_per_month(helpdesk):
    raw = pd.read_csv(real_file(HELPDESK))
    resolved = raw[raw["status"] == "Resolved"]
    expected = resolved.groupby(["team", resolved["created_date"].str[:7]])[
        "resolution_hours"
    ].mean()
    everything = raw.groupby(["team", raw["created_date"].str[:7]])[
        "resolution_hours"
    ].mean()

    series = metric_series(
        HELPDESK_METRICS,
        "resolution_hours",
        helpdesk,
        period="month",
        start=date(2024, 1, 1),
        end=date(2024, 12, 31),
        by="team",
    )
    mine = series.set_index(["team", series["bucket"].dt.strftime("%Y-%m")])["value"]

    assert len(expected) == 48  # 4 teams x 12 months
    for key, value in expected.items():
        assert mine[key] == pytest.approx(value, rel=1e-12), key
    # The trap: unresolved tickets also carry resolution hours.
    assert any(abs(mine[k] - everything[k]) > 0.01 for k in expected.index)


def test_helpdesk_one_team_month_by_hand(helpdesk):
    raw = pd.read_csv(real_file(HELPDESK))
    alpha_march = raw[
        (raw["team"] == "Team_Alpha")
        & (raw["status"] == "Resolved")
        & raw["created_date"].str.startswith("2024-03")
    ]

    value = metric_value(
        HELPDESK_METRICS,
        "resolution_hours",
        helpdesk,
        start=date(2024, 3, 1),
        end=date(2024, 3, 31),
        where=Slice(team="Team_Alpha"),
    )

    assert value == pytest.approx(
        alpha_march["resolution_hours"].sum() / len(alpha_march), rel=1e-12
    )
