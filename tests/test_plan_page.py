"""The "What would it take?" page through AppTest: work out, save, apply, undo."""

from __future__ import annotations

from kpi.scenario_store import saved_scenarios
from kpi.store import Store
from tests.test_journey import by_label
from tests.test_pages import open_app

PLAN = "pages/plan.py"


def by_key(widgets, prefix):
    return next(w for w in widgets if (w.key or "").startswith(prefix))


def texts(app) -> str:
    return "\n".join(m.value for m in app.markdown)


def set_the_issues_rates(app) -> None:
    """The issue's funnel on Sales East: 10 %, 40 %, 25 %, 12,000 a deal."""
    by_label(app.number_input, "calls → meetings (%)").set_value(10.0)
    by_label(app.number_input, "meetings → opportunities (%)").set_value(40.0)
    by_label(app.number_input, "opportunities → deals (%)").set_value(25.0)
    by_key(app.number_input, "funnel-value").set_value(12_000.0)
    app.run()


def test_rates_start_from_the_teams_numbers_with_their_sample(app_env):
    app = open_app(PLAN)

    assert not app.exception, [e.value for e in app.exception]
    captions = [c.value for c in app.caption]
    # Sales East's last 13 weeks (29 January to 29 April 2026) of sample rows.
    assert any(
        c.startswith("Measured ") and "calls, 2026-01-29 – 2026-04-29" in c
        for c in captions
    )
    assert by_label(app.multiselect, "People (each gets the weekly targets)").value == [
        "Maya Chen",
        "Priya Nair",
        "Tom Becker",
    ]


def test_the_issues_quarter_redraws_as_inputs_change(app_env):
    app = open_app(PLAN)
    set_the_issues_rates(app)
    by_label(app.number_input, "Number of people").set_value(5).run()

    # 600,000 / 12,000 = 50 deals, / 0.25 = 200, / 0.4 = 500, / 0.1 = 5,000
    # calls; 13 weeks of Q2 (91 days) and 5 people: 5,000 / 65 = 76.92 -> 77,
    # 500 / 65 = 7.69 -> 8 meetings.
    shown = texts(app)
    assert "**calls**: 5,000 in total · 76.92 → 77 per person per week" in shown
    assert "**meetings**: 500 in total · 7.69 → 8 per person per week" in shown
    assert "**deals**: 50 in total" in shown


def test_growth_and_capacity_tabs_answer_with_worked_values(app_env):
    app = open_app(PLAN)

    by_key(app.number_input, "growth-baseline").set_value(100_000.0)
    by_key(app.number_input, "growth-target").set_value(150_000.0)
    by_key(app.slider, "growth-periods").set_value(10)
    by_key(app.number_input, "capacity-workload").set_value(800.0)
    by_key(app.number_input, "capacity-count").set_value(8)
    app.run()

    # 1.5 ** (1 / 10) - 1 = +4.14 % a month.
    assert "It **needs +4.1 % a month;" in texts(app)
    # 800 a week over 8 people: 100 each; 9: 88.89 -> 89; 7: 114.29 -> 115.
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Each person, a week"] == "100"
    assert metrics["With one more person"] == "88.89 → 89"
    assert metrics["With one fewer person"] == "114.29 → 115"


def test_save_apply_see_on_the_team_page_and_undo(app_env):
    app = open_app(PLAN)
    set_the_issues_rates(app)
    store = Store(app_env)
    before = store.definitions()

    by_key(app.text_input, "funnel-name").set_value("Q2 push")
    by_key(app.button, "funnel-save").click().run()
    assert any('Saved scenario "Q2 push"' in s.value for s in app.success)
    assert [s.name for s in saved_scenarios(store)] == ["Q2 push"]
    compared = next(d.value for d in app.dataframe if "Q2 push" in d.value.columns)
    assert compared.loc["calls: per person per week", "Q2 push"] == "128.21 → 129"

    by_label(app.button, "Apply: write these KPIs").click().run()
    # The goal, and 4 stages for each of Sales East's 3 people.
    assert any(
        'Applied "Q2 push": 13 KPIs created, 0 updated' in s.value for s in app.success
    )
    kpis = {k.key: k for k in store.definitions().kpis}
    # 5,000 calls / (3 people x 13 weeks) = 128.21 -> 129 a week each.
    assert kpis["q2_push__calls__maya_chen"].target.value == 129
    links = [link.proto for link in app.get("page_link")]
    assert [(link.label, link.query_string) for link in links] == [
        ("See Sales East on the Team page", "team=Sales+East")
    ]

    app.query_params["team"] = "Sales East"
    app.switch_page("pages/team.py").run()
    assert not app.exception, [e.value for e in app.exception]
    card = "Maya Chen: 129 calls a week (Q2 push) · Maya Chen"
    assert card in [m.label for m in app.metric]
    progress = [p.proto.text for p in app.get("progress")]
    # The latest finished week, 20-26 April, lies inside Q2 whole.
    assert any(text.endswith("· target 129 in 2026-W17") for text in progress)
    assert any("of target $600,000" in text for text in progress)

    app.switch_page(PLAN).run()
    by_key(app.button, "saved-undo").click().run()
    assert any("Undone" in s.value for s in app.success)
    assert store.definitions() == before

    app.switch_page("pages/team.py").run()
    assert card not in [m.label for m in app.metric]


def test_a_new_stage_metric_brings_its_own_measured_rate(app_env):
    app = open_app(PLAN)
    rate = by_label(app.number_input, "calls → meetings (%)")
    before = rate.value

    stage = by_label(app.selectbox, "Stage 2 metric")
    stage.set_value(next(o for o in stage.options if "mail" in o.lower())).run()

    after = by_label(app.number_input, "calls → meetings (%)").value
    # The box follows the caption measured for the new pair of metrics.
    caption = next(c.value for c in app.caption if c.value.startswith("Measured "))
    measured = float(caption.removeprefix("Measured ").split("%")[0])
    assert after != before
    assert abs(after - measured) < 0.05
    # More e-mails than calls in the sample: not one funnel.
    assert any("may not be steps of one funnel" in w.value for w in app.warning)
