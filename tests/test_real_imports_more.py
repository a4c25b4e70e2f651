"""More real public files, through the Data page's path.

read_table -> guess_mapping -> check_rows, and for a file without a date
column (an export of one period, a list) the page's offer in between:
dated_as_of dates every row with one day. Every expected figure comes from
../shared/data/real/README.md or from plain csv/pandas over the raw file.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from kpi.dated_as_of import dated_as_of
from kpi.errors import ImportProblem
from kpi.import_check import ImportCheck, check_rows
from kpi.mapping import guess_mapping
from kpi.model import ColumnMapping
from kpi.reading import RawTable, read_table

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
GA_EXPORT = "ga_universal_export_en_locale_by_os__dgapitts.csv"
RAVENSTACK = "saas_subscriptions_ravenstack__Monish-2305.csv"
ACCOUNTS = "crm_maven_accounts__kisaraF.csv"
PRODUCTS = "crm_maven_products__kisaraF.csv"
SALES_TEAMS = "crm_maven_sales_teams__kisaraF.csv"
PIPELINE = "crm_maven_sales_pipeline__kisaraF.csv"
AS_OF = date(2026, 3, 31)
# The GA export: six preamble lines, the header on line 7, data from line 8.
GA_PREAMBLE_LINES = 6


@pytest.fixture
def real_file() -> Callable[[str], Path]:
    """The path of a real file by name; skips when ../shared is not beside us."""
    if not REAL.is_dir():
        pytest.skip(f"{REAL} is absent")
    return lambda name: REAL / name


def _read(path: Path) -> RawTable:
    return read_table(path.name, path.read_bytes())


def _dated(path: Path) -> RawTable:
    """The file dated AS_OF, as the Data page offers when the guess finds no
    date column (and only then)."""
    raw = _read(path)
    with pytest.raises(ImportProblem) as refused:
        guess_mapping(raw)
    assert refused.value.reason == "no_date_column"
    return dated_as_of(raw, AS_OF)


def _all_kept(check: ImportCheck, rows_in_file: int) -> None:
    assert (check.rows_read, check.rows_kept) == (rows_in_file, rows_in_file)
    assert check.set_aside.empty
    assert (check.rows["Date"] == pd.Timestamp(AS_OF)).all()


def _ga_body(path: Path) -> pd.DataFrame:
    """The GA rows without the totals line, Browser Version kept as text."""
    plain = pd.read_csv(
        path,
        skiprows=GA_PREAMBLE_LINES,
        thousands=",",
        dtype={"Browser Version": str},
    )
    return plain[plain["Browser"].notna()]


# --- GA export: sessions by browser and OS, one period, a totals line ---------


def test_ga_export_rows_keep_their_version_codes(real_file) -> None:
    path = real_file(GA_EXPORT)
    raw = _dated(path)
    body = _ga_body(path)
    guessed = guess_mapping(raw)
    # Someone splitting sessions by version adds "Browser Version" (the guess
    # leaves it out: 215 distinct values in 281 rows is not a short list).
    mapping = replace(
        guessed, dimensions=("Browser", "Browser Version", "Operating System")
    )

    check = check_rows(raw, mapping)
    rows = check.rows.head(len(body))

    assert (guessed.date, guessed.numbers) == ("Date", ("Sessions",))
    assert {"Browser", "Operating System"} <= set(guessed.dimensions)
    assert len(body) == 281
    assert (rows["Date"] == pd.Timestamp(AS_OF)).all()
    for name in ("Browser", "Browser Version", "Operating System"):
        assert rows[name].tolist() == body[name].tolist()
    assert rows["Sessions"].tolist() == body["Sessions"].astype(float).tolist()
    # "2,533" (quoted, thousands comma) is 2,533 sessions, not 2.533.
    assert rows["Sessions"].iloc[0] == 2_533
    # Versions are codes: "8.0" and "11.0" stay as typed, never 8 or 11.0 float.
    assert rows["Browser Version"].iloc[:3].tolist() == ["40.0.2214.111", "8.0", "11.0"]


def test_ga_export_sets_its_totals_line_aside(real_file) -> None:
    path = real_file(GA_EXPORT)
    raw = _dated(path)
    with path.open(newline="") as file:
        lines = list(csv.reader(file))
    totals_line = lines.index(["", "", "", "7,374"]) + 1

    check = check_rows(raw, guess_mapping(raw))

    # 281 browser rows sum to 7,374 (pandas below), as the totals line says.
    body_sessions = int(_ga_body(path)["Sessions"].sum())
    assert (totals_line, body_sessions) == (289, 7_374)
    assert (check.rows_read, check.rows_kept) == (282, 281)
    assert check.set_aside["row"].unique().tolist() == [totals_line]
    assert check.rows["Sessions"].sum() == body_sessions


# --- CRM lists: accounts, products, sales teams (no dates at all) -------------


@pytest.mark.parametrize(
    ("file_name", "rows_in_file"),
    [(ACCOUNTS, 85), (PRODUCTS, 7), (SALES_TEAMS, 35)],
)
def test_crm_list_keeps_every_row_dated(real_file, file_name, rows_in_file) -> None:
    path = real_file(file_name)
    raw = _dated(path)

    check = check_rows(raw, guess_mapping(raw))

    assert len(pd.read_csv(path)) == rows_in_file
    _all_kept(check, rows_in_file)


def test_crm_accounts_keep_years_as_labels_and_typos(real_file) -> None:
    path = real_file(ACCOUNTS)
    raw = _dated(path)
    plain = pd.read_csv(path, dtype={"year_established": str})
    guessed = guess_mapping(raw)
    # The guess takes year_established for an amount to add up ("year" is not
    # the last word of its name); a founding year is a label, so a user moves it.
    mapping = replace(
        guessed,
        dimensions=(*guessed.dimensions, "year_established"),
        numbers=("revenue", "employees"),
    )

    check = check_rows(raw, mapping)
    rows = check.rows

    _all_kept(check, 85)
    assert rows["revenue"].sum() == pytest.approx(plain["revenue"].sum())
    assert rows["employees"].sum() == plain["employees"].sum() == 396_170
    assert rows["year_established"].tolist() == plain["year_established"].tolist()
    assert rows["account"].tolist() == plain["account"].tolist()
    # README: the sector typo "technolgy" stays; so does "Philipines".
    assert (rows["sector"] == "technolgy").sum() == (
        plain["sector"] == "technolgy"
    ).sum()
    assert (rows["sector"] == "technolgy").sum() == 12
    assert "Philipines" in set(rows["office_location"])
    # An empty subsidiary_of is "" (the account is not a subsidiary).
    assert (rows["subsidiary_of"] == "").sum() == plain["subsidiary_of"].isna().sum()


def test_crm_products_keep_their_names(real_file) -> None:
    path = real_file(PRODUCTS)
    raw = _dated(path)
    plain = pd.read_csv(path)

    check = check_rows(raw, guess_mapping(raw))

    # 550 + 4821 + 55 + 3393 + 5482 + 1096 + 26768 = 42,165
    assert check.rows["sales_price"].sum() == plain["sales_price"].sum() == 42_165
    assert check.rows["product"].tolist() == plain["product"].tolist()
    # README: the pipeline says "GTXPro"; the product list's "GTX Pro" is not
    # mended to match, and "GTK 500" stays text.
    assert {"GTX Pro", "GTK 500"} <= set(check.rows["product"])
    assert "GTXPro" not in set(check.rows["product"])


def test_crm_sales_teams_by_regional_office(real_file) -> None:
    path = real_file(SALES_TEAMS)
    raw = _dated(path)
    plain = pd.read_csv(path)
    pipeline_agents = set(pd.read_csv(real_file(PIPELINE))["sales_agent"])
    guessed = guess_mapping(raw)
    # The guess finds no team ("regional" is not the word "region"); the
    # README's agent -> manager -> regional office makes the office the team.
    mapping = replace(guessed, team="regional_office")

    check = check_rows(raw, mapping)
    rows = check.rows

    assert guessed.person == "sales_agent"
    _all_kept(check, 35)
    assert rows["sales_agent"].tolist() == plain["sales_agent"].tolist()
    assert (
        rows["regional_office"].value_counts().to_dict()
        == plain["regional_office"].value_counts().to_dict()
        == {"East": 12, "West": 12, "Central": 11}
    )
    assert rows["manager"].nunique() == plain["manager"].nunique()
    # README: 30 of the 35 agents have deals in the pipeline.
    assert len(pipeline_agents & set(rows["sales_agent"])) == 30
    assert pipeline_agents <= set(rows["sales_agent"])


# --- RavenStack subscriptions --------------------------------------------------


@pytest.fixture
def ravenstack(real_file) -> tuple[RawTable, pd.DataFrame]:
    path = real_file(RAVENSTACK)
    return _read(path), pd.read_csv(path)


def test_ravenstack_by_start_date(ravenstack) -> None:
    raw, plain = ravenstack

    mapping = guess_mapping(raw)
    check = check_rows(raw, mapping)
    rows = check.rows

    # A subscription always starts; end_date is empty for 4,514 of 5,000.
    assert mapping.date == "start_date"
    assert {"seats", "mrr_amount", "arr_amount"} == set(mapping.numbers)
    assert (check.rows_read, check.rows_kept) == (5_000, 5_000)
    assert check.set_aside.empty
    assert rows["start_date"].min() == pd.Timestamp("2023-01-09")
    assert rows["start_date"].max() == pd.Timestamp("2024-12-31")
    assert rows["mrr_amount"].sum() == plain["mrr_amount"].sum()
    assert rows["arr_amount"].sum() == plain["arr_amount"].sum()
    assert rows["seats"].sum() == plain["seats"].sum()
    # README: arr = 12 x mrr on every row.
    assert (rows["arr_amount"] == 12 * rows["mrr_amount"]).all()
    assert rows["account_id"].tolist() == plain["account_id"].tolist()


@pytest.mark.parametrize(
    ("column", "true_count"),
    [
        ("is_trial", 778),  # README
        ("churn_flag", 486),  # README
        ("upgrade_flag", None),
        ("downgrade_flag", None),
        ("auto_renew_flag", None),  # last column: CRLF must not stick to it
    ],
)
def test_ravenstack_flags_stay_true_false(ravenstack, column, true_count) -> None:
    raw, plain = ravenstack

    rows = check_rows(raw, guess_mapping(raw)).rows

    assert set(rows[column]) == {"True", "False"}
    assert (rows[column] == "True").sum() == plain[column].sum()
    if true_count is not None:
        assert plain[column].sum() == true_count


def test_ravenstack_trials_and_billing(ravenstack) -> None:
    raw, plain = ravenstack

    rows = check_rows(raw, guess_mapping(raw)).rows

    # README: 778 trials, all with mrr 0; billing monthly 2,539 / annual 2,461.
    trials = rows[rows["is_trial"] == "True"]
    assert len(trials) == 778
    assert (trials["mrr_amount"] == 0).all()
    assert (
        rows["billing_frequency"].value_counts().to_dict()
        == plain["billing_frequency"].value_counts().to_dict()
        == {"monthly": 2_539, "annual": 2_461}
    )


def test_ravenstack_by_end_date_sets_open_subscriptions_aside(ravenstack) -> None:
    raw, plain = ravenstack
    mapping = ColumnMapping(
        date="end_date", dimensions=("churn_flag",), numbers=("mrr_amount",)
    )

    check = check_rows(raw, mapping)

    open_rows = plain.index[plain["end_date"].isna()] + 2  # header is row 1
    assert len(open_rows) == 4_514
    assert (check.rows_read, check.rows_kept) == (5_000, 486)
    assert check.set_aside["row"].tolist() == open_rows.tolist()
    assert check.set_aside["reason"].str.startswith("no date").all()
    assert (check.rows["churn_flag"] == "True").all()
    ended = plain[plain["end_date"].notna()]
    assert check.rows["mrr_amount"].sum() == ended["mrr_amount"].sum()
