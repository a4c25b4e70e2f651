"""Goalpost's errors survive pickling (a file read in a child process sends
them back whole) and copying, with every attribute."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable

import pandas as pd
import pytest

from kpi.errors import (
    DefinitionError,
    FormulaError,
    GoalpostError,
    ImportProblem,
    Location,
    bad_rows_table,
)


def _with_note() -> GoalpostError:
    error = GoalpostError("file_damaged", "File broke. Save it again.")
    error.add_note("seen while reading sheet Q1")
    return error


ERRORS: dict[str, Callable[[], GoalpostError]] = {
    "GoalpostError": lambda: GoalpostError("file_too_large", "Too large. Split it."),
    "with a note": _with_note,
    "ImportProblem": lambda: ImportProblem(
        "not_a_number",
        'File "t.xlsx", sheet "Q1", column "leads", row 3: "x" is not a number.',
        Location("t.xlsx", "Q1", 3, "leads"),
        bad_rows_table(
            [{"row": 3, "column": "leads", "value": "x", "problem": "not a number"}]
        ),
    ),
    "ImportProblem without rows": lambda: ImportProblem(
        "empty_file", 'File "e.csv" is empty.', Location("e.csv")
    ),
    "DefinitionError": lambda: DefinitionError(
        "no_target", "KPI has no target. Add one.", subject="Leads"
    ),
    "FormulaError": lambda: FormulaError(
        "unknown_metric", 'Formula names "leeds". Fix it.', "cost_per_lead"
    ),
}


def _same_error(copied: GoalpostError, original: GoalpostError) -> None:
    assert type(copied) is type(original)
    assert copied.args == original.args
    assert str(copied) == str(original)
    assert vars(copied).keys() == vars(original).keys()
    for name, value in vars(original).items():
        if isinstance(value, pd.DataFrame):
            pd.testing.assert_frame_equal(getattr(copied, name), value)
        else:
            assert getattr(copied, name) == value


@pytest.mark.parametrize("key", ERRORS)
def test_errors_pickle_whole(key: str) -> None:
    original = ERRORS[key]()

    copied = pickle.loads(pickle.dumps(original))

    _same_error(copied, original)


@pytest.mark.parametrize("key", ERRORS)
def test_errors_copy_whole(key: str) -> None:
    original = ERRORS[key]()

    _same_error(copy.copy(original), original)
    _same_error(copy.deepcopy(original), original)


def test_an_unpickled_import_problem_still_names_its_cell() -> None:
    original = ERRORS["ImportProblem"]()

    copied = pickle.loads(pickle.dumps(original))

    assert isinstance(copied, ImportProblem)
    assert (copied.reason, copied.location.row, copied.location.column) == (
        "not_a_number",
        3,
        "leads",
    )
    assert copied.bad_rows["value"].tolist() == ["x"]
    with pytest.raises(ImportProblem, match=r'row 3: "x" is not a number'):
        raise copied
