"""KPI templates: the five files, their checks, and applying them to real rows.

Every expected number below is recomputed with a separate pandas expression
over the raw rows (the generated sample frame, or the Maven CRM CSV read
with plain ``pd.read_csv``), or worked by hand in a comment; none is copied
from Goalpost's output. Draft targets are rounded to three significant
figures (whole numbers for counts), which ``three_figures`` redoes here with
``Decimal``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd
import pytest

from kpi.definition_checks import validate_definitions
from kpi.errors import DefinitionError
from kpi.evaluate import evaluate_kpi
from kpi.formula import parse_formula
from kpi.import_check import check_rows
from kpi.metrics import Rows, metric_value
from kpi.model import ColumnMapping, DatasetInfo, Definitions
from kpi.reading import read_table
from kpi.sample import SAMPLE_MAPPINGS, sample_definitions, sample_frames
from kpi.template_files import FIELD_ORDER, TEMPLATE_DIR
from kpi.templates import (
    apply_template,
    columns_needed,
    guess_columns,
    guess_values,
    list_templates,
    load_template,
    read_template,
)

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
CRM_PIPELINE = "crm_maven_sales_pipeline__kisaraF.csv"
TODAY = date(2026, 4, 30)  # a Thursday
Q2_2026 = {"start": date(2026, 4, 1), "end": date(2026, 6, 30), "today": TODAY}


def three_figures(value: float, whole: bool = False) -> float:
    """Three significant figures, a half rounded up; counts whole."""
    exact = Decimal(str(value))
    rounded = exact.quantize(Decimal(1).scaleb(exact.adjusted() - 2), ROUND_HALF_UP)
    if whole:
        rounded = rounded.quantize(Decimal(1), ROUND_HALF_UP)
    return float(rounded)


# ---------------------------------------------------------------------------
# The files
# ---------------------------------------------------------------------------


def test_one_file_per_field_in_gallery_order():
    assert sorted(p.stem for p in TEMPLATE_DIR.glob("*.yaml")) == sorted(FIELD_ORDER)
    assert [t.field for t in list_templates()] == list(FIELD_ORDER)


@pytest.mark.parametrize("field", FIELD_ORDER)
def test_every_template_loads_and_its_formulas_parse(field):
    template = load_template(field)

    names = [metric.name for metric in template.metrics]
    roles = {role.role for role in template.columns}
    for metric in template.metrics:
        for way in metric.ways:
            if way.formula is not None:
                assert parse_formula(way.formula).names <= set(names)
            else:
                assert way.column in roles
    assert {kpi.metric for kpi in template.kpis} <= set(names)
    assert template.title and template.description


# The metrics the issue names, each in the field that owns it.
NAMED_METRICS = [
    ("marketing", "cost_per_lead"),
    ("marketing", "visitor_to_lead"),
    ("marketing", "landing_page_conversion_rate"),
    ("marketing", "organic_sessions"),
    ("marketing", "bounce_rate"),
    ("marketing", "video_minutes"),
    ("sales", "call_to_meeting_rate"),
    ("sales", "meeting_to_opportunity_rate"),
    ("sales", "qualified_opportunities"),
    ("sales", "pipeline_created"),
    ("sales", "emails_sent"),
    ("support", "first_response_minutes"),
    ("support", "mean_resolution_hours"),
    ("support", "csat"),
    ("saas", "daily_active_users"),
    ("saas", "signups"),
    ("saas", "mrr"),
    ("saas", "churn_rate"),
    ("finance", "profit_margin"),
]


@pytest.mark.parametrize(("field", "metric"), NAMED_METRICS)
def test_each_field_has_its_usual_metrics_with_a_kpi(field, metric):
    template = load_template(field)

    assert metric in {m.name for m in template.metrics}
    assert metric in {k.metric for k in template.kpis}


GOOD = """
title: Tiny
description: One role, two metrics, one KPI.
columns:
  - {role: calls, kind: number, description: Calls made.}
  - {role: stage, kind: dimension, description: Deal stage., values: {won: Won}}
metrics:
  - {name: calls, label: Calls, column: calls}
  - name: won
    label: Won
    column: stage
    aggregation: count
    filters: [{column: stage, value: won}]
  - {name: per_call, label: Won per call, unit: percent, formula: won / calls}
kpis:
  - key: calls
    name: Calls
    metric: calls
    kind: total
    draft: {basis: pooled, last: 1, period: quarter, change: 0.1}
"""


def test_the_small_template_reads():
    template = read_template(GOOD, field="tiny")

    assert [m.name for m in template.metrics] == ["calls", "won", "per_call"]
    assert template.kpis[0].draft.describe() == "last quarter taken together +10 %"


BAD_FILES = [
    # (replace this, with that) -> reason, words of the message
    ("title: Tiny", "title: [Tiny", "bad_yaml", "cannot be read as YAML"),
    ("title: Tiny\n", "", "missing_field", 'field "title" is missing'),
    ("kind: number", "kind: amount", "bad_value", "one of: number, dimension"),
    ("label: Calls,", "label: Calls, colour: red,", "unknown_field", '"colour"'),
    ("column: calls}", "column: cals}", "unknown_role", '"cals" is not a role'),
    ("value: won}", "value: lost}", "unknown_role", '"lost" is not a named value'),
    ("won / calls", "won / call", "unknown_metric", 'names "call"'),
    ("won / calls", "won ** calls", "formula_not_allowed", "the \\*\\* operator"),
    ("metric: calls", "metric: per_call", "not_summable", "a total needs"),
    ("last: 1", "last: 0", "bad_value", "a whole number, 1 or more"),
    ("change: 0.1", "change: 15", "bad_value", r"0.10 for \+10 %"),
    ("name: won\n", "name: calls\n", "duplicate_name", "defined twice"),
    ("label: Calls, column: calls}", "label: Calls}", "bad_value", "a list of ways"),
]


@pytest.mark.parametrize(("old", "new", "reason", "words"), BAD_FILES)
def test_a_bad_file_is_refused_with_its_reason(old, new, reason, words):
    assert old in GOOD
    with pytest.raises(DefinitionError, match=words) as caught:
        read_template(GOOD.replace(old, new, 1), field="tiny")

    assert caught.value.reason == reason
    assert caught.value.message.startswith("tiny.yaml")


@pytest.mark.parametrize(
    ("change", "refused"),
    [(0.1, False), (0.0, True), (-0.1, True)],  # calls: higher is better
)
def test_a_level_draft_must_move_towards_better(change, refused):
    text = GOOD.replace("kind: total\n", "kind: level\n    period: month\n")
    text = text.replace("change: 0.1", f"change: {change}")

    if refused:
        with pytest.raises(DefinitionError, match="towards higher") as caught:
            read_template(text, field="tiny")
        assert caught.value.reason == "bad_value"
    else:
        assert read_template(text, field="tiny").kpis[0].kind == "level"


def test_an_unknown_template_is_refused():
    with pytest.raises(DefinitionError, match="Pick one of: finance") as caught:
        load_template("astrology")

    assert caught.value.reason == "unknown_template"


# ---------------------------------------------------------------------------
# Guessing the columns
# ---------------------------------------------------------------------------

CRM_MAPPING = ColumnMapping(
    date="close_date",
    dimensions=("deal_stage", "product", "account", "sales_agent"),
    numbers=("close_value",),
    person="sales_agent",
)


@pytest.mark.parametrize(
    ("field", "mapping", "expected"),
    [
        ("sales", CRM_MAPPING, {"stage": "deal_stage", "deal_value": "close_value"}),
        (
            "sales",
            SAMPLE_MAPPINGS["sales"],
            {name: name for name in SAMPLE_MAPPINGS["sales"].numbers},
        ),
        (
            # "person" is a hint of agent; no column is a first response.
            "support",
            SAMPLE_MAPPINGS["support"],
            {
                "tickets_received": "tickets_received",
                "tickets_resolved": "tickets_resolved",
                "resolution_hours": "resolution_hours",
                "agent": "person",
            },
        ),
        (
            # "Gross Sales" also holds the word sales, but "Sales" is the name.
            "finance",
            ColumnMapping(date="Date", numbers=("Gross Sales", "Sales", "COGS")),
            {"revenue": "Sales", "cogs": "COGS"},
        ),
    ],
)
def test_guess_columns(field, mapping, expected):
    assert guess_columns(load_template(field), mapping) == expected


@pytest.mark.parametrize(
    ("field", "first"),
    [("finance", "revenue"), ("marketing", "leads"), ("sales", "calls")],
)
def test_columns_needed_puts_the_required_ones_first(field, first):
    roles = columns_needed(load_template(field))

    assert roles[0].role == first
    assert [role.optional for role in roles] == sorted(role.optional for role in roles)


@pytest.mark.parametrize(
    ("cells", "won"),
    [
        (["Won", "Lost"], "Won"),
        (["closed won", "closed lost"], "closed won"),
        (["WON", "Closed Won"], "WON"),  # equal beats containing
        (["Open"], "Won"),  # nothing fits: the template's text
    ],
)
def test_guess_values(cells, won):
    frame = pd.DataFrame({"stage": cells})

    chosen = guess_values(load_template("sales"), {"stage": "stage"}, frame)

    assert chosen[("stage", "won")] == won


# ---------------------------------------------------------------------------
# The sales template on the sample workspace
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_raw() -> pd.DataFrame:
    return sample_frames(TODAY)["sales"]


@pytest.fixture(scope="module")
def sample_sales(sample_raw) -> tuple[DatasetInfo, pd.DataFrame]:
    """The sample's sales sheet through the upload path, as its loader does."""
    content = sample_raw.to_csv(index=False, date_format="%Y-%m-%d").encode()
    mapping = SAMPLE_MAPPINGS["sales"]
    check = check_rows(read_table("sales.csv", content), mapping)
    return DatasetInfo(1, "sales", mapping, 1, check.rows_kept), check.rows


def apply_sales_to_sample(sample_sales, **options):
    dataset, rows = sample_sales
    template = load_template("sales")
    existing = sample_definitions(TODAY)
    plan = apply_template(
        template,
        dataset,
        guess_columns(template, dataset.mapping),
        rows,
        existing=existing,
        **{**Q2_2026, **options},
    )
    return plan, existing, {"sales": Rows(dataset.mapping, rows)}


def between(frame: pd.DataFrame, first: str, last: str) -> pd.DataFrame:
    return frame[(frame["date"] >= first) & (frame["date"] <= last)]


def test_sample_reuses_its_metrics_and_names_new_kpis_apart(sample_sales):
    plan, existing, _ = apply_sales_to_sample(sample_sales)

    # Every metric the sheet can feed exists in the sample with the same
    # definition; only qualified opportunities (no column) and deals lost (no
    # stage) are left out, with the two KPIs nobody can measure.
    assert plan.metrics == ()
    assert ("win_rate", "win_rate") in plan.reused
    assert any("Qualified opportunities" in line for line in plan.left_out)
    keys = {kpi.key: kpi for kpi in plan.kpis}
    # The sample already has KPIs keyed win_rate and average_deal_size.
    assert {"revenue", "win_rate_sales", "average_deal_size_sales"} <= set(keys)
    assert keys["win_rate_sales"].metric == "win_rate"
    assert "pipeline_created" in keys and "qualified_opportunities" not in keys
    combined = replace(existing, kpis=existing.kpis + plan.kpis)
    assert validate_definitions(combined, SAMPLE_MAPPINGS) == []


def test_sample_draft_targets_from_history(sample_sales, sample_raw):
    plan, _, _ = apply_sales_to_sample(sample_sales)
    targets = {kpi.key: kpi.target for kpi in plan.kpis}

    # History ends 2026-03-31, the day before Q2 starts.
    q1 = between(sample_raw, "2026-01-01", "2026-03-31")
    assert targets["revenue"].value == three_figures(q1["revenue"].sum() * 1.10)
    assert targets["deals_won"].value == three_figures(
        q1["deals_won"].sum() * 1.10, whole=True
    )
    # Win rate: the last two whole quarters, Q4 2025 and Q1 2026, pooled.
    half = between(sample_raw, "2025-10-01", "2026-03-31")
    rate = half["deals_won"].sum() / half["opportunities"].sum()
    assert targets["win_rate_sales"].baseline == pytest.approx(rate)
    assert targets["win_rate_sales"].value == three_figures(rate * 1.05)
    # Calls: the last whole Monday week ends Sunday 2026-03-29, so the eight
    # weeks run from Monday 2026-02-02; their median week, +5 %.
    weeks = between(sample_raw, "2026-02-02", "2026-03-29")
    weekly = weeks.groupby(weeks["date"].dt.to_period("W-SUN"))["calls"].sum()
    assert len(weekly) == 8
    assert targets["calls_each_week"].value == three_figures(
        weekly.median() * 1.05, whole=True
    )
    assert targets["calls_each_week"].period == "week"


def test_sample_kpis_evaluate_to_the_sheet_figures(sample_sales, sample_raw):
    plan, existing, rows = apply_sales_to_sample(sample_sales)
    definitions = Definitions(metrics=existing.metrics, kpis=plan.kpis)
    reports = {
        kpi.key: evaluate_kpi(kpi, definitions, rows, today=TODAY) for kpi in plan.kpis
    }

    april = between(sample_raw, "2026-04-01", "2026-04-30")
    assert reports["revenue"].actual == pytest.approx(april["revenue"].sum())
    # No quarter of Q2 has finished: the level reads the running quarter.
    rate = april["deals_won"].sum() / april["opportunities"].sum()
    assert reports["win_rate_sales"].actual == pytest.approx(rate)
    # The latest finished week inside the frame: Monday 20 to Sunday 26 April.
    week = between(sample_raw, "2026-04-20", "2026-04-26")
    assert reports["calls_each_week"].actual == week["calls"].sum()
    assert reports["revenue"].target_value == plan.kpis[0].target.value


def test_a_team_drafts_from_its_own_rows(sample_sales, sample_raw):
    plan, _, _ = apply_sales_to_sample(sample_sales, team="Sales East")
    revenue = next(kpi for kpi in plan.kpis if kpi.key == "revenue")

    q1 = between(sample_raw, "2026-01-01", "2026-03-31")
    east = q1.loc[q1["team"] == "Sales East", "revenue"].sum()
    assert revenue.team == "Sales East"
    assert revenue.target.value == three_figures(east * 1.10)
    assert revenue.name == "Revenue"


def test_a_frame_starting_later_drafts_up_to_the_day_before_today(sample_sales):
    # Today is 2026-04-30, so a Q3 target reads history up to 2026-04-29:
    # the last whole quarter is still Q1 2026.
    q3 = {"start": date(2026, 7, 1), "end": date(2026, 9, 30)}
    plan, _, _ = apply_sales_to_sample(sample_sales, **q3)

    revenue = next(d for d in plan.drafts if d.kpi == "revenue")
    assert (revenue.first_day, revenue.last_day) == (
        date(2026, 1, 1),
        date(2026, 3, 31),
    )


def test_a_year_frame_counts_four_quarters(sample_sales, sample_raw):
    year = {"start": date(2026, 4, 1), "end": date(2027, 3, 31)}
    plan, _, _ = apply_sales_to_sample(sample_sales, **year)

    q1 = between(sample_raw, "2026-01-01", "2026-03-31")
    revenue = next(kpi for kpi in plan.kpis if kpi.key == "revenue")
    assert revenue.target.value == three_figures(q1["revenue"].sum() * 1.10 * 4)


# ---------------------------------------------------------------------------
# The sales template on the Maven CRM pipeline (one row per deal)
# ---------------------------------------------------------------------------

Q3_2017 = {"start": date(2017, 7, 1), "end": date(2017, 9, 30)}
AFTER_Q3 = date(2017, 10, 15)


def crm_path() -> Path:
    if not REAL.is_dir():
        pytest.skip("../shared is absent")
    return REAL / CRM_PIPELINE


@pytest.fixture(scope="module")
def crm_rows() -> pd.DataFrame:
    """The pipeline through read_table and the import check, dated by close."""
    path = crm_path()
    check = check_rows(read_table(path.name, path.read_bytes()), CRM_MAPPING)
    # README: 2,089 open deals have no close date and are set aside.
    assert (check.rows_read, check.rows_kept) == (8_800, 8_800 - 2_089)
    return check.rows


@pytest.fixture(scope="module")
def crm_plain() -> pd.DataFrame:
    plain = pd.read_csv(crm_path())
    return plain.assign(closed=pd.to_datetime(plain["close_date"], format="%m/%d/%Y"))


def closed_between(plain: pd.DataFrame, first: str, last: str) -> pd.DataFrame:
    return plain[(plain["closed"] >= first) & (plain["closed"] <= last)]


def apply_sales_to_crm(crm_rows, existing=None, **options):
    dataset = DatasetInfo(2, "pipeline", CRM_MAPPING, 1, len(crm_rows))
    template = load_template("sales")
    columns = guess_columns(template, CRM_MAPPING)
    return apply_template(
        template,
        dataset,
        columns,
        crm_rows,
        existing=existing or Definitions(),
        **{**Q3_2017, "today": AFTER_Q3, **options},
    )


def test_crm_metrics_count_deals_by_stage(crm_rows):
    plan = apply_sales_to_crm(crm_rows)
    metrics = {metric.name: metric for metric in plan.metrics}
    rows = {"pipeline": Rows(CRM_MAPPING, crm_rows)}
    everything = {"start": date(2017, 1, 1), "end": date(2017, 12, 31)}

    def total(name: str) -> float | None:
        return metric_value(plan.definitions, name, rows, **everything)

    assert metrics["win_rate"].formula == "deals_won / (deals_won + deals_lost)"
    # README: stages Won 4,238 and Lost 2,473; every closed deal is one or the
    # other, so 6,711 opportunities, and a win rate of 4,238 / 6,711.
    assert (total("deals_won"), total("deals_lost")) == (4_238, 2_473)
    assert total("opportunities") == 6_711
    assert total("win_rate") == pytest.approx(4_238 / 6_711)
    assert "calls" not in metrics and "meetings" not in metrics


def test_crm_draft_targets_from_the_quarter_before(crm_rows, crm_plain):
    plan = apply_sales_to_crm(crm_rows)
    targets = {kpi.key: kpi.target for kpi in plan.kpis}
    drafts = {draft.kpi: draft for draft in plan.drafts}

    q2 = closed_between(crm_plain, "2017-04-01", "2017-06-30")
    won = q2[q2["deal_stage"] == "Won"]
    lost = q2[q2["deal_stage"] == "Lost"]
    assert targets["revenue"].value == three_figures(won["close_value"].sum() * 1.1)
    assert targets["deals_won"].value == three_figures(len(won) * 1.1, whole=True)
    rate = len(won) / (len(won) + len(lost))
    assert targets["win_rate"].baseline == pytest.approx(rate)
    assert targets["win_rate"].value == three_figures(rate * 1.05)
    # Two quarters were asked for, but Q1 2017 is not whole (the first close
    # is on 2017-03-01), so only Q2 was read, and the explanation says so.
    assert drafts["win_rate"].periods == 1
    assert "only 1 of the 2 quarters" in drafts["win_rate"].explanation
    size = won["close_value"].sum() / len(won)
    assert targets["average_deal_size"].baseline == pytest.approx(size)


def test_crm_kpis_evaluate_to_the_quarter_figures(crm_rows, crm_plain):
    plan = apply_sales_to_crm(crm_rows)
    rows = {"pipeline": Rows(CRM_MAPPING, crm_rows)}
    reports = {
        kpi.key: evaluate_kpi(kpi, plan.definitions, rows, today=AFTER_Q3)
        for kpi in plan.kpis
    }

    q3 = closed_between(crm_plain, "2017-07-01", "2017-09-30")
    won = q3[q3["deal_stage"] == "Won"]
    lost = q3[q3["deal_stage"] == "Lost"]
    assert reports["revenue"].actual == won["close_value"].sum()
    assert reports["deals_won"].actual == len(won)
    assert reports["win_rate"].actual == pytest.approx(
        len(won) / (len(won) + len(lost))
    )
    assert reports["average_deal_size"].actual == pytest.approx(
        won["close_value"].sum() / len(won)
    )
    # The quarter has ended, so each KPI has passed or failed.
    assert {report.outcome for report in reports.values()} <= {"passed", "failed"}


def test_applying_twice_beside_the_sample_never_clashes(crm_rows):
    existing = sample_definitions(TODAY)
    first = apply_sales_to_crm(crm_rows, existing=existing)
    after = Definitions(
        metrics=existing.metrics + first.metrics, kpis=existing.kpis + first.kpis
    )
    second = apply_sales_to_crm(crm_rows, existing=after)

    # The sample owns deals_won (a column sum), so the CRM's count of Won rows
    # takes the dataset's name; deals_lost is free. The second run reuses all.
    names = {metric.name for metric in first.metrics}
    assert {"deals_won_pipeline", "deals_lost", "win_rate_pipeline"} <= names
    assert second.metrics == ()
    assert {pair[1] for pair in second.reused} >= {"deals_won_pipeline"}
    keys = [kpi.key for kpi in existing.kpis + first.kpis + second.kpis]
    assert len(keys) == len(set(keys))
    assert "revenue_pipeline" in {kpi.key for kpi in second.kpis}
    both = replace(existing, metrics=after.metrics, kpis=after.kpis + second.kpis)
    mappings = {**SAMPLE_MAPPINGS, "pipeline": CRM_MAPPING}
    assert validate_definitions(both, mappings) == []


def test_an_applied_template_is_stored_in_one_write(store, crm_rows):
    plan = apply_sales_to_crm(crm_rows)
    before = store.definitions_version()

    store.add_definitions(plan.definitions)

    stored = store.definitions()
    assert store.definitions_version() == before + 1
    assert [kpi.key for kpi in stored.kpis] == [kpi.key for kpi in plan.kpis]
    assert stored.metrics == plan.metrics


# ---------------------------------------------------------------------------
# What apply refuses, and what it leaves out
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "columns", "team", "reason", "words"),
    [
        ("sales", {"revenue": "deal_stage"}, None, "wrong_column", "a number column"),
        ("sales", {"horoscope": "close_value"}, None, "wrong_column", "no column"),
        ("finance", {}, None, "column_needed", "needs the revenue column"),
        ("sales", {"stage": "deal_stage"}, "Central", "no_team_column", "no team"),
    ],
)
def test_apply_refuses_a_wrong_choice(field, columns, team, reason, words):
    dataset = DatasetInfo(2, "pipeline", CRM_MAPPING, 1, 0)
    rows = pd.DataFrame({"close_date": pd.to_datetime(["2017-03-01"])})

    with pytest.raises(DefinitionError, match=words) as caught:
        apply_template(
            load_template(field),
            dataset,
            columns,
            rows,
            existing=Definitions(),
            team=team,
            **Q3_2017,
            today=AFTER_Q3,
        )

    assert caught.value.reason == reason


def test_a_kpi_without_history_is_left_out(crm_rows):
    # Q2 2017 as the frame: history ends 2017-03-31, and no quarter before it
    # is whole (the first close is 2017-03-01).
    q2 = {"start": date(2017, 4, 1), "end": date(2017, 6, 30)}
    plan = apply_sales_to_crm(crm_rows, **q2)

    assert plan.kpis == ()
    assert 'KPI "Revenue": no whole quarter of data up to 2017-03-31.' in plan.left_out
    assert plan.metrics  # the metrics are made all the same
