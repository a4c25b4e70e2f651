"""Roll-back from a dataset's history (Store.restore_version), on both backends."""

from __future__ import annotations

import pandas as pd
import pytest

from kpi.errors import GoalpostError
from kpi.model import ColumnMapping
from kpi.store import ImportOutcome
from tests.test_store import FEBRUARY, JANUARY, import_sales


def test_an_earlier_upload_becomes_current_as_a_new_version(store) -> None:
    first = import_sales(store, JANUARY, "h-jan")
    import_sales(store, FEBRUARY, "h-feb")

    outcome = store.restore_version(first.dataset_id, 1)

    # January's 3 rows come back as version 3, replacing February's 2;
    # nothing is deleted.
    assert outcome == ImportOutcome(
        first.dataset_id, 3, 3, True, "restore", rows_added=3, rows_replaced=2
    )
    assert store.dataset("sales").version == 3
    pd.testing.assert_frame_equal(store.rows(first.dataset_id, 3), JANUARY)
    history = store.history(first.dataset_id)
    assert history["version"].tolist() == [1, 2, 3]
    assert history["is_current"].tolist() == [False, False, True]
    assert history["content_hash"].tolist() == ["h-jan", "h-feb", "h-jan"]
    assert history["mode"].tolist() == ["replace", "replace", "restore"]
    assert history["rows_added"].tolist() == [3, 2, 3]
    assert history["rows_replaced"].tolist() == [0, 3, 2]


def test_restoring_the_current_version_changes_nothing(store) -> None:
    first = import_sales(store, JANUARY, "h-jan")
    outcome = store.restore_version(first.dataset_id, 1)
    assert outcome == ImportOutcome(first.dataset_id, 1, 3, False, "restore")
    assert len(store.history(first.dataset_id)) == 1


def test_a_restore_can_itself_be_undone(store) -> None:
    first = import_sales(store, JANUARY, "h-jan")
    import_sales(store, FEBRUARY, "h-feb")
    store.restore_version(first.dataset_id, 1)
    store.restore_version(first.dataset_id, 2)
    assert store.dataset("sales").version == 4
    pd.testing.assert_frame_equal(store.rows(first.dataset_id, 4), FEBRUARY)


def test_a_version_read_with_other_columns_is_refused(store) -> None:
    first = import_sales(store, JANUARY, "h-jan")
    renamed = FEBRUARY.rename(columns={"amount": "revenue"})
    mapping = ColumnMapping(
        date="date", dimensions=("team",), numbers=("revenue",), team="team"
    )
    import_sales(store, renamed, "h-feb", mapping=mapping)

    with pytest.raises(
        GoalpostError, match='Version 1 of "sales" has no column revenue'
    ):
        store.restore_version(first.dataset_id, 1)
    assert store.dataset("sales").version == 2  # nothing changed


def test_an_unknown_version_is_named(store) -> None:
    first = import_sales(store, JANUARY, "h-jan")
    with pytest.raises(GoalpostError) as caught:
        store.restore_version(first.dataset_id, 9)
    assert caught.value.reason == "no_such_version"


def test_the_data_page_restores_an_earlier_upload(app_env) -> None:
    from kpi.store import Store
    from tests.test_journey import by_label
    from tests.test_pages import open_app

    open_app()  # the sample is loaded as version 1 of each dataset
    store = Store(app_env)
    sales = store.dataset("sales")
    first = store.rows(sales.id, 1)
    store.import_rows(
        "sales",
        sales.mapping,
        first.head(10),
        content_hash="ten-rows",
        file_name="short.csv",
        sheet=None,
    )

    app = open_app("pages/data.py")
    app.checkbox(key=f"restore-sure-{sales.id}").check().run()
    by_label(app.button, "Restore version 1").click().run()

    assert not app.exception, [e.value for e in app.exception]
    now = Store(app_env).dataset("sales")
    assert (now.version, now.row_count) == (3, len(first))
    assert any("back to the rows of version 1" in s.value for s in app.success)
