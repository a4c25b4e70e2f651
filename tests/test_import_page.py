"""The Data page's import choices: mode, tables, reports, long files, meanings.

Every count below is worked from the CSV beside it, by hand.
"""

from __future__ import annotations

from datetime import date

import pytest

from kpi.model import EVERYTHING
from kpi.store import Store
from tests.test_journey import by_label
from tests.test_pages import open_app

FIRST_WEEKS = (
    b"Week,Team,Leads\n"
    b"2026-03-02,North,30\n"
    b"2026-03-02,South,20\n"
    b"2026-03-09,North,45\n"
    b"2026-03-09,South,25\n"
)
# Corrects North's week of 9 March (45 -> 50) and brings North's next week.
NEXT_WEEKS = b"Week,Team,Leads\n2026-03-09,North,50\n2026-03-16,North,40\n"


def upload(app, name: str, content: bytes):
    app.file_uploader[0].set_value((name, content, "text/csv")).run()
    return app


def stored(url: str, name: str):
    store = Store(url)
    dataset = store.dataset(name)
    assert dataset is not None
    return dataset, store.rows(dataset.id, dataset.version)


def import_first_weeks(app):
    upload(app, "leads.csv", FIRST_WEEKS)
    by_label(app.button, "Import").click().run()


@pytest.mark.parametrize(
    ("mode", "ready", "row_count", "leads"),
    [
        # Merge: key (9 March, North) is replaced, (16 March, North) is new:
        # 4 - 1 + 2 = 5 rows; 30 + 20 + 50 + 25 + 40 = 165 leads.
        ("Merge", "goes from 4 to 5 rows (1 added, 1 replaced)", 5, 165),
        # Append: both rows added, 4 + 2 = 6; 30 + 20 + 45 + 25 + 50 + 40 = 210.
        ("Append", "goes from 4 to 6 rows (2 added, 0 replaced)", 6, 210),
        # Replace: the file's 2 rows alone; 50 + 40 = 90.
        ("Replace", "goes from 4 to 2 rows (2 added, 4 replaced)", 2, 90),
    ],
)
def test_a_second_file_goes_in_by_the_chosen_mode(
    app_env, mode, ready, row_count, leads
):
    app = open_app("pages/data.py")
    import_first_weeks(app)

    upload(app, "leads.csv", NEXT_WEEKS)
    radio = next(r for r in app.radio if r.label.startswith('"leads" exists'))
    radio.set_value(next(o for o in radio.options if o.startswith(mode))).run()

    assert any(ready in s.value for s in app.success), [s.value for s in app.success]
    by_label(app.button, "Import").click().run()
    dataset, rows = stored(app_env, "leads")
    assert (dataset.version, dataset.row_count, rows["Leads"].sum()) == (
        2,
        row_count,
        leads,
    )


def test_a_re_upload_merges_by_default_and_says_what_it_did(app_env):
    app = open_app("pages/data.py")
    import_first_weeks(app)

    upload(app, "leads.csv", NEXT_WEEKS)
    by_label(app.button, "Import").click().run()

    # The file's 2 rows: (16 March, North) new, (9 March, North) replacing one.
    expected = 'Imported 2 rows into "leads" (version 2): 1 new, 1 replaced, 5 rows'
    assert any(expected in s.value for s in app.success), [s.value for s in app.success]


def test_replacing_a_dataset_names_the_metrics_it_would_break(app_env):
    app = open_app("pages/data.py")
    # The sample's "sales" dataset feeds revenue, deals, calls... from its columns.
    upload(app, "sales.csv", b"Date,Region,Revenue\n2026-04-01,East,100\n")
    assert app.error, "a merge needs the dataset's columns"
    radio = next(r for r in app.radio if r.label.startswith('"sales" exists'))
    radio.set_value(next(o for o in radio.options if o.startswith("Replace"))).run()

    broken = [w.value for w in app.warning if "breaks it" in w.value]
    assert any('"revenue"' in message for message in broken), broken
    assert any('"calls"' in message for message in broken), broken


def test_appending_rows_the_dataset_has_warns_of_counting_twice(app_env):
    app = open_app("pages/data.py")
    import_first_weeks(app)

    upload(app, "leads.csv", NEXT_WEEKS)
    radio = next(r for r in app.radio if r.label.startswith('"leads" exists'))
    radio.set_value(next(o for o in radio.options if o.startswith("Append"))).run()

    # Only (9 March, North) is already there.
    assert any("1 of this file's rows" in w.value for w in app.warning)


def test_a_merge_mapped_unlike_the_dataset_is_refused_before_import(app_env):
    app = open_app("pages/data.py")
    import_first_weeks(app)

    upload(app, "leads.csv", b"Week,Team,Leads,Spend\n2026-03-16,North,40,900\n")
    radio = next(r for r in app.radio if r.label.startswith('"leads" exists'))
    radio.set_value(next(o for o in radio.options if o.startswith("Merge"))).run()

    assert app.error, "a different mapping cannot merge"
    assert not [b for b in app.button if b.label == "Import"]


TWO_TABLES = (
    b"Week,Team,Leads\n2026-03-02,North,30\n2026-03-09,North,45\n\n"
    b"Month,Region,Revenue\n2026-01-01,East,1000\n2026-02-01,East,1200\n"
    b"2026-03-01,East,900\n"
)


def test_a_file_with_two_tables_offers_each(app_env):
    app = open_app("pages/data.py")
    upload(app, "two.csv", TWO_TABLES)

    table = by_label(app.selectbox, "Table")
    assert len(table.options) == 2
    assert by_label(app.selectbox, "Date column").value == "Week"

    table.set_value(1).run()
    assert by_label(app.selectbox, "Date column").value == "Month"
    assert any("Ready: 3 of 3 rows" in s.value for s in app.success)
    by_label(app.button, "Import").click().run()
    dataset, rows = stored(app_env, "two – table 2")
    assert (dataset.row_count, rows["Revenue"].sum()) == (3, 3100)


REPORT = (
    b"Region,Jan 2026,Feb 2026,Mar 2026,Total\n"
    b"North,10,20,30,60\n"
    b"South,5,5,5,15\n"
    b"Total,15,25,35,75\n"
)


def test_a_report_with_months_across_turns_into_rows(app_env):
    app = open_app("pages/data.py")
    upload(app, "report.csv", REPORT)

    assert by_label(app.checkbox, "Turn into rows").value
    # 2 regions x 3 months; the Total row (sheet row 4) and column are left out.
    assert any("Ready: 6 of 6 rows" in s.value for s in app.success)
    notes = " ".join(i.value for i in app.info)
    assert "Rows left out (totals or no label): row 4" in notes, notes
    assert 'Columns left out: "Total"' in notes, notes
    by_label(app.button, "Import").click().run()
    dataset, rows = stored(app_env, "report")
    assert (dataset.row_count, rows["Value"].sum()) == (6, 75)


LONG = (
    b"Date,Team,Metric,Value\n"
    b"2026-03-02,North,Leads,30\n"
    b"2026-03-02,North,Spend,1200\n"
    b"2026-03-09,North,Leads,45\n"
    b"2026-03-09,North,Spend,900\n"
)


def test_a_long_file_gets_one_number_column_per_metric(app_env):
    app = open_app("pages/data.py")
    upload(app, "long.csv", LONG)

    assert by_label(app.checkbox, "One column per metric name").value
    assert set(by_label(app.multiselect, "Number columns").value) == {"Leads", "Spend"}
    by_label(app.button, "Import").click().run()
    dataset, rows = stored(app_env, "long")
    # Two dates of North: Leads 30 + 45, Spend 1200 + 900.
    assert (dataset.row_count, rows["Leads"].sum(), rows["Spend"].sum()) == (
        2,
        75,
        2100,
    )


RUNNING = (
    b"Month,Team,Revenue YTD\n"
    b"2026-01-31,North,100\n"
    b"2026-02-28,North,250\n"
    b"2026-03-31,North,300\n"
)


def test_running_totals_reach_metrics_as_per_period_values(app_env):
    app = open_app("pages/data.py")
    upload(app, "ytd.csv", RUNNING)
    by_label(
        app.multiselect, "Running totals (turned into per-period values)"
    ).set_value(["Revenue YTD"]).run()
    by_label(app.button, "Import").click().run()

    dataset, rows = stored(app_env, "ytd")
    # Stored as the file holds it; read per month: 100, 250 - 100, 300 - 250.
    assert rows["Revenue YTD"].tolist() == [100, 250, 300]
    assert dataset.mapping.number_kind("Revenue YTD") == "running_total"

    from pages import common

    per_month = common.rows(EVERYTHING)["ytd"].frame["Revenue YTD"].tolist()
    assert per_month == [100, 150, 50]


def test_a_file_without_dates_is_dated_with_the_day_picked(app_env):
    app = open_app("pages/data.py")
    upload(app, "by team.csv", b"Team,Leads,Spend\nNorth,30,1200\nSouth,20,800\n")

    by_label(
        app.checkbox, "The file has no date column: date every row with one day"
    ).check().run()
    by_label(app.date_input, "Every row is dated").set_value(date(2026, 3, 31)).run()

    assert by_label(app.selectbox, "Date column").value == "Date"
    by_label(app.button, "Import").click().run()
    dataset, rows = stored(app_env, "by team")
    assert dataset.row_count == 2
    assert rows["Date"].dt.date.tolist() == [date(2026, 3, 31)] * 2
    assert rows["Leads"].sum() == 50  # 30 + 20
