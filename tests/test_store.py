"""The store on SQLite and PostgreSQL: datasets, history, definitions, settings."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from kpi.errors import DefinitionError, GoalpostError, ImportProblem
from kpi.model import (
    KPI,
    ColumnMapping,
    DatasetInfo,
    Definitions,
    Filter,
    Goal,
    Metric,
    Target,
)
from kpi.store import ImportOutcome, Store, database_url

REPO = Path(__file__).resolve().parents[1]

MAPPING = ColumnMapping(
    date="date", dimensions=("team",), numbers=("amount",), team="team"
)


def sales(
    dates: list[str], teams: list[str | None], amounts: list[float]
) -> pd.DataFrame:
    return pd.DataFrame(
        {"date": pd.to_datetime(dates), "team": teams, "amount": amounts}
    )


JANUARY = sales(
    ["2026-01-05", "2026-01-06", "2026-01-07"],
    ["North", "South", None],
    [10.0, 2.5, np.nan],
)
FEBRUARY = sales(["2026-02-02", "2026-02-03"], ["North", "North"], [4.0, 6.0])


def import_sales(
    store: Store, rows: pd.DataFrame, content_hash: str, **options: Any
) -> ImportOutcome:
    options = {"file_name": "sales.csv", "sheet": None, **options}
    mapping = options.pop("mapping", MAPPING)
    name = options.pop("name", "sales")
    return store.import_rows(name, mapping, rows, content_hash=content_hash, **options)


# Rows and their round trip


@pytest.mark.parametrize(
    ("column", "dtype"),
    [
        (
            pd.to_datetime(pd.Series(["2026-01-05", None, "2026-03-31"])),
            "datetime64[us]",
        ),
        (
            pd.Series(pd.to_datetime(["2026-01-05", "2026-01-06"]).as_unit("ns")),
            "datetime64[ns]",
        ),
        (pd.Series(["North", None, "007"]), "str"),
        (pd.Series([1.5, np.nan, -2.25]), "float64"),
        (pd.Series([1, 2, 3]), "int64"),
        (pd.Series([True, False]), "bool"),
    ],
)
def test_rows_come_back_with_their_values_and_dtype(store, column, dtype):
    rows = pd.DataFrame({"value": column})

    outcome = import_sales(store, rows, "h1")
    back = store.rows(outcome.dataset_id, outcome.version)

    assert str(back["value"].dtype) == dtype
    pd.testing.assert_frame_equal(back, rows)


def test_first_import_creates_version_one(store):
    before = JANUARY.copy()

    outcome = import_sales(store, JANUARY, "h-jan")

    # JANUARY has 3 rows (counted in its literal above), all of them added.
    assert outcome == ImportOutcome(
        outcome.dataset_id, 1, 3, changed=True, rows_added=3
    )
    (stored,) = store.datasets()
    # Imported just now, in UTC.
    assert stored.updated_at is not None
    age = datetime.now(UTC) - stored.updated_at
    assert timedelta(0) <= age < timedelta(minutes=5)
    assert [replace(stored, updated_at=None)] == [
        DatasetInfo(
            id=outcome.dataset_id,
            name="sales",
            mapping=MAPPING,
            version=1,
            row_count=3,
            source="upload",
            is_sample=False,
            columns=("date", "team", "amount"),
        )
    ]
    assert store.dataset("sales") == store.datasets()[0]
    assert store.dataset("missing") is None
    pd.testing.assert_frame_equal(JANUARY, before)  # the input is untouched


def test_same_file_again_changes_nothing(store):
    first = import_sales(store, JANUARY, "h-jan")

    again = import_sales(store, JANUARY, "h-jan", file_name="sales (1).csv")

    assert again == ImportOutcome(first.dataset_id, 1, 3, changed=False)
    assert store.history(first.dataset_id)["file_name"].tolist() == ["sales.csv"]


def test_same_file_with_another_mapping_is_a_new_version(store):
    first = import_sales(store, JANUARY, "h-jan")
    remapped = ColumnMapping(date="date", dimensions=("team",), numbers=("amount",))

    again = import_sales(store, JANUARY, "h-jan", mapping=remapped)

    # A replace: JANUARY's 3 rows added, the 3 current ones replaced.
    assert again == ImportOutcome(
        first.dataset_id, 2, 3, changed=True, rows_added=3, rows_replaced=3
    )
    assert store.dataset("sales").mapping == remapped


def test_new_file_replaces_the_rows_and_keeps_the_history(store):
    started = datetime.now(UTC)
    first = import_sales(store, JANUARY, "h-jan")
    new_mapping = ColumnMapping(date="date", dimensions=("team",), numbers=("amount",))

    second = import_sales(
        store, FEBRUARY, "h-feb", file_name="feb.xlsx", sheet="Feb", mapping=new_mapping
    )

    # FEBRUARY's 2 rows replace JANUARY's 3.
    assert second == ImportOutcome(
        first.dataset_id, 2, 2, changed=True, rows_added=2, rows_replaced=3
    )
    pd.testing.assert_frame_equal(store.rows(first.dataset_id, 2), FEBRUARY)
    pd.testing.assert_frame_equal(store.rows(first.dataset_id, 1), JANUARY)
    info = store.dataset("sales")
    assert (info.version, info.row_count, info.mapping) == (2, 2, new_mapping)

    history = store.history(first.dataset_id)
    expected = pd.DataFrame(
        {
            "version": [1, 2],
            "file_name": ["sales.csv", "feb.xlsx"],
            "sheet": [None, "Feb"],
            "content_hash": ["h-jan", "h-feb"],
            "row_count": [3, 2],
            "mode": ["replace", "replace"],
            "rows_added": [3, 2],
            "rows_replaced": [0, 3],
            "is_current": [False, True],
        }
    )
    pd.testing.assert_frame_equal(
        history.drop(columns="uploaded_at"), expected, check_dtype=False
    )
    uploaded = history["uploaded_at"]
    assert str(uploaded.dt.tz) == "UTC"
    assert started <= uploaded.iloc[0] <= uploaded.iloc[1] <= datetime.now(UTC)


def test_unstorable_rows_leave_everything_as_before(store):
    first = import_sales(store, JANUARY, "h-jan")
    mixed = FEBRUARY.assign(amount=pd.Series([4.0, "six"], dtype=object))
    before = (store.datasets(), store.history(first.dataset_id))

    with pytest.raises(ImportProblem, match='sheet "Feb", column "amount"') as caught:
        import_sales(store, mixed, "h-feb", sheet="Feb")
    with pytest.raises(ImportProblem, match="Map the column as a date, number or text"):
        import_sales(store, mixed, "h-new", name="new")

    assert caught.value.reason == "not_storable"
    assert store.datasets() == before[0]
    pd.testing.assert_frame_equal(store.history(first.dataset_id), before[1])


@pytest.mark.parametrize("name", ["sales", "new dataset"])
def test_a_failure_inside_the_transaction_stores_nothing(store, name):
    first = import_sales(store, JANUARY, "h-jan")
    before = (store.datasets(), store.history(first.dataset_id))

    def refuse_upload(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("INSERT INTO dataset_versions"):
            raise RuntimeError("disk full")

    sa.event.listen(store.engine, "before_cursor_execute", refuse_upload)
    try:
        with pytest.raises(RuntimeError, match="disk full"):
            import_sales(store, FEBRUARY, "h-feb", name=name)
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", refuse_upload)

    assert store.datasets() == before[0]
    pd.testing.assert_frame_equal(store.history(first.dataset_id), before[1])


def test_delete_dataset_removes_it_with_its_history(store):
    kept = import_sales(store, FEBRUARY, "h-feb", name="kept")
    doomed = import_sales(store, JANUARY, "h-jan")
    import_sales(store, FEBRUARY, "h-feb")

    store.delete_dataset(doomed.dataset_id)
    store.delete_dataset(doomed.dataset_id)  # a second time does nothing

    assert [info.name for info in store.datasets()] == ["kept"]
    assert store.history(doomed.dataset_id).empty
    with pytest.raises(GoalpostError, match="has no version 1") as caught:
        store.rows(doomed.dataset_id, 1)
    assert caught.value.reason == "no_such_version"
    pd.testing.assert_frame_equal(store.rows(kept.dataset_id, 1), FEBRUARY)


def test_a_deleted_datasets_id_is_never_given_again(store):
    # Pages cache frames by (dataset id, version): a reused id would show the
    # deleted dataset's rows under the new one's name.
    first = import_sales(store, JANUARY, "h-jan", name="alpha")
    store.delete_dataset(first.dataset_id)

    second = import_sales(store, FEBRUARY, "h-feb", name="beta")

    assert second.dataset_id != first.dataset_id
    pd.testing.assert_frame_equal(store.rows(second.dataset_id, 1), FEBRUARY)


# Definitions

LEADS = Metric(
    name="leads",
    label="Leads",
    dataset="marketing",
    column="leads",
    filters=(Filter("channel", "organic"), Filter("region", "test", negate=True)),
)
SPEND = Metric(
    name="spend",
    label="Spend",
    dataset="marketing",
    column="spend",
    unit="currency",
    direction="lower",
)
COST_PER_LEAD = Metric(
    name="cost_per_lead",
    label="Cost per lead",
    formula="spend / leads",
    unit="currency",
    direction="lower",
)
COMPANY = Goal(key="company", name="Grow revenue")
MARKETING = Goal(
    key="marketing", name="Fill the funnel", parent="company", weight=2.0, team="Mkt"
)
Q1_LEADS = KPI(
    key="q1_leads",
    name="Q1 leads",
    metric="leads",
    target=Target(kind="total", value=1200.0),
    start=date(2026, 1, 1),
    end=date(2026, 3, 31),
    team="Mkt",
    parent="marketing",
)
Q1_SPEND = KPI(
    key="q1_spend",
    name="Spend down 10 %",
    metric="spend",
    target=Target(
        kind="change",
        value=-0.10,
        baseline_start=date(2025, 10, 1),
        baseline_end=date(2025, 12, 31),
        resolves_to="level",
    ),
    start=date(2026, 1, 1),
    end=date(2026, 3, 31),
    person="Ana",
)
WORKSPACE = Definitions(
    metrics=(LEADS, SPEND, COST_PER_LEAD),
    goals=(COMPANY, MARKETING),
    kpis=(Q1_LEADS, Q1_SPEND),
)


def save_one_by_one(store: Store, definitions: Definitions) -> None:
    for metric in definitions.metrics:
        store.save_metric(metric)
    for goal in definitions.goals:
        store.save_goal(goal)
    for kpi in definitions.kpis:
        store.save_kpi(kpi)


def test_definitions_round_trip(store):
    assert store.definitions() == Definitions()
    assert store.definitions_version() == 0

    save_one_by_one(store, WORKSPACE)

    assert store.definitions() == WORKSPACE
    assert store.definitions_version() == 7  # 3 metrics + 2 goals + 2 KPIs saved


def test_saving_a_key_again_replaces_it_in_place(store):
    save_one_by_one(store, WORKSPACE)
    relabelled = Metric(name="leads", label="Organic leads", dataset="web", column="n")

    store.save_metric(relabelled)

    assert store.definitions().metrics == (relabelled, SPEND, COST_PER_LEAD)


def test_add_definitions_upserts_all_at_once(store):
    store.save_metric(LEADS)
    relabelled = Metric(name="leads", label="All leads", dataset="web", column="n")

    store.add_definitions(Definitions(metrics=(relabelled, SPEND), kpis=(Q1_SPEND,)))

    assert store.definitions() == Definitions(
        metrics=(relabelled, SPEND), kpis=(Q1_SPEND,)
    )
    assert store.definitions_version() == 2  # one save, one add


def test_replace_definitions_drops_everything_else(store):
    save_one_by_one(store, WORKSPACE)
    store.add_definitions(
        Definitions(goals=(Goal(key="sample", name="S"),)), is_sample=True
    )
    replacement = Definitions(metrics=(SPEND,), kpis=(Q1_SPEND,))

    store.replace_definitions(replacement)

    assert store.definitions() == replacement


@pytest.mark.parametrize(
    ("delete", "key", "reason", "message"),
    [
        (
            Store.delete_metric,
            "leads",
            "metric_in_use",
            r'Metric "leads" is used by KPI "q1_leads" and metric "cost_per_lead"\. '
            r"Change or delete them first",
        ),
        (
            Store.delete_metric,
            "spend",
            "metric_in_use",
            r'Metric "spend" is used by KPI "q1_spend" and metric "cost_per_lead"\.',
        ),
        (
            Store.delete_goal,
            "company",
            "goal_in_use",
            r'Goal "company" is the parent of goal "marketing"\. Move them under',
        ),
        (
            Store.delete_goal,
            "marketing",
            "goal_in_use",
            r'Goal "marketing" is the parent of KPI "q1_leads"\.',
        ),
    ],
)
def test_deleting_what_is_in_use_is_refused(store, delete, key, reason, message):
    save_one_by_one(store, WORKSPACE)

    with pytest.raises(DefinitionError, match=message) as caught:
        delete(store, key)

    assert (caught.value.reason, caught.value.subject) == (reason, key)
    assert store.definitions() == WORKSPACE
    assert store.definitions_version() == 7  # the 7 saves; the refusal wrote nothing


def test_deleting_in_dependency_order_succeeds(store):
    save_one_by_one(store, WORKSPACE)

    store.delete_kpi("q1_leads")
    store.delete_metric("cost_per_lead")
    store.delete_metric("leads")
    store.delete_goal("marketing")
    store.delete_kpi("no such kpi")

    assert store.definitions() == Definitions(
        metrics=(SPEND,), goals=(COMPANY,), kpis=(Q1_SPEND,)
    )
    assert store.definitions_version() == 12  # 7 saves + 5 deletions


@pytest.mark.parametrize(
    ("formula", "refused"),
    [
        ("spend / lead", True),
        ("spend/lead*100", True),
        ("spend / leads", False),
        ("spend / lead_count", False),
        ("spend / new_lead", False),
    ],
)
def test_a_formula_uses_a_metric_only_by_its_whole_name(store, formula, refused):
    lead = Metric(name="lead", label="Lead", dataset="m", column="lead")
    store.add_definitions(
        Definitions(metrics=(lead, Metric(name="ratio", label="R", formula=formula)))
    )

    if refused:
        with pytest.raises(DefinitionError, match='used by metric "ratio"'):
            store.delete_metric("lead")
    else:
        store.delete_metric("lead")

    names = [metric.name for metric in store.definitions().metrics]
    assert names == (["lead", "ratio"] if refused else ["ratio"])


# Sample workspace, settings, has_data


def test_remove_sample_keeps_only_the_users_work(store):
    sample = import_sales(store, JANUARY, "h-demo", name="demo", is_sample=True)
    import_sales(store, FEBRUARY, "h-mine", name="mine")
    store.add_definitions(WORKSPACE, is_sample=True)
    my_spend = Metric(name="spend", label="My spend", dataset="mine", column="amount")
    store.save_metric(my_spend)
    my_kpi = replace(Q1_SPEND, key="mine")
    store.save_kpi(my_kpi)

    store.remove_sample()

    assert [info.name for info in store.datasets()] == ["mine"]
    assert store.history(sample.dataset_id).empty
    assert store.definitions() == Definitions(metrics=(my_spend,), kpis=(my_kpi,))
    assert store.setting("sample_state") == "removed"


@pytest.mark.parametrize(
    "value",
    [3, 2.5, "sunday", True, [1, "a", None], {"fiscal_start": 4, "teams": ["a"]}],
)
def test_settings_round_trip_as_json(store, value):
    store.set_setting("choice", "first")

    store.set_setting("choice", value)

    assert store.setting("choice") == value


def test_setting_falls_back_to_the_default_only_when_never_set(store):
    store.set_setting("stored_null", None)

    assert store.setting("never", default="fallback") == "fallback"
    assert store.setting("never") is None
    assert store.setting("stored_null", default="fallback") is None


@pytest.mark.parametrize(
    ("fill", "expected"),
    [
        (lambda store: None, False),
        (lambda store: store.set_setting("week_start", "monday"), False),
        (lambda store: store.save_goal(COMPANY), True),
        (lambda store: import_sales(store, FEBRUARY, "h"), True),
    ],
    ids=["empty", "setting only", "a goal", "a dataset"],
)
def test_has_data(store, fill, expected):
    fill(store)

    assert store.has_data() is expected


# Which database, and SQLite specifics


@pytest.mark.parametrize(
    ("environment", "secrets", "expected"),
    [
        (
            "postgresql://env@db/goalpost",
            {"GOALPOST_DATABASE_URL": "postgresql://secret@db/goalpost"},
            "postgresql+psycopg://env@db/goalpost",
        ),
        (
            "",
            {"GOALPOST_DATABASE_URL": "postgresql://secret@db/goalpost"},
            "postgresql+psycopg://secret@db/goalpost",
        ),
        (
            None,
            {"database_url": "postgres://lower@db/goalpost"},
            "postgresql+psycopg://lower@db/goalpost",
        ),
        (
            "postgresql+psycopg://explicit@db/goalpost",
            None,
            "postgresql+psycopg://explicit@db/goalpost",
        ),
        (None, {"database_url": "sqlite:////srv/gp.db"}, "sqlite:////srv/gp.db"),
        (None, {}, "sqlite:////srv/data/goalpost.db"),
        (None, None, "sqlite:////srv/data/goalpost.db"),
    ],
)
def test_database_url_precedence(monkeypatch, environment, secrets, expected):
    if environment is None:
        monkeypatch.delenv("GOALPOST_DATABASE_URL", raising=False)
    else:
        monkeypatch.setenv("GOALPOST_DATABASE_URL", environment)

    assert database_url(secrets, data_dir=Path("/srv/data")) == expected


def test_database_url_defaults_to_the_repository_data_folder(monkeypatch):
    monkeypatch.delenv("GOALPOST_DATABASE_URL", raising=False)

    assert database_url() == f"sqlite:///{REPO / 'data' / 'goalpost.db'}"


def test_an_unsupported_database_is_refused_with_advice():
    with pytest.raises(
        GoalpostError, match="GOALPOST_DATABASE_URL to a sqlite"
    ) as caught:
        Store("mysql://someone@db/goalpost")

    assert caught.value.reason == "unsupported_database"


@pytest.mark.parametrize(
    ("pragma", "expected"), [("journal_mode", "wal"), ("busy_timeout", 30000)]
)
def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(sqlite_store, pragma, expected):
    with sqlite_store.engine.connect() as conn:
        assert conn.exec_driver_sql(f"PRAGMA {pragma}").scalar() == expected


def test_sqlite_file_keeps_everything_after_reopening(tmp_path):
    url = f"sqlite:///{tmp_path / 'nested' / 'goalpost.db'}"
    first = Store(url)
    outcome = import_sales(first, JANUARY, "h-jan")
    first.save_metric(LEADS)
    first.close()

    reopened = Store(url)

    pd.testing.assert_frame_equal(reopened.rows(outcome.dataset_id, 1), JANUARY)
    assert reopened.definitions() == Definitions(metrics=(LEADS,))
    assert reopened.definitions_version() == 1
    reopened.close()


def test_two_sqlite_writers_at_once_both_succeed(tmp_path):
    url = f"sqlite:///{tmp_path / 'goalpost.db'}"
    Store(url).close()  # the tables exist before the race starts
    rounds = 4
    start_together = threading.Barrier(2, timeout=60)
    errors: list[BaseException] = []

    def write(writer: str) -> None:
        store = Store(url)
        try:
            for round_ in range(rounds):
                start_together.wait()
                rows = FEBRUARY.assign(amount=[float(round_), 1.0])
                import_sales(store, rows, f"{writer}-{round_}")
        except BaseException as error:  # reported below, with the other thread's
            errors.append(error)
            start_together.abort()
        finally:
            store.close()

    threads = [threading.Thread(target=write, args=(w,)) for w in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    reader = Store(url)
    history = reader.history(1)
    reader.close()
    assert history["version"].tolist() == list(range(1, 2 * rounds + 1))
    expected_hashes = {f"{w}-{r}" for w in ("a", "b") for r in range(rounds)}
    assert set(history["content_hash"]) == expected_hashes
