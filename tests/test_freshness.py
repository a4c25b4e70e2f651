"""When a dataset was last updated, and whether that is later than expected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from kpi.errors import DefinitionError
from kpi.freshness import freshness
from kpi.model import ColumnMapping, DatasetInfo

NOW = datetime(2026, 4, 30, 12, 0, tzinfo=UTC)
MAPPING = ColumnMapping(date="date", numbers=("amount",))


def info(age: timedelta | None, every: str | None) -> DatasetInfo:
    return DatasetInfo(
        id=1,
        name="sales",
        mapping=MAPPING,
        version=1,
        row_count=3,
        expected_every=every,
        updated_at=None if age is None else NOW - age,
    )


@pytest.mark.parametrize(
    ("age", "every", "stale", "sentence"),
    [
        # Weekly: 7 days + 1 of grace = 8 days allowed.
        (
            timedelta(days=8),
            "week",
            False,
            "last updated 8 days ago; it is expected weekly.",
        ),
        (
            timedelta(days=8, hours=1),
            "week",
            True,
            "last updated 8 days ago; it is expected weekly. Upload the latest file.",
        ),
        # Daily: 1 day + 1 of grace.
        (
            timedelta(hours=47),
            "day",
            False,
            "last updated 1 day ago; it is expected daily.",
        ),
        (timedelta(days=3), "day", True, "expected daily. Upload the latest file."),
        # Monthly: 31 + 1 days.
        (timedelta(days=32), "month", False, "32 days ago; it is expected monthly."),
        (
            timedelta(days=33),
            "month",
            True,
            "33 days ago; it is expected monthly. Upload",
        ),
        # Nobody said how often: never stale, but the age is still said.
        (timedelta(days=400), None, False, "sales was last updated 400 days ago."),
        (timedelta(minutes=5), None, False, "less than an hour ago."),
        (timedelta(hours=5), "day", False, "5 hours ago; it is expected daily."),
    ],
)
def test_stale_once_older_than_the_rhythm_plus_a_day(age, every, stale, sentence):
    found = freshness(info(age, every), NOW)
    assert found.stale is stale
    assert sentence in found.sentence
    assert found.age == age


def test_a_dataset_never_updated_is_not_stale() -> None:
    found = freshness(info(None, "week"), NOW)
    assert (found.stale, found.age, found.sentence) == (False, None, "")


def test_an_unknown_rhythm_is_refused() -> None:
    with pytest.raises(DefinitionError, match='"hourly" is not a known update rhythm'):
        freshness(info(timedelta(days=1), "hourly"), NOW)


def test_the_store_keeps_the_rhythm(store) -> None:
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-04-01"]).astype("datetime64[ns]"),
            "amount": [1.0],
        }
    )
    outcome = store.import_rows(
        "sales", MAPPING, frame, content_hash="h1", file_name="s.csv", sheet=None
    )
    store.set_expected_every(outcome.dataset_id, "week")
    assert store.dataset("sales").expected_every == "week"
    store.set_expected_every(outcome.dataset_id, None)
    assert store.dataset("sales").expected_every is None
    with pytest.raises(DefinitionError):
        store.set_expected_every(outcome.dataset_id, "fortnight")


def test_pages_flag_a_late_dataset_behind_their_kpis(app_env) -> None:
    import sqlalchemy as sa

    from kpi.store import Store
    from kpi.store_schema import version_table
    from tests.test_pages import open_app

    open_app()  # first start: the sample is loaded now
    store = Store(app_env)
    sales = store.dataset("sales")
    store.set_expected_every(sales.id, "day")
    three_days_ago = datetime.now(UTC) - timedelta(days=3, minutes=1)
    with store.engine.begin() as conn:
        conn.execute(
            sa.update(version_table)
            .where(version_table.c.dataset_id == sales.id)
            .values(uploaded_at=three_days_ago)
        )

    overview = open_app("pages/overview.py")
    team = open_app("pages/team.py", team="Support")
    expected = "sales was last updated 3 days ago; it is expected daily."
    assert any(expected in w.value for w in overview.warning)
    # Support's KPIs read the support dataset only: no warning there.
    assert not any("sales was last updated" in w.value for w in team.warning)
