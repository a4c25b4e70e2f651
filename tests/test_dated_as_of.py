"""Files without a date column, dated with the day they describe."""

from __future__ import annotations

from datetime import date

import pandas as pd

from kpi.dated_as_of import dated_as_of
from kpi.import_check import check_rows
from kpi.mapping import guess_mapping
from kpi.reading import read_table

TEAMS = b"# Team list\nagent,manager,office\nAnna,Rui,East\nBo,Rui,East\nCy,Lea,West\n"


def test_every_row_gets_the_day_in_a_new_first_column() -> None:
    raw = read_table("teams.csv", TEAMS)

    dated = dated_as_of(raw, date(2026, 3, 31))

    assert list(dated.frame.columns) == ["Date", "agent", "manager", "office"]
    # Header on sheet row 2 (after the title line), so data on rows 3 to 5.
    assert [dated.sheet_row(i) for i in range(3)] == [3, 4, 5]
    assert 'every row is dated 2026-03-31 in a new column "Date"' in dated.notes[-1]
    assert list(raw.frame.columns) == ["agent", "manager", "office"], "raw unchanged"


def test_a_dated_list_imports_every_row_on_that_day() -> None:
    dated = dated_as_of(read_table("teams.csv", TEAMS), date(2026, 3, 31))

    check = check_rows(dated, guess_mapping(dated))

    assert (check.rows_read, check.rows_kept) == (3, 3)
    assert (check.rows["Date"] == pd.Timestamp("2026-03-31")).all()
    assert sorted(check.rows["office"]) == ["East", "East", "West"]


def test_a_file_with_a_date_column_gets_another_name() -> None:
    raw = read_table("d.csv", b"Date,amount\nnot a date,1\nsoon,2\n")

    dated = dated_as_of(raw, date(2026, 1, 1))

    assert list(dated.frame.columns) == ["Date_2", "Date", "amount"]
