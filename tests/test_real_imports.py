"""Real public spreadsheets through read_table -> guess_mapping -> clean_rows.

This is the path the upload page takes. Every expected number is taken from
../shared/data/real/README.md or recomputed here with plain pandas on the file.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from kpi.import_check import check_rows
from kpi.mapping import guess_mapping
from kpi.model import ColumnMapping
from kpi.reading import RawTable, clean_rows, read_table

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
SUPERSTORE = "superstore_orders__Aussachaa-FirstStreamlit.csv"
HELPDESK = "helpdesk_tickets_sim__AnirudhBabu.csv"
FB_ADS = "fb_ads_campaign_conversions__rakeshsarma.csv"
CRM_PIPELINE = "crm_maven_sales_pipeline__kisaraF.csv"
POWERBI = "powerbi_financial_sample__Amieees.xlsx"


def _path(file_name: str) -> Path:
    if not REAL.is_dir():
        pytest.skip("../shared is absent")
    return REAL / file_name


def _read(file_name: str) -> RawTable:
    return read_table(file_name, _path(file_name).read_bytes())


@pytest.fixture(scope="module")
def superstore() -> RawTable:
    return _read(SUPERSTORE)


SUPERSTORE_MAPPING = ColumnMapping(
    date="Order Date",
    dimensions=("Region",),
    numbers=("Sales", "Profit", "Quantity"),
    team="Region",
)


def test_superstore_reads_as_cp1252(superstore: RawTable) -> None:
    assert superstore.encoding == "cp1252"
    assert len(superstore.frame) == 9_994
    assert len(superstore.frame.columns) == 21


def test_superstore_totals_to_the_cent(superstore: RawTable) -> None:
    plain = pd.read_csv(_path(SUPERSTORE), encoding="cp1252")

    rows = clean_rows(superstore, SUPERSTORE_MAPPING)

    assert len(rows) == 9_994
    # README: Sales total 2,297,200.86; Profit total 286,397.02.
    assert round(rows["Sales"].sum(), 2) == 2_297_200.86
    assert round(rows["Profit"].sum(), 2) == 286_397.02
    assert rows["Quantity"].sum() == plain["Quantity"].sum()
    assert set(rows["Region"]) == set(plain["Region"])


def test_superstore_order_dates(superstore: RawTable) -> None:
    rows = clean_rows(superstore, SUPERSTORE_MAPPING)

    assert rows["Order Date"].dtype == "datetime64[ns]"
    assert rows["Order Date"].min() == pd.Timestamp("2014-01-03")
    assert rows["Order Date"].max() == pd.Timestamp("2017-12-30")


def test_superstore_ship_dates_are_day_first_in_this_copy(superstore: RawTable) -> None:
    # README says Ship Date is US M/D/YYYY, but in this copy 6,096 values start
    # with a number above 12 (16/6/2016) and none has one second: it is D/M/YYYY,
    # and only that reading ships every order 0-7 days after it was placed.
    plain = pd.read_csv(_path(SUPERSTORE), encoding="cp1252")
    mapping = ColumnMapping(date="Ship Date", dimensions=("Order Date",))

    rows = clean_rows(superstore, mapping)

    expected = pd.to_datetime(plain["Ship Date"], format="%d/%m/%Y")
    assert rows["Ship Date"].tolist() == expected.tolist()
    assert rows["Ship Date"].iloc[0] == pd.Timestamp("2016-11-11")
    lag = rows["Ship Date"] - pd.to_datetime(rows["Order Date"], format="%Y-%m-%d")
    assert lag.dt.days.between(0, 7).all()


def test_superstore_ship_dates_read_month_first_set_aside_the_day_first_rows(
    superstore: RawTable,
) -> None:
    plain = pd.read_csv(_path(SUPERSTORE), encoding="cp1252")
    day_first_only = plain["Ship Date"].str.split("/").str[0].astype(int) > 12
    mapping = ColumnMapping(date="Ship Date", day_first=False)

    check = check_rows(superstore, mapping)

    # 6,096 dates such as 16/6/2016 cannot be month first: their rows are set
    # aside, one line each, and the first is row 4 of the sheet (frame row 2).
    assert int(day_first_only.sum()) == 6_096
    assert (check.rows_read, check.rows_kept) == (9_994, 9_994 - 6_096)
    assert len(check.set_aside) == 6_096
    assert check.set_aside.iloc[0].to_dict() == {
        "row": 4,
        "column": "Ship Date",
        "value": "16/6/2016",
        "reason": "not a date: expected a date such as 2025-03-31 "
        "or 03/31/2025 (month first)",
    }
    expected_rows = (plain.index[day_first_only] + 2).tolist()
    assert check.set_aside["row"].tolist() == expected_rows


def test_superstore_guess(superstore: RawTable) -> None:
    mapping = guess_mapping(superstore)

    assert mapping.date in {"Order Date", "Ship Date"}
    assert mapping.team == "Region"
    assert {"Sales", "Profit", "Quantity"} <= set(mapping.numbers)
    assert "Postal Code" not in mapping.numbers
    assert "Row ID" not in mapping.numbers


def test_superstore_guess_imports_cleanly(superstore: RawTable) -> None:
    rows = clean_rows(superstore, guess_mapping(superstore))

    assert len(rows) == 9_994
    assert round(rows["Sales"].sum(), 2) == 2_297_200.86
    assert rows["Postal Code"].iloc[0] == "42420"  # text, as the file has it


def test_helpdesk_tickets() -> None:
    raw = _read(HELPDESK)
    plain = pd.read_csv(_path(HELPDESK))
    mapping = ColumnMapping(
        date="created_date",
        dimensions=("team", "status"),
        numbers=("resolution_hours",),
        team="team",
    )

    rows = clean_rows(raw, mapping)

    assert len(raw.frame) == 5_000
    assert len(rows) == 5_000
    assert set(rows["team"]) == {"Team_Alpha", "Team_Beta", "Team_Gamma", "Team_Delta"}
    assert (
        rows["status"].value_counts().to_dict()
        == plain["status"].value_counts().to_dict()
    )
    assert rows["resolution_hours"].sum() == pytest.approx(
        plain["resolution_hours"].sum()
    )
    # README: created 2024-01-01 .. 2024-12-30, at whole hours.
    assert rows["created_date"].dt.date.min().isoformat() == "2024-01-01"
    assert rows["created_date"].dt.date.max().isoformat() == "2024-12-30"
    assert rows["created_date"].iloc[0] == pd.Timestamp("2024-10-29 22:00:00")


def test_helpdesk_resolved_dates_keep_microseconds_and_skip_open_tickets() -> None:
    raw = _read(HELPDESK)

    # README: resolved_date is empty for 1,276 unresolved tickets.
    with pytest.warns(UserWarning, match=r"^1276 rows without a date were skipped"):
        rows = clean_rows(
            raw, ColumnMapping(date="resolved_date", dimensions=("team",))
        )

    assert len(rows) == 5_000 - 1_276
    assert rows["resolved_date"].iloc[0] == pd.Timestamp("2024-10-30 15:15:11.744884")


def test_helpdesk_guess() -> None:
    mapping = guess_mapping(_read(HELPDESK))

    assert mapping.date == "created_date"
    assert (mapping.team, mapping.person) == ("team", "agent")
    assert "resolution_hours" in mapping.numbers
    assert "status" in mapping.dimensions


def test_fb_ads_dates_are_day_first() -> None:
    raw = _read(FB_ADS)
    plain = pd.read_csv(_path(FB_ADS))

    mapping = guess_mapping(raw)
    rows = clean_rows(raw, mapping)

    assert (mapping.date, mapping.day_first) == ("Date", True)
    expected = pd.to_datetime(plain["Date"], format="%d-%m-%Y")
    assert rows["Date"].tolist() == expected.tolist()
    assert "ad_id" not in mapping.numbers
    # README: spend 58,705.23.
    assert round(rows["Spent"].sum(), 2) == 58_705.23


def test_crm_pipeline_close_dates_are_month_first() -> None:
    raw = _read(CRM_PIPELINE)
    plain = pd.read_csv(_path(CRM_PIPELINE))
    mapping = ColumnMapping(
        date="close_date", numbers=("close_value",), person="sales_agent"
    )

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rows = clean_rows(raw, mapping)

    # README: 2,089 open deals have no close date.
    assert "2089 rows without a date were skipped" in str(caught[0].message)
    closed = plain.dropna(subset=["close_date"])
    expected = pd.to_datetime(closed["close_date"], format="%m/%d/%Y")
    assert rows["close_date"].tolist() == expected.tolist()
    assert rows["close_value"].sum() == closed["close_value"].sum()


def test_powerbi_workbook_first_sheet() -> None:
    raw = _read(POWERBI)
    plain = pd.read_excel(_path(POWERBI), sheet_name="Sheet1")

    mapping = guess_mapping(raw)
    rows = clean_rows(raw, mapping)

    assert raw.sheet == "Sheet1"
    assert len(rows) == 700
    assert "Sales" in raw.frame.columns  # header " Sales" loses its leading space
    assert mapping.date == "Date"
    assert rows["Date"].min() == pd.Timestamp("2013-09-01")
    assert rows["Date"].max() == pd.Timestamp("2014-12-01")
    assert rows["Profit"].sum() == pytest.approx(plain["Profit"].sum())
