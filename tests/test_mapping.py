"""Guessing which column plays which part (kpi.mapping)."""

from __future__ import annotations

import io
from datetime import datetime

import openpyxl
import pandas as pd
import pytest

from kpi.errors import ImportProblem
from kpi.mapping import guess_mapping, looks_like_identifier, profile_column
from kpi.model import ColumnMapping
from kpi.reading import RawTable, read_table


def _csv(text: str, name: str = "t.csv") -> RawTable:
    return read_table(name, text.encode())


@pytest.mark.parametrize(
    ("text", "date"),
    [
        # Both are dates; the leftmost with a date-like name wins.
        ("Order Date,Ship Date,v\n2016-11-08,11/11/2016,1\n", "Order Date"),
        # Values decide when no name says "date".
        ("when,notes\n2024-01-01,a\n2024-01-02,b\n", "when"),
        # A date-like name beats an unnamed date column further left.
        ("start,created,v\n2024-01-01,2024-02-01,1\n", "created"),
        # A fuller column beats one with empty cells.
        ("close_date,engage_date\n,2024-01-01\n2024-03-01,2024-01-02\n", "engage_date"),
        # Excel serials count when the name says date/day/week.
        ("week_start,spend\n45292,10\n45299,20\n", "week_start"),
        ("team,Week\nA,2025-W10\nB,2025-W11\n", "Week"),
        ("Datum;Kosten\n03.02.2025;1,5\n10.02.2025;2,5\n", "Datum"),
    ],
)
def test_date_column(text: str, date: str) -> None:
    assert guess_mapping(_csv(text)).date == date


def test_xlsx_datetime_cells_count_as_dates() -> None:
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = "Data"
    for row in [["Booked", "team", "amount"], [datetime(2024, 5, 1), "A", 3]]:
        worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)

    mapping = guess_mapping(read_table("d.xlsx", buffer.getvalue()))

    assert mapping.date == "Booked"
    assert mapping.numbers == ("amount",)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("postal,spend\n45292,10\n45299,20\n", "t.csv"),  # serials without a date name
        ("team,spend\nA,1\nB,2\n", "t.csv"),
        ("age,spend\n30-34,1\n35-39,2\n", "t.csv"),  # age bands are not dates
    ],
)
def test_no_date_column(text: str, name: str) -> None:
    with pytest.raises(
        ImportProblem,
        match=(
            r'File "t\.csv": no column looks like a date\. Add a date column '
            r"\(one date per row\) or pick it in the mapping\."
        ),
    ) as caught:
        guess_mapping(_csv(text, name))

    assert caught.value.reason == "no_date_column"


@pytest.mark.parametrize(
    ("text", "offered"),
    [
        ("team,spend\nA,1\nB,2\n", "team"),  # nothing like a date: the first column
        ("team,created on,spend\nA,x,1\nB,y,2\n", "created on"),  # named like one
    ],
)
def test_a_date_column_is_offered_when_not_required(text: str, offered: str) -> None:
    mapping = guess_mapping(_csv(text, "t.csv"), require_date=False)

    assert mapping.date == offered
    assert offered not in mapping.dimensions


def test_no_date_column_names_the_sheet() -> None:
    workbook = openpyxl.Workbook()
    workbook.active.title = "Q1"
    workbook.active.append(["team", "spend"])
    workbook.active.append(["A", 1])
    buffer = io.BytesIO()
    workbook.save(buffer)

    with pytest.raises(ImportProblem, match=r'File "t\.xlsx", sheet "Q1": no column'):
        guess_mapping(read_table("t.xlsx", buffer.getvalue()))


@pytest.mark.parametrize(
    ("dates", "day_first"),
    [
        (["31/08/2023", "02/08/2023"], True),
        (["11/13/2016", "1/9/2014"], False),
        (["2024-01-02", "2024-01-03"], None),
        (["03/04/2026", "05/06/2026"], None),  # undecided: clean_rows will ask
        (["03.02.2025", "10.02.2025"], True),
    ],
)
def test_day_first_is_decided_from_the_values(
    dates: list[str], day_first: bool | None
) -> None:
    text = "date,v\n" + "".join(f"{day},1\n" for day in dates)

    assert guess_mapping(_csv(text)).day_first is day_first


def test_numbers_exclude_identifiers() -> None:
    text = (
        "date,cost_center,Postal Code,Row ID,ad_id,Year,leads,rate,spend\n"
        '2024-01-01,007,42420,1,708746,2014,30,12%,"$1,200.00"\n'
        "2024-01-02,12E3,6824,2,708749,2015,20,9%,(50.00)\n"
        "2024-01-03,7,10024,3,708771,2016,12,,300\n"
    )

    mapping = guess_mapping(_csv(text))

    assert mapping.numbers == ("leads", "rate", "spend")
    assert "cost_center" in mapping.dimensions
    assert "Postal Code" in mapping.dimensions


@pytest.mark.parametrize(
    ("name", "cells", "expected"),
    [
        ("cost_center", ["007", "010"], True),
        ("cost_center", ["12E3", "7"], True),
        ("cost_center", ["7", "10"], False),
        ("Postal Code", ["42420"], True),
        ("Row ID", ["1"], True),
        ("customerId", ["1"], True),
        ("zip", ["10024"], True),
        ("paid", ["1"], False),  # ends in "id" but is no identifier word
        ("leads", ["0.5", "0"], False),
        ("hours", [1.5, 2], False),
    ],
)
def test_looks_like_identifier(name: str, cells: list[object], expected: bool) -> None:
    assert looks_like_identifier(name, pd.Series(cells, dtype=object)) is expected


def test_dimensions_have_few_distinct_values() -> None:
    # 300 rows: "ticket" is unique per row (not a dimension), "status" has 3 values.
    statuses = ("open", "closed", "waiting")
    lines = [
        f"2024-01-{day % 28 + 1:02d},T-{day:04d},{statuses[day % 3]},1"
        for day in range(300)
    ]
    raw = _csv("date,ticket,status,n\n" + "\n".join(lines) + "\n")

    mapping = guess_mapping(raw)

    assert mapping.dimensions == ("status",)
    assert profile_column(raw, "ticket").distinct == 300
    assert profile_column(raw, "status").distinct == 3


def test_a_small_file_keeps_its_text_columns_as_dimensions() -> None:
    # 5 rows, 5 distinct teams: 100 % distinct, but under 200 distinct values.
    text = "date,team,v\n" + "".join(f"2024-01-0{i},T{i},1\n" for i in range(1, 6))

    assert guess_mapping(_csv(text)).dimensions == ("team",)


@pytest.mark.parametrize(
    ("columns", "team", "person"),
    [
        (["group", "region", "team"], "team", None),
        (["Region", "Department"], "Region", None),
        (["squad", "group"], "squad", None),
        (["sales_agent", "Sales Team"], "Sales Team", "sales_agent"),
        (["Account Owner", "rep"], None, "Account Owner"),
        (["Customer Name", "Product Name"], None, None),
        (["Name", "status"], None, "Name"),
        (["assignee", "employee"], None, "employee"),  # employee comes first in order
        (["report", "teamwork"], None, None),  # whole words only
    ],
)
def test_team_and_person(
    columns: list[str], team: str | None, person: str | None
) -> None:
    header = ",".join(["date", *columns, "n"])
    rows = "".join(
        ",".join([f"2024-01-0{i}", *[f"{c[:3]}{i % 2}" for c in columns], "1"]) + "\n"
        for i in range(1, 5)
    )

    mapping = guess_mapping(_csv(header + "\n" + rows))

    assert (mapping.team, mapping.person) == (team, person)
    assert set(columns) <= set(mapping.dimensions)


def test_a_guess_is_a_mapping_clean_rows_accepts() -> None:
    raw = _csv("date,team,spend\n2024-01-01,North,$10\n2024-01-02,South,$20\n")

    assert guess_mapping(raw) == ColumnMapping(
        date="date",
        dimensions=("team",),
        numbers=("spend",),
        team="team",
        person=None,
        day_first=None,
    )


@pytest.mark.parametrize(
    "text",
    [
        "Week,Team,Leads\n2026-03-02,North,30\n2026-03-09,South,20\nTotal,,50\n",
        "Week,Team,Leads\n2026-03-02,North,30\nSubtotal North:,,30\n"
        "2026-03-09,South,20\nGrand total,,50\n",
    ],
)
def test_total_lines_do_not_hide_the_date_column(text: str) -> None:
    mapping = guess_mapping(read_table("totals.csv", text.encode()))

    assert (mapping.date, mapping.numbers, mapping.team) == ("Week", ("Leads",), "Team")


def test_a_team_named_like_a_total_keeps_the_guess_whole() -> None:
    text = (
        "Week,Team,Hires,Cost\n"
        "2026-03-02,Total Rewards,3,1200\n"
        "2026-03-09,Total Rewards,2,800\n"
        "2026-03-16,Total Rewards,4,1500\n"
    )
    mapping = guess_mapping(read_table("hr.csv", text.encode()))

    assert (mapping.date, mapping.numbers, mapping.team) == (
        "Week",
        ("Hires", "Cost"),
        "Team",
    )
