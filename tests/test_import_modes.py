"""Import modes (replace, merge, append) and the batch record, on both backends.

Every expected frame and count is worked by hand from the literals below:
CURRENT holds teams A and B on Jan 1-3 (6 rows); NEWER holds A on Jan 3-4.
"""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from kpi.errors import ImportProblem
from kpi.import_modes import ImportPlan, key_text
from kpi.model import ColumnMapping
from kpi.store import ImportOutcome, Store
from kpi.store_schema import version_table

MAPPING = ColumnMapping(
    date="date", dimensions=("team",), numbers=("amount",), team="team"
)


def table(*rows: tuple[str, object, float]) -> pd.DataFrame:
    """Rows of (date, team, amount); the team column keeps None, NaN and "" apart."""
    dates, teams, amounts = zip(*rows, strict=True) if rows else ((), (), ())
    return pd.DataFrame(
        {
            "date": pd.to_datetime(list(dates)).as_unit("us"),
            "team": pd.Series(list(teams), dtype=object),
            "amount": pd.Series(list(amounts), dtype="float64"),
        }
    )


def as_stored(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows as the store gives them back: text as str, None as NaN."""
    return rows.astype({"team": "str"})


CURRENT = table(
    ("2026-01-01", "A", 1.0),
    ("2026-01-01", "B", 10.0),
    ("2026-01-02", "A", 2.0),
    ("2026-01-02", "B", 20.0),
    ("2026-01-03", "A", 3.0),
    ("2026-01-03", "B", 30.0),
)
NEWER = table(("2026-01-03", "A", 4.0), ("2026-01-04", "A", 5.0))
# CURRENT without A on Jan 3, then NEWER: A Jan 3 replaced, A Jan 4 added.
MERGED = table(
    ("2026-01-01", "A", 1.0),
    ("2026-01-01", "B", 10.0),
    ("2026-01-02", "A", 2.0),
    ("2026-01-02", "B", 20.0),
    ("2026-01-03", "B", 30.0),
    ("2026-01-03", "A", 4.0),
    ("2026-01-04", "A", 5.0),
)
B_JAN_4 = table(("2026-01-04", "B", 40.0))
TWO_FOR_A_JAN_1 = table(("2026-01-01", "A", 1.5), ("2026-01-01", "A", 2.5))


def put(
    store: Store, rows: pd.DataFrame, content_hash: str, **options
) -> ImportOutcome:
    options = {"mapping": MAPPING, "file_name": "sales.csv", "sheet": None, **options}
    mapping = options.pop("mapping")
    return store.import_rows(
        "sales", mapping, rows, content_hash=content_hash, **options
    )


def plan(store: Store, rows: pd.DataFrame, content_hash: str, mode: str) -> ImportPlan:
    return store.plan_import(
        "sales", MAPPING, rows, content_hash=content_hash, mode=mode
    )


def batches(store: Store, dataset_id: int) -> list[list[str]]:
    query = (
        sa.select(version_table.c.batches)
        .where(version_table.c.dataset_id == dataset_id)
        .order_by(version_table.c.version)
    )
    with store.engine.connect() as conn:
        return list(conn.execute(query).scalars())


# ---------------------------------------------------------------------------
# Each mode: the plan, the outcome and the stored rows agree
# ---------------------------------------------------------------------------

# (current rows, file rows, mode, rows stored after,
#  (rows_now, rows_in_file, rows_after, rows_added, rows_replaced, sharing))
CASES = {
    "replace": (CURRENT, NEWER, "replace", NEWER, (6, 2, 2, 2, 6, 0)),
    "merge": (CURRENT, NEWER, "merge", MERGED, (6, 2, 7, 1, 1, 1)),
    "append": (
        CURRENT,
        NEWER,
        "append",
        pd.concat([CURRENT, NEWER], ignore_index=True),
        (6, 2, 8, 2, 0, 1),
    ),
    "merge a new key only": (
        CURRENT,
        B_JAN_4,
        "merge",
        pd.concat([CURRENT, B_JAN_4], ignore_index=True),
        (6, 1, 7, 1, 0, 0),
    ),
    "merge two rows for one current row": (
        CURRENT,
        TWO_FOR_A_JAN_1,
        "merge",
        pd.concat([CURRENT.iloc[1:], TWO_FOR_A_JAN_1], ignore_index=True),
        (6, 2, 7, 0, 1, 2),  # 6 - 1 + 2 rows
    ),
    "empty team replaced by None": (
        table(("2026-01-01", "", 7.0), ("2026-01-01", "A", 1.0)),
        table(("2026-01-01", None, 8.0)),
        "merge",
        table(("2026-01-01", "A", 1.0), ("2026-01-01", None, 8.0)),
        (2, 1, 2, 0, 1, 1),
    ),
    "None team replaced by NaN": (
        table(("2026-01-01", None, 7.0), ("2026-01-01", "A", 1.0)),
        table(("2026-01-01", np.nan, 8.0)),
        "merge",
        table(("2026-01-01", "A", 1.0), ("2026-01-01", None, 8.0)),
        (2, 1, 2, 0, 1, 1),
    ),
    "NaN team replaced by empty": (
        table(("2026-01-01", np.nan, 7.0)),
        table(("2026-01-01", "", 8.0)),
        "merge",
        table(("2026-01-01", "", 8.0)),
        (1, 1, 1, 0, 1, 1),
    ),
    "007 and 7 are two teams": (
        table(("2026-01-01", "007", 1.0)),
        table(("2026-01-01", "7", 2.0)),
        "merge",
        table(("2026-01-01", "007", 1.0), ("2026-01-01", "7", 2.0)),
        (1, 1, 2, 1, 0, 0),
    ),
    "another time of day is another key": (
        table(("2026-01-01 00:00", "A", 1.0)),
        table(("2026-01-01 10:30", "A", 2.0)),
        "merge",
        table(("2026-01-01 00:00", "A", 1.0), ("2026-01-01 10:30", "A", 2.0)),
        (1, 1, 2, 1, 0, 0),
    ),
    "append warns of a shared key": (
        table(("2026-01-01", "A", 1.0)),
        table(("2026-01-01", "A", 1.0), ("2026-01-02", "A", 2.0)),
        "append",
        table(
            ("2026-01-01", "A", 1.0), ("2026-01-01", "A", 1.0), ("2026-01-02", "A", 2.0)
        ),
        (1, 2, 3, 2, 0, 1),
    ),
}


@pytest.mark.parametrize(
    ("current", "file", "mode", "expected", "counts"),
    list(CASES.values()),
    ids=list(CASES),
)
def test_the_stored_rows_are_the_planned_rows(
    store, current, file, mode, expected, counts
):
    first = put(store, current, "h-now")
    history_before = store.history(first.dataset_id)

    planned = plan(store, file, "h-file", mode)
    outcome = put(store, file, "h-file", mode=mode)

    now, in_file, after, added, replaced, sharing = counts
    assert planned == ImportPlan(mode, now, in_file, after, added, replaced, sharing)
    assert outcome == ImportOutcome(
        first.dataset_id, 2, after, True, mode, added, replaced
    )
    stored = store.rows(first.dataset_id, 2)
    assert len(stored) == planned.rows_after
    pd.testing.assert_frame_equal(stored, as_stored(expected))
    history = store.history(first.dataset_id)
    kept = ["version", "content_hash", "row_count", "mode", "uploaded_at"]
    pd.testing.assert_frame_equal(history.loc[:0, kept], history_before[kept])
    assert history[["row_count", "mode", "rows_added", "rows_replaced"]].iloc[
        1
    ].tolist() == [after, mode, added, replaced]


@pytest.mark.parametrize("mode", ["replace", "merge", "append"])
def test_planning_stores_nothing(store, mode):
    first = put(store, CURRENT, "h-now")
    before = (store.datasets(), store.history(first.dataset_id))

    plan(store, NEWER, "h-newer", mode)

    assert store.datasets() == before[0]
    pd.testing.assert_frame_equal(store.history(first.dataset_id), before[1])


@pytest.mark.parametrize("mode", ["replace", "merge", "append"])
def test_every_mode_creates_a_missing_dataset(store, mode):
    planned = plan(store, NEWER, "h-newer", mode)
    outcome = put(store, NEWER, "h-newer", mode=mode)

    assert planned == ImportPlan(mode, 0, 2, 2, 2, 0)
    assert outcome == ImportOutcome(outcome.dataset_id, 1, 2, True, mode, 2, 0)
    assert store.history(outcome.dataset_id)["mode"].tolist() == [mode]
    assert batches(store, outcome.dataset_id) == [["h-newer"]]
    pd.testing.assert_frame_equal(store.rows(outcome.dataset_id, 1), as_stored(NEWER))


# ---------------------------------------------------------------------------
# The same file twice changes nothing
# ---------------------------------------------------------------------------

# mode, rows after the first import of NEWER (see CASES), reason the second gives
AGAIN = [
    ("replace", 2, "same_file"),
    ("merge", 7, "file_already_in"),
    ("append", 8, "file_already_in"),
]


@pytest.mark.parametrize(("mode", "rows_after", "reason"), AGAIN)
def test_the_same_file_again_changes_nothing(store, mode, rows_after, reason):
    first = put(store, CURRENT, "h-now")
    put(store, NEWER, "h-newer", mode=mode)

    planned = plan(store, NEWER, "h-newer", mode)
    again = put(store, NEWER, "h-newer", mode=mode, file_name="sales (1).csv")

    assert planned == ImportPlan(mode, rows_after, 2, rows_after, 0, 0, 0, reason)
    assert planned.nothing_changes and planned.why_unchanged
    assert again == ImportOutcome(first.dataset_id, 2, rows_after, False, mode)
    assert store.history(first.dataset_id)["version"].tolist() == [1, 2]


@pytest.mark.parametrize(
    ("mode", "file", "reason"),
    [
        # A Jan 3 = 3 and B Jan 2 = 20 are what CURRENT holds for those keys.
        (
            "merge",
            table(("2026-01-03", "A", 3.0), ("2026-01-02", "B", 20.0)),
            "same_rows",
        ),
        ("merge", table(), "no_rows"),
        ("append", table(), "no_rows"),
    ],
)
def test_a_file_that_adds_nothing_changes_nothing(store, mode, file, reason):
    first = put(store, CURRENT, "h-now")

    planned = plan(store, file, "h-other", mode)
    outcome = put(store, file, "h-other", mode=mode)

    assert planned == ImportPlan(mode, 6, len(file), 6, 0, 0, 0, reason)
    assert outcome == ImportOutcome(first.dataset_id, 1, 6, False, mode)


def test_a_merged_file_replaced_alone_is_a_change(store):
    # Version 2 carries NEWER's hash but holds CURRENT's rows too.
    first = put(store, CURRENT, "h-now")
    put(store, NEWER, "h-newer", mode="merge")

    outcome = put(store, NEWER, "h-newer")

    assert outcome == ImportOutcome(first.dataset_id, 3, 2, True, "replace", 2, 7)
    pd.testing.assert_frame_equal(store.rows(first.dataset_id, 3), as_stored(NEWER))


# ---------------------------------------------------------------------------
# The batch record through replace, merge, append and restore
# ---------------------------------------------------------------------------


def test_each_version_records_its_mode_batches_and_counts(store):
    first = put(store, CURRENT, "h1")
    put(store, NEWER, "h2", mode="merge")  # 7 rows
    put(store, B_JAN_4, "h3", mode="append")  # 8 rows

    restored = store.restore_version(first.dataset_id, 1)
    merged_again = put(store, NEWER, "h2", mode="merge")
    replaced = put(store, NEWER, "h2")

    # The restore brings back version 1's 6 rows over the 8 of version 3, and
    # its batches, so NEWER merges again (7 rows) before replacing them all.
    assert restored == ImportOutcome(first.dataset_id, 4, 6, True, "restore", 6, 8)
    assert merged_again == ImportOutcome(first.dataset_id, 5, 7, True, "merge", 1, 1)
    assert replaced == ImportOutcome(first.dataset_id, 6, 2, True, "replace", 2, 7)
    history = store.history(first.dataset_id)
    assert history["mode"].tolist() == [
        "replace",
        "merge",
        "append",
        "restore",
        "merge",
        "replace",
    ]
    assert history["row_count"].tolist() == [6, 7, 8, 6, 7, 2]
    assert history["rows_added"].tolist() == [6, 1, 1, 6, 1, 2]
    assert history["rows_replaced"].tolist() == [0, 1, 0, 8, 1, 7]
    assert batches(store, first.dataset_id) == [
        ["h1"],
        ["h1", "h2"],
        ["h1", "h2", "h3"],
        ["h1"],
        ["h1", "h2"],
        ["h2"],
    ]
    pd.testing.assert_frame_equal(store.rows(first.dataset_id, 4), as_stored(CURRENT))
    pd.testing.assert_frame_equal(store.rows(first.dataset_id, 5), as_stored(MERGED))


def test_restoring_a_merge_brings_back_its_batches(store):
    first = put(store, CURRENT, "h1")
    put(store, NEWER, "h2", mode="merge")
    put(store, B_JAN_4, "h3")  # a replace: only B Jan 4 is left

    store.restore_version(first.dataset_id, 2)
    again = put(store, NEWER, "h2", mode="append")

    assert again == ImportOutcome(first.dataset_id, 4, 7, False, "append")
    pd.testing.assert_frame_equal(store.rows(first.dataset_id, 4), as_stored(MERGED))


# ---------------------------------------------------------------------------
# Merge and append need the dataset's mapping
# ---------------------------------------------------------------------------

MAPPINGS_THAT_DIFFER = [
    (
        ColumnMapping(date="date", dimensions=("team", "channel"), numbers=("amount",)),
        NEWER.assign(channel="web"),
        "channel",
    ),
    (
        ColumnMapping(date="date", dimensions=("team",), numbers=("revenue",)),
        NEWER.rename(columns={"amount": "revenue"}),
        "amount, revenue",
    ),
    (
        ColumnMapping(date="day", dimensions=("team",), numbers=("amount",)),
        NEWER.rename(columns={"date": "day"}),
        "date, day",
    ),
    # Same columns, but amount read as a level: the old rows would change
    # meaning with it.
    (
        ColumnMapping(
            date="date",
            dimensions=("team",),
            numbers=("amount",),
            number_kinds=(("amount", "snapshot"),),
        ),
        NEWER,
        "amount",
    ),
]


@pytest.mark.parametrize("mode", ["merge", "append"])
@pytest.mark.parametrize(("mapping", "rows", "differing"), MAPPINGS_THAT_DIFFER)
def test_merge_and_append_refuse_another_mapping(store, mode, mapping, rows, differing):
    first = put(store, CURRENT, "h-now")
    message = (
        f'File "feb.csv", sheet "Feb": dataset "sales" is mapped with other '
        f"columns than this import \\(differing: {differing}\\)"
    )
    options = {"content_hash": "h-feb", "mode": mode, "file_name": "feb.csv"}

    with pytest.raises(ImportProblem, match=message) as planning:
        store.plan_import("sales", mapping, rows, sheet="Feb", **options)
    with pytest.raises(ImportProblem, match='Import with "replace"') as importing:
        store.import_rows("sales", mapping, rows, sheet="Feb", **options)

    assert planning.value.reason == importing.value.reason == "mapping_differs"
    assert store.dataset("sales").version == 1
    assert len(store.history(first.dataset_id)) == 1
    replaced = put(store, rows, "h-feb", mapping=mapping)
    assert (replaced.version, replaced.changed) == (2, True)


# ---------------------------------------------------------------------------
# Keys as text
# ---------------------------------------------------------------------------

MIDNIGHT = "2026-01-05T00:00:00.000000"


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        (pd.to_datetime(["2026-01-05"]).as_unit("ns"), [MIDNIGHT]),
        (pd.to_datetime(["2026-01-05"]).as_unit("s"), [MIDNIGHT]),
        (pd.to_datetime(["2026-01-05 10:30"]), ["2026-01-05T10:30:00.000000"]),
        (pd.to_datetime(["2026-01-05T12:00+02:00"]), ["2026-01-05T10:00:00.000000"]),
        (pd.Series([date(2026, 1, 5), None], dtype=object), [MIDNIGHT, ""]),
        (pd.Series([datetime(2026, 1, 5)], dtype=object), [MIDNIGHT]),
        (pd.to_datetime(["2026-01-05", None]), [MIDNIGHT, ""]),
    ],
)
def test_dates_key_in_one_iso_form(dates, expected):
    rows = pd.DataFrame({"date": dates, "team": "A", "amount": 1.0})
    assert key_text(rows, MAPPING)["date"].tolist() == expected


def test_dimensions_key_as_text_with_empty_for_missing():
    mapping = ColumnMapping(date="date", dimensions=("region",), person="owner")
    rows = pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-01-05"] * 5),
            "region": pd.Series(["007", "7", None, np.nan, ""], dtype=object),
            "owner": pd.Series([7, 7.5, "Ann", None, " Bo"], dtype=object),
        }
    )

    keys = key_text(rows, mapping)

    assert keys.columns.tolist() == ["date", "region", "owner"]
    assert keys["region"].tolist() == ["007", "7", "", "", ""]
    assert keys["owner"].tolist() == ["7", "7.5", "Ann", "", " Bo"]
