"""Streamlit glue the pages share: the store, the viewer's scope and cached reads.

Not a page itself (``app.py`` registers the pages by name). Caches are keyed by
what makes an answer change: the database, the dataset ids and versions, the
definitions version, the viewer's scope and the day.
"""

from __future__ import annotations

import os
import threading
from datetime import UTC, date, datetime

import pandas as pd
import sqlalchemy as sa
import streamlit as st

from kpi.dashboard import KpiCard, Snapshot, kpi_card, scoped_rows, snapshot
from kpi.freshness import stale_behind
from kpi.metrics import Rows
from kpi.model import EVERYTHING, ColumnMapping, Definitions, Scope
from kpi.number_kinds import per_period_values
from kpi.sample import ensure_sample
from kpi.settings import WorkspaceSettings
from kpi.store import Store, database_url


def through_the_router() -> None:
    """Make sure app.py's st.navigation routes the runs; each page calls it first.

    Streamlit treats a folder named pages/ as an old-style page list until
    st.navigation has run once in the process, so a server's first visitor who
    opens a page link runs that page without the router. The page still draws
    (after the first-start check); the first such run in the process reruns
    once so that the sidebar shows our navigation. Called from the page, never
    at import: a rerun raised while importing this module would break the
    import for every session importing it at that moment.
    """
    from streamlit.runtime.pages_manager import PagesManager

    global _rerouted
    if not PagesManager.uses_pages_directory:
        return
    PagesManager.uses_pages_directory = False
    ensure_workspace()
    if not _rerouted:
        _rerouted = True
        st.rerun()


_rerouted = False

# One first start at a time in this process: two sessions opening a new
# server together would otherwise both load the sample.
_FIRST_START = threading.Lock()

STATUS_COLOURS = {
    "achieved": "green",
    "on track": "green",
    "at risk": "orange",
    "off track": "red",
    "missed": "red",
    "not started": "gray",
    "no data": "gray",
}


def show_late_data(kpis) -> None:
    """A warning for each late dataset behind ``kpis`` (``kpi.freshness``)."""
    late = stale_behind(definitions(), kpis, store().datasets(), datetime.now(UTC))
    for found in late:
        st.warning(
            plain(found.sentence) + " The KPIs built on it may be out of date.",
            icon=":material/schedule:",
        )


def plain(text: str) -> str:
    """Text for markdown, with "$" escaped: "$1.2M of $5M" is not a formula."""
    return text.replace("$", r"\$")


@st.cache_resource(show_spinner=False)
def _open_store(url: str) -> Store:
    return Store(url)


def store() -> Store:
    """The workspace's store: the SQLite file, or the configured database.

    A database that cannot be reached stops the page with a message instead
    of a traceback; the next rerun tries again.
    """
    url = database_url(_secrets())
    try:
        return _open_store(url)
    except sa.exc.OperationalError as error:
        place = sa.engine.make_url(url).render_as_string(hide_password=True)
        st.error(
            f"Goalpost cannot reach its database ({place}): "
            f"{str(error.orig).strip().splitlines()[0]}. Check that the server "
            "is running and that GOALPOST_DATABASE_URL is right, then reload.",
            icon=":material/cloud_off:",
        )
        st.stop()
        raise


def today() -> date:
    """The day KPIs are judged on; GOALPOST_TODAY (YYYY-MM-DD) pins it for demos."""
    pinned = os.environ.get("GOALPOST_TODAY")
    return date.fromisoformat(pinned) if pinned else date.today()


def viewer_scope() -> Scope:
    """Which teams this viewer may see; a local, single-user workspace sees all."""
    return EVERYTHING


def ensure_workspace() -> None:
    """Load the sample workspace on the very first start of an empty store."""
    if "workspace_checked" not in st.session_state:
        with _FIRST_START:
            ensure_sample(store(), today())
        st.session_state["workspace_checked"] = True


def settings() -> WorkspaceSettings:
    return WorkspaceSettings.from_dict(store().setting("workspace") or {})


@st.cache_resource(show_spinner=False, max_entries=64)
def _frame(
    url: str, dataset_id: int, version: int, _mapping: ColumnMapping
) -> pd.DataFrame:
    # Shared, not copied: kpi never modifies a frame it is given. A version's
    # mapping never changes, so the version alone keys the running totals.
    return per_period_values(_open_store(url).rows(dataset_id, version), _mapping)


def definitions() -> Definitions:
    return _definitions(database_url(_secrets()), store().definitions_version())


@st.cache_data(show_spinner=False, max_entries=16)
def _definitions(url: str, version: int) -> Definitions:
    return _open_store(url).definitions()


def rows(scope: Scope) -> dict[str, Rows]:
    """Every dataset's current rows that ``scope`` may see."""
    url = database_url(_secrets())
    datasets = store().datasets()
    frames = {d.id: _frame(url, d.id, d.version, d.mapping) for d in datasets}
    return scoped_rows(datasets, frames, scope)


def _state_key(scope: Scope) -> tuple:
    """What a cached answer depends on, besides its own arguments."""
    versions = tuple((d.id, d.version) for d in store().datasets())
    return (
        database_url(_secrets()),
        scope.cache_key,
        versions,
        store().definitions_version(),
        today(),
        settings(),
    )


def workspace_snapshot(scope: Scope) -> Snapshot:
    """Every visible KPI judged as of today, cached until something changes."""
    return _snapshot(_state_key(scope), scope)


def team_cards(scope: Scope, team: str, whole_periods: bool) -> list[KpiCard]:
    """The cards of one team's KPIs, in definition order."""
    return _team_cards(_state_key(scope), team, whole_periods, scope)


@st.cache_data(show_spinner=False, max_entries=64)
def _team_cards(
    state: tuple, team: str, whole_periods: bool, _scope: Scope
) -> list[KpiCard]:
    *_, day, workspace = state
    view = _snapshot(state, _scope)
    return [
        kpi_card(
            report,
            definitions(),
            rows(_scope),
            today=day,
            settings=workspace,
            whole_periods=whole_periods,
        )
        for report in view.reports.values()
        if report.kpi.team == team
    ]


@st.cache_data(show_spinner="Computing KPIs…", max_entries=32)
def _snapshot(state: tuple, _scope: Scope) -> Snapshot:
    *_, day, workspace = state
    return snapshot(definitions(), rows(_scope), _scope, today=day, settings=workspace)


def status_badge(status: str) -> str:
    """Markdown for a coloured status badge."""
    colour = STATUS_COLOURS.get(status, "gray")
    return f":{colour}-badge[{status.capitalize()}]"


def pick_from_query(key: str, options: list[str], label: str, **kwargs) -> str | None:
    """A selectbox whose choice lives in the URL (``?key=value``), so links open it."""
    if not options:
        return None
    wanted = st.query_params.get(key)
    index = options.index(wanted) if wanted in options else 0
    if wanted is not None and wanted not in options:
        shown = kwargs.get("format_func", str)(options[0])
        st.warning(
            f'The link asks for {label.lower()} "{wanted}", which does not exist or '
            f"is not yours to see; showing {shown} instead.",
            icon=":material/link_off:",
        )
    choice = st.selectbox(label, options, index=index, **kwargs)
    if st.query_params.get(key) != choice:
        st.query_params[key] = choice
    return choice


def clear_caches() -> None:
    """Forget cached answers after a write; the next rerun reads the store again."""
    _definitions.clear()
    _snapshot.clear()
    _team_cards.clear()


def _secrets() -> dict:
    try:
        return dict(st.secrets)
    except Exception:
        # No secrets file is the normal local case, not an error.
        return {}
