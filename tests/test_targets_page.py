"""The Targets tab of Metrics & KPIs: split a year's target into months, type
some months by hand, save, load, delete; the KPI form's "from the table" box."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
import pytest

from kpi.model import KPI, Target
from kpi.planned_target import PlannedTarget
from kpi.sample import sample_definitions
from kpi.store import Store
from tests.conftest import APP_TODAY
from tests.test_journey import by_label
from tests.test_pages import open_app

EDITOR = "pages/definitions.py"
FROM_PLAN = "Take the target from the target table"
MONTHS_2026 = [date(2026, number, 1) for number in range(1, 13)]


def plan(app, metric: str, team: str | None, total: float, method: str | None = "even"):
    """Choose the metric, team, its 2026 target and the split (None: none offered)."""
    app.selectbox(key="target-metric").set_value(metric).run()
    app.selectbox(key="target-team").set_value(team).run()
    label = next(n.label for n in app.number_input if n.label.startswith("Target for"))
    by_label(app.number_input, label).set_value(total).run()
    if method is not None:
        app.selectbox(key="target-method").set_value(method).run()
    return app


def type_months(app, typed: dict[int, str]):
    """Type into the months table: {row position: text}, as a person would."""
    editor = app.data_editor[0]
    app.session_state[editor.key] = {
        "edited_rows": {position: {"Target": text} for position, text in typed.items()},
        "added_rows": [],
        "deleted_rows": [],
    }
    return app.run()


def to_be_saved(app) -> pd.DataFrame:
    """The read-only table of months beside the editor."""
    return next(
        frame.value
        for frame in app.dataframe
        if frame.editing_mode == "read_only"
        and frame.value.columns.tolist() == ["Month", "Target", "Set by hand"]
    )


def stored(url: str) -> list[PlannedTarget]:
    """The target lines a test wrote: every stored line but the sample's own."""
    sample = set(sample_definitions(date.fromisoformat(APP_TODAY)).targets)
    return sorted(
        (row for row in Store(url).definitions().targets if row not in sample),
        key=lambda row: (row.team or "", row.start),
    )


def sales_east_revenue_2026():
    """Sales East's revenue for 2026: 1,200,000 split evenly."""
    return plan(open_app(EDITOR), "revenue", "Sales East", 1_200_000.0)


# --- splitting and typing months -------------------------------------------


def test_an_even_split_saves_twelve_months_of_a_twelfth(app_env):
    app = sales_east_revenue_2026()

    by_label(app.button, "Save targets").click().run()

    rows = stored(app_env)
    # 1,200,000 / 12 = 100,000 for each month of 2026.
    assert [row.value for row in rows] == pytest.approx([100_000.0] * 12)
    assert [row.start for row in rows] == MONTHS_2026
    assert {(row.team, row.person, row.overridden) for row in rows} == {
        ("Sales East", None, False)
    }
    assert any("12 months of Revenue" in s.value for s in app.success)


@pytest.mark.parametrize(
    "position, typed, value, others",
    [
        # December 50,000: (1,200,000 - 50,000) / 11 = 104,545.4545... each.
        (11, "50000", 50_000.0, 1_150_000 / 11),
        # January $320,000: (1,200,000 - 320,000) / 11 = 80,000 each.
        (0, "$320,000", 320_000.0, 80_000.0),
    ],
)
def test_a_typed_month_is_kept_and_the_others_share_the_rest(
    app_env, position, typed, value, others
):
    app = type_months(sales_east_revenue_2026(), {position: typed})

    by_label(app.button, "Save targets").click().run()

    rows = stored(app_env)
    assert (rows[position].value, rows[position].overridden) == (value, True)
    rest = [row for i, row in enumerate(rows) if i != position]
    assert [row.value for row in rest] == pytest.approx([others] * 11)
    assert not any(row.overridden for row in rest)


def test_the_preview_shows_the_typed_month_and_the_total(app_env):
    app = type_months(sales_east_revenue_2026(), {11: "50000"})

    months = to_be_saved(app)
    # The other eleven: 1,150,000 / 11 = 104,545.45, shown rounded to $104,545.
    assert months["Target"].tolist() == ["$104,545"] * 11 + ["$50,000"]
    assert months["Set by hand"].tolist() == [False] * 11 + [True]
    assert any("add up to **$1.20M** for 2026" in m.value for m in app.markdown)


@pytest.mark.parametrize(
    "metric, value, shown",
    [
        ("call_to_meeting_rate", 0.13, "13.0%"),  # a formula: meetings / calls
        ("average_deal_size", 12_000.0, "$12,000"),  # revenue / deals_won
    ],
)
def test_a_rate_or_average_gets_the_value_in_every_month(app_env, metric, value, shown):
    app = plan(open_app(EDITOR), metric, None, value, method=None)

    assert to_be_saved(app)["Target"].tolist() == [shown] * 12
    assert any("every month of 2026 gets the value" in i.value for i in app.info)
    assert app.selectbox(key="target-method").disabled
    assert not any("add up to" in m.value for m in app.markdown)


@pytest.mark.parametrize(
    "typed, message",
    [
        # 700,000 + 600,000 = 1,300,000 > 1,200,000.
        (
            {0: "700000", 1: "600000"},
            "The months typed in add up to 1,300,000, more than the total of "
            "1,200,000.",
        ),
        ({3: "lots"}, 'Apr 2026: "lots" is not a number.'),
    ],
)
def test_months_that_cannot_be_kept_are_explained_and_nothing_saves(
    app_env, typed, message
):
    app = type_months(sales_east_revenue_2026(), typed)

    assert any(message in e.value for e in app.error), [e.value for e in app.error]
    assert not app.exception
    assert by_label(app.button, "Save targets").disabled
    assert stored(app_env) == []


# Refused on a currency metric (revenue), each with what to type instead.
REFUSED_MONTHS = [
    ({0: "-5000"}, ['Jan 2026: "-5000" is below zero', "Type 5,000 without a minus"]),
    # Shown with "$" escaped, so that the markdown does not open a formula.
    ({1: "$-400,000"}, ['Feb 2026: "\\$-400,000" is below zero', "Type 400,000"]),
    ({2: "(500)"}, ['Mar 2026: "(500)" is below zero', "Type 500 without"]),
    (
        {3: "12%"},
        [
            'Apr 2026: "12%" has a percent sign, but Revenue is not counted in '
            "percent. Type the amount itself, such as 95000 or \\$95,000."
        ],
    ),
    # 1e400 is beyond a float (infinity); 1e308 and 2e15 are finite but absurd.
    ({4: "1e400"}, ['May 2026: "1e400" is too large to be a target.']),
    ({5: "1e308"}, ['Jun 2026: "1e308" is too large to be a target.']),
    ({6: "2e15"}, ['Jul 2026: "2e15" is too large', "at most 1,000,000,000,000,000"]),
    # Every refused month is named at once, not only the first.
    (
        {0: "-5000", 11: "12%"},
        ['Jan 2026: "-5000" is below zero', 'Dec 2026: "12%" has a percent sign'],
    ),
]


@pytest.mark.parametrize("typed, messages", REFUSED_MONTHS)
def test_refused_months_are_named_and_nothing_saves(app_env, typed, messages):
    app = type_months(sales_east_revenue_2026(), typed)

    errors = " ".join(e.value for e in app.error)
    assert all(message in errors for message in messages), errors
    assert not app.exception
    assert by_label(app.button, "Save targets").disabled
    assert stored(app_env) == []


@pytest.mark.parametrize(
    "total, message",
    [
        (-5000.0, "The target for 2026: -5,000 is below zero"),
        (2e15, "The target for 2026: 2e+15 is too large to be a target"),
    ],
)
def test_a_refused_total_is_named_and_nothing_saves(app_env, total, message):
    app = plan(open_app(EDITOR), "revenue", "Sales East", total)

    assert any(message in e.value for e in app.error), [e.value for e in app.error]
    assert by_label(app.button, "Save targets").disabled
    assert stored(app_env) == []


def test_a_percent_metric_reads_12_percent_and_0_12_alike(app_env):
    app = plan(open_app(EDITOR), "call_to_meeting_rate", None, 0.13, method=None)
    app = type_months(app, {0: "12%", 1: "0.12"})

    by_label(app.button, "Save targets").click().run()

    # 12 % is 12 / 100 = 0.12; the ten months not typed keep the 13 %.
    assert [row.value for row in stored(app_env)] == pytest.approx(
        [0.12, 0.12] + [0.13] * 10
    )


def test_last_years_shape_follows_the_owners_actuals(app_env):
    app = plan(open_app(EDITOR), "revenue", "Sales East", 1_200_000.0, "last_year")
    by_label(app.button, "Save targets").click().run()

    store = Store(app_env)
    sales = next(d for d in store.datasets() if d.name == "sales")
    frame = store.rows(sales.id, sales.version)
    east_2025 = frame[(frame["team"] == "Sales East") & (frame["date"].dt.year == 2025)]
    by_month = east_2025.groupby(east_2025["date"].dt.month)["revenue"].sum()
    # Each month gets 1,200,000 x its share of Sales East's 2025 revenue.
    expected = (1_200_000.0 * by_month / by_month.sum()).tolist()
    assert [row.value for row in stored(app_env)] == pytest.approx(expected)


# --- saved plans: loading, changing, deleting, listing -----------------------


def test_saved_months_load_and_a_new_total_keeps_the_typed_month(app_env):
    app = type_months(sales_east_revenue_2026(), {11: "50000"})
    by_label(app.button, "Save targets").click().run()

    assert by_label(app.radio, "Start from").value == "The saved months"
    loaded = app.data_editor[0].value
    assert loaded["Target"].tolist()[-1] == "$50,000"
    assert loaded["Set by hand"].tolist() == [False] * 11 + [True]
    assert by_label(app.number_input, "Target for 2026").value == pytest.approx(
        1_200_000.0
    )

    by_label(app.number_input, "Target for 2026").set_value(1_500_000.0).run()
    by_label(app.button, "Save targets").click().run()

    rows = stored(app_env)
    assert len(rows) == 12
    assert rows[-1].value == 50_000.0
    # (1,500,000 - 50,000) / 11 = 131,818.18 for each other month.
    assert [row.value for row in rows[:-1]] == pytest.approx([1_450_000 / 11] * 11)


def test_deleting_needs_the_confirmation(app_env):
    app = sales_east_revenue_2026()
    by_label(app.button, "Save targets").click().run()
    assert by_label(app.button, "Delete these targets").disabled

    sure = "Yes, delete the 12 saved lines of Revenue for Sales East, 2026"
    by_label(app.checkbox, sure).check().run()
    by_label(app.button, "Delete these targets").click().run()

    assert stored(app_env) == []
    assert any(s.value == "Deleted." for s in app.success)
    # No sample KPI takes its target from the table, so none is named.
    assert not any("take their target" in w.value for w in app.warning)


def test_deleting_names_the_kpis_that_take_their_target_from_these_lines(app_env):
    app = sales_east_revenue_2026()
    by_label(app.button, "Save targets").click().run()
    store = Store(app_env)
    kpis = {k.key: k for k in store.definitions().kpis}
    east = kpis["revenue_sales_east"]  # revenue, Sales East, all of 2026
    planned_total = Target("total", 1.0, from_plan=True)
    for kpi in [
        replace(east, target=planned_total),  # reads these lines: named
        replace(kpis["revenue_sales_west"], target=planned_total),  # another team
        replace(kpis["revenue_maya_chen"], target=planned_total),  # a person
        replace(kpis["revenue_this_year"], target=planned_total),  # whole company
        KPI(  # Sales East revenue, but in 2025: no day in common
            "east_2025",
            "Sales East revenue 2025",
            "revenue",
            planned_total,
            date(2025, 1, 1),
            date(2025, 12, 31),
            team="Sales East",
        ),
        KPI(  # a level on Sales East's revenue for June only: named
            "east_june",
            "Sales East revenue in June",
            "revenue",
            Target("level", 1.0, period="month", from_plan=True),
            date(2026, 6, 1),
            date(2026, 6, 30),
            team="Sales East",
        ),
    ]:
        store.save_kpi(kpi)
    app.run()

    warning = next(w.value for w in app.warning if "take their target" in w.value)
    assert (
        'these lines: "Sales East revenue +20%", "Sales East revenue in June". '
        'Once the lines are deleted they show "no data"'
    ) in warning
    assert "unticked" in warning
    assert stored(app_env) != []  # nothing deleted yet


def test_the_target_table_lists_every_line_by_metric_owner_and_month(app_env):
    app = open_app(EDITOR)
    # The sample has saved Sales West's months already: start a new split.
    app.selectbox(key="target-metric").set_value("revenue").run()
    app.selectbox(key="target-team").set_value("Sales West").run()
    app.radio[0].set_value("A new split").run()
    plan(app, "revenue", "Sales West", 600_000.0)
    by_label(app.button, "Save targets").click().run()
    plan(app, "revenue", "Sales East", 1_200_000.0)
    by_label(app.button, "Save targets").click().run()

    table = next(f.value for f in app.dataframe if "Metric" in f.value.columns)
    # Sales East before Sales West, each January to December; 600,000 / 12 = 50,000.
    assert table["Owner"].tolist() == ["Sales East"] * 12 + ["Sales West"] * 12
    assert table["Month"].tolist()[:2] == ["Jan 2026", "Feb 2026"]
    assert table["Target"].tolist() == ["$100,000"] * 12 + ["$50,000"] * 12


def test_a_fiscal_workspace_plans_fiscal_years(app_env):
    app = open_app(EDITOR)
    Store(app_env).set_setting("workspace", {"fiscal_start_month": 4})
    app.run()

    # 2026-04-30 lies in April 2026 - March 2027, named FY2027 by its end.
    assert app.selectbox(key="target-year").options == ["FY2027", "FY2028"]
    plan(app, "revenue", None, 1_200_000.0)
    months = to_be_saved(app)["Month"].tolist()
    assert (months[0], months[-1], len(months)) == ("Apr 2026", "Mar 2027", 12)


# --- the KPI form ------------------------------------------------------------


@pytest.mark.parametrize("ticked", [True, False])
def test_the_kpi_form_stores_whether_the_target_comes_from_the_table(app_env, ticked):
    app = open_app(EDITOR)
    by_label(app.selectbox, "Edit KPI").set_value("revenue_this_year").run()

    box = by_label(app.checkbox, FROM_PLAN)
    assert box.value is False  # the sample KPI takes its own +20 %
    box.set_value(ticked).run()
    by_label(app.button, "Save KPI").click().run()

    kpis = {k.key: k for k in Store(app_env).definitions().kpis}
    assert kpis["revenue_this_year"].target.from_plan is ticked


def test_ticking_the_box_explains_what_the_table_decides(app_env):
    app = open_app(EDITOR)
    by_label(app.checkbox, FROM_PLAN).check().run()

    caption = " ".join(c.value for c in app.caption)
    assert "A total sums the planned months of the KPI's time frame" in caption
    assert "a level takes the value in force at its end" in caption
    assert 'the KPI shows "no data" and names the gap' in caption
    assert "a bucket without a line is not judged" in caption
    assert "not used while this box is ticked" in caption
