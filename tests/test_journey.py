"""A new user in AppTest: upload a CSV, map it, define a KPI, see its card."""

from __future__ import annotations

from tests.test_pages import open_app

CSV = (
    b"Week,Team,Owner,Leads,Spend\n"
    b"2026-03-02,North,Ann,30,1200\n"
    b"2026-03-09,North,Ann,45,900\n"
    b"2026-03-09,South,Bo,20,800\n"
)


def by_label(widgets, label):
    return next(w for w in widgets if w.label == label)


def test_upload_map_define_and_see_the_card(app_env):
    app = open_app("pages/data.py")

    app.file_uploader[0].set_value(("north leads.csv", CSV, "text/csv")).run()
    assert by_label(app.selectbox, "Date column").value == "Week"
    assert by_label(app.selectbox, "Team column").value == "Team"
    assert set(by_label(app.multiselect, "Number columns").value) == {"Leads", "Spend"}
    by_label(app.button, "Import").click().run()
    assert any('Imported 3 rows into "north leads"' in s.value for s in app.success)

    app.switch_page("pages/definitions.py").run()
    by_label(app.selectbox, "Dataset").set_value("north leads").run()
    by_label(app.text_input, "Label").set_value("North leads")
    by_label(app.selectbox, "Column").set_value("Leads")
    by_label(app.button, "Save metric").click().run()
    assert not app.error, [e.value for e in app.error]

    by_label(app.text_input, "Name").set_value("100 leads in March")
    by_label(app.selectbox, "Metric").set_value("north_leads")
    by_label(
        app.number_input, "Target value (a change as a fraction: 0.15 for +15 %)"
    ).set_value(100.0)
    by_label(app.date_input, "Starts").set_value("2026-03-01")
    by_label(app.date_input, "Ends").set_value("2026-03-31")
    by_label(app.text_input, "Owner team").set_value("North")
    by_label(app.button, "Save KPI").click().run()
    assert not app.error, [e.value for e in app.error]

    app.query_params["team"] = "North"
    app.switch_page("pages/team.py").run()
    assert not app.exception
    card = by_label(app.metric, "100 leads in March")
    # North's March leads: 30 + 45 = 75 of a target of 100, and March is over.
    assert card.value == "75"
    assert any(
        "Progress 75.0% of target 100" in p.proto.text for p in app.get("progress")
    )
    assert any("Missed" in m.value for m in app.markdown)
