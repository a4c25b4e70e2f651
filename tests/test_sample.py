"""The sample workspace: its generator, its definitions and its first load."""

from __future__ import annotations

import importlib.util
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from kpi import sample
from kpi.definitions import validate_definitions
from kpi.metrics import metric_inputs
from kpi.model import ColumnMapping, Definitions

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "data" / "sample"
END = date(2026, 12, 3)
COLUMNS = {
    "marketing": [
        "date",
        "team",
        "person",
        "channel",
        "blog_posts",
        "organic_sessions",
        "landing_page_visits",
        "landing_page_conversions",
        "leads",
        "ad_spend",
    ],
    "sales": [
        "date",
        "team",
        "person",
        "calls",
        "emails_sent",
        "meetings",
        "opportunities",
        "deals_won",
        "revenue",
        "pipeline_created",
    ],
    "support": [
        "date",
        "team",
        "person",
        "tickets_received",
        "tickets_resolved",
        "resolution_hours",
        "call_minutes",
    ],
    "product": ["date", "team", "person", "daily_active_users", "free_signups"],
}


def _load_generator():
    spec = importlib.util.spec_from_file_location(
        "sample_generate", SAMPLE_DIR / "generate.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generator = _load_generator()


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return generator.generate(END)


# Generator


def test_same_seed_gives_identical_frames(frames):
    again = generator.generate(END)

    for name, frame in frames.items():
        pd.testing.assert_frame_equal(again[name], frame)


def test_another_seed_gives_other_numbers(frames):
    other = generator.generate(END, seed=8)

    assert not other["sales"]["calls"].equals(frames["sales"]["calls"])


@pytest.mark.parametrize(
    ("end", "days", "first"),
    [
        (END, 730, date(2024, 12, 4)),  # 2024-12-04 + 729 days = 2026-12-03
        (END + timedelta(days=1), 730, date(2024, 12, 5)),
        (date(2026, 3, 31), 90, date(2026, 1, 1)),  # 31 + 28 + 31 days
    ],
)
def test_window_ends_on_end(end, days, first):
    for frame in generator.generate(end, days=days).values():
        assert frame["date"].min() == pd.Timestamp(first)
        assert frame["date"].max() == pd.Timestamp(end)
        assert frame["date"].nunique() == days


@pytest.mark.parametrize(
    ("name", "people"),
    [("marketing", 4), ("sales", 6), ("support", 6), ("product", 1)],
)
def test_one_row_per_day_and_person(frames, name, people):
    frame = frames[name]

    assert list(frame.columns) == COLUMNS[name]
    assert len(frame) == 730 * people
    assert frame["person"].nunique() == people
    assert not frame.duplicated(["date", "person"]).any()


@pytest.mark.parametrize(
    ("name", "teams"),
    [
        ("marketing", {"Marketing"}),
        ("sales", {"Sales East", "Sales West"}),
        ("support", {"Support"}),
        ("product", {"Product"}),
    ],
)
def test_teams(frames, name, teams):
    assert set(frames[name]["team"]) == teams


def test_product_rows_belong_to_the_team(frames):
    assert (frames["product"]["person"] == "").all()


@pytest.mark.parametrize("name", list(COLUMNS))
def test_no_negative_or_missing_numbers(frames, name):
    numbers = frames[name].select_dtypes("number")

    assert not numbers.isna().any().any()
    assert (numbers >= 0).all().all()


@pytest.mark.parametrize(
    ("numerator", "denominator", "low", "high"),
    [
        ("meetings", "calls", 0.10, 0.15),
        ("opportunities", "meetings", 0.35, 0.45),
        ("deals_won", "opportunities", 0.22, 0.28),
        ("revenue", "deals_won", 8_000, 15_000),
    ],
)
def test_sales_funnel_rates(frames, numerator, denominator, low, high):
    sales = frames["sales"]

    rate = sales[numerator].sum() / sales[denominator].sum()

    assert low <= rate <= high


def test_funnel_stages_never_exceed_the_stage_before(frames):
    sales = frames["sales"]

    assert (sales["meetings"] <= sales["calls"]).all()
    assert (sales["opportunities"] <= sales["meetings"]).all()


def test_conversions_and_leads_fit_the_visits(frames):
    marketing = frames["marketing"]

    assert (
        marketing["landing_page_conversions"] <= marketing["landing_page_visits"]
    ).all()
    assert (marketing["leads"] >= marketing["landing_page_conversions"]).all()
    rate = (
        marketing["landing_page_conversions"].sum()
        / marketing["landing_page_visits"].sum()
    )
    assert 0.03 <= rate <= 0.05


def test_weekends_are_quiet(frames):
    sales = frames["sales"]
    weekend = sales["date"].dt.day_of_week >= 5

    assert sales.loc[weekend, "calls"].mean() * 5 < sales.loc[~weekend, "calls"].mean()


def test_revenue_grows_a_little_under_twenty_percent(frames):
    sales = frames["sales"]
    this_year = sales["date"].between("2026-01-01", "2026-12-03")
    same_days_last_year = sales["date"].between("2025-01-01", "2025-12-03")

    growth = (
        sales.loc[this_year, "revenue"].sum()
        / sales.loc[same_days_last_year, "revenue"].sum()
    )

    assert 1.10 <= growth < 1.20


def test_resolution_time_drifts_from_twelve_hours_to_about_seven(frames):
    support = frames["support"]
    first_quarter = support[support["date"] < "2025-03-04"]
    last_quarter = support[support["date"] > "2026-09-04"]

    def mean_hours(rows: pd.DataFrame) -> float:
        # A ratio of sums: total hours over total tickets resolved.
        return rows["resolution_hours"].sum() / rows["tickets_resolved"].sum()

    assert 11.0 <= mean_hours(first_quarter) <= 12.5
    assert 6.0 <= mean_hours(last_quarter) <= 8.0


def test_about_two_blog_posts_a_week_with_some_weeks_missing(frames):
    marketing = frames["marketing"]
    whole_weeks = marketing[marketing["date"] >= "2024-12-09"]  # the first Monday
    per_week = whole_weeks.groupby(whole_weeks["date"].dt.to_period("W"))[
        "blog_posts"
    ].sum()

    assert 1.5 <= per_week.mean() <= 2.5
    assert (per_week == 0).any()
    assert set(marketing.loc[marketing["blog_posts"] > 0, "channel"]) == {"organic"}


def test_about_a_hundred_tickets_per_agent_a_week_lately(frames):
    support = frames["support"]
    recent = support[support["date"].between("2026-06-01", "2026-11-29")]

    per_week = (
        recent.groupby(recent["date"].dt.to_period("W"))["tickets_resolved"].sum() / 6
    )

    assert 85 <= per_week.mean() <= 115


def test_main_writes_one_csv_per_dataset(tmp_path):
    generator.main([str(tmp_path), "--end", "2026-03-31", "--days", "10"])

    expected = generator.generate(date(2026, 3, 31), days=10)
    for name, frame in expected.items():
        written = pd.read_csv(tmp_path / f"{name}.csv", keep_default_na=False)
        assert list(written.columns) == COLUMNS[name]
        assert written["date"].iloc[0] == "2026-03-22"  # 31 March - 9 days
        assert written[COLUMNS[name][3]].tolist() == frame[COLUMNS[name][3]].tolist()


# Definitions


@pytest.fixture(scope="module")
def definitions() -> Definitions:
    return sample.sample_definitions(END)


def test_placeholders_are_filled_from_today(definitions):
    kpis = {kpi.key: kpi for kpi in definitions.kpis}

    revenue = kpis["revenue_this_year"]
    assert (revenue.start, revenue.end) == (date(2026, 1, 1), date(2026, 12, 31))
    assert (revenue.target.baseline_start, revenue.target.baseline_end) == (
        date(2025, 1, 1),
        date(2025, 12, 31),
    )
    organic = kpis["organic_sessions_q1"]
    assert (organic.start, organic.end) == (date(2026, 1, 1), date(2026, 3, 31))
    assert organic.target.baseline_start == date(2025, 10, 1)


def test_sample_definitions_are_sound(definitions):
    assert validate_definitions(definitions) == []
    assert validate_definitions(definitions, sample.SAMPLE_MAPPINGS) == []


def test_every_base_metric_reads_a_generated_column(definitions, frames):
    for metric in definitions.metrics:
        if not metric.is_derived:
            assert metric.column in frames[metric.dataset].columns, metric.name
            for item in metric.filters:
                assert item.value in set(frames[metric.dataset][item.column]), (
                    metric.name
                )


def test_every_kpi_owner_is_in_its_data(definitions, frames):
    for kpi in definitions.kpis:
        for base in metric_inputs(definitions, kpi.metric):
            rows = frames[base.dataset]
            if kpi.team:
                assert kpi.team in set(rows["team"]), kpi.key
            if kpi.person:
                assert kpi.person in set(rows.loc[rows["team"] == kpi.team, "person"])


@pytest.mark.parametrize(
    ("key", "kind", "value", "period"),
    [
        ("revenue_this_year", "change", 0.20, None),
        ("resolution_time", "level", 3.0, "week"),
        ("blog_posts_q1", "per_period", 2.0, "week"),
        ("organic_sessions_q1", "change", 0.15, None),
        ("tickets_per_rep", "per_period", 100.0, "week"),
        ("cost_per_lead", "level", 18.0, "month"),
    ],
)
def test_the_goal_tree_holds_the_kpis_the_story_needs(
    definitions, key, kind, value, period
):
    kpi = next(kpi for kpi in definitions.kpis if kpi.key == key)
    goals = {goal.key: goal for goal in definitions.goals}

    assert (kpi.target.kind, kpi.target.value, kpi.target.period) == (
        kind,
        value,
        period,
    )
    parent = goals[kpi.parent]
    while parent.parent is not None:
        parent = goals[parent.parent]
    assert parent.name == "Grow revenue 20% this year"


def test_resolution_time_is_lower_is_better_from_a_twelve_hour_baseline(definitions):
    kpi = next(kpi for kpi in definitions.kpis if kpi.key == "resolution_time")

    assert kpi.target.baseline == 12.0
    assert definitions.metric(kpi.metric).direction == "lower"
    assert (
        definitions.metric(kpi.metric).formula == "resolution_hours / tickets_resolved"
    )


def test_mappings_cover_every_generated_column(frames):
    for name, frame in frames.items():
        mapping: ColumnMapping = sample.SAMPLE_MAPPINGS[name]
        mapped = {mapping.date, *mapping.dimensions, *mapping.numbers}
        unmapped = set(frame.columns) - mapped
        assert unmapped == ({"person"} if name == "product" else set())


# Loading into a store


def test_load_sample_stores_four_datasets_and_the_definitions(store, frames):
    sample.load_sample(store, END)

    datasets = {info.name: info for info in store.datasets()}
    assert sorted(datasets) == ["marketing", "product", "sales", "support"]
    for name, info in datasets.items():
        assert (info.source, info.is_sample) == ("sample", True)
        assert info.row_count == len(frames[name])
        assert info.mapping == sample.SAMPLE_MAPPINGS[name]
    assert store.definitions() == sample.sample_definitions(END)


def test_loaded_rows_hold_the_generated_numbers(store, frames):
    sample.load_sample(store, END)

    info = store.dataset("sales")
    rows = store.rows(info.id, info.version)

    assert rows["revenue"].sum() == pytest.approx(frames["sales"]["revenue"].sum())
    assert rows["calls"].sum() == frames["sales"]["calls"].sum()
    assert set(rows["person"]) == set(frames["sales"]["person"])


def test_ensure_sample_loads_once(store):
    assert sample.ensure_sample(store, END) is True
    assert store.setting("sample_state") == "loaded"
    assert len(store.datasets()) == 4

    assert sample.ensure_sample(store, END) is False
    assert len(store.datasets()) == 4


def test_ensure_sample_does_nothing_after_remove_sample(store):
    sample.ensure_sample(store, END)
    store.remove_sample()

    assert sample.ensure_sample(store, END) is False
    assert store.has_data() is False
    assert store.setting("sample_state") == "removed"


def test_ensure_sample_leaves_a_workspace_with_data_alone(store, definitions):
    store.add_definitions(Definitions(metrics=definitions.metrics[:1]))

    assert sample.ensure_sample(store, END) is False
    assert store.datasets() == []
    assert store.setting("sample_state") is None


def test_ensure_sample_completes_a_first_load_cut_short(store, frames):
    # A first start that stopped after storing one of the four datasets.
    store.import_rows(
        "sales",
        sample.SAMPLE_MAPPINGS["sales"],
        frames["sales"],
        file_name="sales.csv",
        sheet=None,
        content_hash="cut-short",
        source="sample",
        is_sample=True,
    )

    assert sample.ensure_sample(store, END) is True
    assert sorted(d.name for d in store.datasets()) == [
        "marketing",
        "product",
        "sales",
        "support",
    ]
    assert len(store.definitions().kpis) == 17
