"""Typed errors that carry what a page needs to explain a problem.

Every error says what happened and what to do next. Pages turn them into
``st.error`` plus a table of the offending rows; ``kpi`` never prints them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class Location:
    """Where in a source a problem sits; rows numbered as the spreadsheet shows them."""

    file: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def describe(self) -> str:
        parts = [f'File "{self.file}"']
        if self.sheet:
            parts.append(f'sheet "{self.sheet}"')
        if self.column:
            parts.append(f'column "{self.column}"')
        if self.row is not None:
            parts.append(f"row {self.row}")
        return ", ".join(parts)


class GoalpostError(Exception):
    """Base of every error ``kpi`` raises on purpose.

    ``reason`` is a short stable code tests and pages can rely on
    (``"not_a_number"``, ``"no_date_column"``); the message is for people.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as class, args and attributes, so subclasses whose
        constructors take more than the message (reason, location, bad_rows,
        subject) come back whole from a child process."""
        return _restore_error, (type(self), self.args, dict(vars(self)))


@dataclass
class ImportProblem(GoalpostError):
    """A file that cannot be imported as mapped; nothing was stored.

    ``bad_rows`` holds one row per offending cell: row, column, value, problem.
    """

    reason: str
    message: str
    location: Location
    bad_rows: pd.DataFrame = field(default_factory=pd.DataFrame)

    def __post_init__(self) -> None:
        super().__init__(self.reason, self.message)

    def __str__(self) -> str:
        return self.message


class DefinitionError(GoalpostError):
    """A metric, KPI or goal definition that is incomplete or inconsistent."""

    def __init__(self, reason: str, message: str, subject: str = "") -> None:
        super().__init__(reason, message)
        self.subject = subject


class FormulaError(DefinitionError):
    """A derived metric's formula that is not plain arithmetic on metric names."""


def _restore_error(
    error_type: type[GoalpostError], args: tuple[Any, ...], state: dict[str, Any]
) -> GoalpostError:
    """The error ``__reduce__`` described, rebuilt without calling its __init__."""
    error = error_type.__new__(error_type, *args)
    vars(error).update(state)
    return error


def bad_rows_table(records: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per offending cell, in the column order pages show."""
    return pd.DataFrame(records, columns=["row", "column", "value", "problem"])
