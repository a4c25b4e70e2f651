"""The Metrics & KPIs page keeps what the user did not touch and refuses what breaks."""

from __future__ import annotations

import io

import openpyxl

from kpi.model import Metric
from kpi.store import Store
from tests.test_journey import by_label
from tests.test_pages import open_app

EDITOR = "pages/definitions.py"
TARGET_LABEL = "Target value (a change as a fraction: 0.15 for +15 %)"


def test_a_new_metric_never_replaces_an_existing_one(app_env):
    app = open_app(EDITOR)
    before = Store(app_env).definitions().metric("leads")

    by_label(app.selectbox, "Dataset").set_value("sales").run()
    by_label(app.text_input, "Label").set_value("Leads")
    by_label(app.selectbox, "Column").set_value("calls")
    by_label(app.button, "Save metric").click().run()

    assert any('A metric named "leads" exists already' in e.value for e in app.error)
    assert Store(app_env).definitions().metric("leads") == before


def test_saving_a_kpi_unchanged_keeps_its_weight_and_says_so(app_env):
    app = open_app(EDITOR)

    by_label(app.selectbox, "Edit KPI").set_value("revenue_this_year").run()
    by_label(app.button, "Save KPI").click().run()

    kpis = {k.key: k for k in Store(app_env).definitions().kpis}
    assert kpis["revenue_this_year"].weight == 3  # as in data/sample/goalpost.yaml
    assert any(s.value == "Saved." for s in app.success)


BASELINE_LABEL = "Baseline (level: where progress starts; empty: the first period)"


def test_a_level_baseline_of_zero_is_kept(app_env):
    app = open_app(EDITOR)

    # Call-to-meeting rate: higher is better, so a baseline of 0 lies below 13 %.
    by_label(app.selectbox, "Edit KPI").set_value("call_to_meeting_rate").run()
    by_label(app.number_input, BASELINE_LABEL).set_value(0.0)
    by_label(app.button, "Save KPI").click().run()

    kpis = {k.key: k for k in Store(app_env).definitions().kpis}
    assert kpis["call_to_meeting_rate"].target.baseline == 0.0


def test_a_baseline_beyond_the_target_is_refused(app_env):
    app = open_app(EDITOR)

    # Cost per lead: lower is better, so a baseline of 0 would already be past 18.
    by_label(app.selectbox, "Edit KPI").set_value("cost_per_lead").run()
    by_label(app.number_input, BASELINE_LABEL).set_value(0.0)
    by_label(app.button, "Save KPI").click().run()

    assert any("baseline 0 must be above the target 18" in e.value for e in app.error)
    kpis = {k.key: k for k in Store(app_env).definitions().kpis}
    assert kpis["cost_per_lead"].target.baseline != 0.0


def test_a_filter_without_equals_is_refused(app_env):
    app = open_app(EDITOR)

    by_label(app.text_input, "Label").set_value("Organic leads")
    by_label(app.selectbox, "Column").set_value("leads")
    by_label(
        app.text_input, "Filters (column = value, or column != value; separate with ;)"
    ).set_value("channel")
    by_label(app.button, "Save metric").click().run()

    assert any('Filter "channel" has no "="' in e.value for e in app.error)
    assert "organic_leads" not in {m.name for m in Store(app_env).definitions().metrics}


def test_an_empty_definitions_file_cannot_wipe_everything(app_env):
    app = open_app(EDITOR)

    app.file_uploader[0].set_value(("empty.yaml", b"", "application/x-yaml")).run()
    app.checkbox(key="replace-sure").check().run()

    assert any("defines nothing" in e.value for e in app.error)
    assert by_label(app.button, "Replace all definitions").disabled
    assert len(Store(app_env).definitions().kpis) == 17


def two_sheet_workbook() -> bytes:
    workbook = openpyxl.Workbook()
    north = workbook.active
    north.title = "North"
    north.append(["Week", "Leads"])
    north.append(["2026-03-02", 30])
    south = workbook.create_sheet("South")
    south.append(["Week", "Leads"])
    south.append(["2026-03-02", 20])
    south.append(["2026-03-09", 25])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_each_sheet_of_a_workbook_imports_on_its_own(app_env):
    app = open_app("pages/data.py")
    app.file_uploader[0].set_value(("leads.xlsx", two_sheet_workbook(), "")).run()

    by_label(app.button, "Import").click().run()
    by_label(app.selectbox, "Sheet").set_value("South").run()
    by_label(app.button, "Import").click().run()

    stored = {d.name: d.row_count for d in Store(app_env).datasets()}
    assert stored["leads – North"] == 1
    assert stored["leads – South"] == 2


def test_rows_set_aside_are_explained_on_the_page(app_env):
    csv = b"date,team,leads\n2026-03-02,North,30\n,North,12\n2026-03-09,North,45\n"
    app = open_app("pages/data.py")

    app.file_uploader[0].set_value(("gaps.csv", csv, "text/csv")).run()

    assert any("Ready: 2 of 3 rows" in s.value for s in app.success)
    assert any("row 3" in w.value for w in app.warning), [w.value for w in app.warning]


def test_a_total_line_is_set_aside_and_named(app_env):
    csv = b"Week,Team,Leads\n2026-03-02,North,30\nTotal,,30\n"
    app = open_app("pages/data.py")

    app.file_uploader[0].set_value(("totals.csv", csv, "text/csv")).run()

    warnings = " ".join(w.value for w in app.warning)
    assert by_label(app.selectbox, "Date column").value == "Week"
    assert "total" in warnings and "row 3" in warnings, warnings
    assert any("Ready: 1 of 2 rows" in s.value for s in app.success)


def test_a_link_to_an_unknown_team_says_so(app_env):
    app = open_app("pages/team.py", team="Nobody")

    assert any('"Nobody"' in w.value for w in app.warning)
    assert not app.exception


def test_settings_are_saved_for_the_workspace(app_env):
    app = open_app("pages/settings.py")

    by_label(app.selectbox, "Weeks start on").set_value("sunday")
    by_label(
        app.number_input, "At risk from a pace of (fraction; below it: off track)"
    ).set_value(0.8)
    by_label(app.button, "Save settings").click().run()

    saved = Store(app_env).setting("workspace")
    assert (saved["week_start"], saved["at_risk_pace"]) == ("sunday", 0.8)
    assert any(s.value == "Settings saved." for s in app.success)


def test_open_date_orders_follow_the_day_first_setting(app_env):
    app = open_app("pages/data.py")
    Store(app_env).set_setting("workspace", {"day_first": True})
    # 03/04 and 05/06 read either way: only the setting can decide.
    csv = b"date,team,leads\n03/04/2026,North,3\n05/06/2026,North,4\n"

    app.file_uploader[0].set_value(("open.csv", csv, "text/csv")).run()

    assert by_label(app.selectbox, "Date order").value == "Day first (31/12)"


def test_the_decimal_comma_setting_reads_new_files_that_way(app_env):
    app = open_app("pages/data.py")
    Store(app_env).set_setting("workspace", {"decimal_comma": True})
    # "1.234" reads either way: only the setting can make it 1,234.
    csv = b"date,team,spend\n2026-03-02,North,1.234\n2026-03-09,North,2.500\n"

    app.file_uploader[0].set_value(("spend.csv", csv, "text/csv")).run()
    assert by_label(app.selectbox, "Decimal separator").value.startswith(
        "Decimal comma"
    )
    by_label(app.button, "Import").click().run()

    stored = Store(app_env).dataset("spend")
    assert stored is not None
    rows = Store(app_env).rows(stored.id, stored.version)
    assert rows["spend"].tolist() == [1234.0, 2500.0]


def test_a_broken_definition_does_not_block_other_saves(app_env):
    app = open_app(EDITOR)
    store = Store(app_env)
    # A derived metric over a metric that does not exist: already broken.
    broken = Metric("orphan_ratio", "Orphan ratio", formula="revenue / nothing")
    store.save_metric(broken)
    app.run()

    assert any("orphan_ratio" in w.value for w in app.warning)
    by_label(app.text_input, "Label").set_value("Organic leads")
    by_label(app.selectbox, "Column").set_value("leads")
    by_label(app.button, "Save metric").click().run()

    assert not app.error, [e.value for e in app.error]
    assert "organic_leads" in {m.name for m in Store(app_env).definitions().metrics}


def test_a_new_kpi_may_not_take_an_existing_kpis_name_in_other_case(app_env):
    app = open_app(EDITOR)

    by_label(app.text_input, "Name").set_value("revenue 20% ABOVE last year")
    by_label(app.number_input, TARGET_LABEL).set_value(5.0)
    by_label(app.button, "Save KPI").click().run()

    assert any(
        'A KPI named "Revenue 20% above last year" exists already' in e.value
        for e in app.error
    )


def test_a_metric_whose_column_left_its_dataset_keeps_it(app_env):
    app = open_app(EDITOR)
    store = Store(app_env)
    store.save_metric(
        Metric("old_spend", "Old spend", dataset="marketing", column="Spend")
    )
    app.run()

    by_label(app.selectbox, "Edit metric").set_value("old_spend").run()

    assert by_label(app.selectbox, "Column").value == "Spend"
    assert any(
        'Column "Spend" is not in dataset "marketing"' in w.value for w in app.warning
    )
