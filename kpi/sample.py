"""The sample workspace: four team spreadsheets and their goal tree.

On the first start of an empty store, Goalpost loads a sample company so that
every page has something to show. The sample's rows come from the seeded
generator in ``data/sample/generate.py`` and enter the store exactly as an
upload would (CSV bytes -> ``read_table`` -> ``clean_rows`` -> store), so the
sample also exercises the import path. Its definitions come from
``data/sample/goalpost.yaml``, dated to the current year.
"""

from __future__ import annotations

import importlib.util
from datetime import date
from functools import cache
from pathlib import Path
from types import ModuleType

import pandas as pd

from kpi.definitions import definitions_from_yaml
from kpi.model import ColumnMapping, Definitions
from kpi.reading import clean_rows, content_hash, read_table
from kpi.store import Store

SAMPLE_DIR: Path = Path(__file__).resolve().parents[1] / "data" / "sample"
DEFINITIONS_FILE = "goalpost.yaml"

# How each generated dataset is mapped, as a person would map the upload.
SAMPLE_MAPPINGS: dict[str, ColumnMapping] = {
    "marketing": ColumnMapping(
        date="date",
        dimensions=("team", "person", "channel"),
        numbers=(
            "blog_posts",
            "organic_sessions",
            "landing_page_visits",
            "landing_page_conversions",
            "leads",
            "ad_spend",
        ),
        team="team",
        person="person",
    ),
    "sales": ColumnMapping(
        date="date",
        dimensions=("team", "person"),
        numbers=(
            "calls",
            "emails_sent",
            "meetings",
            "opportunities",
            "deals_won",
            "revenue",
            "pipeline_created",
        ),
        team="team",
        person="person",
    ),
    "support": ColumnMapping(
        date="date",
        dimensions=("team", "person"),
        numbers=(
            "tickets_received",
            "tickets_resolved",
            "resolution_hours",
            "call_minutes",
        ),
        team="team",
        person="person",
    ),
    # Product numbers belong to the team; its person column is empty.
    "product": ColumnMapping(
        date="date",
        dimensions=("team",),
        numbers=("daily_active_users", "free_signups"),
        team="team",
    ),
}


def sample_definitions(today: date) -> Definitions:
    """The sample's metrics, goals and KPIs, with ``{this_year}`` and
    ``{last_year}`` filled in from ``today`` (2026-12-03 -> 2026 and 2025)."""
    text = (SAMPLE_DIR / DEFINITIONS_FILE).read_text(encoding="utf-8")
    text = text.replace("{this_year}", str(today.year))
    text = text.replace("{last_year}", str(today.year - 1))
    return definitions_from_yaml(text, source=DEFINITIONS_FILE)


def sample_frames(today: date) -> dict[str, pd.DataFrame]:
    """The generated datasets: two years of daily rows ending on ``today``."""
    frames: dict[str, pd.DataFrame] = _generator().generate(today)
    return frames


def load_sample(store: Store, today: date) -> None:
    """Import the four sample datasets and add the sample definitions.

    Each dataset is written as CSV bytes and read back through the upload
    path, then stored with ``source="sample"`` and ``is_sample=True`` so that
    ``Store.remove_sample`` can take it all away again.
    """
    for name, frame in sample_frames(today).items():
        file_name = f"{name}.csv"
        content = frame.to_csv(index=False, date_format="%Y-%m-%d").encode("utf-8")
        raw = read_table(file_name, content)
        rows = clean_rows(raw, SAMPLE_MAPPINGS[name])
        store.import_rows(
            name,
            SAMPLE_MAPPINGS[name],
            rows,
            file_name=file_name,
            sheet=None,
            content_hash=content_hash(content),
            source="sample",
            is_sample=True,
        )
    store.add_definitions(sample_definitions(today), is_sample=True)


def ensure_sample(store: Store, today: date) -> bool:
    """Load the sample on the very first start; True when it was loaded now.

    The sample loads only while the sample has never been loaded or removed
    (setting ``sample_state`` unset) and the store holds nothing of the
    user's, so a workspace the user emptied, or cleared of the sample, stays
    as they left it. A first load cut short is completed on the next start.
    """
    if store.setting("sample_state") is not None:
        return False
    datasets = store.datasets()
    if any(not d.is_sample for d in datasets) or (not datasets and store.has_data()):
        return False
    # Only sample rows here means an earlier first start stopped half-way;
    # loading again is safe: the same files change nothing, definitions upsert.
    load_sample(store, today)
    store.set_setting("sample_state", "loaded")
    return True


@cache
def _generator() -> ModuleType:
    # data/ is not a package, so the generator is loaded from its file.
    path = SAMPLE_DIR / "generate.py"
    spec = importlib.util.spec_from_file_location("goalpost_sample_generate", path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"The sample generator is missing: {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
