"""What every form of the Metrics & KPIs page shares: the workspace, keys, saving."""

import re
from dataclasses import dataclass

import streamlit as st

from kpi.definition_checks import validate_definitions
from kpi.errors import GoalpostError
from kpi.model import ColumnMapping, DatasetInfo, Definitions, Scope
from kpi.store import Store
from pages import common

NEW = "+ New"
FLASH = "definitions-flash"


@dataclass(frozen=True)
class Editor:
    """The workspace as the forms see it on this run."""

    store: Store
    scope: Scope
    definitions: Definitions
    datasets: dict[str, DatasetInfo]
    mappings: dict[str, ColumnMapping]


def open_editor() -> Editor:
    store = common.store()
    datasets = {d.name: d for d in store.datasets()}
    return Editor(
        store=store,
        scope=common.viewer_scope(),
        definitions=common.definitions(),
        datasets=datasets,
        mappings={name: d.mapping for name, d in datasets.items()},
    )


def slug(text: str) -> str:
    """A key from a label: "Cost per lead" -> "cost_per_lead"; never a leading digit."""
    key = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return f"n_{key}" if key[:1].isdigit() else key


def new_key(kind: str, key: str, taken: list[str], shown: str = "") -> bool:
    """True when a new definition's key (and shown name) are free; else says why.

    Compared without case: "Calls" beside "calls", or two KPIs both called
    "Revenue", could not be told apart in the lists that pick them.
    """
    if not key:
        st.error(f"Give the {kind} a name with letters in it.", icon=":material/error:")
        return False
    clash = next(
        (t for t in taken if t.lower() in (key.lower(), shown.strip().lower())), None
    )
    if clash is not None:
        st.error(
            f'A {kind} named "{clash}" exists already. Pick it under "Edit {kind}" '
            "to change it, or give this one another name.",
            icon=":material/error:",
        )
        return False
    return True


def show_standing_problems(ed: Editor) -> None:
    """What is already broken in the definitions, so the user can mend it."""
    problems = validate_definitions(ed.definitions, ed.mappings)
    if problems:
        with st.expander(f"{len(problems)} definitions need attention", expanded=True):
            for problem in problems:
                st.warning(problem, icon=":material/warning:")


def show_flash() -> None:
    """A message left by the run before st.rerun() (which would wipe it)."""
    message = st.session_state.pop(FLASH, None)
    if message:
        st.success(message, icon=":material/check_circle:")


def save(ed: Editor, updated: Definitions, write, note: str = "") -> None:
    """Write one definition unless it adds a problem to the set; otherwise say why.

    Problems the set had before this change do not block it (they are shown
    at the top of the page), so one broken definition never locks the editor.
    """
    known = set(validate_definitions(ed.definitions, ed.mappings))
    problems = [p for p in validate_definitions(updated, ed.mappings) if p not in known]
    if problems:
        for problem in problems:
            st.error(problem, icon=":material/error:")
        return
    try:
        write()
    except GoalpostError as error:
        st.error(error.message, icon=":material/error:")
        return
    common.clear_caches()
    st.session_state[FLASH] = f"Saved. {note}".strip()
    st.rerun()


def delete(remove) -> None:
    try:
        remove()
    except GoalpostError as error:
        st.error(error.message, icon=":material/error:")
        return
    common.clear_caches()
    st.session_state[FLASH] = "Deleted."
    st.rerun()


def replace_in(items: tuple, item, attribute: str) -> tuple:
    kept = tuple(i for i in items if getattr(i, attribute) != getattr(item, attribute))
    return (*kept, item)
