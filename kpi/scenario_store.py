"""Saved scenarios, and applying one to the definitions with an undo.

Scenarios live in the store's database, in a table of their own (revision
0005), one row per name. Applying a scenario writes the KPIs
``kpi.scenario_workspace.scenario_targets`` gives, in one transaction with a
record of what each KPI was before (its spec and sample flag, or nothing for
a KPI the scenario created) and what the scenario wrote. ``undo_apply``
takes back the latest application: created KPIs are deleted, updated ones
get their old spec back in the same row, so the definitions read exactly as
before. It refuses while a KPI differs from what the scenario wrote, so that
an edit made since is never overwritten silently.

These functions take a ``kpi.store.Store`` and use its engine; they open
their write transactions the way the store does (``goalpost_write``, which
makes SQLite take its write lock up front).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, NoReturn

import sqlalchemy as sa

from kpi.errors import GoalpostError
from kpi.model import KPI
from kpi.scenario_workspace import scenario_targets
from kpi.scenarios import Scenario
from kpi.store_schema import (
    as_utc,
    bump_definitions_version,
    definition_table,
    load_definitions,
    metadata,
    upsert_definition,
    utc_now,
)
from kpi.store_writes import delete_definition

if TYPE_CHECKING:
    from kpi.store import Store

scenario_table = sa.Table(
    "scenarios",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    # The name as a key (``Scenario.key``): "Q3 push" and "q3-push" would
    # write the same KPI keys, so only one of them may be saved.
    sa.Column("key", sa.Text, nullable=False, unique=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    sa.Column("spec", sa.JSON, nullable=False),
    sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
)

application_table = sa.Table(
    "scenario_applications",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("scenario", sa.Text, nullable=False),
    sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
    # One entry per KPI written: key, before (spec or null), was_sample, after.
    sa.Column("changes", sa.JSON, nullable=False),
    # Ids are never reused, so an undo can never take back a newer apply.
    sqlite_autoincrement=True,
)


@dataclass(frozen=True)
class Application:
    """One applied scenario: the KPI keys it created, updated and left as they were."""

    id: int
    scenario: str
    applied_at: datetime
    created: tuple[str, ...]
    updated: tuple[str, ...]
    unchanged: tuple[str, ...]


@contextmanager
def _write(store: Store) -> Iterator[sa.Connection]:
    with store.engine.connect() as conn:
        conn.execution_options(goalpost_write=True)
        with conn.begin():
            yield conn


# Saved scenarios


def save_scenario(store: Store, scenario: Scenario, *, replace: bool = False) -> None:
    """Save ``scenario`` under its name; with ``replace``, over the one saved so.

    Raises ``GoalpostError`` ("scenario_exists") when a scenario of that name
    (or of the same key) is saved and ``replace`` is False.
    """
    values: dict[str, Any] = {"key": scenario.key, "name": scenario.name}
    values.update(spec=scenario.to_dict(), saved_at=utc_now())
    with _unique_names(scenario.name), _write(store) as conn:
        found = _find(conn, scenario_table.c.key == scenario.key)
        if found is not None and not replace:
            _refuse_taken(scenario.name, found.name)
        if found is None:
            conn.execute(sa.insert(scenario_table).values(values))
        else:
            where = scenario_table.c.id == found.id
            conn.execute(sa.update(scenario_table).where(where).values(values))


def saved_scenarios(store: Store) -> list[Scenario]:
    """Every saved scenario, in the order first saved."""
    query = sa.select(scenario_table).order_by(scenario_table.c.id)
    with store.engine.connect() as conn:
        return [_scenario(row) for row in conn.execute(query)]


def saved_scenario(store: Store, name: str) -> Scenario | None:
    """The scenario saved as ``name``, or None."""
    with store.engine.connect() as conn:
        found = _find(conn, scenario_table.c.name == name)
    return None if found is None else _scenario(found)


def rename_scenario(store: Store, name: str, new_name: str) -> Scenario:
    """Give a saved scenario another name; its KPIs already applied keep theirs.

    Raises ``GoalpostError`` ("no_such_scenario", "scenario_exists", or
    "bad_scenario" for a name without a letter or digit).
    """
    with _unique_names(new_name), _write(store) as conn:
        found = _find(conn, scenario_table.c.name == name)
        if found is None:
            _refuse_missing(name)
        renamed = Scenario.from_dict({**found.spec, "name": new_name})
        clash = _find(conn, scenario_table.c.key == renamed.key)
        if clash is not None and clash.id != found.id:
            _refuse_taken(new_name, clash.name)
        values = {"key": renamed.key, "name": new_name, "spec": renamed.to_dict()}
        where = scenario_table.c.id == found.id
        conn.execute(sa.update(scenario_table).where(where).values(values))
    return renamed


def delete_scenario(store: Store, name: str) -> None:
    """Delete a saved scenario; KPIs it set stay, and so does their undo."""
    with _write(store) as conn:
        conn.execute(sa.delete(scenario_table).where(scenario_table.c.name == name))


# Applying and undoing


def apply_scenario(store: Store, scenario: Scenario) -> Application:
    """Create or update the scenario's KPIs in one transaction, undoably.

    Raises what ``scenario_targets`` raises, and ``GoalpostError``
    "already_applied" when every KPI holds what the scenario would write (an
    undo step that changes nothing would only confuse); then nothing is
    written.
    """
    with _write(store) as conn:
        kpis = scenario_targets(scenario, load_definitions(conn))
        before = _stored_kpis(conn, [kpi.key for kpi in kpis])
        changes = [_change(kpi, before.get(kpi.key)) for kpi in kpis]
        if all(_same(change) for change in changes):
            raise GoalpostError(
                "already_applied",
                f'Scenario "{scenario.name}" is applied already: its KPIs hold '
                "these targets, so nothing changed. Change the scenario to set "
                "other targets.",
            )
        for kpi in kpis:
            upsert_definition(conn, "kpi", kpi.key, kpi.to_dict(), is_sample=False)
        bump_definitions_version(conn)
        record = {"scenario": scenario.name, "applied_at": utc_now()}
        inserted = conn.execute(
            sa.insert(application_table).values(changes=changes, **record)
        )
        new_id = inserted.inserted_primary_key
        assert new_id is not None
        row = _find(conn, application_table.c.id == new_id[0], application_table)
    assert row is not None
    return _application(row)


def last_application(store: Store) -> Application | None:
    """The application ``undo_apply`` would take back, or None."""
    with store.engine.connect() as conn:
        row = _latest_application(conn)
    return None if row is None else _application(row)


def undo_apply(store: Store) -> Application:
    """Take back the latest application: the KPIs read exactly as before it.

    Raises ``GoalpostError``: "nothing_to_undo", or "changed_since_apply"
    (naming the KPIs) when a KPI was edited or deleted since; then nothing
    changes.
    """
    with _write(store) as conn:
        row = _latest_application(conn, lock=True)
        if row is None:
            raise GoalpostError(
                "nothing_to_undo",
                "No applied scenario is left to undo. Edit the KPIs on the "
                "Metrics & KPIs page instead.",
            )
        _check_unchanged(conn, row)
        for change in row.changes:
            if change["before"] is None:
                delete_definition(conn, "kpi", change["key"])
            else:
                spec, sample = change["before"], change["was_sample"]
                upsert_definition(conn, "kpi", change["key"], spec, sample)
        bump_definitions_version(conn)
        conn.execute(
            sa.delete(application_table).where(application_table.c.id == row.id)
        )
    return _application(row)


def _change(kpi: KPI, before: sa.Row[Any] | None) -> dict[str, Any]:
    return {
        "key": kpi.key,
        "before": None if before is None else before.spec,
        "was_sample": False if before is None else bool(before.is_sample),
        "after": kpi.to_dict(),
    }


def _same(change: dict[str, Any]) -> bool:
    before = change["before"]
    return before is not None and KPI.from_dict(before) == KPI.from_dict(
        change["after"]
    )


def _check_unchanged(conn: sa.Connection, row: sa.Row[Any]) -> None:
    current = _stored_kpis(conn, [change["key"] for change in row.changes])
    edited = [
        change["key"]
        for change in row.changes
        if change["key"] not in current
        or KPI.from_dict(current[change["key"]].spec) != KPI.from_dict(change["after"])
    ]
    if edited:
        raise GoalpostError(
            "changed_since_apply",
            f'KPIs {", ".join(edited)} changed after scenario "{row.scenario}" was '
            "applied, and undoing it would overwrite that. Change them back by "
            "hand on the Metrics & KPIs page.",
        )


def _stored_kpis(conn: sa.Connection, keys: Sequence[str]) -> dict[str, Any]:
    query = sa.select(
        definition_table.c.key, definition_table.c.spec, definition_table.c.is_sample
    ).where(definition_table.c.kind == "kpi", definition_table.c.key.in_(keys))
    return {row.key: row for row in conn.execute(query)}


def _latest_application(
    conn: sa.Connection, *, lock: bool = False
) -> sa.Row[Any] | None:
    query = sa.select(application_table).order_by(application_table.c.id.desc())
    # On PostgreSQL a second undo at the same moment waits, then sees it gone.
    query = query.limit(1).with_for_update() if lock else query.limit(1)
    return conn.execute(query).first()


def _application(row: sa.Row[Any]) -> Application:
    kinds: dict[str, list[str]] = {"created": [], "updated": [], "unchanged": []}
    for change in row.changes:
        if change["before"] is None:
            kind = "created"
        elif _same(change):
            kind = "unchanged"
        else:
            kind = "updated"
        kinds[kind].append(change["key"])
    return Application(
        id=row.id,
        scenario=row.scenario,
        applied_at=as_utc(row.applied_at),
        created=tuple(kinds["created"]),
        updated=tuple(kinds["updated"]),
        unchanged=tuple(kinds["unchanged"]),
    )


def _find(
    conn: sa.Connection,
    where: sa.ColumnElement[bool],
    table: sa.Table = scenario_table,
) -> sa.Row[Any] | None:
    return conn.execute(sa.select(table).where(where)).one_or_none()


def _scenario(row: sa.Row[Any]) -> Scenario:
    return Scenario.from_dict({**row.spec, "name": row.name})


@contextmanager
def _unique_names(name: str) -> Iterator[None]:
    # Two sessions saving one new name at once on PostgreSQL: the second to
    # commit breaks the unique constraint; it gets the same refusal.
    try:
        yield
    except sa.exc.IntegrityError as error:
        raise GoalpostError(
            "scenario_exists",
            f'A scenario called "{name}" was saved at the same moment. Reload '
            "the page to see it, then save under another name or replace it.",
        ) from error


def _refuse_taken(name: str, taken: str) -> NoReturn:
    raise GoalpostError(
        "scenario_exists",
        f'A scenario called "{taken}" is saved already, so "{name}" cannot be '
        "saved beside it. Choose another name, or replace the saved one.",
    )


def _refuse_missing(name: str) -> NoReturn:
    raise GoalpostError(
        "no_such_scenario",
        f'No scenario called "{name}" is saved: it was renamed or deleted. '
        "Reload the page to see the saved scenarios.",
    )
